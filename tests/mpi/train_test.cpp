// A short training on all ranks gives the same loss history as the same training in one
// process: samples come from streams keyed by regime and step, never by rank.
#include <gtest/gtest.h>

#include <filesystem>

#include "hrgrad/comm/communicator.hpp"
#include "hrgrad/config/parse.hpp"
#include "hrgrad/core/log.hpp"
#include "hrgrad/train/trainer.hpp"
#include "mpi_test_env.hpp"

namespace {

using namespace hrgrad;

config::Options small_run(const std::string& output, const std::string& dtype,
                          const std::string& exchange) {
  config::Options o;
  o.exchange = exchange;
  o.regimes = 4;
  o.model.width = 24;
  o.model.depth = 3;
  o.sampling.interior = 32;
  o.sampling.boundary = 16;
  o.sampling.initial = 16;
  o.sampling.quadrature = 8;
  o.train.steps = 20;
  o.train.log_every = 0;
  o.train.threads = 1;
  o.train.dtype = dtype;
  o.eval_eps = {1e-4};
  o.output = output;
  config::validate(o);
  return o;
}

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

  train::Trainer parallel(small_run(parallel_out, dtype, exchange), world);
  parallel.run();
  comm::SerialCommunicator self;
  train::Trainer serial(small_run(serial_out, dtype, exchange), self);
  serial.run();
  log::set_rank(world.rank(), world.size());

  const auto& a = parallel.history().rows();
  const auto& b = serial.history().rows();
  ASSERT_EQ(a.size(), 20u);
  ASSERT_EQ(b.size(), 20u);
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
