#include "hrgrad/physics/collocation.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "hrgrad/core/rng.hpp"

namespace hrgrad::physics {

Sampler::Sampler(std::uint64_t seed, const Regime& regime, std::int64_t step, torch::Dtype dtype,
                 torch::Device device)
    : generator_(at::make_generator<at::CPUGeneratorImpl>(
          stream_seed(seed, regime.index, static_cast<std::uint64_t>(step)))),
      options_(torch::TensorOptions().dtype(dtype)),
      device_(device),
      log_low_(std::log10(regime.eps_low)),
      log_high_(std::log10(regime.eps_high)) {}

torch::Tensor Sampler::uniform_cpu(std::int64_t n, double low, double high) {
  // For low = 0 this equals high * r bit for bit (0 + y = y).
  return low + (high - low) * torch::rand({n, 1}, generator_, options_);
}

torch::Tensor Sampler::uniform(std::int64_t n, double low, double high) {
  return uniform_cpu(n, low, high).to(device_);
}

torch::Tensor Sampler::eps(std::int64_t n) {
  return torch::pow(10.0, log_low_ + (log_high_ - log_low_) * uniform_cpu(n)).to(device_);
}

torch::Tensor input_direction(int inputs, int index, double scale,
                              const torch::TensorOptions& options) {
  auto d = torch::zeros({inputs}, options);
  d[index] = scale;
  return d;
}

torch::Tensor column(const std::vector<double>& values, const torch::TensorOptions& options) {
  return torch::tensor(values, torch::TensorOptions().dtype(torch::kFloat64))
      .to(options.device(), options.dtype())
      .unsqueeze(1);
}

std::vector<double> to_doubles(const torch::Tensor& values) {
  const torch::Tensor cpu = values.to(torch::kCPU, torch::kFloat64).contiguous().reshape({-1});
  return {cpu.data_ptr<double>(), cpu.data_ptr<double>() + cpu.numel()};
}

}  // namespace hrgrad::physics
