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

// K tridiagonal systems of size N with constant off-diagonals, one per ordinate, factorised
// once and solved together: unknowns are stored x[i * K + k], so the Thomas sweeps run over the
// independent k innermost (vectorised) instead of along one dependent chain per system.
class TridiagonalBatch {
 public:
  TridiagonalBatch(int n, int k)
      : n_(n), k_(k), off_(k), cp_(std::size_t(n) * k), inv_(cp_.size()) {}
  // Factorises system k: diag[i] on the diagonal, off on both off-diagonals.
  void factorise(int k, const std::vector<double>& diag, double off) {
    off_[k] = off;
    double prev = 0.0;
    for (int i = 0; i < n_; ++i) {
      const std::size_t at = std::size_t(i) * k_ + k;
      inv_[at] = 1.0 / (diag[i] - off * prev);
      prev = cp_[at] = off * inv_[at];
    }
  }
  // Solves all systems in place; x holds the right-hand sides on entry, zero in rows < first.
  void solve(double* x, int first = 0) const {
    const int k_count = k_;
    const double* off = off_.data();
    for (int k = 0; k < k_count; ++k) x[first * k_count + k] *= inv_[first * k_count + k];
    for (int i = first + 1; i < n_; ++i) {
      double* xi = x + std::size_t(i) * k_count;
      const double* xp = xi - k_count;
      const double* inv = &inv_[std::size_t(i) * k_count];
      for (int k = 0; k < k_count; ++k) xi[k] = (xi[k] - off[k] * xp[k]) * inv[k];
    }
    for (int i = n_ - 2; i >= 0; --i) {
      double* xi = x + std::size_t(i) * k_count;
      const double* xn = xi + k_count;
      const double* cp = &cp_[std::size_t(i) * k_count];
      for (int k = 0; k < k_count; ++k) xi[k] -= cp[k] * xn[k];
    }
  }

 private:
  int n_, k_;
  std::vector<double> off_, cp_, inv_;
};

// One backward-Euler step of fixed dt for every ordinate; the operators depend on dt only.
// Layout: r[i * K + k] at cell i, j[f * K + k] at face f.
class Stepper {
 public:
  Stepper(const TransportSettings& s, const Quadrature& q, double dt)
      : s_(s), n_(s.cells), k_(s.half_nodes), dx_(1.0 / s.cells), dt_(dt), tri_(n_, k_) {
    const double e2 = s.eps * s.eps;
    beta_ = 1.0 / (e2 / dt + s.sigma_s + e2 * s.sigma_a);
    alpha_ = (e2 / dt) * beta_;
    weights_ = q.weights;
    std::vector<double> diag(n_);
    std::vector<std::vector<double>> diag_hat(k_, std::vector<double>(n_));
    for (int k = 0; k < k_; ++k) {
      const double v = q.nodes[k];
      const double kappa = beta_ * v / (0.5 * dx_ + s.eps * beta_ * v);
      kappa_.push_back(kappa);
      v_dx_.push_back(v / dx_);
      beta_v_dx_.push_back(beta_ * v / dx_);
      off_hat_.push_back(-beta_ * v * v / (dx_ * dx_));
      for (int i = 0; i < n_; ++i) {
        const int neighbours = (i > 0) + (i < n_ - 1);
        diag_hat[k][i] =
            1.0 / dt + s.sigma_a +
            v / dx_ * (beta_ * v / dx_ * neighbours + kappa * (i == 0) + kappa * (i == n_ - 1));
        diag[i] = s.sigma_s + e2 * diag_hat[k][i];
      }
      tri_.factorise(k, diag, e2 * off_hat_[k]);
    }
    // Density matrix sum_k w_k T_k^-1 That_k, column by column from That_k's three non-zeros.
    Eigen::MatrixXd a(n_, n_);
    std::vector<double> x(std::size_t(n_) * k_);
    for (int c = 0; c < n_; ++c) {
      const int first = c > 0 ? c - 1 : 0;
      std::fill(x.begin(), x.end(), 0.0);
      for (int k = 0; k < k_; ++k) {
        if (c > 0) x[std::size_t(c - 1) * k_ + k] = off_hat_[k];
        x[std::size_t(c) * k_ + k] = diag_hat[k][c];
        if (c < n_ - 1) x[std::size_t(c + 1) * k_ + k] = off_hat_[k];
      }
      tri_.solve(x.data(), first);
      for (int i = 0; i < n_; ++i) {
        double sum = 0.0;
        for (int k = 0; k < k_; ++k) sum += weights_[k] * x[std::size_t(i) * k_ + k];
        a(i, c) = sum;
      }
    }
    lu_.compute(a);
    y_.resize(std::size_t(n_) * k_);
    jhat_.resize(std::size_t(n_ + 1) * k_);
    rhs_.resize(n_);
  }

