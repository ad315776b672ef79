// HRGrad as DESIGN.md §3 defines it. Everything is expressed in the basis of the unit task
// gradients u_i: a vector sum_i c_i u_i has the coefficient vector c, and dot products follow
// from the cosine matrix C (x.y = c_x^T C c_y), so no p-vector is ever formed.
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
constexpr double kPi = 3.14159265358979323846;

// max over theta in [0, theta_e] of min_i (alpha_i cos theta + beta_i sin theta). The maximiser
// of a minimum of sinusoids lies at an end, at the peak of one sinusoid, or where two cross, so
// checking those candidates is exact.
double max_min_angle(const Eigen::VectorXd& alpha, const Eigen::VectorXd& beta, double theta_e) {
  const auto k = alpha.size();
  auto worst = [&](double t) { return (alpha * std::cos(t) + beta * std::sin(t)).minCoeff(); };
  std::vector<double> candidates{0.0, theta_e};
  auto add_roots = [&](double a, double b) {  // roots of a cos t + b sin t in [0, theta_e]
    if (b == 0.0) return;
    const double t = std::atan(-a / b);
    for (double r : {t, t + kPi, t - kPi})
      if (r >= 0.0 && r <= theta_e) candidates.push_back(r);
  };
  for (Eigen::Index i = 0; i < k; ++i) {
    const double peak = std::atan2(beta(i), alpha(i));
    if (peak >= 0.0 && peak <= theta_e) candidates.push_back(peak);
    for (Eigen::Index j = 0; j < i; ++j) add_roots(alpha(i) - alpha(j), beta(i) - beta(j));
  }
  double best_t = 0.0;
  double best = -std::numeric_limits<double>::infinity();
  for (double t : candidates) {
    const double v = worst(t);
    if (v > best) {
      best = v;
      best_t = t;
    }
  }
  return best_t;
}

}  // namespace

