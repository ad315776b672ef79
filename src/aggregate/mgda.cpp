// MGDA (Desideri 2012; Sener & Koltun, NeurIPS 2018): the min-norm point of the convex hull of
// the task gradients, min_{a in simplex} a^T G a. Two tasks in closed form; more by Frank-Wolfe
// with away steps (linear convergence on the simplex) and exact line search. Stopping on the
// duality gap q - min_i (G a)_i <= tolerance * q, q = a^T G a, certifies
// g.g_i >= (1 - tolerance) |g|^2 for every task: no conflict whenever it stops on tolerance.
// The face Frank-Wolfe ends on is then solved exactly (KKT system), so the result is the exact
// min-norm point up to rounding whenever that face is the optimal one.
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "factories.hpp"
#include "hrgrad/aggregate/methods.hpp"
#include "linalg.hpp"

namespace hrgrad::aggregate {

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

// Exact min-norm point on the face spanned by the support of `a`: the affine minimiser
// x ∝ G_SS^-1 1, computed as D^-1 C_SS^-1 D^-1 1 so that task norms spread over decades do not
// spoil the solve; vertices that come out negative are dropped. Accepted only if optimal over
// the whole simplex ((G x)_j >= x^T G x for every j, to rounding). Frank-Wolfe identifies the
// face; this removes its O(sqrt(gap)) error in the point itself.
bool polish(const Eigen::MatrixXd& gram, Eigen::VectorXd& a) {
  const auto m = gram.rows();
  const Eigen::VectorXd norms = detail::task_norms(gram);
  std::vector<int> support;
  for (Eigen::Index i = 0; i < m; ++i)
    if (a(i) > 0.0 && norms(i) > 0.0) support.push_back(static_cast<int>(i));
  const Eigen::MatrixXd gabs = gram.cwiseAbs();
  while (!support.empty()) {
    const auto k = static_cast<Eigen::Index>(support.size());
    const Eigen::VectorXd n = detail::subvector(norms, support);
    const Eigen::MatrixXd c = detail::cosine_matrix(detail::submatrix(gram, support), n);
    const Eigen::VectorXd rhs = n.cwiseInverse();
    Eigen::LDLT<Eigen::MatrixXd> ldlt(c);
    Eigen::VectorXd z;
    if (ldlt.info() == Eigen::Success && ldlt.isPositive() &&
        ldlt.vectorD().minCoeff() > 1e-12 * ldlt.vectorD().maxCoeff()) {
      z = ldlt.solve(rhs);
    } else {
      z = detail::symmetric_pinv(c, 1e-13).inverse * rhs;
    }
    Eigen::VectorXd xs = z.cwiseQuotient(n);
    const double total = xs.sum();
    if (!(total > 0.0)) return false;
    xs /= total;
    Eigen::Index worst;
    if (xs.minCoeff(&worst) < 0.0) {
      support.erase(support.begin() + worst);
      continue;
    }
    const Eigen::VectorXd x = detail::scatter(xs, support, static_cast<int>(m));
    const Eigen::VectorXd v = gram * x;
    const double q = x.dot(v);
    const Eigen::VectorXd bound = 64.0 * kEps * static_cast<double>(m) * (gabs * x);
    for (Eigen::Index j = 0; j < m; ++j)
      if (v(j) < q - bound(j)) return false;
    a = x;
    return true;
  }
  return false;
}

}  // namespace

