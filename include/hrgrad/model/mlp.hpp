// A fully connected tanh network that also propagates input derivatives forward ("jets"): for
// constant input directions d_j it returns the outputs and their directional derivatives
// D_j u = ∇u · d_j in one pass, so residuals with u_t, u_x need no double backward. The result
// is differentiable (once) in the parameters and the input.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace hrgrad::model {

// Outputs and their derivatives along the requested input directions: value N x outputs, each
// derivative jet_rows x outputs (the first rows of value).
struct Jet {
  torch::Tensor value;
  std::vector<torch::Tensor> derivatives;
};

class MlpImpl : public torch::nn::Module {
 public:
  // Linear(inputs, width) -> tanh -> (depth - 1) x [Linear(width, width) -> tanh]
  // -> Linear(width, outputs). Xavier-normal weights, zero biases.
  MlpImpl(int inputs, int width, int depth, int outputs = 1);

  // Plain ATen operations: differentiable to any order (the reference path of the tests).
  torch::Tensor forward(const torch::Tensor& input);
  // directions: vectors of size `inputs`, the same for every row of input (N x inputs). The
  // derivatives cover the first `jet_rows` rows (all rows when negative); the rest get values
  // only, so points that need no derivatives can share the pass. One autograd node with a
  // hand-written backward (values and tangents stacked into one matrix product per layer, the
  // elementwise chain fused).
  // Tensors off the CPU (CUDA) take forward_jet_unfused: the fused node's loops run on host
  // memory only.
  Jet forward_jet(const torch::Tensor& input, const std::vector<torch::Tensor>& directions,
                  std::int64_t jet_rows = -1);
  // The same jets from plain ATen operations on any device (differentiable to any order).
  Jet forward_jet_unfused(const torch::Tensor& input, const std::vector<torch::Tensor>& directions,
                          std::int64_t jet_rows = -1);

  int inputs() const { return inputs_; }

 private:
  int inputs_;
  std::vector<torch::nn::Linear> layers_;
};
TORCH_MODULE(Mlp);

// Which library runs the fused jets' float32 matrix products: "oneDNN" when hrgrad was built
// against it (HRGRAD_WITH_DNNL, libdnnl-dev), else "ATen" (the BLAS LibTorch loaded).
const char* jet_product_library();

}  // namespace hrgrad::model
