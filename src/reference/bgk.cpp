#include "hrgrad/reference/bgk.hpp"

#include <Eigen/Dense>
#include <array>
#include <cmath>
#include <string>
#include <utility>

#include "detail.hpp"
#include "hrgrad/core/error.hpp"
#include "hrgrad/core/gauss_legendre.hpp"
#include "hrgrad/core/timer.hpp"

namespace hrgrad::reference {
namespace {

using detail::fmt;

constexpr const char* kScheme = "bgk/v1";
constexpr int kGhosts = 2;

const std::vector<std::pair<std::string, std::string>>& profile_aliases() {
  static const std::vector<std::pair<std::string, std::string>> aliases = {
      {"sin", "I"},     {"sin37", "II"}, {"tanh10", "III"},
      {"tanh20", "IV"}, {"step", "V"},   {"linear", "linear"}};
  return aliases;
}

double profile_value(const std::string& profile, double x) {
  if (profile == "sin") return 0.5 * (1.0 + std::sin(M_PI * x));
  if (profile == "sin37") {
    const double s = std::pow(std::abs(std::sin(M_PI * x)), 3.0 / 7.0);
    return 0.5 * (1.0 + (x > 0.0 ? s : x < 0.0 ? -s : 0.0));
  }
  if (profile == "tanh10") return 0.5 * (std::tanh(10.0 * x) + 1.0);
  if (profile == "tanh20") return 0.5 * (std::tanh(20.0 * x) + 1.0);
  if (profile == "linear") return x + 0.5;
  return x < 0.0 ? 0.0 : 1.0;  // step
}

double maxwellian(double rho, double u, double temp, double v) {
  return rho / std::sqrt(2.0 * M_PI * temp) * std::exp(-(v - u) * (v - u) / (2.0 * temp));
}

std::string state_text(const MacroState& s) { return fmt(s.rho) + "," + fmt(s.u) + "," + fmt(s.T); }

void require_state(const MacroState& s, const std::string& option) {
  require(
      std::isfinite(s.rho) && s.rho > 0.0 && std::isfinite(s.u) && std::isfinite(s.T) && s.T > 0.0,
      option, "needs rho > 0, finite u, T > 0, got " + state_text(s));
}

// The IMEX step on f stored velocity-major with two ghost cells per side:
// f[k * (N + 4) + i + 2] for cell i of velocity k.
class BgkStepper {
 public:
  BgkStepper(const BgkSettings& s, const Quadrature& q) : s_(s), q_(q), n_(s.cells) {
    const int nv = s.velocities;
    Eigen::Matrix3d g = Eigen::Matrix3d::Zero();
    for (int k = 0; k < nv; ++k) {
      const double w = q.weights[k], v = q.nodes[k];
      const double c[3] = {w, w * v, w * v * v};
      for (int p = 0; p < 3; ++p)
        for (int r = 0; r < 3; ++r) g(p, r) += c[p] * c[r];
    }
    ccinv_ = g.inverse();
    faces_.resize(n_ + 1);
    col_.resize(nv);
  }

  // One step of dt; net_inflow accumulates the mass, momentum, energy entering at the boundaries.
  void step(std::vector<double>& f, double dt, std::array<double, 3>& net_inflow) {
    const int nv = s_.velocities, stride = n_ + 2 * kGhosts;
    const double dx = 1.0 / n_;
    for (int k = 0; k < nv; ++k) {
      double* g = &f[std::size_t(k) * stride + kGhosts];  // g[i] is cell i, i in [-2, N+1]
      // Zero-gradient ghosts: copies of the boundary cells themselves.
      g[-1] = g[-2] = g[0];
      g[n_] = g[n_ + 1] = g[n_ - 1];
      const double v = q_.nodes[k], lambda = std::abs(v) * dt / dx;
      auto phi = [](double r) { return (r + std::abs(r)) / (1.0 + std::abs(r)); };
      if (v > 0.0) {
        // Face i (left of cell i) carries F_{i-1}.
        for (int i = 0; i <= n_; ++i) {
          const int c = i - 1;
          const double r = (g[c] - g[c - 1]) / (g[c + 1] - g[c] + 1e-8);
          faces_[i] = g[c] + 0.5 * phi(r) * (1.0 - lambda) * (g[c + 1] - g[c]);
        }
      } else {
        // Face i carries F_i.
        for (int i = 0; i <= n_; ++i) {
          const double r = (g[i + 1] - g[i]) / (g[i] - g[i - 1] + 1e-8);
          faces_[i] = g[i] - 0.5 * phi(r) * (1.0 - lambda) * (g[i] - g[i - 1]);
        }
      }
      const double in = dt * q_.weights[k] * v * (faces_[0] - faces_[n_]);
      net_inflow[0] += in;
      net_inflow[1] += in * v;
      net_inflow[2] += 0.5 * in * v * v;
      const double c = dt / dx * v;
      for (int i = 0; i < n_; ++i) g[i] -= c * (faces_[i + 1] - faces_[i]);
    }
    for (int i = 0; i < n_; ++i) relax_cell(&f[kGhosts + i], stride, dt);
  }

