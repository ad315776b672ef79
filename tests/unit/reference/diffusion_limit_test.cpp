#include "hrgrad/reference/diffusion_limit.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "hrgrad/core/error.hpp"

namespace hrgrad::reference {
namespace {

TEST(ReferenceCellCentres, DefaultGridIsTheEvaluationGrid) {
  const auto x = cell_centres(100);
  ASSERT_EQ(x.size(), 100u);
  for (int j = 0; j < 100; ++j) EXPECT_NEAR(x[j], 0.005 + 0.01 * j, 1e-15);
  const auto y = cell_centres(4, -0.5, 0.5);
  EXPECT_DOUBLE_EQ(y[0], -0.375);
  EXPECT_DOUBLE_EQ(y[3], 0.375);
  EXPECT_THROW(cell_centres(0), InputError);
  EXPECT_THROW(cell_centres(3, 1.0, 1.0), InputError);
}

// physics.md §5.1 "Converged values", column ε -> 0 (exact), t = 0.1, printed to 5 decimals.
TEST(ReferenceDiffusionLimit, MatchesConvergedValuesTable) {
  const std::vector<double> x = {0.005, 0.105, 0.205, 0.305, 0.505, 0.805, 0.995};
  const std::vector<double> expected = {0.98455, 0.68426, 0.42722, 0.23750,
                                        0.05048, 0.00182, 0.00002};
  const auto rho = diffusion_limit_density(0.1, x);
  ASSERT_EQ(rho.size(), x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_NEAR(rho[i], expected[i], 5e-6) << "x = " << x[i];
  }
}

TEST(ReferenceDiffusionLimit, BothSeriesAgreeAcrossTheirRanges) {
  for (double dt : {1e-3, 1e-2, 0.1, 1.0 / M_PI, 0.5, 2.0}) {
    for (double x : {0.0, 0.01, 0.3, 0.5, 0.77, 0.999, 1.0}) {
      EXPECT_NEAR(detail::diffusion_fourier_series(dt, x), detail::diffusion_image_series(dt, x),
                  1e-14)
          << "dt = " << dt << ", x = " << x;
    }
  }
}

TEST(ReferenceDiffusionLimit, BoundaryValuesAndLimits) {
  for (double t : {1e-12, 1e-6, 0.1, 10.0}) {
    EXPECT_NEAR(diffusion_limit_density(t, 0.0), 1.0, 1e-15);
    EXPECT_NEAR(diffusion_limit_density(t, 1.0), 0.0, 1e-15);
  }
  // Small t: the half-line solution erfc(x / (2 sqrt(D t))) near x = 0, zero in the interior.
  const double t = 1e-6, d = 1.0 / 3.0;
  EXPECT_NEAR(diffusion_limit_density(t, 1e-3), std::erfc(1e-3 / (2 * std::sqrt(d * t))), 1e-15);
  EXPECT_EQ(diffusion_limit_density(t, 0.5), 0.0);
  // Large t: the steady state 1 - x.
  EXPECT_NEAR(diffusion_limit_density(100.0, 0.3), 0.7, 1e-15);
  // sigma_s only rescales time.
  EXPECT_DOUBLE_EQ(diffusion_limit_density(0.2, 0.4, 2.0), diffusion_limit_density(0.1, 0.4));
}

TEST(ReferenceDiffusionLimit, RejectsBadInput) {
  EXPECT_THROW(diffusion_limit_density(0.0, 0.5), InputError);
  EXPECT_THROW(diffusion_limit_density(-1.0, 0.5), InputError);
  EXPECT_THROW(diffusion_limit_density(0.1, 0.5, 0.0), InputError);
  EXPECT_THROW(diffusion_limit_density(0.1, 1.5), InputError);
}

}  // namespace
}  // namespace hrgrad::reference
