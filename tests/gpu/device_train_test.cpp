// Training on a GPU follows the CPU run: the same weights, points and steps in float64 give loss
// histories equal to 1e-8 relative. Skipped where LibTorch sees no GPU; tests/gpu/check.sh runs it
// on one (with NCCL when built with it: one rank, one GPU, the exchange through NCCL).
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include <filesystem>

#include "hrgrad/comm/communicator.hpp"
#include "hrgrad/core/log.hpp"
#include "hrgrad/train/trainer.hpp"
#include "small_training.hpp"

namespace {

using namespace hrgrad;

void check_cuda_matches_cpu(const std::string& exchange) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "LibTorch sees no GPU";
  log::set_quiet(true);
  const auto dir = std::filesystem::temp_directory_path();
  comm::SerialCommunicator self;
  auto cpu_options = test::small_training((dir / "hrgrad_gpu_cpu.h5").string(), "float64",
                                          exchange, 10);
  auto gpu_options = cpu_options;
  gpu_options.output = (dir / "hrgrad_gpu_cuda.h5").string();
  gpu_options.train.device = "cuda";
  train::Trainer cpu(cpu_options, self);
  const auto cpu_result = cpu.run();
  train::Trainer gpu(gpu_options, self);
  const auto gpu_result = gpu.run();

  const auto& a = gpu.history().rows();
  const auto& b = cpu.history().rows();
  ASSERT_EQ(a.size(), b.size());
  double worst = 0;
  for (std::size_t s = 0; s < a.size(); ++s) {
    for (std::size_t t = 0; t < b[s].losses.size(); ++t) {
      const double relative = std::abs(a[s].losses[t] - b[s].losses[t]) / std::abs(b[s].losses[t]);
      worst = std::max(worst, relative);
      EXPECT_LT(relative, 1e-8) << "step " << s << " regime " << t;
    }
  }
  EXPECT_LT(b.back().losses[0], b.front().losses[0]);
  std::printf("[ cuda     ] %s exchange: largest relative loss difference to the CPU run %.3e\n",
              exchange.c_str(), worst);
  ASSERT_EQ(gpu_result.evaluations.size(), cpu_result.evaluations.size());
  EXPECT_NEAR(gpu_result.evaluations[0].fields[0].relative_l2,
              cpu_result.evaluations[0].fields[0].relative_l2, 1e-8);
  std::filesystem::remove(cpu_options.output);
  std::filesystem::remove(gpu_options.output);
}

TEST(CudaTraining, GatherMatchesCpuFloat64) { check_cuda_matches_cpu("gather"); }
TEST(CudaTraining, ShardedMatchesCpuFloat64) { check_cuda_matches_cpu("sharded"); }

}  // namespace
