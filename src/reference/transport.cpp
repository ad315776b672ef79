#include "hrgrad/reference/transport.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "detail.hpp"
#include "hrgrad/core/error.hpp"
#include "hrgrad/core/gauss_legendre.hpp"
#include "hrgrad/core/timer.hpp"

namespace hrgrad::reference {
namespace {

using detail::fmt;

constexpr const char* kScheme = "transport/v1";

// Thomas algorithm for a constant-off-diagonal tridiagonal matrix, factorised once.
class Tridiagonal {
 public:
  Tridiagonal(const std::vector<double>& diag, double off) : off_(off), cp_(diag.size()),
                                                               inv_(diag.size()) {
    double prev = 0.0;
    for (std::size_t i = 0; i < diag.size(); ++i) {
      inv_[i] = 1.0 / (diag[i] - off_ * prev);
      prev = cp_[i] = off_ * inv_[i];
    }
  }
  // Solves in place; x holds the right-hand side on entry.
  void solve(double* x) const {
    const std::size_t n = cp_.size();
    x[0] *= inv_[0];
    for (std::size_t i = 1; i < n; ++i) x[i] = (x[i] - off_ * x[i - 1]) * inv_[i];
    for (std::size_t i = n - 1; i-- > 0;) x[i] -= cp_[i] * x[i + 1];
  }
  // Solves with a right-hand side that is zero above row first (the forward sweep starts there).
  void solve_from(double* x, std::size_t first) const {
    const std::size_t n = cp_.size();
    x[first] *= inv_[first];
    for (std::size_t i = first + 1; i < n; ++i) x[i] = (x[i] - off_ * x[i - 1]) * inv_[i];
    for (std::size_t i = n - 1; i-- > 0;) x[i] -= cp_[i] * x[i + 1];
  }

 private:
  double off_;
  std::vector<double> cp_, inv_;
};

// One backward-Euler step of fixed dt for every ordinate; the operators depend on dt only.
class Stepper {
 public:
  Stepper(const TransportSettings& s, const Quadrature& q, double dt)
      : s_(s), q_(q), n_(s.cells), dx_(1.0 / s.cells), dt_(dt) {
    const double e2 = s.eps * s.eps;
    beta_ = 1.0 / (e2 / dt + s.sigma_s + e2 * s.sigma_a);
    alpha_ = (e2 / dt) * beta_;
    const int k_count = s.half_nodes;
    Eigen::MatrixXd a = Eigen::MatrixXd::Zero(n_, n_);
    std::vector<double> diag_hat(n_), diag(n_), column(n_);
    for (int k = 0; k < k_count; ++k) {
      const double v = q.nodes[k];
      const double kappa = beta_ * v / (0.5 * dx_ + s.eps * beta_ * v);
      kappa_.push_back(kappa);
      const double off_hat = -beta_ * v * v / (dx_ * dx_);
      for (int i = 0; i < n_; ++i) {
        const int neighbours = (i > 0) + (i < n_ - 1);
        diag_hat[i] = 1.0 / dt + s.sigma_a +
                      v / dx_ * (beta_ * v / dx_ * neighbours + kappa * (i == 0) +
                                 kappa * (i == n_ - 1));
        diag[i] = s.sigma_s + e2 * diag_hat[i];
      }
      tri_.emplace_back(diag, e2 * off_hat);
      // Column c of T_k^-1 That_k, from That_k's three non-zeros in column c.
      const double w = q.weights[k];
      for (int c = 0; c < n_; ++c) {
        const int first = c > 0 ? c - 1 : 0;
        std::fill(column.begin(), column.end(), 0.0);
        if (c > 0) column[c - 1] = off_hat;
        column[c] = diag_hat[c];
        if (c < n_ - 1) column[c + 1] = off_hat;
        tri_.back().solve_from(column.data(), first);
        for (int i = 0; i < n_; ++i) a(i, c) += w * column[i];
      }
    }
    lu_.compute(a);
    y_.resize(std::size_t(k_count) * n_);
    rhs_.resize(n_);
    jhat_.resize(n_ + 1);
  }

