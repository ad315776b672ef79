// A 30-step training on all ranks gives the same loss history as the same training in one
// process: samples come from streams keyed by regime and step, never by rank. With m = 4
// regimes the rank counts 1, 2 and 4 give blocks of regimes per rank, and 8 gives task groups
// of 2 ranks that split each regime's points.
#include <gtest/gtest.h>

#include <filesystem>

#include "hrgrad/comm/communicator.hpp"
#include "hrgrad/config/parse.hpp"
#include "hrgrad/core/log.hpp"
#include "hrgrad/train/trainer.hpp"
#include "mpi_test_env.hpp"
#include "small_training.hpp"

namespace {

using namespace hrgrad;

void check_rank_count_invariance(const std::string& dtype, double tolerance,
                                 const std::string& exchange = "gather") {
  auto& world = test::world();
  log::set_quiet(true);
  const auto dir = std::filesystem::temp_directory_path();
  const auto parallel_out =
      (dir / ("hrgrad_train_mpi_" + std::to_string(world.size()) + ".h5")).string();
  const auto serial_out = (dir / ("hrgrad_train_serial_" + std::to_string(world.size()) + "_" +
                                  std::to_string(world.rank()) + ".h5"))
                              .string();

  constexpr int kSteps = 30;
  train::Trainer parallel(test::small_training(parallel_out, dtype, exchange, kSteps), world);
  parallel.run();
  comm::SerialCommunicator self;
  train::Trainer serial(test::small_training(serial_out, dtype, exchange, kSteps), self);
  serial.run();
  log::set_rank(world.rank(), world.size());

  const auto& a = parallel.history().rows();
  const auto& b = serial.history().rows();
  ASSERT_EQ(a.size(), static_cast<std::size_t>(kSteps));
  ASSERT_EQ(b.size(), static_cast<std::size_t>(kSteps));
  for (std::size_t s = 0; s < a.size(); ++s) {
    ASSERT_EQ(a[s].losses.size(), 4u);
    for (int t = 0; t < 4; ++t) {
      EXPECT_NEAR(a[s].losses[t], b[s].losses[t], tolerance * std::abs(b[s].losses[t]))
          << "step " << s << " regime " << t << " at " << world.size() << " ranks";
    }
  }
  // The loss moved: the comparison is not between two untouched initialisations.
  EXPECT_LT(a.back().losses[0], a.front().losses[0]);
  std::filesystem::remove(serial_out);
  world.barrier();
  if (world.rank() == 0) std::filesystem::remove(parallel_out);
}

TEST(TrainRankCount, SameLossHistoryFloat32) { check_rank_count_invariance("float32", 1e-5); }
TEST(TrainRankCount, SameLossHistoryFloat64) { check_rank_count_invariance("float64", 1e-10); }
// The sharded exchange sums the Gram matrix in slices, so only rounding may differ.
TEST(TrainRankCount, ShardedSameLossHistoryFloat32) {
  check_rank_count_invariance("float32", 1e-4, "sharded");
}
TEST(TrainRankCount, ShardedSameLossHistoryFloat64) {
  check_rank_count_invariance("float64", 1e-10, "sharded");
}

}  // namespace
