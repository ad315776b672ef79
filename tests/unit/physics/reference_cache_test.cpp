// ReferenceCache keeps each reference in memory: evaluating the same ε again during a run
// (--eval-every) neither solves nor reads the file again, with or without the file cache.
#include "hrgrad/physics/reference_cache.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace {

using namespace hrgrad;

reference::Solution solution(double value) {
  reference::Solution s;
  s.x = {0.25, 0.75};
  s.times = {0.1};
  s.rho = {{value, 2 * value}};
  s.seconds = 1.5;
  return s;
}

TEST(ReferenceCache, SolvesEachKeyOncePerRunWithoutAFile) {
  physics::ReferenceCache cache("");
  int solves = 0;
  auto solve = [&] { return ++solves, solution(3.0); };
  const auto first = cache.get("key a", solve);
  const auto again = cache.get("key a", solve);
  EXPECT_EQ(solves, 1);
  EXPECT_FALSE(first.from_cache);
  EXPECT_EQ(first.seconds, 1.5);
  EXPECT_TRUE(again.from_cache);
  EXPECT_EQ(again.seconds, 0);
  EXPECT_EQ(again.rho, first.rho);
  cache.get("key b", solve);
  EXPECT_EQ(solves, 2);
}

TEST(ReferenceCache, FileEntriesAreReadOncePerRun) {
  const auto path = std::filesystem::temp_directory_path() / "hrgrad_reference_cache_test.h5";
  std::filesystem::remove(path);
  int solves = 0;
  auto solve = [&] { return ++solves, solution(4.0); };
  physics::ReferenceCache(path.string()).get("key", solve);  // written to the file
  physics::ReferenceCache cache(path.string());
  EXPECT_TRUE(cache.get("key", solve).from_cache);
  std::filesystem::remove(path);  // the second get must not need the file
  const auto again = cache.get("key", solve);
  EXPECT_EQ(solves, 1);
  EXPECT_EQ(again.rho, (std::vector<double>{4.0, 8.0}));
}

}  // namespace
