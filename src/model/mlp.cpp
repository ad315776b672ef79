#include "hrgrad/model/mlp.hpp"

namespace hrgrad::model {

MlpImpl::MlpImpl(int inputs, int width, int depth, int outputs) : inputs_(inputs) {
  int in = inputs;
  for (int layer = 0; layer <= depth; ++layer) {
    const int out = layer == depth ? outputs : width;
    auto linear = register_module("linear" + std::to_string(layer), torch::nn::Linear(in, out));
    torch::NoGradGuard no_grad;
    torch::nn::init::xavier_normal_(linear->weight);
    torch::nn::init::zeros_(linear->bias);
    layers_.push_back(linear);
    in = out;
  }
}

torch::Tensor MlpImpl::forward(const torch::Tensor& input) {
  torch::Tensor h = input;
  for (std::size_t i = 0; i + 1 < layers_.size(); ++i) h = torch::tanh(layers_[i]->forward(h));
  return layers_.back()->forward(h);
}

Jet MlpImpl::forward_jet(const torch::Tensor& input, const std::vector<torch::Tensor>& directions) {
  // The first layer's tangent is W d: one row, broadcast over the batch until the first tanh.
  auto& first = layers_.front();
  torch::Tensor h = first->forward(input);
  std::vector<torch::Tensor> dh;
  dh.reserve(directions.size());
  for (const auto& d : directions) dh.push_back(torch::mv(first->weight, d));
  for (std::size_t i = 1; i < layers_.size(); ++i) {
    const torch::Tensor a = torch::tanh(h);
    const torch::Tensor slope = 1 - a * a;
    auto& linear = layers_[i];
    h = linear->forward(a);
    for (auto& tangent : dh) tangent = torch::matmul(slope * tangent, linear->weight.t());
  }
  return {h, dh};
}

}  // namespace hrgrad::model
