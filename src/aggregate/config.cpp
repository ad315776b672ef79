// ConFIG (Liu, Chu, Thuerey, ICLR 2025) in Gram form (aggregators.md 3.8): the direction
// g_u = U^+ 1 (U: unit task gradients as rows) is J^T w~ with w~ = D^-1 C^+ 1, and the length
// is the projection length sum_i g_i . g_u/|g_u|, so w = w~ (1^T G w~) / (w~^T G w~).
#include <cmath>
#include <sstream>

#include "factories.hpp"
#include "hrgrad/aggregate/methods.hpp"
#include "linalg.hpp"

namespace hrgrad::aggregate {

Result config_aggregate(const Eigen::MatrixXd& gram, const ConfigOptions& options) {
  Result result;
  if (!detail::prepare(gram, result)) return result;
  const int m = static_cast<int>(gram.rows());
  auto& notes = result.diagnostics.notes;
  const Eigen::VectorXd norms = detail::task_norms(gram);
  const std::vector<int> kept = detail::nonzero_tasks(norms);
  detail::note_dropped(m, kept, notes);
  Eigen::VectorXd w = Eigen::VectorXd::Zero(m);
  if (!kept.empty()) {
    const Eigen::VectorXd n = detail::subvector(norms, kept);
    const Eigen::MatrixXd gk = detail::submatrix(gram, kept);
    const Eigen::MatrixXd c = detail::cosine_matrix(gk, n);
    const detail::SymmetricPinv pinv = detail::symmetric_pinv(c, options.rcond);
    const Eigen::VectorXd ones = Eigen::VectorXd::Ones(n.size());
    const Eigen::VectorXd a = pinv.inverse * ones;
    if (pinv.rank < static_cast<int>(kept.size())) {
      const double residual = (c * a - ones).cwiseAbs().maxCoeff();
      std::ostringstream msg;
      msg << "cosine matrix has rank " << pinv.rank << " < " << kept.size()
          << " after the rcond cutoff";
      if (residual > 1e-8) msg << "; equal angles not attainable (residual " << residual << ")";
      notes.push_back(msg.str());
    }
    // In the unit-vector basis: |g_u|^2 = a^T C a, sum_i u_i . g_u = 1^T C a; the length
    // sum_i g_i . g_u/|g_u| uses the real norms.
    const Eigen::VectorXd ca = c * a;
    const double g_u2 = a.dot(ca);
    if (!(g_u2 > 0.0)) {
      notes.push_back("ConFIG direction is zero after the rcond cutoff; zero update");
    } else {
      const double length = n.dot(ca) / std::sqrt(g_u2);
      if (length < 0.0) notes.push_back("projection length is negative: the update is reversed");
      w = detail::scatter((length / std::sqrt(g_u2)) * a.cwiseQuotient(n), kept, m);
    }
  }
  result.weights = w;
  std::vector<std::string> saved = std::move(notes);
  result.diagnostics = diagnose(gram, w);
  result.diagnostics.notes = std::move(saved);
  return result;
}

namespace detail {

namespace {

class ConfigAggregator final : public Aggregator {
 public:
  explicit ConfigAggregator(ConfigOptions options) : options_(options) {}
  std::string name() const override { return "config"; }
  Result aggregate(const Eigen::MatrixXd& gram) override {
    return config_aggregate(gram, options_);
  }

 private:
  ConfigOptions options_;
};

}  // namespace

std::vector<ParameterSpec> config_specs() {
  return {{"rcond", shortest_text(ConfigOptions{}.rcond),
           "relative eigenvalue cutoff of the cosine-matrix pseudo-inverse, in [0, 1]"}};
}

std::unique_ptr<Aggregator> make_config(const Parameters& params, std::uint64_t) {
  const OptionReader reader("config", params, config_specs());
  ConfigOptions options;
  options.rcond = reader.real("rcond", 0.0, 1.0);
  return std::make_unique<ConfigAggregator>(options);
}

}  // namespace detail

}  // namespace hrgrad::aggregate
