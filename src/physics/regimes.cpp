#include "hrgrad/physics/regimes.hpp"

#include <cmath>
#include <cstdio>

namespace hrgrad::physics {

std::string Regime::label() const {
  char text[64];
  std::snprintf(text, sizeof text, "[%.0e, %.0e]", eps_low, eps_high);
  return text;
}

std::vector<Regime> log_uniform_regimes(double eps_min, double eps_max, int count) {
  std::vector<Regime> regimes(count);
  const double low = std::log10(eps_min), high = std::log10(eps_max);
  for (int k = 0; k < count; ++k) {
    regimes[k].index = k;
    regimes[k].eps_low = std::pow(10.0, low + (high - low) * k / count);
    regimes[k].eps_high =
        k + 1 == count ? eps_max : std::pow(10.0, low + (high - low) * (k + 1) / count);
  }
  regimes.front().eps_low = eps_min;
  return regimes;
}

}  // namespace hrgrad::physics
