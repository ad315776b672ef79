// Direct, typed entry points to every aggregation rule of the module, for callers and tests that
// want options as numbers rather than strings. Each function is the Gram form of one method: it
// reads only G (m x m, double) and returns weights w with update = sum_i w_i g_i, the common
// diagnostics, and notes for the degenerate cases it met. make_aggregator() wraps these.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "hrgrad/aggregate/aggregator.hpp"

namespace hrgrad::aggregate {

// --- sum, mean: w = 1 or w = 1/m.
Result sum_aggregate(const Eigen::MatrixXd& gram);
Result mean_aggregate(const Eigen::MatrixXd& gram);

// --- HRGrad (DESIGN.md §3; docs/method.md).
struct HrgradOptions {
  // Alignment strength in [0, 1]. 0.1: as accurate as 0 in the Knudsen-range study and, unlike
  // 0, a strictly positive dot product with every task (docs/results.md, "HRGrad's default rule").
  double rho = 0.1;
  double rcond = 1e-10;  // eigenvalues of C at or below rcond * lambda_max are dropped
};
// The geometry of one HRGrad step, for tests and logging. Angles in radians.
struct HrgradGeometry {
  int active = 0;              // tasks with a nonzero gradient
  int rank = 0;                // rank of the cosine matrix after the rcond cutoff
  double theta_0 = 0.0;        // start of the conflict-free interval
  double theta_1 = 0.0;        // its end (theta_e whenever e itself is conflict-free)
  double theta_e = 0.0;        // angle between s and e
  double theta = 0.0;          // the chosen angle theta*
  double harmonic_norm = 0.0;  // h = k / sum_i 1/n_i over active tasks
  double sum_cosines = 0.0;    // sum_i u_i . r(theta*)
  bool conflict_free = true;   // false when no angle in [0, theta_e] removes every conflict
};
Result hrgrad_aggregate(const Eigen::MatrixXd& gram, const HrgradOptions& options,
                        HrgradGeometry* geometry = nullptr);

// --- PCGrad (Yu et al. 2020), weight form on G. orders[i] is the order in which task i is
// projected against the other tasks (entries equal to i are ignored); make_aggregator draws a
// fresh permutation per task and step from the run's seed.
Result pcgrad_aggregate(const Eigen::MatrixXd& gram, const std::vector<std::vector<int>>& orders);

// --- MGDA (Desideri 2012; Sener & Koltun 2018): min-norm point of the convex hull of the g_i.
// m = 2 in closed form; otherwise Frank-Wolfe with away steps and exact line search, stopped when
// the duality gap certifies g.g_i >= (1 - tolerance) |g|^2 for every i.
struct MgdaOptions {
  double tolerance = 1e-8;
  int max_iters = 10000;
};
Result mgda_aggregate(const Eigen::MatrixXd& gram, const MgdaOptions& options,
                      int* iterations = nullptr);

// --- CAGrad (Liu et al. 2021): dual min_{w in simplex} w.G1/m + c|g0| sqrt(w.Gw), solved by
// away-step Frank-Wolfe with an exact line search; update g0 + c|g0| g_w/|g_w|, rescaled.
struct CagradOptions {
  double c = 0.5;
  int rescale = 1;  // 0: none, 1: / (1 + c^2), 2: / (1 + c)
  double tolerance = 1e-10;
  int max_iters = 10000;
};
Result cagrad_aggregate(const Eigen::MatrixXd& gram, const CagradOptions& options,
                        int* iterations = nullptr);

// --- IMTL-G (Liu et al. 2021): equal projections, w = v / sum v with v = D^-1 C^+ 1.
struct ImtlgOptions {
  double rcond = 1e-10;
};
Result imtlg_aggregate(const Eigen::MatrixXd& gram, const ImtlgOptions& options);

// --- ConFIG (Liu, Chu, Thuerey 2025), Gram form of aggregators.md 3.8.
struct ConfigOptions {
  double rcond = 1e-10;
};
Result config_aggregate(const Eigen::MatrixXd& gram, const ConfigOptions& options);

// --- Aligned-MTL (Senushkin et al. 2023): w = B 1/m, B = sqrt(scale) V L^-1/2 V^T on the
// eigenvalues above lambda_max * m * rank_eps.
enum class AlignedScale { kMin, kMedian, kRmse };
struct AlignedMtlOptions {
  AlignedScale scale = AlignedScale::kMin;
  double rank_eps = 1.1920928955078125e-07;  // float32 epsilon, as both reference codes use
};
Result aligned_mtl_aggregate(const Eigen::MatrixXd& gram, const AlignedMtlOptions& options);

// --- Nash-MTL (Navon et al. 2022): G' alpha = 1/alpha, alpha > 0, with G' = G / |G|_F (as the
// reference code), by damped Newton on 1/2 a.G'a - sum log a_i. `warm_start` (size m, positive)
// seeds the iteration when given.
struct NashMtlOptions {
  int max_iters = 100;
  double tolerance = 1e-12;  // stop when max_i |alpha_i (G' alpha)_i - 1| <= tolerance
  bool normalize = true;     // divide G by its Frobenius norm first, as the reference code
};
Result nash_mtl_aggregate(const Eigen::MatrixXd& gram, const NashMtlOptions& options,
                          const Eigen::VectorXd* warm_start = nullptr, int* iterations = nullptr);

// --- UPGrad (Quinton & Rey 2024): w = sum_i v_i, v_i = argmin_{v >= e_i/m} v.(G + eps I)v,
// eps = reg_eps * min_i G_ii (scale "min", default) or reg_eps * trace(G) (scale "trace", the
// TorchJD convention on a trace-normalised G).
enum class RegScale { kMin, kTrace };
struct UpgradOptions {
  double reg_eps = 1e-12;
  RegScale reg_scale = RegScale::kMin;
};
Result upgrad_aggregate(const Eigen::MatrixXd& gram, const UpgradOptions& options);

}  // namespace hrgrad::aggregate
