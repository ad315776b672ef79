// Test-only implementations of each method written on the explicit gradient matrix J (m x p,
// rows g_i), with p-vectors, projections and SVD/QR instead of the Gram matrix, so that the Gram
// forms in src/aggregate can be checked against an independent derivation. They return the update
// vector sum_i w_i g_i (size p). Slow and only for small test cases (the enumerating ones are
// exponential in m).
#pragma once

#include <Eigen/Dense>
#include <vector>

namespace hrgrad::aggregate::test {

Eigen::VectorXd explicit_sum(const Eigen::MatrixXd& j);
Eigen::VectorXd explicit_mean(const Eigen::MatrixXd& j);
// HRGrad in p-space; theta_0 by bisection on the conflict predicate instead of the closed form.
Eigen::VectorXd explicit_hrgrad(const Eigen::MatrixXd& j, double rho, double rcond);
// min_i u_i . r(theta) on HRGrad's rotation path r(theta) = cos(theta) s^ + sin(theta) q^, and
// the path's end theta_e (through `theta_e`), in p-space.
double explicit_hrgrad_worst(const Eigen::MatrixXd& j, double theta, double rcond,
                             double* theta_e = nullptr);
// PCGrad with vector projections, task i projected against orders[i] (i itself skipped).
Eigen::VectorXd explicit_pcgrad(const Eigen::MatrixXd& j,
                                const std::vector<std::vector<int>>& orders);
// MGDA: the exact min-norm point of the convex hull, by enumerating supports (QR on the
// differences g_i - g_k), independent of Frank-Wolfe.
Eigen::VectorXd explicit_mgda(const Eigen::MatrixXd& j);
// IMTL-G from the paper's closed form alpha_{2:m} = g_1 U^T (D U^T)^-1, rows u_1 - u_i, g_1 - g_i.
Eigen::VectorXd explicit_imtlg(const Eigen::MatrixXd& j);
// ConFIG as the reference code: g_u = unit(lstsq(U, 1)), length sum_i g_i . g_u.
Eigen::VectorXd explicit_config(const Eigen::MatrixXd& j, double rcond);
// Aligned-MTL through the SVD of J = U S V^T: B J = sqrt(scale) U V^T (orthogonal Procrustes),
// update (B J)^T 1/m. mode: 0 min, 1 median, 2 rmse.
Eigen::VectorXd explicit_aligned_mtl(const Eigen::MatrixXd& j, int mode, double rank_eps);
// UPGrad: (1/m) sum_i projection of g_i onto {x : Jx >= 0}, each by enumerating active faces
// with QR (the primal projection, not the dual QP).
Eigen::VectorXd explicit_upgrad(const Eigen::MatrixXd& j);
// CAGrad: the primal max_d min_i g_i.d over the ball |d - g0| <= c|g0|, solved exactly by
// enumerating the set of tasks that attain the minimum (not by the dual). Returns d, rescaled.
Eigen::VectorXd explicit_cagrad(const Eigen::MatrixXd& j, double c, int rescale);

}  // namespace hrgrad::aggregate::test