  // Advances r and j by one step; rho receives the new density.
  void step(std::vector<double>& r, std::vector<double>& j, Eigen::VectorXd& rho) {
    const double e2 = s_.eps * s_.eps, eps = s_.eps, inv_dt = 1.0 / dt_;
    const int kc = k_;
    // Known part of the new face flux: alpha j^n, plus the inflow terms at the two ends.
    for (std::size_t at = 0; at < jhat_.size(); ++at) jhat_[at] = alpha_ * j[at];
    double* jh0 = &jhat_[0];
    double* jhn = &jhat_[std::size_t(n_) * kc];
    for (int k = 0; k < kc; ++k) {
      const double big_f = s_.inflow_left - eps * alpha_ * j[k];
      const double big_g = s_.inflow_right + eps * alpha_ * j[std::size_t(n_) * kc + k];
      jh0[k] += kappa_[k] * big_f;
      jhn[k] -= kappa_[k] * big_g;
    }
    for (int i = 0; i < n_; ++i) {
      const double* ri = &r[std::size_t(i) * kc];
      const double* jl = &jhat_[std::size_t(i) * kc];
      double* yi = &y_[std::size_t(i) * kc];
      for (int k = 0; k < kc; ++k) {
        yi[k] = ri[k] * inv_dt + s_.source - v_dx_[k] * (jl[k + kc] - jl[k]);
      }
    }
    tri_.solve(y_.data());
    for (int i = 0; i < n_; ++i) {
      const double* yi = &y_[std::size_t(i) * kc];
      double sum = 0.0;
      for (int k = 0; k < kc; ++k) sum += weights_[k] * yi[k];
      rhs_[i] = sum;
    }
    rho = lu_.solve(rhs_);
    for (int i = 0; i < n_; ++i) {
      double* ri = &r[std::size_t(i) * kc];
      const double value = s_.sigma_s * rho[i];
      for (int k = 0; k < kc; ++k) ri[k] = value;
    }
    tri_.solve(r.data());
    for (std::size_t at = 0; at < r.size(); ++at) r[at] += e2 * y_[at];
    // New face flux J = Jhat - (the part linear in the new r).
    for (int k = 0; k < kc; ++k) j[k] = jh0[k] - kappa_[k] * r[k];
    for (int f = 1; f < n_; ++f) {
      double* jf = &j[std::size_t(f) * kc];
      const double* jh = &jhat_[std::size_t(f) * kc];
      const double* rr = &r[std::size_t(f) * kc];
      const double* rl = rr - kc;
      for (int k = 0; k < kc; ++k) jf[k] = jh[k] - beta_v_dx_[k] * (rr[k] - rl[k]);
    }
    double* jn = &j[std::size_t(n_) * kc];
    const double* rlast = &r[std::size_t(n_ - 1) * kc];
    for (int k = 0; k < kc; ++k) jn[k] = jhn[k] + kappa_[k] * rlast[k];
  }

 private:
  const TransportSettings& s_;
  int n_, k_;
  double dx_, dt_, alpha_ = 0.0, beta_ = 0.0;
  std::vector<double> weights_, kappa_, v_dx_, beta_v_dx_, off_hat_;
  TridiagonalBatch tri_;
  Eigen::PartialPivLU<Eigen::MatrixXd> lu_;
  std::vector<double> y_, jhat_;
  Eigen::VectorXd rhs_;
};

void require_finite(double v, const std::string& option) {
  require(std::isfinite(v), option, "must be finite, got " + fmt(v));
}

}  // namespace

TransportGrid transport_default_grid(double eps, double t_final, double sigma_s) {
  // tau = sigma_s t_final / eps^2 collisions per particle by t_final. While tau is O(1) the
  // uncollided beam turns rho into a staircase of fronts x = v_k t / eps (a ray effect in time):
  // that needs many ordinates and fine cells, while backward Euler at dt = 1e-4 damps the
  // central scheme's front oscillations. Measured in docs/reference.md.
  const double tau = sigma_s * t_final / (eps * eps);
  TransportGrid g{800, 64, 1e-4};
  if (tau >= 5.0) g = eps <= 1e-2 ? TransportGrid{200, 16, 1e-5} : TransportGrid{400, 16, 1e-5};
  if (t_final > 0.0) g.dt = std::min(g.dt, t_final / 100.0);  // at least 100 steps
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
  const TransportGrid g = transport_default_grid(s.eps, s.t_final, s.sigma_s);
  if (s.cells == 0) s.cells = g.cells;
  if (s.half_nodes == 0) s.half_nodes = g.half_nodes;
  if (s.dt == 0.0) s.dt = g.dt;
  return s;
}

std::string transport_key(const TransportSettings& settings) {
  const TransportSettings s = resolve_transport(settings);
  return std::string(kScheme) + " eps=" + fmt(s.eps) + " t_final=" + fmt(s.t_final) +
         " times=" + fmt(s.times) + " sigma_s=" + fmt(s.sigma_s) + " sigma_a=" + fmt(s.sigma_a) +
         " source=" + fmt(s.source) + " inflow_left=" + fmt(s.inflow_left) +
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
  std::vector<double> r(std::size_t(n) * k_count, s.initial);
  std::vector<double> j(std::size_t(n + 1) * k_count, 0.0);
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
