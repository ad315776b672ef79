#include "hrgrad/core/gauss_legendre.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace hrgrad {

Quadrature gauss_legendre(int n, double a, double b) {
  if (n < 1)
    throw std::invalid_argument("gauss_legendre: n must be >= 1, got " + std::to_string(n));
  Quadrature q;
  q.nodes.resize(n);
  q.weights.resize(n);
  const double half = 0.5 * (b - a), mid = 0.5 * (a + b);
  for (int i = 0; i < (n + 1) / 2; ++i) {
    // Newton on P_n from the Chebyshev-like initial guess; converges in a few steps.
    double z = std::cos(M_PI * (i + 0.75) / (n + 0.5));
    double dp = 1.0;
    for (int iter = 0; iter < 100; ++iter) {
      double p0 = 1.0, p1 = z;
      for (int k = 2; k <= n; ++k) {
        const double p2 = ((2.0 * k - 1.0) * z * p1 - (k - 1.0) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = n * (z * p1 - p0) / (z * z - 1.0);
      const double dz = p1 / dp;
      z -= dz;
      if (std::abs(dz) < 1e-16) break;
    }
    // Recompute the derivative at the converged root for the weight.
    double p0 = 1.0, p1 = z;
    for (int k = 2; k <= n; ++k) {
      const double p2 = ((2.0 * k - 1.0) * z * p1 - (k - 1.0) * p0) / k;
      p0 = p1;
      p1 = p2;
    }
    dp = n * (z * p1 - p0) / (z * z - 1.0);
    const double w = 2.0 / ((1.0 - z * z) * dp * dp);
    q.nodes[i] = mid - half * z;
    q.nodes[n - 1 - i] = mid + half * z;
    q.weights[i] = q.weights[n - 1 - i] = half * w;
  }
  return q;
}

}  // namespace hrgrad
