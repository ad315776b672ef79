// Reference solver for the linear transport equation in diffusive scaling (physics.md §5.1):
//   eps f_t + v f_x = (sigma_s/eps)(<f> - f) - eps sigma_a f + eps Q,  x in [0,1], v in [-1,1],
// with constant coefficients, constant inflow data f(t,0,v>0) = f_L, f(t,1,v<0) = f_R and a
// constant initial state f0. The implicit even-odd asymptotic-preserving finite-volume scheme:
// half-range Gauss-Legendre ordinates, backward Euler, and a density solve that stays well
// conditioned for every eps in [1e-8, 1]: its dense N x N matrix is LU-factorised once per run,
// so a step costs 2K tridiagonal solves and one LU back-substitution.
#pragma once

#include <string>
#include <vector>

#include "hrgrad/reference/solution.hpp"

namespace hrgrad::reference {

struct TransportSettings {
  double eps = 1e-3;          // Knudsen number, > 0
  double t_final = 0.1;       // > 0
  std::vector<double> times;  // extra output times in (0, t_final]; t_final is always output
  double sigma_s = 1.0;       // scattering, >= 0
  double sigma_a = 0.0;       // absorption, >= 0
  double source = 0.0;        // Q
  double inflow_left = 1.0;   // f_L for v > 0 at x = 0
  double inflow_right = 0.0;  // f_R for v < 0 at x = 1
  double initial = 0.0;       // f0
  // Grid; 0 means chosen from eps by transport_default_grid.
  int cells = 0;       // N >= 2
  int half_nodes = 0;  // K >= 2 Gauss-Legendre nodes on (0,1), i.e. 2K directions
  double dt = 0.0;     // largest time step; shortened to land on every output time
};

struct TransportGrid {
  int cells;
  int half_nodes;
  double dt;
};

// The automatic grid, for about 1e-3 relative L2 accuracy of rho or better (physics.md
// "Recommended grids", extended over the eps range by a convergence study, docs/reference.md):
//   sigma_s t_final / eps^2 >= 5 and eps <= 1e-2:  N = 200, K = 16, dt = 1e-5
//   sigma_s t_final / eps^2 >= 5 and eps >  1e-2:  N = 400, K = 16, dt = 1e-5
//   otherwise (a beam that has not yet collided):  N = 800, K = 64, dt = 1e-4
// with dt <= t_final / 100.
TransportGrid transport_default_grid(double eps, double t_final, double sigma_s = 1.0);

// Validates (InputError naming the option, e.g. "--eps: must be > 0, got -1") and fills every
// automatic grid value. solve_transport and transport_key call it themselves.
TransportSettings resolve_transport(const TransportSettings& settings);

// A stable one-line text of the resolved settings and scheme version, e.g.
// "transport/v1 eps=0.001 t_final=0.1 times=0.1 sigma_s=1 ... cells=200 half_nodes=16 dt=1e-05".
// Equal keys mean equal solutions.
std::string transport_key(const TransportSettings& settings);

// Runs the solver. Solution::rho[i] holds rho on the N cell centres (i + 1/2)/N at times[i].
Solution solve_transport(const TransportSettings& settings);

}  // namespace hrgrad::reference
