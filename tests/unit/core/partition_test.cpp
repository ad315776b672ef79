#include "hrgrad/core/partition.hpp"

#include <gtest/gtest.h>

namespace {

TEST(SplitBounds, ContiguousNearEqualLargerFirst) {
  EXPECT_EQ(hrgrad::split_bounds(10, 4), (std::vector<std::int64_t>{0, 3, 6, 8, 10}));
  EXPECT_EQ(hrgrad::split_bounds(8, 4), (std::vector<std::int64_t>{0, 2, 4, 6, 8}));
  EXPECT_EQ(hrgrad::split_bounds(2, 3), (std::vector<std::int64_t>{0, 1, 2, 2}));
  EXPECT_EQ(hrgrad::split_bounds(5, 1), (std::vector<std::int64_t>{0, 5}));
}

}  // namespace
