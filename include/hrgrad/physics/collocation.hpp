// Helpers every problem shares to build its collocation points and read its results: a sampler
// that draws one regime's points at one step from the seeded stream (seed, regime, step) on the
// CPU and moves them to the problem's device, the constant input directions of an MLP jet, and
// conversions between (N, 1) tensors and CPU doubles.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "hrgrad/physics/regimes.hpp"

namespace hrgrad::physics {

class Sampler {
 public:
  Sampler(std::uint64_t seed, const Regime& regime, std::int64_t step, torch::Dtype dtype,
          torch::Device device);
  // (n, 1) uniform samples in [low, high] on the CPU (for values computed there first).
  torch::Tensor uniform_cpu(std::int64_t n, double low = 0.0, double high = 1.0);
  // The same, moved to the device.
  torch::Tensor uniform(std::int64_t n, double low = 0.0, double high = 1.0);
  // (n, 1) Knudsen numbers, log-uniform in the regime's segment, on the device.
  torch::Tensor eps(std::int64_t n);
  torch::Device device() const { return device_; }

 private:
  at::Generator generator_;
  torch::TensorOptions options_;
  torch::Device device_;
  double log_low_, log_high_;
};

// The input direction e_index * scale of an MLP with `inputs` inputs (for Mlp::forward_jet).
torch::Tensor input_direction(int inputs, int index, double scale,
                              const torch::TensorOptions& options);

// values as an (N, 1) tensor with the given options (device and dtype).
torch::Tensor column(const std::vector<double>& values, const torch::TensorOptions& options);

// The elements of a tensor as CPU doubles.
std::vector<double> to_doubles(const torch::Tensor& values);

}  // namespace hrgrad::physics
