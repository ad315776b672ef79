// MGDA (Desideri 2012; Sener & Koltun, NeurIPS 2018): the min-norm point of the convex hull of
// the task gradients, min_{a in simplex} a^T G a. Two tasks in closed form; more by Frank-Wolfe
// with away steps (linear convergence on the simplex) and exact line search. Stopping on the
// duality gap q - min_i (G a)_i <= tolerance * q, q = a^T G a, certifies
// g.g_i >= (1 - tolerance) |g|^2 for every task: no conflict whenever it stops on tolerance.
// Every 25 iterations, and at the end, Wolfe's exact min-norm-point iterations are started from
// the Frank-Wolfe point; when they succeed the result is the exact min-norm point up to rounding
// (Frank-Wolfe alone crawls on instances with a tiny min-norm point among large gradients).
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

#include "factories.hpp"
#include "hrgrad/aggregate/methods.hpp"
#include "linalg.hpp"

namespace hrgrad::aggregate {

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

// Affine min-norm point of the face S: min x^T G_SS x s.t. 1^T x = 1, in the scaled variables
// y = D x (so that task norms spread over decades do not spoil the solve) through the bordered
// system [C r; r^T 0] [y; mu] = [0; 1], r = 1/n. The bordered matrix stays invertible when C_SS is
// singular (m > p) as long as the face is affinely independent; returns false otherwise.
bool face_minimiser(const Eigen::MatrixXd& gram, const Eigen::VectorXd& norms,
                    const std::vector<int>& support, Eigen::VectorXd& xs) {
  const auto k = static_cast<Eigen::Index>(support.size());
  const Eigen::VectorXd n = detail::subvector(norms, support);
  const Eigen::VectorXd r = n.cwiseInverse();
  const double t = 1.0 / r.maxCoeff();  // equilibrates the border
  Eigen::MatrixXd kkt = Eigen::MatrixXd::Zero(k + 1, k + 1);
  kkt.topLeftCorner(k, k) = detail::cosine_matrix(detail::submatrix(gram, support), n);
  kkt.block(0, k, k, 1) = t * r;
  kkt.block(k, 0, 1, k) = t * r.transpose();
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(k + 1);
  rhs(k) = t;
  Eigen::PartialPivLU<Eigen::MatrixXd> lu(kkt);
  if (!(lu.rcond() > 1e-13)) return false;
  xs = lu.solve(rhs).head(k).cwiseQuotient(n);
  const double total = xs.sum();
  if (!(total > 0.0) || !xs.allFinite()) return false;
  xs /= total;
  return true;
}

// Wolfe's min-norm-point iterations started from the Frank-Wolfe point `a`: solve the current
// face exactly; if the solution leaves the simplex, step to its boundary and drop the vertex
// that hit zero; otherwise add the vertex that most violates optimality, until none does
// ((G x)_j >= x^T G x for every j, to rounding). Finite and exact; Frank-Wolfe only supplies a
// good starting face (or, when that face is affinely dependent, its heaviest vertex). Returns false
// (leaving `a` alone) on a degenerate face or no progress.
bool refine(const Eigen::MatrixXd& gram, Eigen::VectorXd& a) {
  const auto m = gram.rows();
  const Eigen::VectorXd norms = detail::task_norms(gram);
  const Eigen::MatrixXd gabs = gram.cwiseAbs();
  std::vector<int> support;
  for (Eigen::Index i = 0; i < m; ++i)
    if (a(i) > 0.0 && norms(i) > 0.0) support.push_back(static_cast<int>(i));
  if (support.empty()) return false;
  Eigen::VectorXd y = a;
  for (Eigen::Index i = 0; i < m; ++i)
    if (!(norms(i) > 0.0)) y(i) = 0.0;
  y /= y.sum();
  {
    Eigen::VectorXd probe;
    if (!face_minimiser(gram, norms, support, probe)) {
      // More vertices than the face has dimensions (m > p): start from the heaviest one.
      Eigen::Index heaviest;
      y.maxCoeff(&heaviest);
      support.assign(1, static_cast<int>(heaviest));
      y.setZero();
      y(heaviest) = 1.0;
    }
  }
  for (int round = 0; round < 10 * static_cast<int>(m) + 10; ++round) {
    Eigen::VectorXd xs;
    if (!face_minimiser(gram, norms, support, xs)) return false;
    if (xs.minCoeff() < 0.0) {
      // Minor cycle: move from y towards x until the first coordinate reaches zero.
      double step = 1.0;
      for (std::size_t r = 0; r < support.size(); ++r) {
        const double yi = y(support[r]);
        if (xs(r) < 0.0) step = std::min(step, yi / (yi - xs(r)));
      }
      Eigen::VectorXd next = Eigen::VectorXd::Zero(m);
      for (std::size_t r = 0; r < support.size(); ++r)
        next(support[r]) = y(support[r]) + step * (xs(r) - y(support[r]));
      std::vector<int> kept;
      Eigen::Index drop = -1;
      double smallest = std::numeric_limits<double>::infinity();
      for (std::size_t r = 0; r < support.size(); ++r)
        if (next(support[r]) < smallest) {
          smallest = next(support[r]);
          drop = static_cast<Eigen::Index>(r);
        }
      for (std::size_t r = 0; r < support.size(); ++r) {
        if (static_cast<Eigen::Index>(r) == drop || next(support[r]) <= 0.0) {
          next(support[r]) = 0.0;
          continue;
        }
        kept.push_back(support[r]);
      }
      if (kept.empty()) return false;
      support = kept;
      y = next / next.sum();
      continue;
    }
    y = detail::scatter(xs, support, static_cast<int>(m));
    const Eigen::VectorXd v = gram * y;
    const double q = y.dot(v);
    const Eigen::VectorXd bound = 64.0 * kEps * static_cast<double>(m) * (gabs * y);
    Eigen::Index worst = -1;
    double worst_gap = 0.0;
    for (Eigen::Index j = 0; j < m; ++j) {
      const double gap = q - v(j) - bound(j);
      if (gap > worst_gap && norms(j) > 0.0 &&
          std::find(support.begin(), support.end(), static_cast<int>(j)) == support.end()) {
        worst_gap = gap;
        worst = j;
      }
    }
    if (worst < 0) {
      for (Eigen::Index j = 0; j < m; ++j)
        if (v(j) < q - bound(j)) return false;  // violated inside the face: rounding trouble
      a = y;
      return true;
    }
    support.push_back(static_cast<int>(worst));
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
  // |g|^2 = a^T G a is known only to about m eps max_i |g_i|^2: below that, zero is in the hull
  // as far as G can tell (Pareto-stationary to rounding).
  const double stationary = 16.0 * static_cast<double>(m) * kEps * scale;
  const std::vector<int> kept = detail::nonzero_tasks(detail::task_norms(gram));
  if (m >= 2 && static_cast<Eigen::Index>(kept.size()) < m) {
    // A zero gradient is the min-norm point itself.
    Eigen::Index zero = 0;
    while (zero < static_cast<Eigen::Index>(kept.size()) && kept[zero] == zero) ++zero;
    a.setZero();
    a(zero) = 1.0;
    notes.push_back("task " + std::to_string(zero) +
                    " has a zero gradient: zero is in the convex hull (Pareto-stationary)");
  } else if (m == 2) {
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
    bool polished = false;
    std::vector<bool> last_support;  // support of the last failed exact solve
    for (; it < options.max_iters; ++it) {
      if (!(q > stationary)) {
        converged = true;  // zero is in the hull: Pareto-stationary
        break;
      }
      // Hard instances (a tiny min-norm point among large gradients) make Frank-Wolfe crawl
      // once it has found the right face; solving that face exactly finishes at once.
      if (it > 0 && it % 25 == 0 && detail::support_changed(a, last_support) && refine(gram, a)) {
        converged = polished = true;
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
    if (!polished && refine(gram, a)) converged = true;
    if (!converged) {
      Eigen::Index s;
      v.minCoeff(&s);
      std::ostringstream msg;
      msg << "Frank-Wolfe stopped after " << it << " iterations with relative gap "
          << (q - v(s)) / q << " (tolerance " << options.tolerance << ")";
      notes.push_back(msg.str());
    }
  }
  if (m >= 2 && static_cast<Eigen::Index>(kept.size()) == m && !(a.dot(gram * a) > stationary))
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
  Result aggregate(const Eigen::MatrixXd& gram) override { return mgda_aggregate(gram, options_); }

 private:
  MgdaOptions options_;
};

}  // namespace

std::vector<ParameterSpec> mgda_specs() {
  const MgdaOptions d;
  return {
      {"tolerance", shortest_text(d.tolerance),
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
