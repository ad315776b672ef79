// What a reference solver returns: the densities (and for BGK momentum and energy) on the solver's
// cell centres at the requested output times, the resolved settings as attributes and a stable
// text key for caching; plus the two small helpers an evaluation needs (interpolation onto
// another grid, relative L2 error).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace hrgrad::reference {

// One resolved setting or run fact, ready to be written as an HDF5 attribute.
struct Attribute {
  std::string name;
  std::variant<double, std::int64_t, std::string> value;
};

struct Solution {
  std::string problem;                   // "transport" or "bgk"
  std::string key;                       // the cache key of the resolved settings
  std::vector<double> x;                 // cell centres
  std::vector<double> times;             // output times, ascending; the last is t_final
  std::vector<std::vector<double>> rho;  // rho[i][cell] at times[i]
  std::vector<std::vector<double>> m;    // BGK only: momentum  sum_k w_k v_k f
  std::vector<std::vector<double>> E;    // BGK only: energy  1/2 sum_k w_k v_k^2 f
  std::vector<Attribute> attributes;     // resolved settings, then run facts (steps, seconds)
  std::vector<std::string> notes;        // adjustments made, e.g. a dt reduced for the CFL bound
  std::int64_t steps = 0;                // time steps taken in all
  double seconds = 0.0;                  // wall time of the solve
  // BGK only: mass, momentum, energy that entered through the two boundaries up to t_final
  // (time-integrated numerical fluxes), so that total(t) = total(0) + net_inflow to rounding.
  std::array<double, 3> net_inflow{};

  // rho at t_final (by value on a temporary, so `for (double r : solve(...).final_rho())` is safe).
  const std::vector<double>& final_rho() const& { return rho.back(); }
  std::vector<double> final_rho() && { return std::move(rho.back()); }
};

// Piecewise-linear interpolation of (x, y), x strictly ascending, at the points xq (constant
// extrapolation outside [x.front(), x.back()]). From the 200-cell transport grid onto the
// 100-cell evaluation grid this is exactly the average of the two fine cells.
std::vector<double> interpolate_linear(const std::vector<double>& x, const std::vector<double>& y,
                                       const std::vector<double>& xq);

// ||approx - ref||_2 / ||ref||_2 (the evaluation metric of physics.md); sizes must match.
double relative_l2(const std::vector<double>& approx, const std::vector<double>& ref);

}  // namespace hrgrad::reference
