// Timings of the reference solvers (issue #3 "Speed"): linear transport at eps <= 1e-2 on the
// default grid, at eps = 1 with K >= 64, and BGK on the default grid. A plain timing main: each
// case runs `repeats` times (default 3) and reports the fastest, with its accuracy check where
// an exact or converged value exists.
//   reference_bench [--repeats N] [--filter substring]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "hrgrad/reference/bgk.hpp"
#include "hrgrad/reference/diffusion_limit.hpp"
#include "hrgrad/reference/transport.hpp"

namespace ref = hrgrad::reference;

namespace {

struct Case {
  std::string name;
  std::function<ref::Solution()> run;
  std::function<std::string(const ref::Solution&)> check;  // may be empty
};

ref::TransportSettings transport(double eps, double t_final, int cells = 0, int half_nodes = 0,
                                 double dt = 0.0) {
  ref::TransportSettings s;
  s.eps = eps;
  s.t_final = t_final;
  s.cells = cells;
  s.half_nodes = half_nodes;
  s.dt = dt;
  return s;
}

std::string vs_diffusion(const ref::Solution& sol) {
  const auto x = ref::cell_centres(100);
  const double e = ref::relative_l2(ref::interpolate_linear(sol.x, sol.final_rho(), x),
                                    ref::diffusion_limit_density(sol.times.back(), x));
  char buf[96];
  std::snprintf(buf, sizeof buf, "rel L2 vs diffusion series %.2e", e);
  return buf;
}

std::string vs_converged_eps1e2(const ref::Solution& sol) {
  const std::vector<double> x = {0.005, 0.105, 0.205, 0.305, 0.505, 0.805, 0.995};
  const std::vector<double> v = {0.96353, 0.66416, 0.41138, 0.22674, 0.04730, 0.00165, 0.00003};
  char buf[96];
  std::snprintf(buf, sizeof buf, "rel L2 vs physics.md converged values %.2e",
                ref::relative_l2(ref::interpolate_linear(sol.x, sol.final_rho(), x), v));
  return buf;
}

// eps = 1, T = 0.1 on x_j = 0.005 + 0.01 j from an independent explicit kinetic solver (N = 6400,
// 256 directions; 2.3e-4 from its N = 3200 run); zero to 1e-20 beyond x = 0.105.
std::string vs_explicit_eps1(const ref::Solution& sol) {
  std::vector<double> v = {0.482865, 0.427889, 0.374314,  0.321611,  0.269525,   0.218328,
                           0.167989, 0.118471, 0.0700452, 0.0229101, 1.85451e-07};
  v.resize(100, 0.0);
  const double e =
      ref::relative_l2(ref::interpolate_linear(sol.x, sol.final_rho(), ref::cell_centres(100)), v);
  char buf[96];
  std::snprintf(buf, sizeof buf, "rel L2 vs explicit kinetic solver %.2e", e);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = 3;
  std::string filter;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--repeats") repeats = std::max(1, std::atoi(argv[i + 1]));
    if (a == "--filter") filter = argv[i + 1];
  }
  std::vector<Case> cases = {
      {"transport eps=1e-8 T=0.1 default grid",
       [] { return ref::solve_transport(transport(1e-8, 0.1)); }, vs_diffusion},
      {"transport eps=1e-4 T=0.1 default grid",
       [] { return ref::solve_transport(transport(1e-4, 0.1)); }, vs_diffusion},
      {"transport eps=1e-2 T=0.1 default grid",
       [] { return ref::solve_transport(transport(1e-2, 0.1)); }, vs_converged_eps1e2},
      {"transport eps=1e-1 T=0.1 default grid",
       [] { return ref::solve_transport(transport(1e-1, 0.1)); },
       {}},
      {"transport eps=1 T=0.1 default grid",
       [] { return ref::solve_transport(transport(1.0, 0.1)); }, vs_explicit_eps1},
      {"transport eps=1 T=1 N=400 K=64 dt=1e-4",
       [] { return ref::solve_transport(transport(1.0, 1.0, 400, 64, 1e-4)); },
       {}},
      {"transport eps=1 T=1 N=800 K=64 dt=1e-4 (default grid)",
       [] { return ref::solve_transport(transport(1.0, 1.0)); },
       {}},
      {"bgk Kn=1 tanh20 default grid", [] { return ref::solve_bgk(ref::BgkSettings{}); }, {}},
      {"bgk Kn=1e-3 tanh20 default grid",
       [] {
         ref::BgkSettings s;
         s.kn = 1e-3;
         return ref::solve_bgk(s);
       },
       {}},
  };
  std::printf("%-56s %8s %10s %10s  %s\n", "case", "steps", "best [s]", "grid", "check");
  for (const Case& c : cases) {
    if (!filter.empty() && c.name.find(filter) == std::string::npos) continue;
    double best = 1e300;
    ref::Solution sol;
    for (int r = 0; r < repeats; ++r) {
      sol = c.run();
      best = std::min(best, sol.seconds);
    }
    std::string grid;
    for (const ref::Attribute& a : sol.attributes) {
      if (a.name == "cells" || a.name == "half_nodes" || a.name == "velocities") {
        grid += (grid.empty() ? "" : "x") + std::to_string(std::get<std::int64_t>(a.value));
      }
    }
    std::printf("%-56s %8lld %10.3f %10s  %s\n", c.name.c_str(), (long long)sol.steps, best,
                grid.c_str(), c.check ? c.check(sol).c_str() : "");
    std::fflush(stdout);
  }
  return 0;
}
