// Two ranks on a GPU each (sharing one where the node has one: the exchange then stages through
// host memory and MPI, since NCCL needs a GPU per rank) train like one process on the CPU:
// float64 loss histories equal to 1e-8 relative. Skipped where LibTorch sees no GPU.
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include <filesystem>

#include "hrgrad/comm/communicator.hpp"
#include "hrgrad/core/log.hpp"
#include "hrgrad/train/trainer.hpp"
#include "mpi_test_env.hpp"
#include "small_training.hpp"

namespace {

using namespace hrgrad;

void check_ranks_on_cuda(const std::string& exchange) {
  auto& world = test::world();
  // Every rank sees the same machine, so all skip or none does.
  if (!torch::cuda::is_available()) GTEST_SKIP() << "LibTorch sees no GPU";
  log::set_quiet(true);
  const auto dir = std::filesystem::temp_directory_path();
  auto gpu_options = test::small_training(
      (dir / ("hrgrad_gpu_mpi_" + exchange + ".h5")).string(), "float64", exchange, 10);
  gpu_options.train.device = "cuda";
  auto cpu_options = gpu_options;
  cpu_options.train.device = "cpu";
  cpu_options.output =
      (dir / ("hrgrad_gpu_mpi_cpu_" + std::to_string(world.rank()) + ".h5")).string();
  train::Trainer gpu(gpu_options, world);
  gpu.run();
  comm::SerialCommunicator self;
  train::Trainer cpu(cpu_options, self);
  cpu.run();
  log::set_rank(world.rank(), world.size());

  const auto& a = gpu.history().rows();
  const auto& b = cpu.history().rows();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t s = 0; s < a.size(); ++s) {
    for (std::size_t t = 0; t < b[s].losses.size(); ++t) {
      EXPECT_NEAR(a[s].losses[t], b[s].losses[t], 1e-8 * std::abs(b[s].losses[t]))
          << "step " << s << " regime " << t << " at " << world.size() << " ranks";
    }
  }
  std::filesystem::remove(cpu_options.output);
  world.barrier();
  if (world.rank() == 0) std::filesystem::remove(gpu_options.output);
}

TEST(CudaRanks, GatherMatchesCpuFloat64) { check_ranks_on_cuda("gather"); }
TEST(CudaRanks, ShardedMatchesCpuFloat64) { check_ranks_on_cuda("sharded"); }

}  // namespace