 private:
  // Implicit relaxation towards the Maxwellian of f*'s moments, then the projection that
  // restores those moments exactly: f += C^T (C C^T)^-1 (U - C f).
  void relax_cell(double* fc, int stride, double dt) {
    const int nv = s_.velocities;
    double u0 = 0.0, u1 = 0.0, u2 = 0.0;
    for (int k = 0; k < nv; ++k) {
      const double w = q_.weights[k], v = q_.nodes[k], val = fc[std::size_t(k) * stride];
      col_[k] = val;
      u0 += w * val;
      u1 += w * v * val;
      u2 += w * v * v * val;
    }
    const double rho = u0, u = u1 / rho, temp = u2 / rho - u * u;
    if (!(rho > 0.0) || !(temp > 0.0)) {
      throw Error("bgk: non-positive density or temperature (rho " + fmt(rho) + ", T " + fmt(temp) +
                  "); reduce --dt or refine the grid");
    }
    const double kn = s_.kn, inv = 1.0 / (kn + dt);
    double c0 = 0.0, c1 = 0.0, c2 = 0.0;
    for (int k = 0; k < nv; ++k) {
      const double v = q_.nodes[k], w = q_.weights[k];
      const double val = (kn * col_[k] + dt * maxwellian(rho, u, temp, v)) * inv;
      col_[k] = val;
      c0 += w * val;
      c1 += w * v * val;
      c2 += w * v * v * val;
    }
    const Eigen::Vector3d lam = ccinv_ * Eigen::Vector3d(u0 - c0, u1 - c1, u2 - c2);
    for (int k = 0; k < nv; ++k) {
      const double v = q_.nodes[k], w = q_.weights[k];
      fc[std::size_t(k) * stride] = col_[k] + w * (lam[0] + lam[1] * v + lam[2] * v * v);
    }
  }

