// Gauss-Legendre quadrature on an interval, in double precision: the velocity integrals of the
// APNN losses and the discrete ordinates of the reference solvers.
#pragma once

#include <vector>

namespace hrgrad {

struct Quadrature {
  std::vector<double> nodes;    // ascending
  std::vector<double> weights;  // sum to (b - a)
};

// n-point Gauss-Legendre rule on [a, b]; n >= 1.
Quadrature gauss_legendre(int n, double a = -1.0, double b = 1.0);

}  // namespace hrgrad
