// UPGrad (Quinton & Rey 2024, TorchJD): the mean of the projections of the g_i onto the dual
// cone {x : Jx >= 0}. In Gram form w = sum_i v_i, v_i = argmin_{v >= e_i/m} v^T (G + eps I) v,
// each an exact bounded QP (active set). Regularising shifts the guarantee: the KKT conditions
// give (G w)_j >= -eps w_j, so eps is scaled to the smallest task norm by default; TorchJD's
// eps = 1e-4 trace(G) breaks it for a task whose share of the trace is comparable.
#include <sstream>

#include "factories.hpp"
#include "hrgrad/aggregate/methods.hpp"
#include "linalg.hpp"

namespace hrgrad::aggregate {

Result upgrad_aggregate(const Eigen::MatrixXd& gram, const UpgradOptions& options) {
  Result result;
  if (!detail::prepare(gram, result)) return result;
  const auto m = gram.rows();
  auto& notes = result.diagnostics.notes;
  const Eigen::VectorXd norms = detail::task_norms(gram);
  const std::vector<int> kept = detail::nonzero_tasks(norms);
  Eigen::VectorXd w = Eigen::VectorXd::Constant(m, 1.0 / static_cast<double>(m));
  if (kept.empty()) {
    notes.push_back("every task gradient is zero; weights are the mean");
  } else {
    double eps = 0.0;
    if (options.reg_scale == RegScale::kMin) {
      double smallest = gram(kept[0], kept[0]);
      for (int i : kept) smallest = std::min(smallest, gram(i, i));
      eps = options.reg_eps * smallest;
    } else {
      eps = options.reg_eps * gram.trace();
    }
    Eigen::MatrixXd h = 0.5 * (gram + gram.transpose());
    h.diagonal().array() += eps;
    const Eigen::VectorXd zero = Eigen::VectorXd::Zero(m);
    w.setZero();
    int unconverged = 0;
    for (Eigen::Index i = 0; i < m; ++i) {
      Eigen::VectorXd lower = Eigen::VectorXd::Zero(m);
      lower(i) = 1.0 / static_cast<double>(m);
      const detail::QpResult qp = detail::solve_bounded_qp(h, zero, lower);
      if (!qp.converged) ++unconverged;
      w += qp.x;
    }
    if (unconverged > 0) {
      std::ostringstream msg;
      msg << unconverged << " of " << m << " projection QPs hit the iteration cap";
      notes.push_back(msg.str());
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

class UpgradAggregator final : public Aggregator {
 public:
  explicit UpgradAggregator(UpgradOptions options) : options_(options) {}
  std::string name() const override { return "upgrad"; }
  Result aggregate(const Eigen::MatrixXd& gram) override {
    return upgrad_aggregate(gram, options_);
  }

 private:
  UpgradOptions options_;
};

}  // namespace

std::vector<ParameterSpec> upgrad_specs() {
  return {
      {"reg_eps", shortest_text(UpgradOptions{}.reg_eps),
       "regulariser eps I added to G, relative to reg_scale, in [0, 1]"},
      {"reg_scale", "min",
       "min: eps = reg_eps * min_i |g_i|^2 (keeps the guarantee under norm spread); trace: "
       "eps = reg_eps * trace(G) (TorchJD)"},
  };
}

std::unique_ptr<Aggregator> make_upgrad(const Parameters& params, std::uint64_t) {
  const OptionReader reader("upgrad", params, upgrad_specs());
  UpgradOptions options;
  options.reg_eps = reader.real("reg_eps", 0.0, 1.0);
  options.reg_scale =
      reader.choice("reg_scale", {"min", "trace"}) == "min" ? RegScale::kMin : RegScale::kTrace;
  return std::make_unique<UpgradAggregator>(options);
}

}  // namespace detail

}  // namespace hrgrad::aggregate
