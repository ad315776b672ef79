// CAGrad (Liu et al., NeurIPS 2021), the LibMTL form: with g0 the mean gradient and
// k = c |g0|, the dual min_{w in simplex} F(w) = w.b + k sqrt(w^T G w), b = G 1/m, gives
// d = g0 + (k / |g_w|) g_w, then rescaled by 1, 1/(1 + c^2) or 1/(1 + c). F is convex and
// positively homogeneous, so grad F . w = F and the Frank-Wolfe gap F(w) - min_i dF/dw_i equals
// F(w) - min_i g_i.d: the dual value minus the primal value of the current d. Stopping on it
// certifies that d is within tolerance of the primal optimum max_d min_i g_i.d. Every 25
// iterations, and at the end, the current face is solved exactly (Newton on its Lagrange
// conditions); when that face is optimal the result is the exact CAGrad update up to rounding.
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

// Minimiser over [0, gmax] of gamma -> beta0 gamma + k sqrt(A gamma^2 + 2 B gamma + C0), by
// bisection on the derivative, which is non-decreasing (the function is convex).
double line_search(double beta0, double k, double a, double b, double c0, double gmax) {
  auto slope = [&](double t) {
    const double q = a * t * t + 2.0 * b * t + c0;
    const double lin = a * t + b;
    if (q <= 0.0)
      return beta0 + k * (lin >= 0.0 ? std::sqrt(std::max(a, 0.0)) : -std::sqrt(std::max(a, 0.0)));
    return beta0 + k * lin / std::sqrt(q);
  };
  if (slope(0.0) >= 0.0) return 0.0;
  if (slope(gmax) <= 0.0) return gmax;
  double lo = 0.0, hi = gmax;
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    (slope(mid) > 0.0 ? hi : lo) = mid;
  }
  return 0.5 * (lo + hi);
}

// Exact minimiser of F on the face spanned by the support of w, by Newton's method on the
// Lagrange conditions in the scaled variables y = D w (C instead of G, so norm spreads do not
// spoil the solve): grad F(y) + nu a = 0, a^T y = 1 with a = 1/n. The Hessian of the norm term is
// singular along y, but the constraint removes that direction. Vertices that come out negative
// are dropped; the result is accepted only if g_j.d >= F for every j (optimal over the simplex).
bool polish(const Eigen::MatrixXd& gram, const Eigen::VectorXd& b, double k, Eigen::VectorXd& w) {
  constexpr double eps = std::numeric_limits<double>::epsilon();
  const auto m = gram.rows();
  const Eigen::VectorXd norms = detail::task_norms(gram);
  std::vector<int> support;
  for (Eigen::Index i = 0; i < m; ++i)
    if (w(i) > 0.0 && norms(i) > 0.0) support.push_back(static_cast<int>(i));
  while (!support.empty()) {
    const auto s = static_cast<Eigen::Index>(support.size());
    const Eigen::VectorXd n = detail::subvector(norms, support);
    const Eigen::MatrixXd c = detail::cosine_matrix(detail::submatrix(gram, support), n);
    const Eigen::VectorXd a = n.cwiseInverse();
    const Eigen::VectorXd bs = detail::subvector(b, support).cwiseQuotient(n);
    Eigen::VectorXd y = detail::subvector(w, support).cwiseProduct(n);
    y /= a.dot(y);
    double nu = 0.0;
    bool ok = false;
    for (int it = 0; it < 20; ++it) {  // quadratic convergence from a good start
      const Eigen::VectorXd cy = c * y;
      const double sigma = std::sqrt(std::max(0.0, y.dot(cy)));
      if (!(sigma > 0.0)) return false;
      const Eigen::VectorXd grad = bs + (k / sigma) * cy;
      if (it == 0) nu = -a.dot(grad) / a.squaredNorm();
      Eigen::MatrixXd kkt = Eigen::MatrixXd::Zero(s + 1, s + 1);
      kkt.topLeftCorner(s, s) = (k / sigma) * (c - cy * cy.transpose() / (sigma * sigma));
      kkt.block(0, s, s, 1) = a;
      kkt.block(s, 0, 1, s) = a.transpose();
      Eigen::VectorXd rhs(s + 1);
      rhs.head(s) = -(grad + nu * a);
      rhs(s) = 1.0 - a.dot(y);
      Eigen::PartialPivLU<Eigen::MatrixXd> lu(kkt);
      // Duplicated or dependent gradients make the face system singular: take the
      // minimum-norm Newton step then.
      const Eigen::VectorXd step =
          lu.rcond() > 1e-13 ? Eigen::VectorXd(lu.solve(rhs))
                             : Eigen::VectorXd(kkt.completeOrthogonalDecomposition().solve(rhs));
      y += step.head(s);
      nu += step(s);
      if (step.head(s).cwiseAbs().maxCoeff() <= 4.0 * eps * y.cwiseAbs().maxCoeff()) {
        ok = true;
        break;
      }
    }
    if (!ok || !y.allFinite()) return false;
    Eigen::Index worst;
    if (y.minCoeff(&worst) < 0.0) {
      support.erase(support.begin() + worst);
      continue;
    }
    Eigen::VectorXd x = detail::scatter(y.cwiseQuotient(n), support, static_cast<int>(m));
    x /= x.sum();
    const Eigen::VectorXd gx = gram * x;
    const double sigma = std::sqrt(std::max(0.0, x.dot(gx)));
    const Eigen::VectorXd grad = b + (k / sigma) * gx;  // g_j . d
    const double f = x.dot(b) + k * sigma;
    const Eigen::VectorXd bound = 64.0 * eps * static_cast<double>(m) *
                                  (b.cwiseAbs() + (k / sigma) * (gram.cwiseAbs() * x) +
                                   Eigen::VectorXd::Constant(m, std::abs(f)));
    for (Eigen::Index j = 0; j < m; ++j)
      if (grad(j) < f - bound(j)) return false;
    w = x;
    return true;
  }
  return false;
}

}  // namespace

