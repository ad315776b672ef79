#include "hrgrad/model/eps_encoder.hpp"

#include <cmath>

namespace hrgrad::model {

EpsEncoderImpl::EpsEncoderImpl(double eps_min, double eps_max, const std::string& mode,
                               int harmonics, int hidden_size)
    : log_min_(std::log10(eps_min)),
      log_max_(std::log10(eps_max)),
      hidden_(mode == "hidden"),
      harmonics_(harmonics),
      size_(mode == "hidden" ? hidden_size : 1) {
  if (hidden_) {
    linear_ = register_module("linear", torch::nn::Linear(1 + 2 * harmonics, hidden_size));
    torch::NoGradGuard no_grad;
    torch::nn::init::xavier_normal_(linear_->weight);
    torch::nn::init::zeros_(linear_->bias);
  }
}

torch::Tensor EpsEncoderImpl::normalise(const torch::Tensor& eps) const {
  return 2.0 * (torch::log10(eps.reshape({-1, 1})) - log_min_) / (log_max_ - log_min_) - 1.0;
}

torch::Tensor EpsEncoderImpl::forward(const torch::Tensor& eps) {
  const torch::Tensor s = normalise(eps);
  if (!hidden_) return s;
  std::vector<torch::Tensor> features{s};
  for (int k = 1; k <= harmonics_; ++k) {
    features.push_back(torch::sin(k * M_PI * s));
    features.push_back(torch::cos(k * M_PI * s));
  }
  return torch::tanh(linear_->forward(torch::cat(features, 1)));
}

}  // namespace hrgrad::model
