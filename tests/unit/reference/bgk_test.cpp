#include "hrgrad/reference/bgk.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "hrgrad/core/error.hpp"

namespace hrgrad::reference {
namespace {

BgkSettings small(double kn, const std::string& profile, double t_final = 0.1) {
  BgkSettings s;
  s.kn = kn;
  s.profile = profile;
  s.t_final = t_final;
  s.cells = 200;
  s.velocities = 60;
  return s;
}

// dx * sum over cells.
double total(const std::vector<double>& u) {
  double s = 0.0;
  for (double v : u) s += v;
  return s / double(u.size());
}

TEST(ReferenceBgk, DefaultsAreTheRecommendedGrid) {
  std::vector<std::string> notes;
  const BgkSettings s = resolve_bgk(BgkSettings{}, &notes);
  EXPECT_EQ(s.cells, 400);
  EXPECT_EQ(s.velocities, 100);
  EXPECT_DOUBLE_EQ(s.dt, 2.5e-4);
  EXPECT_EQ(s.profile, "tanh20");
  EXPECT_TRUE(notes.empty());
}

TEST(ReferenceBgk, UniformMaxwellianStaysUniform) {
  for (double kn : {1e-6, 1e-2, 1.0}) {
    BgkSettings s = small(kn, "tanh20");
    s.left = s.right = {0.8, 0.3, 1.2};
    const Solution sol = solve_bgk(s);
    const double e0 = 0.5 * 0.8 * (0.3 * 0.3 + 1.2);
    for (std::size_t i = 0; i < sol.x.size(); ++i) {
      // Every cell does the same arithmetic: uniform to the bit.
      ASSERT_EQ(sol.rho[0][i], sol.rho[0][0]);
      ASSERT_EQ(sol.m[0][i], sol.m[0][0]);
      ASSERT_EQ(sol.E[0][i], sol.E[0][0]);
    }
    // And the state is the initial one (to the quadrature error of the discrete Maxwellian).
    EXPECT_NEAR(sol.rho[0][0], 0.8, 1e-12);
    EXPECT_NEAR(sol.m[0][0], 0.8 * 0.3, 1e-12);
    EXPECT_NEAR(sol.E[0][0], e0, 1e-12);
  }
}

// Riemann data (Case V): until the fastest ordinate's numerical domain of dependence (two cells
// per step) reaches a boundary, the boundary cells keep their Maxwellians at rest, so no mass or
// energy crosses the boundaries and only the pressure difference pushes momentum in.
TEST(ReferenceBgk, ConservesMassMomentumEnergyBeforeWavesReachTheBoundary) {
  for (double kn : {1e-4, 1e-2, 1.0}) {
    BgkSettings s;  // 400 cells, dt = dx / 10: 80 steps reach 160 cells from the centre
    s.kn = kn;
    s.profile = "step";
    s.t_final = 0.02;
    s.times = {0.01};
    const Solution sol = solve_bgk(s);
    const Solution start = solve_bgk([&] {
      BgkSettings z = s;
      z.t_final = 1e-300;  // one step of 1e-300: the initial state to rounding
      z.times = {};
      return z;
    }());
    const double mass0 = total(start.rho[0]), mom0 = total(start.m[0]), energy0 = total(start.E[0]);
    const double mass = total(sol.rho[1]), mom = total(sol.m[1]), energy = total(sol.E[1]);
    // Rounding: 80 steps of sums over 400 cells and 100 velocities.
    EXPECT_NEAR(mass, mass0, 1e-13 * mass0) << "kn = " << kn;
    EXPECT_NEAR(energy, energy0, 1e-13 * energy0) << "kn = " << kn;
    EXPECT_NEAR(sol.net_inflow[0], 0.0, 1e-15);
    EXPECT_NEAR(sol.net_inflow[2], 0.0, 1e-15);
    // Momentum: the boundary pressures p = sum w v^2 f = rho T act for the whole time.
    EXPECT_NEAR(sol.net_inflow[1], 0.02 * (1.5 * 1.5 - 0.625 * 0.75), 1e-12);
    EXPECT_NEAR(mom, mom0 + sol.net_inflow[1], 1e-13) << "kn = " << kn;
    // The waves really have not arrived: the boundary cells are untouched.
    EXPECT_NEAR(sol.rho[1].front(), 1.5, 1e-12);
    EXPECT_NEAR(sol.rho[1].back(), 0.625, 1e-12);
  }
}

// Once waves leave the domain, totals change by exactly the boundary fluxes.
TEST(ReferenceBgk, BalancesTheBoundaryFluxesAfterWavesArrive) {
  for (const std::string profile : {"tanh20", "sin", "linear"}) {
    BgkSettings s = small(1.0, profile, 0.1);
    const Solution sol = solve_bgk(s);
    BgkSettings z = s;
    z.t_final = 1e-300;
    const Solution start = solve_bgk(z);
    const double d[3] = {total(sol.rho[0]) - total(start.rho[0]),
                         total(sol.m[0]) - total(start.m[0]), total(sol.E[0]) - total(start.E[0])};
    EXPECT_GT(std::abs(sol.net_inflow[0]), 1e-6) << profile;  // mass did cross
    for (int p = 0; p < 3; ++p) EXPECT_NEAR(d[p], sol.net_inflow[p], 1e-13) << profile << " " << p;
  }
}

TEST(ReferenceBgk, DensityAndTemperatureStayPositive) {
  for (const std::string& profile : bgk_profiles()) {
    for (double kn : {1e-6, 1e-3, 1e-1, 1.0, 1e3}) {
      const Solution sol = solve_bgk(small(kn, profile));
      for (std::size_t i = 0; i < sol.x.size(); ++i) {
        const double rho = sol.rho[0][i], u = sol.m[0][i] / rho;
        const double temp = 2.0 * sol.E[0][i] / rho - u * u;
        ASSERT_TRUE(rho > 0.0 && std::isfinite(rho)) << profile << " kn " << kn << " cell " << i;
        ASSERT_TRUE(temp > 0.0 && std::isfinite(temp)) << profile << " kn " << kn;
      }
    }
  }
}

// Swapping the two states mirrors the solution: rho(x) -> rho(-x), m -> -m(-x). Checks that
// both boundaries are treated alike (the shipped solver copied cell N-3 into the right ghosts;
// the linear profile, whose slope reaches the boundaries, exposes that).
TEST(ReferenceBgk, MirrorSymmetricBoundaries) {
  for (const std::string profile : {"tanh20", "step", "linear"}) {
    BgkSettings a = small(1.0, profile, 0.1);
    BgkSettings b = a;
    std::swap(b.left, b.right);
    const Solution sa = solve_bgk(a), sb = solve_bgk(b);
    const std::size_t n = sa.x.size();
    double worst = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      worst = std::max(worst, std::abs(sa.rho[0][i] - sb.rho[0][n - 1 - i]));
      worst = std::max(worst, std::abs(sa.m[0][i] + sb.m[0][n - 1 - i]));
      worst = std::max(worst, std::abs(sa.E[0][i] - sb.E[0][n - 1 - i]));
    }
    // 4e-7 measured: the limiter ratio's +1e-8 regularisation (kept as in physics.md §5.2) is
    // not itself mirror symmetric. The N-3 ghost copy breaks this by 2.6e-3 (linear profile).
    EXPECT_LE(worst, 2e-6) << profile;
  }
}

TEST(ReferenceBgk, DtAboveTheCflBoundIsReducedAndReported) {
  BgkSettings s = small(1.0, "tanh20");
  s.dt = 1e-3;  // CFL ~ 2 at 200 cells
  const Solution sol = solve_bgk(s);
  ASSERT_EQ(sol.notes.size(), 1u);
  EXPECT_NE(sol.notes[0].find("CFL"), std::string::npos) << sol.notes[0];
  const BgkSettings r = resolve_bgk(s);
  EXPECT_LT(r.dt, 1e-3);
  EXPECT_LE(9.99 * r.dt * 200, 1.0);
  // Equal to a run asked for the reduced dt directly.
  BgkSettings direct = s;
  direct.dt = r.dt;
  EXPECT_EQ(solve_bgk(direct).rho, sol.rho);
  EXPECT_EQ(bgk_key(direct), bgk_key(s));
}

TEST(ReferenceBgk, SmallKnApproachesTheEulerLimit) {
  // As Kn -> 0 the relaxation makes f Maxwellian; Kn = 1e-6 and 1e-9 agree to O(Kn).
  const Solution a = solve_bgk(small(1e-6, "tanh20")), b = solve_bgk(small(1e-9, "tanh20"));
  EXPECT_LE(relative_l2(a.rho[0], b.rho[0]), 1e-5);
  const Solution c = solve_bgk(small(1.0, "tanh20"));
  EXPECT_GE(relative_l2(c.rho[0], b.rho[0]), 1e-2);
}

TEST(ReferenceBgk, ProfilesAndAliases) {
  BgkSettings s;
  s.profile = "IV";
  EXPECT_EQ(resolve_bgk(s).profile, "tanh20");
  s.profile = "V";
  EXPECT_EQ(resolve_bgk(s).profile, "step");
  s.profile = "step";
  EXPECT_DOUBLE_EQ(bgk_initial_state(resolve_bgk(s), -0.1).rho, 1.5);
  EXPECT_DOUBLE_EQ(bgk_initial_state(resolve_bgk(s), 0.1).T, 0.75);
  s.profile = "sin";
  EXPECT_NEAR(bgk_initial_state(resolve_bgk(s), -0.5).rho, 1.5, 1e-15);
  EXPECT_NEAR(bgk_initial_state(resolve_bgk(s), 0.5).rho, 0.625, 1e-15);
  EXPECT_EQ(bgk_key(BgkSettings{}),
            "bgk/v1 kn=1 t_final=0.1 times=0.1 profile=tanh20 left=1.5,0,1.5 "
            "right=0.625,0,0.75 cells=400 velocities=100 v_max=10 dt=0.00025");
}

void expect_input_error(const BgkSettings& s, const std::string& prefix) {
  try {
    resolve_bgk(s);
    ADD_FAILURE() << "no error for " << prefix;
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(prefix, 0), 0u) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
}

TEST(ReferenceBgk, RejectsBadInputNamingTheOption) {
  BgkSettings s;
  s.kn = 0;
  expect_input_error(s, "--eps: must be > 0, got 0");
  s = {};
  s.t_final = -1;
  expect_input_error(s, "--t-final:");
  s = {};
  s.profile = "tanh30";
  expect_input_error(s, "--profile: unknown profile 'tanh30'");
  s = {};
  s.cells = 1;
  expect_input_error(s, "--cells:");
  s = {};
  s.velocities = 1;
  expect_input_error(s, "--velocities:");
  s = {};
  s.left.T = 0;
  expect_input_error(s, "--left:");
  s = {};
  s.right.rho = -1;
  expect_input_error(s, "--right:");
  s = {};
  s.v_max = 0;
  expect_input_error(s, "--v-max:");
}

}  // namespace
}  // namespace hrgrad::reference
