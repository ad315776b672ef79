// Reference solver for the 1D BGK equation in Euler scaling (physics.md §1.5, §5.2):
//   f_t + v f_x = (1/Kn)(M[rho,u,T] - f),  x in [-0.5, 0.5], v in [-v_max, v_max],
// starting from a Maxwellian whose rho, u, T blend a left and a right state with one of the
// §1.5 profiles. The IMEX kinetic scheme: van Leer flux-limited transport, implicit BGK
// relaxation, a conservative moment correction per cell, zero-gradient ghost cells (two per side,
// copies of the boundary cell). Valid for any Kn > 0 (asymptotic preserving as Kn -> 0).
#pragma once

#include <string>
#include <vector>

#include "hrgrad/reference/solution.hpp"

namespace hrgrad::reference {

struct MacroState {
  double rho;
  double u;
  double T;
};

// Initial profiles s(x) of physics.md §1.5; phi0(x) = phi_l + (phi_r - phi_l) s(x).
//   "sin"    Case I    (1 + sin(pi x))/2
//   "sin37"  Case II   (1 + sign(x) |sin(pi x)|^(3/7))/2
//   "tanh10" Case III  (tanh(10 x) + 1)/2
//   "tanh20" Case IV   (tanh(20 x) + 1)/2       (the default)
//   "step"   Case V    0 for x < 0, 1 for x >= 0
//   "linear"           x + 1/2 (not in §1.5: its slope reaches the boundaries, which tests the
//                      ghost cells)
// The case numerals "I".."V" are accepted as aliases.
std::vector<std::string> bgk_profiles();

struct BgkSettings {
  double kn = 1.0;            // Knudsen number, > 0 (the --eps option)
  double t_final = 0.1;       // > 0
  std::vector<double> times;  // extra output times in (0, t_final]; t_final is always output
  std::string profile = "tanh20";
  MacroState left{1.5, 0.0, 1.5};
  MacroState right{0.625, 0.0, 0.75};
  int cells = 400;       // N_x >= 2
  int velocities = 100;  // N_v >= 2 Gauss-Legendre nodes on [-v_max, v_max]
  double v_max = 10.0;   // > 0
  // Largest time step; 0 means dx / v_max (CFL just below 1). A value above the CFL bound
  // max|v_k| dt / dx <= 1 is reduced to CFL 0.99 and the reduction reported in Solution::notes.
  double dt = 0.0;
};

// Validates (InputError naming the option), canonicalises the profile name, and fills or reduces
// dt; notes (if given) receives a line for every adjustment.
BgkSettings resolve_bgk(const BgkSettings& settings, std::vector<std::string>* notes = nullptr);

// A stable one-line text of the resolved settings and scheme version; equal keys mean equal
// solutions.
std::string bgk_key(const BgkSettings& settings);

// The initial macroscopic state at x (after resolve_bgk's profile check).
MacroState bgk_initial_state(const BgkSettings& settings, double x);

// Runs the solver. Solution::rho, m, E hold rho = sum w f, m = sum w v f, E = 1/2 sum w v^2 f on
// the N_x cell centres -0.5 + (i + 1/2)/N_x at Solution::times.
Solution solve_bgk(const BgkSettings& settings);

}  // namespace hrgrad::reference