Result mgda_aggregate(const Eigen::MatrixXd& gram, const MgdaOptions& options, int* iterations) {
  Result result;
  if (iterations) *iterations = 0;
  if (!detail::prepare(gram, result)) return result;
  const auto m = gram.rows();
  auto& notes = result.diagnostics.notes;
  Eigen::VectorXd a = Eigen::VectorXd::Constant(m, 1.0 / static_cast<double>(m));
  const double scale = gram.diagonal().maxCoeff();
  if (m == 2) {
    const double denom = gram(0, 0) + gram(1, 1) - 2.0 * gram(0, 1);
    double gamma = 0.5;  // identical gradients: every point of the segment is optimal
    if (denom > 16.0 * kEps * (gram(0, 0) + gram(1, 1)))
      gamma = std::clamp((gram(1, 1) - gram(0, 1)) / denom, 0.0, 1.0);
    a << gamma, 1.0 - gamma;
  } else if (m > 2) {
    Eigen::VectorXd v = gram * a;
    double q = a.dot(v);
    int it = 0;
    bool converged = false;
    for (; it < options.max_iters; ++it) {
      if (!(q > 1e-30 * scale)) {
        converged = true;  // zero is in the hull: Pareto-stationary
        break;
      }
      Eigen::Index s;
      v.minCoeff(&s);
      const double gap = q - v(s);
      if (gap <= options.tolerance * q) {
        converged = true;
        break;
      }
      Eigen::Index away = -1;
      for (Eigen::Index i = 0; i < m; ++i)
        if (a(i) > 0.0 && (away < 0 || v(i) > v(away))) away = i;
      const double gap_away = v(away) - q;
      if (gap >= gap_away || a(away) >= 1.0) {
        const double dv = v(s) - q;  // d = e_s - a
        const double dgd = gram(s, s) - 2.0 * v(s) + q;
        const double gamma = dgd > 0.0 ? std::clamp(-dv / dgd, 0.0, 1.0) : 1.0;
        a *= 1.0 - gamma;
        a(s) += gamma;
      } else {
        const double dv = q - v(away);  // d = a - e_away
        const double dgd = q - 2.0 * v(away) + gram(away, away);
        const double gmax = a(away) / (1.0 - a(away));
        const double gamma = dgd > 0.0 ? std::clamp(-dv / dgd, 0.0, gmax) : gmax;
        a *= 1.0 + gamma;
        a(away) -= gamma;
        if (gamma >= gmax) a(away) = 0.0;
      }
      a = a.cwiseMax(0.0);
      a /= a.sum();
      v.noalias() = gram * a;
      q = a.dot(v);
    }
    if (iterations) *iterations = it;
    if (polish(gram, a)) converged = true;
    if (!converged) {
      Eigen::Index s;
      v.minCoeff(&s);
      std::ostringstream msg;
      msg << "Frank-Wolfe stopped after " << it << " iterations with relative gap "
          << (q - v(s)) / q << " (tolerance " << options.tolerance << ")";
      notes.push_back(msg.str());
    }
  }
  if (m >= 2 && !(a.dot(gram * a) > 1e-30 * scale))
    notes.push_back("zero is in the convex hull of the task gradients (Pareto-stationary)");
  result.weights = a;
  std::vector<std::string> saved = std::move(notes);
  result.diagnostics = diagnose(gram, a);
  result.diagnostics.notes = std::move(saved);
  return result;
}

namespace detail {

namespace {

class MgdaAggregator final : public Aggregator {
 public:
  explicit MgdaAggregator(MgdaOptions options) : options_(options) {}
  std::string name() const override { return "mgda"; }
  Result aggregate(const Eigen::MatrixXd& gram) override {
    return mgda_aggregate(gram, options_);
  }

 private:
  MgdaOptions options_;
};

}  // namespace

std::vector<ParameterSpec> mgda_specs() {
  const MgdaOptions d;
  return {
      {"tolerance", format_default(d.tolerance),
       "relative Frank-Wolfe duality gap at which to stop (m > 2), in (0, 1); it certifies "
       "g.g_i >= (1 - tolerance) |g|^2"},
      {"max_iters", std::to_string(d.max_iters), "Frank-Wolfe iteration cap (m > 2)"},
  };
}

std::unique_ptr<Aggregator> make_mgda(const Parameters& params, std::uint64_t) {
  const OptionReader reader("mgda", params, mgda_specs());
  MgdaOptions options;
  options.tolerance = reader.positive("tolerance", 0.5);
  options.max_iters = static_cast<int>(reader.integer("max_iters", 1, 100000000));
  return std::make_unique<MgdaAggregator>(options);
}

}  // namespace detail

}  // namespace hrgrad::aggregate
