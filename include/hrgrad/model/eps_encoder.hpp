// The hidden representation of the Knudsen number (DESIGN.md §3). With
// s = 2 (log10 ε - log10 ε_min) / (log10 ε_max - log10 ε_min) - 1 in [-1, 1], the "hidden" mode
// learns z = tanh(W [s, sin(kπs), cos(kπs)]_{k=1..K} + b), a d_h-vector shared by every
// sub-network; the "raw" mode (for ablation) uses z = s.
#pragma once

#include <torch/torch.h>

#include <string>

namespace hrgrad::model {

class EpsEncoderImpl : public torch::nn::Module {
 public:
  EpsEncoderImpl(double eps_min, double eps_max, const std::string& mode, int harmonics,
                 int hidden_size);

  // eps: (N) or (N, 1) Knudsen numbers -> (N, size()) features.
  torch::Tensor forward(const torch::Tensor& eps);
  // The normalised coordinate s of eps.
  torch::Tensor normalise(const torch::Tensor& eps) const;
  int size() const { return size_; }

 private:
  double log_min_, log_max_;
  bool hidden_;
  int harmonics_;
  int size_;
  torch::nn::Linear linear_{nullptr};
};
TORCH_MODULE(EpsEncoder);

}  // namespace hrgrad::model
