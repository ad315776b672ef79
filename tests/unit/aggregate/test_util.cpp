#include "test_util.hpp"

#include <cmath>
#include <limits>

namespace hrgrad::aggregate::test {

Eigen::MatrixXd random_jacobian(int m, int p, double spread, std::mt19937_64& rng, bool conflict) {
  std::normal_distribution<double> normal(0.0, 1.0);
  const double half = 0.5 * std::log(spread);
  std::uniform_real_distribution<double> log_norm(-half, half);
  Eigen::MatrixXd j(m, p);
  for (int i = 0; i < m; ++i)
    for (int k = 0; k < p; ++k) j(i, k) = normal(rng);
  if (conflict && m >= 2) {
    Eigen::VectorXd b(p);
    for (int k = 0; k < p; ++k) b(k) = normal(rng);
    j.row(0) = -3.0 * b.transpose() + 0.3 * j.row(0);
    j.row(1) = b.transpose() + 0.3 * j.row(1);
  }
  for (int i = 0; i < m; ++i) j.row(i) *= std::exp(log_norm(rng)) / j.row(i).norm();
  return j;
}

Eigen::VectorXd rounding_bound(const Eigen::MatrixXd& gram, const Eigen::VectorXd& w) {
  const Eigen::VectorXd n = gram.diagonal().cwiseMax(0.0).cwiseSqrt();
  const double mass = n.dot(w.cwiseAbs());
  const double c = 64.0 * static_cast<double>(gram.rows()) * std::numeric_limits<double>::epsilon();
  return c * mass * n;
}

double relative_difference(const Eigen::VectorXd& a, const Eigen::VectorXd& b, double floor) {
  const double scale = std::max({a.cwiseAbs().maxCoeff(), b.cwiseAbs().maxCoeff(), floor});
  if (scale == 0.0) return 0.0;
  return (a - b).cwiseAbs().maxCoeff() / scale;
}

}  // namespace hrgrad::aggregate::test
