#include "hrgrad/train/device.hpp"

#include <torch/cuda.h>

#include "hrgrad/core/error.hpp"

namespace hrgrad::train {

torch::Device select_device(const std::string& name, const comm::Communicator& comm) {
  if (name != "cuda") return torch::kCPU;
  const auto count = static_cast<int>(torch::cuda::device_count());
  require(torch::cuda::is_available() && count > 0, "--device",
          "cuda asked for, but this LibTorch has no CUDA or sees no GPU (run with --device cpu, "
          "or build against a CUDA LibTorch: docs/distributed.md)");
  return {torch::kCUDA, static_cast<c10::DeviceIndex>(comm.local_rank() % count)};
}

}  // namespace hrgrad::train