Result hrgrad_aggregate(const Eigen::MatrixXd& gram, const HrgradOptions& options,
                        HrgradGeometry* geometry) {
  Result result;
  HrgradGeometry geo;
  if (!detail::prepare(gram, result)) {
    if (geometry) *geometry = geo;
    return result;
  }
  const int m = static_cast<int>(gram.rows());
  auto& notes = result.diagnostics.notes;
  const Eigen::VectorXd all_norms = detail::task_norms(gram);
  const std::vector<int> kept = detail::nonzero_tasks(all_norms);
  detail::note_dropped(m, kept, notes);
  const auto k = static_cast<Eigen::Index>(kept.size());
  geo.active = static_cast<int>(k);
  auto finish = [&](const Eigen::VectorXd& w_kept) {
    result.weights = detail::scatter(w_kept, kept, m);
    std::vector<std::string> saved = std::move(notes);
    result.diagnostics = diagnose(gram, result.weights);
    result.diagnostics.notes = std::move(saved);
    if (geometry) *geometry = geo;
    return result;
  };
  if (k == 0) {
    notes.push_back("every task gradient is zero; zero update");
    return finish(Eigen::VectorXd());
  }
  const Eigen::VectorXd n = detail::subvector(all_norms, kept);
  geo.harmonic_norm = static_cast<double>(k) / n.cwiseInverse().sum();
  if (k == 1) {
    geo.rank = 1;
    geo.sum_cosines = 1.0;
    return finish(Eigen::VectorXd::Ones(1));
  }
  const Eigen::MatrixXd c = detail::cosine_matrix(detail::submatrix(gram, kept), n);
  const Eigen::VectorXd ones = Eigen::VectorXd::Ones(k);

  // Step 2: harmonized mean s = sum_i u_i (coefficients 1), |s|^2 = 1^T C 1.
  const Eigen::VectorXd c_one = c * ones;
  const double s2 = c_one.sum();
  if (!(s2 > 64.0 * kEps * static_cast<double>(k * k))) {
    notes.push_back(
        "the unit task gradients sum to zero: no direction serves every task; zero update");
    return finish(Eigen::VectorXd::Zero(k));
  }
  const double s_norm = std::sqrt(s2);
  const Eigen::VectorXd s_hat = ones / s_norm;
  const Eigen::VectorXd alpha = c_one / s_norm;  // u_i . s_hat

  // Step 1: equal-angle direction e = sum_i a_i u_i, a = C^+ 1.
  const detail::SymmetricPinv pinv = detail::symmetric_pinv(c, options.rcond);
  geo.rank = pinv.rank;
  const Eigen::VectorXd a = pinv.inverse * ones;
  const Eigen::VectorXd c_a = c * a;
  if (pinv.rank < k) {
    // Duplicated directions keep 1 in the range of C (equal angles still hold); m > p or
    // near-dependent gradients generally do not.
    const double residual = (c_a - ones).cwiseAbs().maxCoeff();
    std::ostringstream msg;
    msg << "cosine matrix has rank " << pinv.rank << " < " << k << " after the rcond cutoff";
    if (residual > 1e-8) msg << "; equal angles not attainable (residual " << residual << ")";
    notes.push_back(msg.str());
  }
  const double e2 = a.dot(c_a);
  Eigen::VectorXd q_hat = Eigen::VectorXd::Zero(k);
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(k);
  double theta_e = 0.0;
  if (e2 > 0.0 && std::isfinite(e2)) {
    const double e_norm = std::sqrt(e2);
    const Eigen::VectorXd e_hat = a / e_norm;
    const double cos_e = std::clamp(c_a.sum() / (s_norm * e_norm), -1.0, 1.0);
    // q: the part of e orthogonal to s, normalised; its length is sin(theta_e).
    const Eigen::VectorXd q = e_hat - cos_e * s_hat;
    const double sin_e = std::sqrt(std::max(0.0, q.dot(c * q)));
    if (sin_e > 1e-12) {
      theta_e = std::atan2(sin_e, cos_e);
      q_hat = q / sin_e;
      beta = c * q_hat;  // u_i . q_hat
    }
  } else {
    notes.push_back("equal-angle direction undefined after the rcond cutoff; using s");
  }
  geo.theta_e = theta_e;

  // Step 3: the conflict-free angles in [0, theta_e]. Each u_i.r(t) = alpha_i cos t +
  // beta_i sin t is a sinusoid whose non-negative set is an arc of length pi, longer than the
  // interval, so per task it is empty or one interval touching an end: [root, theta_e] when
  // only the end is served, [0, root] when only the start is.
  double lo = 0.0;
  double hi = theta_e;
  bool feasible = true;
  const double ce = std::cos(theta_e);
  const double se = std::sin(theta_e);
  for (Eigen::Index i = 0; i < k && feasible; ++i) {
    const double f0 = alpha(i);
    const double fe = alpha(i) * ce + beta(i) * se;
    if (f0 >= 0.0 && fe >= 0.0) continue;
    if (f0 < 0.0 && fe < 0.0) {
      feasible = false;
      break;
    }
    const double root = std::clamp(std::atan(-alpha(i) / beta(i)), 0.0, theta_e);
    if (f0 < 0.0) {
      lo = std::max(lo, root);
    } else {
      hi = std::min(hi, root);
    }
  }
  if (feasible && lo > hi) feasible = false;
  double theta;
  if (feasible) {
    theta = lo + options.rho * (hi - lo);
  } else {
    theta = max_min_angle(alpha, beta, theta_e);
    lo = hi = theta;
    notes.push_back(
        "no angle between s and e removes every conflict; took the angle of least conflict");
  }
  geo.theta_0 = lo;
  geo.theta_1 = hi;
  geo.theta = theta;
  geo.conflict_free = feasible;

  // Steps 4-5: r(theta), length L = h sum_i u_i.r = h |s| cos(theta), update L r.
  const Eigen::VectorXd r = std::cos(theta) * s_hat + std::sin(theta) * q_hat;
  geo.sum_cosines = s_norm * std::cos(theta);
  const double length = geo.harmonic_norm * geo.sum_cosines;
  return finish(length * r.cwiseQuotient(n));
}

namespace detail {

namespace {

class HrgradAggregator final : public Aggregator {
 public:
  explicit HrgradAggregator(HrgradOptions options) : options_(options) {}
  std::string name() const override { return "hrgrad"; }
  Result aggregate(const Eigen::MatrixXd& gram) override {
    return hrgrad_aggregate(gram, options_);
  }

 private:
  HrgradOptions options_;
};

}  // namespace

std::vector<ParameterSpec> hrgrad_specs() {
  const HrgradOptions d;
  return {
      {"rho", shortest_text(d.rho),
       "alignment strength in [0, 1]: 0 rotates the harmonized mean only as far as needed to "
       "remove every conflict, 1 goes to the equal-angle direction"},
      {"rcond", shortest_text(d.rcond),
       "relative eigenvalue cutoff of the cosine-matrix pseudo-inverse, in [0, 1]"},
  };
}

std::unique_ptr<Aggregator> make_hrgrad(const Parameters& params, std::uint64_t) {
  const OptionReader reader("hrgrad", params, hrgrad_specs());
  HrgradOptions options;
  options.rho = reader.real("rho", 0.0, 1.0);
  options.rcond = reader.real("rcond", 0.0, 1.0);
  return std::make_unique<HrgradAggregator>(options);
}

}  // namespace detail

}  // namespace hrgrad::aggregate