Result cagrad_aggregate(const Eigen::MatrixXd& gram, const CagradOptions& options,
                        int* iterations) {
  Result result;
  if (iterations) *iterations = 0;
  if (!detail::prepare(gram, result)) return result;
  const auto m = gram.rows();
  const double inv_m = 1.0 / static_cast<double>(m);
  auto& notes = result.diagnostics.notes;
  const Eigen::VectorXd b = gram.rowwise().sum() * inv_m;  // g_i . g0
  const double g0_norm = std::sqrt(std::max(0.0, b.sum() * inv_m));
  const double k = options.c * g0_norm;
  const double max_norm = detail::task_norms(gram).maxCoeff();
  Eigen::VectorXd weights = Eigen::VectorXd::Constant(m, inv_m);
  if (!(g0_norm > 1e-15 * max_norm) || k == 0.0) {
    if (options.c > 0.0) notes.push_back("mean gradient is zero; update is the mean");
  } else {
    Eigen::VectorXd w = Eigen::VectorXd::Constant(m, inv_m);
    Eigen::VectorXd gw = gram * w;
    double sigma = std::sqrt(std::max(0.0, w.dot(gw)));
    const double scale = max_norm * g0_norm * (1.0 + options.c);
    bool converged = false;
    bool stationary = false;
    int it = 0;
    bool polished = false;
    std::vector<bool> last_support;  // support of the last failed exact solve
    int next_polish = 25;            // then 50, 100, ...: each try costs O(k^3) per step
    for (; it < options.max_iters; ++it) {
      if (!(sigma > 1e-15 * max_norm)) {
        stationary = true;
        break;
      }
      // As for MGDA: once Frank-Wolfe has found the face, solving it exactly finishes at once.
      const bool attempt = it == next_polish;
      if (attempt) next_polish *= 2;
      if (attempt && detail::support_changed(w, last_support) && polish(gram, b, k, w)) {
        converged = polished = true;
        gw.noalias() = gram * w;
        sigma = std::sqrt(std::max(0.0, w.dot(gw)));
        break;
      }
      const Eigen::VectorXd grad = b + (k / sigma) * gw;  // = g_i . d
      const double f = w.dot(b) + k * sigma;
      Eigen::Index s;
      grad.minCoeff(&s);
      const double gap = f - grad(s);
      if (gap <= options.tolerance * scale) {
        converged = true;
        break;
      }
      Eigen::Index away = -1;
      for (Eigen::Index i = 0; i < m; ++i)
        if (w(i) > 0.0 && (away < 0 || grad(i) > grad(away))) away = i;
      const double gap_away = grad(away) - f;
      // Direction d in weight space and the scalars of the line search along it.
      Eigen::VectorXd dir = -w;
      double gmax = 1.0;
      if (gap >= gap_away || w(away) >= 1.0) {
        dir(s) += 1.0;
      } else {
        dir = w;
        dir(away) -= 1.0;
        gmax = w(away) / (1.0 - w(away));
      }
      const Eigen::VectorXd gdir = gram * dir;
      const double gamma =
          line_search(b.dot(dir), k, dir.dot(gdir), w.dot(gdir), sigma * sigma, gmax);
      if (gamma <= 0.0) {
        converged = gap <= 1e3 * options.tolerance * scale;
        break;
      }
      w += gamma * dir;
      if (gap < gap_away && gamma >= gmax) w(away) = 0.0;
      w = w.cwiseMax(0.0);
      w /= w.sum();
      gw.noalias() = gram * w;
      sigma = std::sqrt(std::max(0.0, w.dot(gw)));
    }
    if (iterations) *iterations = it;
    if (!stationary && !polished && polish(gram, b, k, w)) {
      converged = true;
      gw.noalias() = gram * w;
      sigma = std::sqrt(std::max(0.0, w.dot(gw)));
    }
    if (stationary) {
      notes.push_back(
          "zero is in the convex hull of the task gradients; CAGrad's correction is undefined, "
          "update is the mean");
    } else {
      if (!converged) {
        std::ostringstream msg;
        msg << "Frank-Wolfe stopped after " << it << " iterations before the duality gap reached "
            << options.tolerance;
        notes.push_back(msg.str());
      }
      weights += (k / sigma) * w;
    }
  }
  if (options.rescale == 1) weights /= 1.0 + options.c * options.c;
  if (options.rescale == 2) weights /= 1.0 + options.c;
  result.weights = weights;
  std::vector<std::string> saved = std::move(notes);
  result.diagnostics = diagnose(gram, weights);
  result.diagnostics.notes = std::move(saved);
  return result;
}