  // Advances r (K x N cells) and j (K x (N+1) faces) by one step; rho receives the new density.
  void step(std::vector<double>& r, std::vector<double>& j, Eigen::VectorXd& rho) {
    const double e2 = s_.eps * s_.eps, eps = s_.eps;
    const int k_count = s_.half_nodes;
    const std::size_t faces = n_ + 1;
    rhs_.setZero();
    for (int k = 0; k < k_count; ++k) {
      const double v = q_.nodes[k], kappa = kappa_[k];
      double* rk = &r[std::size_t(k) * n_];
      double* jk = &j[std::size_t(k) * faces];
      double* yk = &y_[std::size_t(k) * n_];
      // Known part of the new face flux.
      for (int f = 0; f <= n_; ++f) jhat_[f] = alpha_ * jk[f];
      const double big_f = s_.inflow_left - eps * alpha_ * jk[0];
      const double big_g = s_.inflow_right + eps * alpha_ * jk[n_];
      jhat_[0] += kappa * big_f;
      jhat_[n_] -= kappa * big_g;
      for (int i = 0; i < n_; ++i) {
        yk[i] = rk[i] / dt_ + s_.source - v / dx_ * (jhat_[i + 1] - jhat_[i]);
      }
      tri_[k].solve(yk);
      const double w = q_.weights[k];
      for (int i = 0; i < n_; ++i) rhs_[i] += w * yk[i];
      // Keep Jhat's boundary parts for the flux update below.
      jk[0] = jhat_[0];
      jk[n_] = jhat_[n_];
      for (int f = 1; f < n_; ++f) jk[f] = jhat_[f];
    }
    rho = lu_.solve(rhs_);
    for (int k = 0; k < k_count; ++k) {
      const double v = q_.nodes[k], kappa = kappa_[k];
      double* rk = &r[std::size_t(k) * n_];
      double* jk = &j[std::size_t(k) * faces];
      const double* yk = &y_[std::size_t(k) * n_];
      for (int i = 0; i < n_; ++i) rk[i] = s_.sigma_s * rho[i];
      tri_[k].solve(rk);
      for (int i = 0; i < n_; ++i) rk[i] += e2 * yk[i];
      // New face flux J = Jhat - (part linear in the new r).
      const double b = beta_ * v / dx_;
      for (int f = 1; f < n_; ++f) jk[f] -= b * (rk[f] - rk[f - 1]);
      jk[0] -= kappa * rk[0];
      jk[n_] += kappa * rk[n_ - 1];
    }
  }

