// Nash-MTL (Navon et al., ICML 2022): the bargaining solution G' alpha = 1/alpha, alpha > 0,
// with G' = G / |G|_F as the reference code normalises it. It is the minimiser of the strictly
// convex phi(a) = 1/2 a^T G' a - sum_i log a_i, found here by damped Newton (Hessian
// G' + diag(1/a^2), backtracking that keeps a > 0 and decreases phi) instead of the reference's
// cvxpy/ECOS sequence. Stopping on max_i |a_i (G'a)_i - 1| <= tolerance < 1 certifies
// g.g_i = (1 + r_i)/a_i > 0: no conflict. Zero tasks are dropped (their equation has no
// solution). The wrapper keeps the last alpha as the next warm start, and can reuse weights for
// update_every steps as the reference does.
#include <cmath>
#include <limits>
#include <sstream>

#include "factories.hpp"
#include "hrgrad/aggregate/methods.hpp"
#include "linalg.hpp"

namespace hrgrad::aggregate {

Result nash_mtl_aggregate(const Eigen::MatrixXd& gram, const NashMtlOptions& options,
                          const Eigen::VectorXd* warm_start, int* iterations) {
  Result result;
  if (iterations) *iterations = 0;
  if (!detail::prepare(gram, result)) return result;
  const int m = static_cast<int>(gram.rows());
  auto& notes = result.diagnostics.notes;
  const Eigen::VectorXd norms = detail::task_norms(gram);
  const std::vector<int> kept = detail::nonzero_tasks(norms);
  detail::note_dropped(m, kept, notes);
  const auto k = static_cast<Eigen::Index>(kept.size());
  Eigen::VectorXd w = Eigen::VectorXd::Zero(m);
  if (k > 0) {
    Eigen::MatrixXd g = detail::submatrix(gram, kept);
    g = 0.5 * (g + g.transpose());
    const double normaliser = options.normalize ? gram.norm() : 1.0;
    g /= normaliser;
    Eigen::VectorXd alpha = detail::subvector(norms, kept).cwiseInverse() * std::sqrt(normaliser);
    if (warm_start && warm_start->size() == m) {
      const Eigen::VectorXd start = detail::subvector(*warm_start, kept);
      if (start.allFinite() && start.minCoeff() > 0.0) alpha = start;
    }
    auto phi = [&](const Eigen::VectorXd& a) { return 0.5 * a.dot(g * a) - a.array().log().sum(); };
    const Eigen::MatrixXd g_abs = g.cwiseAbs();
    bool converged = false;
    int it = 0;
    double residual = std::numeric_limits<double>::infinity();
    for (; it <= options.max_iters; ++it) {
      const Eigen::VectorXd ga = g * alpha;
      residual = (alpha.cwiseProduct(ga).array() - 1.0).abs().maxCoeff();
      // The residual cannot drop below the rounding of a_i (G a)_i when G a cancels.
      const double floor = 64.0 * static_cast<double>(k) * std::numeric_limits<double>::epsilon() *
                           alpha.cwiseProduct(g_abs * alpha).maxCoeff();
      if (residual <= std::max(options.tolerance, std::min(floor, 1e-6))) {
        converged = true;
        break;
      }
      if (it == options.max_iters) break;
      const Eigen::VectorXd grad = ga - alpha.cwiseInverse();
      Eigen::MatrixXd hess = g;
      hess.diagonal() += alpha.cwiseInverse().cwiseAbs2();
      // Symmetric scaling by alpha keeps the Newton system well conditioned as alpha spreads.
      const Eigen::MatrixXd scaled = alpha.asDiagonal() * hess * alpha.asDiagonal();
      Eigen::LLT<Eigen::MatrixXd> llt(scaled);
      Eigen::VectorXd step;
      if (llt.info() == Eigen::Success) {
        step = -alpha.cwiseProduct(llt.solve(alpha.cwiseProduct(grad)));
      } else {
        step = -alpha.cwiseProduct(
            scaled.completeOrthogonalDecomposition().solve(alpha.cwiseProduct(grad)));
      }
      double t = 1.0;
      for (Eigen::Index i = 0; i < k; ++i)
        if (step(i) < 0.0) t = std::min(t, -0.99 * alpha(i) / step(i));
      const double f0 = phi(alpha);
      const double slope = grad.dot(step);
      auto accept = [&](const Eigen::VectorXd& x) {
        // Near the solution phi changes below its own rounding; a halved residual then decides.
        if (phi(x) <= f0 + 1e-4 * t * slope) return true;
        const double r = (x.cwiseProduct(g * x).array() - 1.0).abs().maxCoeff();
        return r <= 0.5 * residual;
      };
      Eigen::VectorXd next = alpha + t * step;
      for (int back = 0; back < 60 && !accept(next); ++back) {
        t *= 0.5;
        next = alpha + t * step;
      }
      if (!(next.minCoeff() > 0.0) || !next.allFinite()) break;
      alpha = next;
    }
    if (iterations) *iterations = it;
    // Any residual below 1 still gives g.g_i = (1 + r_i)/a_i > 0; above 1/2 there is no
    // solution to speak of (zero in the hull of the gradients: no direction serves all).
    if (converged) {
      w = detail::scatter(alpha, kept, m);
    } else if (residual < 0.5 && alpha.allFinite()) {
      std::ostringstream msg;
      msg << "Nash-MTL stopped at residual " << residual << " after " << it << " Newton steps";
      notes.push_back(msg.str());
      w = detail::scatter(alpha, kept, m);
    } else {
      std::ostringstream msg;
      msg << "Nash-MTL did not converge (residual " << residual << " after " << it
          << " Newton steps): no bargaining solution, e.g. fully opposed tasks; zero update";
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

class NashMtlAggregator final : public Aggregator {
 public:
  NashMtlAggregator(NashMtlOptions options, int update_every)
      : options_(options), update_every_(update_every) {}
  std::string name() const override { return "nash-mtl"; }
  Result aggregate(const Eigen::MatrixXd& gram) override {
    const bool reuse = step_ % update_every_ != 0 && last_.size() > 0 &&
                       last_.size() == gram.rows() && gram.allFinite();
    ++step_;
    if (reuse) {
      Result result;
      result.weights = last_;
      result.diagnostics = diagnose(gram, last_);
      result.diagnostics.notes.push_back("weights reused (update_every)");
      return result;
    }
    Result result =
        nash_mtl_aggregate(gram, options_, last_.size() == gram.rows() ? &last_ : nullptr);
    if (!result.skip && result.weights.size() > 0 && result.weights.minCoeff() >= 0.0 &&
        result.weights.sum() > 0.0)
      last_ = result.weights;
    return result;
  }
  State state() const override {
    return {{step_}, std::vector<double>(last_.data(), last_.data() + last_.size())};
  }
  void restore(const State& state) override {
    if (state.integers.size() != 1 || state.integers[0] < 0) refuse(state);
    step_ = static_cast<long>(state.integers[0]);
    last_ = Eigen::Map<const Eigen::VectorXd>(state.reals.data(),
                                              static_cast<Eigen::Index>(state.reals.size()));
  }

 private:
  NashMtlOptions options_;
  int update_every_;
  long step_ = 0;
  Eigen::VectorXd last_;
};

}  // namespace

std::vector<ParameterSpec> nash_mtl_specs() {
  const NashMtlOptions d;
  return {
      {"max_iters", std::to_string(d.max_iters), "Newton iteration cap"},
      {"tolerance", shortest_text(d.tolerance),
       "stop when max_i |alpha_i (G alpha)_i - 1| <= tolerance, in (0, 0.5]"},
      {"normalize", "1", "1: solve on G / |G|_F as the reference code; 0: on G"},
      {"update_every", "1", "recompute the weights every this many steps, reuse them between"},
  };
}

std::unique_ptr<Aggregator> make_nash_mtl(const Parameters& params, std::uint64_t) {
  const OptionReader reader("nash-mtl", params, nash_mtl_specs());
  NashMtlOptions options;
  options.max_iters = static_cast<int>(reader.integer("max_iters", 1, 100000));
  options.tolerance = reader.positive("tolerance", 0.5);
  options.normalize = reader.integer("normalize", 0, 1) == 1;
  const int every = static_cast<int>(reader.integer("update_every", 1, 1000000));
  return std::make_unique<NashMtlAggregator>(options, every);
}

}  // namespace detail

}  // namespace hrgrad::aggregate
