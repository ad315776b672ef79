#include "hrgrad/physics/regimes.hpp"

#include <cmath>
#include <cstdio>

namespace hrgrad::physics {

namespace {

// 1e-04 for powers of ten, 6.3e-05 otherwise.
std::string short_number(double value) {
  char text[32];
  const double exponent = std::log10(value);
  std::snprintf(text, sizeof text,
                std::abs(exponent - std::round(exponent)) < 1e-9 ? "%.0e" : "%.1e", value);
  return text;
}

}  // namespace

std::string Regime::label() const {
  return "[" + short_number(eps_low) + ", " + short_number(eps_high) + "]";
}

std::pair<double, double> trained_range(double eps_min, double eps_max, double margin_decades) {
  const double factor = std::pow(10.0, margin_decades);
  return {eps_min / factor, eps_max * factor};
}

std::vector<Regime> log_uniform_regimes(double eps_min, double eps_max, int count,
                                        double margin_decades) {
  std::vector<Regime> regimes(count);
  const double low = std::log10(eps_min), high = std::log10(eps_max);
  for (int k = 0; k < count; ++k) {
    regimes[k].index = k;
    regimes[k].eps_low = std::pow(10.0, low + (high - low) * k / count);
    regimes[k].eps_high =
        k + 1 == count ? eps_max : std::pow(10.0, low + (high - low) * (k + 1) / count);
  }
  const auto [low_end, high_end] = trained_range(eps_min, eps_max, margin_decades);
  regimes.front().eps_low = low_end;
  regimes.back().eps_high = high_end;
  return regimes;
}

}  // namespace hrgrad::physics
