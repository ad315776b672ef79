#include "hrgrad/physics/regimes.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace {

TEST(Regimes, OnePerDecadeCoverTheRangeContiguously) {
  const auto r = hrgrad::physics::log_uniform_regimes(1e-4, 1.0, 4);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_DOUBLE_EQ(r[0].eps_low, 1e-4);
  EXPECT_DOUBLE_EQ(r[3].eps_high, 1.0);
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(r[k].index, k);
    EXPECT_NEAR(std::log10(r[k].eps_high) - std::log10(r[k].eps_low), 1.0, 1e-12);
    if (k > 0) {
      EXPECT_DOUBLE_EQ(r[k].eps_low, r[k - 1].eps_high);
    }
  }
  EXPECT_EQ(r[0].label(), "[1e-04, 1e-03]");
}

TEST(Regimes, SingleRegimeIsTheWholeRange) {
  const auto r = hrgrad::physics::log_uniform_regimes(1e-3, 0.5, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_DOUBLE_EQ(r[0].eps_low, 1e-3);
  EXPECT_DOUBLE_EQ(r[0].eps_high, 0.5);
}

// The margin moves only the outer ends: the decades inside stay the tasks, and the encoding's
// range (trained_range) is where the regimes sample.
TEST(Regimes, MarginExtendsTheOuterRegimesOnly) {
  const auto r = hrgrad::physics::log_uniform_regimes(1e-4, 1.0, 4, 0.2);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_NEAR(std::log10(r[0].eps_low), -4.2, 1e-12);
  EXPECT_DOUBLE_EQ(r[0].eps_high, 1e-3);
  EXPECT_DOUBLE_EQ(r[2].eps_low, 1e-2);
  EXPECT_DOUBLE_EQ(r[2].eps_high, 1e-1);
  EXPECT_NEAR(std::log10(r[3].eps_high), 0.2, 1e-12);
  const auto [low, high] = hrgrad::physics::trained_range(1e-4, 1.0, 0.2);
  EXPECT_DOUBLE_EQ(low, r[0].eps_low);
  EXPECT_DOUBLE_EQ(high, r[3].eps_high);
  EXPECT_EQ(r[0].label(), "[6.3e-05, 1e-03]");
  EXPECT_EQ(r[3].label(), "[1e-01, 1.6e+00]");
}

}  // namespace
