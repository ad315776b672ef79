#include <algorithm>
#include <cmath>
#include <limits>

#include "hrgrad/aggregate/aggregator.hpp"
#include "linalg.hpp"

namespace hrgrad::aggregate {

Diagnostics diagnose(const Eigen::MatrixXd& gram, const Eigen::VectorXd& weights) {
  Diagnostics d;
  const auto m = gram.rows();
  d.cosines = Eigen::MatrixXd::Zero(m, m);
  d.update_cosines = Eigen::VectorXd::Zero(m);
  if (m == 0 || gram.cols() != m || weights.size() != m) return d;
  if (!gram.allFinite() || !weights.allFinite()) {
    d.notes.push_back("diagnostics: non-finite Gram matrix or weights");
    return d;
  }
  const Eigen::VectorXd norms = detail::task_norms(gram);
  const std::vector<int> kept = detail::nonzero_tasks(norms);
  Eigen::VectorXd kept_norms = Eigen::VectorXd::Zero(m);
  for (int i : kept) kept_norms(i) = norms(i);
  d.cosines = detail::cosine_matrix(gram, kept_norms);

  const Eigen::VectorXd projections = gram * weights;  // g_i . update
  d.update_norm = std::sqrt(std::max(0.0, weights.dot(projections)));
  double min_cos = std::numeric_limits<double>::infinity();
  for (int i : kept) {
    const double c = d.update_norm > 0.0 ? projections(i) / (norms(i) * d.update_norm) : 0.0;
    d.update_cosines(i) = std::clamp(c, -1.0, 1.0);
    min_cos = std::min(min_cos, d.update_cosines(i));
  }
  d.min_update_cosine = std::isfinite(min_cos) ? min_cos : 0.0;

  double min_pair = 0.0;
  for (std::size_t a = 0; a < kept.size(); ++a)
    for (std::size_t b = 0; b < a; ++b) min_pair = std::min(min_pair, d.cosines(kept[a], kept[b]));
  d.conflict = std::max(0.0, -min_pair);
  return d;
}

}  // namespace hrgrad::aggregate