  const BgkSettings& s_;
  const Quadrature& q_;
  int n_;
  Eigen::Matrix3d ccinv_;
  std::vector<double> faces_, col_;
};

}  // namespace

std::vector<std::string> bgk_profiles() {
  std::vector<std::string> names;
  for (const auto& a : profile_aliases()) names.push_back(a.first);
  return names;
}

BgkSettings resolve_bgk(const BgkSettings& in, std::vector<std::string>* notes) {
  BgkSettings s = in;
  require(std::isfinite(s.kn) && s.kn > 0.0, "--eps", "must be > 0, got " + fmt(s.kn));
  require(std::isfinite(s.t_final) && s.t_final > 0.0, "--t-final",
          "must be > 0, got " + fmt(s.t_final));
  s.times = detail::output_times(s.t_final, s.times);
  std::string canonical;
  std::string known;
  for (const auto& [name, numeral] : profile_aliases()) {
    if (s.profile == name || s.profile == numeral) canonical = name;
    known += (known.empty() ? "" : ", ") + name + (numeral != name ? " (" + numeral + ")" : "");
  }
  require(!canonical.empty(), "--profile", "unknown profile '" + s.profile + "'; known: " + known);
  s.profile = canonical;
  require_state(s.left, "--left");
  require_state(s.right, "--right");
  require(s.cells >= 2, "--cells", "must be >= 2, got " + std::to_string(s.cells));
  require(s.velocities >= 2, "--velocities", "must be >= 2, got " + std::to_string(s.velocities));
  require(std::isfinite(s.v_max) && s.v_max > 0.0, "--v-max", "must be > 0, got " + fmt(s.v_max));
  require(std::isfinite(s.dt) && s.dt >= 0.0, "--dt",
          "must be > 0 (0 for automatic), got " + fmt(s.dt));
  const double dx = 1.0 / s.cells;
  const double vmax_node = gauss_legendre(s.velocities, -s.v_max, s.v_max).nodes.back();
  if (s.dt == 0.0) {
    s.dt = dx / s.v_max;
  } else if (vmax_node * s.dt / dx > 1.0) {
    const double reduced = 0.99 * dx / vmax_node;
    if (notes) {
      notes->push_back("--dt " + fmt(s.dt) + " breaks the CFL bound max|v| dt/dx <= 1 (CFL " +
                       detail::fmt_short(vmax_node * s.dt / dx) +
                       "); using dt = " + detail::fmt_short(reduced) + " (CFL 0.99)");
    }
    s.dt = reduced;
  }
  return s;
}

std::string bgk_key(const BgkSettings& settings) {
  const BgkSettings s = resolve_bgk(settings);
  return std::string(kScheme) + " kn=" + fmt(s.kn) + " t_final=" + fmt(s.t_final) +
         " times=" + fmt(s.times) + " profile=" + s.profile + " left=" + state_text(s.left) +
         " right=" + state_text(s.right) + " cells=" + std::to_string(s.cells) +
         " velocities=" + std::to_string(s.velocities) + " v_max=" + fmt(s.v_max) +
         " dt=" + fmt(s.dt);
}

MacroState bgk_initial_state(const BgkSettings& s, double x) {
  const double p = profile_value(s.profile, x);
  return {s.left.rho + (s.right.rho - s.left.rho) * p, s.left.u + (s.right.u - s.left.u) * p,
          s.left.T + (s.right.T - s.left.T) * p};
}

Solution solve_bgk(const BgkSettings& settings) {
  const Stopwatch clock;
  Solution sol;
  const BgkSettings s = resolve_bgk(settings, &sol.notes);
  const int n = s.cells, nv = s.velocities, stride = n + 2 * kGhosts;
  const Quadrature q = gauss_legendre(nv, -s.v_max, s.v_max);

  sol.problem = "bgk";
  sol.key = bgk_key(s);
  sol.times = s.times;
  sol.x.resize(n);
  for (int i = 0; i < n; ++i) sol.x[i] = -0.5 + (i + 0.5) / n;

  std::vector<double> f(std::size_t(nv) * stride, 0.0);
  for (int i = 0; i < n; ++i) {
    const MacroState m0 = bgk_initial_state(s, sol.x[i]);
    for (int k = 0; k < nv; ++k) {
      f[std::size_t(k) * stride + kGhosts + i] = maxwellian(m0.rho, m0.u, m0.T, q.nodes[k]);
    }
  }

  BgkStepper stepper(s, q);
  for (const detail::Segment& seg : detail::time_plan(s.times, s.dt)) {
    for (std::int64_t i = 0; i < seg.steps; ++i) stepper.step(f, seg.dt, sol.net_inflow);
    sol.steps += seg.steps;
    std::vector<double> rho(n, 0.0), m(n, 0.0), e(n, 0.0);
    for (int k = 0; k < nv; ++k) {
      const double w = q.weights[k], v = q.nodes[k];
      const double* fk = &f[std::size_t(k) * stride + kGhosts];
      for (int i = 0; i < n; ++i) {
        rho[i] += w * fk[i];
        m[i] += w * v * fk[i];
        e[i] += 0.5 * w * v * v * fk[i];
      }
    }
    sol.rho.push_back(std::move(rho));
    sol.m.push_back(std::move(m));
    sol.E.push_back(std::move(e));
  }
  sol.seconds = clock.seconds();
  sol.attributes = {{"problem", std::string("bgk")},
                    {"scheme", std::string(kScheme)},
                    {"key", sol.key},
                    {"eps", s.kn},
                    {"t_final", s.t_final},
                    {"times", fmt(s.times)},
                    {"profile", s.profile},
                    {"left", state_text(s.left)},
                    {"right", state_text(s.right)},
                    {"cells", std::int64_t(n)},
                    {"velocities", std::int64_t(nv)},
                    {"v_max", s.v_max},
                    {"dt", s.dt},
                    {"steps", sol.steps},
                    {"seconds", sol.seconds}};
  return sol;
}

}  // namespace hrgrad::reference