namespace detail {

namespace {

class CagradAggregator final : public Aggregator {
 public:
  explicit CagradAggregator(CagradOptions options) : options_(options) {}
  std::string name() const override { return "cagrad"; }
  Result aggregate(const Eigen::MatrixXd& gram) override {
    return cagrad_aggregate(gram, options_);
  }

 private:
  CagradOptions options_;
};

}  // namespace

std::vector<ParameterSpec> cagrad_specs() {
  const CagradOptions d;
  return {
      {"c", shortest_text(d.c),
       "radius of the ball around the mean gradient, relative to its norm (>= 0)"},
      {"rescale", std::to_string(d.rescale),
       "0: no rescaling, 1: divide by 1 + c^2, 2: divide by 1 + c"},
      {"tolerance", shortest_text(d.tolerance),
       "Frank-Wolfe duality gap at which to stop, relative to max_i |g_i| |g0| (1 + c)"},
      {"max_iters", std::to_string(d.max_iters), "Frank-Wolfe iteration cap"},
  };
}

std::unique_ptr<Aggregator> make_cagrad(const Parameters& params, std::uint64_t) {
  const OptionReader reader("cagrad", params, cagrad_specs());
  CagradOptions options;
  options.c = reader.real("c", 0.0, 1e6);
  options.rescale = static_cast<int>(reader.integer("rescale", 0, 2));
  options.tolerance = reader.positive("tolerance", 0.5);
  options.max_iters = static_cast<int>(reader.integer("max_iters", 1, 100000000));
  return std::make_unique<CagradAggregator>(options);
}

}  // namespace detail

}  // namespace hrgrad::aggregate
