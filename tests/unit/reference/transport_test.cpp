#include "hrgrad/reference/transport.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "hrgrad/core/error.hpp"
#include "hrgrad/reference/diffusion_limit.hpp"

namespace hrgrad::reference {
namespace {

TransportSettings grid(double eps, int cells, int half_nodes, double dt, double t_final = 0.1) {
  TransportSettings s;
  s.eps = eps;
  s.t_final = t_final;
  s.cells = cells;
  s.half_nodes = half_nodes;
  s.dt = dt;
  return s;
}

// rho of a solution on the coarse cells it refines by an integer factor (cell averages).
std::vector<double> restrict_to(const std::vector<double>& fine, std::size_t coarse_cells) {
  const std::size_t factor = fine.size() / coarse_cells;
  std::vector<double> out(coarse_cells, 0.0);
  for (std::size_t i = 0; i < fine.size(); ++i) out[i / factor] += fine[i] / double(factor);
  return out;
}

double l2_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(s / double(a.size()));
}

TEST(ReferenceTransport, DefaultGridsFollowThePhysicsNotes) {
  const TransportSettings s = resolve_transport(TransportSettings{});
  EXPECT_EQ(s.cells, 200);
  EXPECT_EQ(s.half_nodes, 16);
  EXPECT_DOUBLE_EQ(s.dt, 1e-5);
  for (double eps : {1e-8, 1e-4, 1e-2}) {
    const TransportGrid g = transport_default_grid(eps, 0.1);
    EXPECT_EQ(g.cells, 200);
    EXPECT_EQ(g.half_nodes, 16);
    EXPECT_DOUBLE_EQ(g.dt, 1e-5);
  }
  EXPECT_EQ(transport_default_grid(0.1, 0.1).half_nodes, 16);
  for (double eps : {0.2, 1.0}) {
    const TransportGrid g = transport_default_grid(eps, 0.1);
    EXPECT_GE(g.half_nodes, 64);
    EXPECT_GE(g.cells, 400);
    EXPECT_DOUBLE_EQ(g.dt, 1e-4);
  }
  EXPECT_DOUBLE_EQ(transport_default_grid(1e-3, 1e-4).dt, 1e-6);
}

// Issue #3 verification: eps = 1e-8 at the default settings against the exact diffusion series,
// relative L2 <= 1e-3 on the 100-cell grid (physics.md measured 2.8e-5).
TEST(ReferenceTransport, Eps1e8MatchesTheDiffusionSeries) {
  TransportSettings s;
  s.eps = 1e-8;
  const Solution sol = solve_transport(s);
  const auto x = cell_centres(100);
  const double err =
      relative_l2(interpolate_linear(sol.x, sol.final_rho(), x), diffusion_limit_density(0.1, x));
  EXPECT_LE(err, 1e-3);
  EXPECT_LE(err, 5e-5);  // the scheme's own accuracy on this grid, physics.md: 2.8e-5
}

// Issue #3 verification: eps = 1e-2 against physics.md's converged values, relative L2 <= 1e-3.
TEST(ReferenceTransport, Eps1e2MatchesTheConvergedValues) {
  TransportSettings s;
  s.eps = 1e-2;
  const Solution sol = solve_transport(s);
  const std::vector<double> x = {0.005, 0.105, 0.205, 0.305, 0.505, 0.805, 0.995};
  const std::vector<double> expected = {0.96353, 0.66416, 0.41138, 0.22674,
                                        0.04730, 0.00165, 0.00003};
  const auto rho = interpolate_linear(sol.x, sol.final_rho(), x);
  EXPECT_LE(relative_l2(rho, expected), 1e-3);
  // physics.md: the converged eps = 1e-2 solution is 3.0e-2 away from the diffusion limit.
  const auto x100 = cell_centres(100);
  EXPECT_NEAR(relative_l2(interpolate_linear(sol.x, sol.final_rho(), x100),
                          diffusion_limit_density(0.1, x100)),
              3.0e-2, 0.05e-2);
}

// physics.md: the converged eps = 1e-3 solution is 3.1e-3 away from the diffusion limit (two
// digits, +-0.05e-3). The default grid is within 1e-4 of converged (measured 7e-5: it gives
// 3.154e-3, N = 800, K = 32, dt = 5e-6 gives 3.081e-3), hence the 1.5e-4 bound.
TEST(ReferenceTransport, Eps1e3DepartsFromTheDiffusionLimitAsMeasured) {
  TransportSettings s;
  s.eps = 1e-3;
  const Solution sol = solve_transport(s);
  const auto x = cell_centres(100);
  EXPECT_NEAR(
      relative_l2(interpolate_linear(sol.x, sol.final_rho(), x), diffusion_limit_density(0.1, x)),
      3.1e-3, 1.5e-4);
}

// Backward Euler is first order in time at every eps: halving dt (fixed space grid) halves the
// change.
TEST(ReferenceTransport, SelfConvergesFirstOrderInTime) {
  for (double eps : {1e-8, 1e-2, 1e-1}) {
    std::vector<std::vector<double>> v;
    for (double dt : {4e-4, 2e-4, 1e-4}) v.push_back(solve_transport(grid(eps, 100, 8, dt)).rho[0]);
    const double d1 = l2_diff(v[0], v[1]), d2 = l2_diff(v[1], v[2]);
    EXPECT_NEAR(std::log2(d1 / d2), 1.0, 0.05) << "eps = " << eps << ": " << d1 << " " << d2;
  }
}

// Second order in space where the kinetic boundary layers (width ~ eps v_k) are thin: halving dx
// at fixed dt (so the time error cancels in the differences) quarters the change; refining both
// with dt ~ dx^2 does too. Where those layers are under-resolved (eps ~ 1e-2 .. 1e-1 on these
// grids) the observed order is pre-asymptotic, about 1.6, and still at least 1.4.
TEST(ReferenceTransport, SelfConvergesSecondOrderInSpace) {
  auto space_order = [](double eps, const std::vector<std::pair<int, double>>& levels) {
    std::vector<std::vector<double>> v;
    for (const auto& [n, dt] : levels) {
      v.push_back(restrict_to(solve_transport(grid(eps, n, 8, dt)).rho[0], levels[0].first));
    }
    return std::log2(l2_diff(v[0], v[1]) / l2_diff(v[1], v[2]));
  };
  EXPECT_NEAR(space_order(1e-4, {{50, 1e-4}, {100, 1e-4}, {200, 1e-4}}), 2.0, 0.05);
  EXPECT_NEAR(space_order(1e-4, {{50, 4e-4}, {100, 1e-4}, {200, 2.5e-5}}), 2.0, 0.05);
  EXPECT_GE(space_order(1e-1, {{50, 1e-4}, {100, 1e-4}, {200, 1e-4}}), 1.4);
}

// Inflow 1 on both sides and f0 = 1 is a steady state of the scheme for every eps.
TEST(ReferenceTransport, ConstantStateStaysExactlyOne) {
  for (double eps : {1e-8, 1e-4, 1e-2, 1.0}) {
    TransportSettings s = grid(eps, 64, 8, 1e-3);
    s.inflow_left = s.inflow_right = s.initial = 1.0;
    s.times = {0.05};
    const Solution sol = solve_transport(s);
    for (const auto& rho : sol.rho) {
      for (double r : rho) ASSERT_NEAR(r, 1.0, 1e-13) << "eps = " << eps;
    }
  }
  // With absorption balanced by the source (Q = sigma_a), 1 stays a steady state.
  TransportSettings s = grid(1e-3, 64, 8, 1e-3);
  s.inflow_left = s.inflow_right = s.initial = 1.0;
  s.sigma_s = 2.0;
  s.sigma_a = s.source = 0.7;
  for (double r : solve_transport(s).final_rho()) ASSERT_NEAR(r, 1.0, 1e-13);
}

// General coefficients in the intermediate regime (eps = 0.1, sigma_s = 2, sigma_a = 1,
// Q = 0.5, t = 0.1), against an independent explicit kinetic solver (MUSCL-minmod, SSP-RK2,
// 128 directions, exact implicit collision; Richardson-extrapolated from N = 1600 and 3200,
// whose difference was 3.8e-4; see docs/reference.md). Measured: 6e-5 on the 100-cell grid.
TEST(ReferenceTransport, GeneralCoefficientsMatchAnIndependentKineticSolver) {
  TransportSettings s;
  s.eps = 0.1;
  s.sigma_s = 2.0;
  s.sigma_a = 1.0;
  s.source = 0.5;
  const Solution sol = solve_transport(s);
  const std::vector<double> x = {0.005, 0.105, 0.205, 0.305, 0.505, 0.805, 0.995};
  const std::vector<double> expected = {0.84547, 0.46072, 0.22112, 0.10366,
                                        0.04987, 0.04382, 0.01265};
  EXPECT_LE(relative_l2(interpolate_linear(sol.x, sol.final_rho(), x), expected), 3e-4);
}

// General coefficients in the diffusion limit: the steady state of
// rho_t = rho_xx/(3 sigma_s) - sigma_a rho + Q, rho(0) = f_L, rho(1) = f_R.
TEST(ReferenceTransport, GeneralCoefficientsReachTheDiffusionSteadyState) {
  TransportSettings s = grid(1e-6, 200, 8, 1e-2, 8.0);
  s.sigma_s = 2.0;
  s.sigma_a = 1.0;
  s.source = 0.5;
  s.inflow_left = 1.0;
  s.inflow_right = 0.2;
  s.initial = 0.3;
  const Solution sol = solve_transport(s);
  const double k = std::sqrt(3.0 * s.sigma_s * s.sigma_a), p = s.source / s.sigma_a;
  const double a = s.inflow_left - p;
  const double b = (s.inflow_right - p - a * std::cosh(k)) / std::sinh(k);
  std::vector<double> exact;
  for (double x : sol.x) exact.push_back(p + a * std::cosh(k * x) + b * std::sinh(k * x));
  EXPECT_LE(relative_l2(sol.final_rho(), exact), 1e-4);
}

// From eps = 1e-8 to 1 the solution leaves the diffusion limit continuously: the distance grows
// at every decade (like eps for small eps), stays finite, and the maximum principle holds.
TEST(ReferenceTransport, MovesContinuouslyAwayFromTheDiffusionLimit) {
  const std::vector<double> rho0 = solve_transport(grid(1e-8, 100, 16, 1e-4)).final_rho();
  double previous = 0.0;
  for (int d = 7; d >= 0; --d) {
    const double eps = std::pow(10.0, -d);
    const Solution sol = solve_transport(grid(eps, 100, 16, 1e-4));
    for (double r : sol.final_rho()) {
      ASSERT_TRUE(std::isfinite(r)) << "eps = " << eps;
      ASSERT_GE(r, -1e-12) << "eps = " << eps;
      ASSERT_LE(r, 1.0 + 1e-12) << "eps = " << eps;
    }
    const double distance = relative_l2(sol.final_rho(), rho0);
    EXPECT_GT(distance, previous) << "eps = " << eps;
    // O(eps) departure while eps is small: ten times the distance per decade.
    if (d <= 6 && d >= 3) {
      EXPECT_NEAR(distance / previous, 10.0, 1.0) << "eps = " << eps;
    }
    previous = distance;
  }
  EXPECT_GE(previous, 0.3);  // eps = 1: a front confined to x < 0.1
}

TEST(ReferenceTransport, OutputTimesShareOneFactorisation) {
  TransportSettings s = grid(1e-3, 50, 4, 1e-4);
  s.times = {0.05, 0.025};
  const Solution sol = solve_transport(s);
  ASSERT_EQ(sol.times, (std::vector<double>{0.025, 0.05, 0.1}));
  ASSERT_EQ(sol.rho.size(), 3u);
  EXPECT_EQ(sol.steps, 1000);
  EXPECT_TRUE(sol.notes.empty());
  const Solution half = solve_transport(grid(1e-3, 50, 4, 1e-4, 0.05));
  EXPECT_EQ(half.final_rho(), sol.rho[1]);
  // A time off the dt grid is hit exactly with a second step size.
  s.times = {0.03333};
  EXPECT_EQ(solve_transport(s).notes.size(), 1u);
}

TEST(ReferenceTransport, KeyIsStableAndDistinguishesSettings) {
  TransportSettings a;
  a.eps = 1e-3;
  TransportSettings b = resolve_transport(a);
  EXPECT_EQ(transport_key(a), transport_key(b));
  EXPECT_EQ(transport_key(a),
            "transport/v1 eps=0.001 t_final=0.1 times=0.1 sigma_s=1 sigma_a=0 source=0 "
            "inflow_left=1 inflow_right=0 initial=0 cells=200 half_nodes=16 dt=1e-05");
  b.eps = 1e-4;
  EXPECT_NE(transport_key(a), transport_key(b));
  b = a;
  b.half_nodes = 32;
  EXPECT_NE(transport_key(a), transport_key(b));
}

void expect_input_error(const TransportSettings& s, const std::string& prefix) {
  try {
    resolve_transport(s);
    ADD_FAILURE() << "no error for " << prefix;
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(prefix, 0), 0u) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
}

TEST(ReferenceTransport, RejectsBadInputNamingTheOption) {
  TransportSettings s;
  s.eps = -1;
  expect_input_error(s, "--eps: must be > 0, got -1");
  s = {};
  s.eps = 0;
  expect_input_error(s, "--eps:");
  s = {};
  s.t_final = 0;
  expect_input_error(s, "--t-final:");
  s = {};
  s.cells = 1;
  expect_input_error(s, "--cells:");
  s = {};
  s.half_nodes = 1;
  expect_input_error(s, "--half-nodes:");
  s = {};
  s.dt = -1e-3;
  expect_input_error(s, "--dt:");
  s = {};
  s.sigma_s = -1;
  expect_input_error(s, "--sigma-s:");
  s = {};
  s.sigma_a = -1;
  expect_input_error(s, "--sigma-a:");
  s = {};
  s.times = {0.2};
  expect_input_error(s, "--times:");
  s = {};
  s.source = NAN;
  expect_input_error(s, "--source:");
}

}  // namespace
}  // namespace hrgrad::reference
