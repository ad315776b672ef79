#include "hrgrad/core/gauss_legendre.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

namespace {

TEST(GaussLegendre, IntegratesPolynomialsExactlyUpToDegree2nMinus1) {
  for (int n : {1, 2, 5, 16, 30, 64}) {
    const auto q = hrgrad::gauss_legendre(n, -10.0, 10.0);
    for (int degree = 0; degree <= 2 * n - 1 && degree <= 12; ++degree) {
      double sum = 0, magnitude = 0;  // rounding scales with the sum of |terms|
      for (int k = 0; k < n; ++k) {
        sum += q.weights[k] * std::pow(q.nodes[k], degree);
        magnitude += q.weights[k] * std::abs(std::pow(q.nodes[k], degree));
      }
      const double exact = degree % 2 ? 0.0 : 2.0 * std::pow(10.0, degree + 1) / (degree + 1);
      EXPECT_NEAR(sum, exact, 1e-13 * magnitude) << n << " " << degree;
    }
  }
}

TEST(GaussLegendre, NodesAscendSymmetricAndInside) {
  const auto q = hrgrad::gauss_legendre(16, 0.0, 1.0);
  for (int k = 0; k < 16; ++k) {
    EXPECT_GT(q.nodes[k], 0.0);
    EXPECT_LT(q.nodes[k], 1.0);
    if (k > 0) EXPECT_GT(q.nodes[k], q.nodes[k - 1]);
    EXPECT_NEAR(q.nodes[k] + q.nodes[15 - k], 1.0, 1e-15);
  }
  EXPECT_NEAR(std::accumulate(q.weights.begin(), q.weights.end(), 0.0), 1.0, 1e-14);
}

TEST(GaussLegendre, RejectsEmptyRule) {
  EXPECT_THROW(hrgrad::gauss_legendre(0), std::invalid_argument);
}

}  // namespace
