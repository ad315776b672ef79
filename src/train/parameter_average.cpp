#include "hrgrad/train/parameter_average.hpp"

#include <cmath>
#include <string>
#include <utility>

#include "hrgrad/core/error.hpp"

namespace hrgrad::train {

ParameterAverage::ParameterAverage(std::vector<torch::Tensor> parameters, double decay)
    : parameters_(std::move(parameters)), decay_(decay) {
  if (!(decay >= 0 && decay < 1))
    throw InputError("--ema-decay: must be in [0, 1), got " + std::to_string(decay));
  if (!enabled()) return;
  for (const auto& p : parameters_)
    sums_.push_back(torch::zeros(p.sizes(), p.options().dtype(torch::kFloat64)));
}

void ParameterAverage::update() {
  if (!enabled()) return;
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < parameters_.size(); ++i)
    sums_[i].mul_(decay_).add_(parameters_[i].detach(), 1 - decay_);  // promoted to float64
  ++count_;
}

void ParameterAverage::restore(const std::vector<torch::Tensor>& sums, std::int64_t count) {
  if (!enabled()) return;
  if (sums.size() != sums_.size() || count < 0)
    throw IoError("the parameter average does not fit the network");
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < sums.size(); ++i) sums_[i].copy_(sums[i]);
  count_ = count;
}

ParameterAverage::Swap::Swap(ParameterAverage& average) : average_(average) {
  if (!average.enabled() || average.count_ == 0) return;
  torch::NoGradGuard no_grad;
  const double correction = 1 - std::pow(average.decay_, static_cast<double>(average.count_));
  for (std::size_t i = 0; i < average.parameters_.size(); ++i) {
    auto& p = average.parameters_[i];
    iterate_.push_back(p.detach().clone());
    p.copy_(average.sums_[i] / correction);
  }
}

ParameterAverage::Swap::~Swap() {
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < iterate_.size(); ++i) average_.parameters_[i].copy_(iterate_[i]);
}

}  // namespace hrgrad::train
