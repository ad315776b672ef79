// Shared helpers of the aggregate tests: random Jacobians with a controlled norm spread, the
// Gram matrix and update they give, and the rounding bound used by the no-conflict checks.
#pragma once

#include <Eigen/Dense>
#include <random>

namespace hrgrad::aggregate::test {

// Rows g_i of an m x p Jacobian: Gaussian directions, norms exp(U[-log s/2, log s/2]) so the
// ratio of the largest to the smallest norm is at most `spread`. With conflict = true, rows 0
// and 1 are pushed into strong conflict (g_0 ~ -3 b, g_1 ~ b), as in aggregators.md 3.13.
Eigen::MatrixXd random_jacobian(int m, int p, double spread, std::mt19937_64& rng,
                                bool conflict = false);

inline Eigen::MatrixXd gram_of(const Eigen::MatrixXd& j) { return j * j.transpose(); }
inline Eigen::VectorXd update_of(const Eigen::MatrixXd& j, const Eigen::VectorXd& w) {
  return j.transpose() * w;
}

// Rounding bound on (G w)_i computed in double: c * m * eps * n_i * sum_j n_j |w_j| with c = 64.
// A value of g.g_i below minus this bound is a real conflict, not rounding.
Eigen::VectorXd rounding_bound(const Eigen::MatrixXd& gram, const Eigen::VectorXd& w);

// Largest |a - b| relative to max(|a|, |b|, floor).
double relative_difference(const Eigen::VectorXd& a, const Eigen::VectorXd& b, double floor = 0.0);

}  // namespace hrgrad::aggregate::test