 private:
  const TransportSettings& s_;
  const Quadrature& q_;
  int n_;
  double dx_, dt_, alpha_ = 0.0, beta_ = 0.0;
  std::vector<double> kappa_;
  std::vector<Tridiagonal> tri_;
  Eigen::PartialPivLU<Eigen::MatrixXd> lu_;
  std::vector<double> y_, jhat_;
  Eigen::VectorXd rhs_;
};

void require_finite(double v, const std::string& option) {
  require(std::isfinite(v), option, "must be finite, got " + fmt(v));
}

}  // namespace

TransportGrid transport_default_grid(double eps, double t_final) {
  TransportGrid g{200, 16, 1e-5};
  if (eps > 1e-2) g = {400, 16, 1e-5};
  if (eps > 0.2) g = {800, 64, 1e-5};
  // At least 100 steps on short runs.
  if (t_final > 0.0) g.dt = std::min(g.dt, t_final / 100.0);
  return g;
}

TransportSettings resolve_transport(const TransportSettings& in) {
  TransportSettings s = in;
  require(std::isfinite(s.eps) && s.eps > 0.0, "--eps", "must be > 0, got " + fmt(s.eps));
  require(std::isfinite(s.t_final) && s.t_final > 0.0, "--t-final",
          "must be > 0, got " + fmt(s.t_final));
  s.times = detail::output_times(s.t_final, s.times);
  require(std::isfinite(s.sigma_s) && s.sigma_s >= 0.0, "--sigma-s",
          "must be >= 0, got " + fmt(s.sigma_s));
  require(std::isfinite(s.sigma_a) && s.sigma_a >= 0.0, "--sigma-a",
          "must be >= 0, got " + fmt(s.sigma_a));
  require_finite(s.source, "--source");
  require_finite(s.inflow_left, "--inflow-left");
  require_finite(s.inflow_right, "--inflow-right");
  require_finite(s.initial, "--initial");
  require(s.cells == 0 || s.cells >= 2, "--cells",
          "must be >= 2 (0 for automatic), got " + std::to_string(s.cells));
  require(s.half_nodes == 0 || s.half_nodes >= 2, "--half-nodes",
          "must be >= 2 (0 for automatic), got " + std::to_string(s.half_nodes));
  require(std::isfinite(s.dt) && s.dt >= 0.0, "--dt",
          "must be > 0 (0 for automatic), got " + fmt(s.dt));
  const TransportGrid g = transport_default_grid(s.eps, s.t_final);
  if (s.cells == 0) s.cells = g.cells;
  if (s.half_nodes == 0) s.half_nodes = g.half_nodes;
  if (s.dt == 0.0) s.dt = g.dt;
  return s;
}

std::string transport_key(const TransportSettings& settings) {
  const TransportSettings s = resolve_transport(settings);
  return std::string(kScheme) + " eps=" + fmt(s.eps) + " t_final=" + fmt(s.t_final) +
         " times=" + fmt(s.times) + " sigma_s=" + fmt(s.sigma_s) + " sigma_a=" +
         fmt(s.sigma_a) + " source=" + fmt(s.source) + " inflow_left=" + fmt(s.inflow_left) +
         " inflow_right=" + fmt(s.inflow_right) + " initial=" + fmt(s.initial) +
         " cells=" + std::to_string(s.cells) + " half_nodes=" + std::to_string(s.half_nodes) +
         " dt=" + fmt(s.dt);
}

Solution solve_transport(const TransportSettings& settings) {
  const Stopwatch clock;
  const TransportSettings s = resolve_transport(settings);
  const int n = s.cells, k_count = s.half_nodes;
  const Quadrature q = gauss_legendre(k_count, 0.0, 1.0);

  Solution sol;
  sol.problem = "transport";
  sol.key = transport_key(s);
  sol.times = s.times;
  sol.x.resize(n);
  for (int i = 0; i < n; ++i) sol.x[i] = (i + 0.5) / n;

  // Initial state: r = even part of f0, j = odd part / eps; both constant here.
  std::vector<double> r(std::size_t(k_count) * n, s.initial);
  std::vector<double> j(std::size_t(k_count) * (n + 1), 0.0);
  Eigen::VectorXd rho = Eigen::VectorXd::Constant(n, s.initial);

  std::unique_ptr<Stepper> stepper;
  double stepper_dt = 0.0;
  std::int64_t factorisations = 0;
  for (const detail::Segment& seg : detail::time_plan(s.times, s.dt)) {
    if (!stepper || std::abs(seg.dt - stepper_dt) > 1e-12 * stepper_dt) {
      stepper = std::make_unique<Stepper>(s, q, seg.dt);
      stepper_dt = seg.dt;
      ++factorisations;
    }
    for (std::int64_t i = 0; i < seg.steps; ++i) stepper->step(r, j, rho);
    sol.steps += seg.steps;
    sol.rho.emplace_back(rho.data(), rho.data() + n);
  }
  sol.seconds = clock.seconds();
  if (factorisations > 1) {
    sol.notes.push_back("output times are not multiples of --dt " + fmt(s.dt) + ": " +
                        std::to_string(factorisations) + " step sizes, one factorisation each");
  }
  sol.attributes = {{"problem", std::string("transport")},
                    {"scheme", std::string(kScheme)},
                    {"key", sol.key},
                    {"eps", s.eps},
                    {"t_final", s.t_final},
                    {"times", detail::fmt(s.times)},
                    {"sigma_s", s.sigma_s},
                    {"sigma_a", s.sigma_a},
                    {"source", s.source},
                    {"inflow_left", s.inflow_left},
                    {"inflow_right", s.inflow_right},
                    {"initial", s.initial},
                    {"cells", std::int64_t(n)},
                    {"half_nodes", std::int64_t(k_count)},
                    {"dt", s.dt},
                    {"steps", sol.steps},
                    {"factorisations", factorisations},
                    {"seconds", sol.seconds}};
  return sol;
}

}  // namespace hrgrad::reference
