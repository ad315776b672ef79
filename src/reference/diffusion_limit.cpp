#include "hrgrad/reference/diffusion_limit.hpp"

#include <cmath>
#include <sstream>
#include <string>

#include "hrgrad/core/error.hpp"

namespace hrgrad::reference {
namespace {

std::string str(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

// Terms below this (absolute; |rho| <= 1) no longer change a double.
constexpr double kNegligible = 1e-18;

}  // namespace

namespace detail {

// Fourier series: the n-th term is bounded by (2/(n pi)) exp(-n^2 pi^2 D t), so stop when that
// bound is negligible. Fast when D t is not small.
double diffusion_fourier_series(double dt, double x) {
  double sum = 0.0;
  for (int n = 1;; ++n) {
    const double npi = n * M_PI;
    const double bound = 2.0 / npi * std::exp(-npi * npi * dt);
    if (bound < kNegligible) break;
    sum += bound * std::sin(npi * x);
  }
  return 1.0 - x - sum;
}

// Images: rho = sum_{m>=0} [erfc((2m + x)/s) - erfc((2m + 2 - x)/s)], s = 2 sqrt(D t); the terms
// fall off like exp(-(2m)^2/s^2). Fast (a few terms) when D t is small, where the Fourier series
// would need ~1/sqrt(D t) terms.
double diffusion_image_series(double dt, double x) {
  const double s = 2.0 * std::sqrt(dt);
  double sum = 0.0;
  for (int m = 0;; ++m) {
    const double a = std::erfc((2.0 * m + x) / s);
    const double b = std::erfc((2.0 * m + 2.0 - x) / s);
    sum += a - b;
    if (m > 0 && a < kNegligible) break;
  }
  return sum;
}

}  // namespace detail

std::vector<double> cell_centres(int n, double a, double b) {
  require(n >= 1, "cells", "must be >= 1, got " + std::to_string(n));
  require(b > a, "domain", "needs b > a, got [" + str(a) + ", " + str(b) + "]");
  std::vector<double> x(n);
  const double h = (b - a) / n;
  for (int j = 0; j < n; ++j) x[j] = a + (j + 0.5) * h;
  return x;
}

double diffusion_limit_density(double t, double x, double sigma_s) {
  require(t > 0.0, "t", "must be > 0, got " + str(t));
  require(sigma_s > 0.0, "sigma_s", "must be > 0, got " + str(sigma_s));
  require(x >= 0.0 && x <= 1.0, "x", "must lie in [0, 1], got " + str(x));
  const double dt = t / (3.0 * sigma_s);  // D t with D = 1/(3 sigma_s)
  // Both series are exact; switch where their decay rates exp(-pi^2 D t n^2) and
  // exp(-m^2/(D t)) cross (D t = 1/pi), so each needs only a handful of terms.
  return dt < 1.0 / M_PI ? detail::diffusion_image_series(dt, x)
                         : detail::diffusion_fourier_series(dt, x);
}

std::vector<double> diffusion_limit_density(double t, const std::vector<double>& x,
                                            double sigma_s) {
  std::vector<double> rho(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) rho[i] = diffusion_limit_density(t, x[i], sigma_s);
  return rho;
}

}  // namespace hrgrad::reference
