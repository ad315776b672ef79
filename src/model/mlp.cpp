#include "hrgrad/model/mlp.hpp"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdint>

#include "fast_sgemm.hpp"
#include "vector_tanh.hpp"

namespace hrgrad::model {

namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

constexpr std::int64_t kGrain = 64;  // rows per parallel chunk

// op(a) op(b), op = transpose where asked: float32 row-major tensors through oneDNN's sgemm
// (fast_sgemm.hpp), anything else through ATen.
Tensor product(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b) {
  const std::int64_t k = transpose_a ? a.size(0) : a.size(1);
  Tensor c = torch::empty(
      {transpose_a ? a.size(1) : a.size(0), transpose_b ? b.size(0) : b.size(1)}, a.options());
  const bool float_rows = a.scalar_type() == torch::kFloat32 &&
                          b.scalar_type() == torch::kFloat32 && a.is_cpu() && b.is_cpu() &&
                          a.is_contiguous() && b.is_contiguous();
  if (float_rows && k > 0 && c.numel() > 0 &&
      fast_sgemm(transpose_a, transpose_b, c.size(0), c.size(1), k, a.data_ptr<float>(), a.size(1),
                 b.data_ptr<float>(), b.size(1), 0.0f, c.data_ptr<float>(), c.size(1))) {
    return c;
  }
  return torch::mm_out(c, transpose_a ? a.t() : a, transpose_b ? b.t() : b);
}

// a = tanh(h), both contiguous; float through libmvec (vector_tanh.hpp), double through ATen.
void tanh_into(Tensor& a, const Tensor& h) {
  if (a.scalar_type() != torch::kFloat32) {
    torch::tanh_out(a, h);
    return;
  }
  const float* in = h.data_ptr<float>();
  float* out = a.data_ptr<float>();
  const std::int64_t w = h.size(1);
  at::parallel_for(0, h.size(0), kGrain, [&](std::int64_t begin, std::int64_t end) {
    vector_tanh(in + begin * w, out + begin * w, static_cast<std::size_t>((end - begin) * w));
  });
}

// Forward, per hidden layer: from a = tanh(h) of the first R rows (the rows with tangents) and
// the tangents t_j (R x w, or 1 x w broadcast over the rows for the first layer's W d), the
// slope s = 1 - a² (R x w) and u_j = s t_j, written into rows [R j, R (j + 1)) of `u` (J R x w).
void slope_and_tangents(const Tensor& a, const Tensor& tangents, bool broadcast, Tensor& s,
                        Tensor& u) {
  const std::int64_t rows = a.size(0), w = a.size(1), jets = rows ? u.size(0) / rows : 0;
  AT_DISPATCH_FLOATING_TYPES(a.scalar_type(), "jet_forward", [&] {
    const scalar_t* pa = a.data_ptr<scalar_t>();
    const scalar_t* pt = tangents.data_ptr<scalar_t>();
    scalar_t* ps = s.data_ptr<scalar_t>();
    scalar_t* pu = u.data_ptr<scalar_t>();
    at::parallel_for(0, rows, kGrain, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t r = begin; r < end; ++r) {
        scalar_t* sr = ps + r * w;
        const scalar_t* ar = pa + r * w;
        for (std::int64_t c = 0; c < w; ++c) sr[c] = scalar_t(1) - ar[c] * ar[c];
        for (std::int64_t j = 0; j < jets; ++j) {
          const scalar_t* t = broadcast ? pt + j * w : pt + (j * rows + r) * w;
          scalar_t* out = pu + (j * rows + r) * w;
          for (std::int64_t c = 0; c < w; ++c) out[c] = sr[c] * t[c];
        }
      }
    });
  });
}

// Backward through one hidden layer's tanh and tangent products. `upstream` ((N + J R) x w)
// holds ā = ∂L/∂a (N rows) and ū_j = ∂L/∂u_j (R rows each); replaced in place, in the same
// layout, by h̄ = ∂L/∂h = (ā - 2 a Σ_j ū_j t_j) s (rows without tangents: ā (1 - a²)) and
// t̄_j = ∂L/∂t_j = ū_j s (per row also for broadcast tangents).
void tanh_and_tangents_backward(Tensor& upstream, const Tensor& a, const Tensor& s,
                                const Tensor& tangents, bool broadcast) {
  const std::int64_t n = a.size(0), w = a.size(1), rows = s.size(0);
  const std::int64_t jets = rows ? (upstream.size(0) - n) / rows : 0;
  AT_DISPATCH_FLOATING_TYPES(a.scalar_type(), "jet_backward", [&] {
    const scalar_t* pa = a.data_ptr<scalar_t>();
    const scalar_t* ps = s.data_ptr<scalar_t>();
    const scalar_t* pt = tangents.data_ptr<scalar_t>();
    scalar_t* pg = upstream.data_ptr<scalar_t>();
    at::parallel_for(0, n, kGrain, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t r = begin; r < end; ++r) {
        scalar_t* h_bar = pg + r * w;
        const scalar_t* ar = pa + r * w;
        if (r >= rows) {
          for (std::int64_t c = 0; c < w; ++c) h_bar[c] *= scalar_t(1) - ar[c] * ar[c];
          continue;
        }
        const scalar_t* sr = ps + r * w;
        for (std::int64_t j = 0; j < jets; ++j) {
          scalar_t* u_bar = pg + (n + j * rows + r) * w;
          const scalar_t* t = broadcast ? pt + j * w : pt + (j * rows + r) * w;
          for (std::int64_t c = 0; c < w; ++c) {
            h_bar[c] -= scalar_t(2) * ar[c] * u_bar[c] * t[c];
            u_bar[c] *= sr[c];
          }
        }
        for (std::int64_t c = 0; c < w; ++c) h_bar[c] *= sr[c];
      }
    });
  });
}

// The MLP with forward tangents as one autograd node whose backward is written out: values and
// tangents of a layer go through one matrix product (stacked rows), and the elementwise chain
// (tanh slope, tangent products and their derivatives) is fused into one pass per layer. Only
// the first R rows carry tangents, so one call can serve residual points (with derivatives)
// and boundary or initial points (values only) together.
struct JetFunction : public torch::autograd::Function<JetFunction> {
  // input: N x I; directions: J x I (constant); params: W_0, b_0, ..., W_L, b_L.
  // Returns the value (N x out) and the J tangents of the first `jet_rows` rows (R x out each).
  static variable_list forward(AutogradContext* ctx, const Tensor& input, const Tensor& directions,
                               std::int64_t jet_rows, at::TensorList params) {
    const std::int64_t n = input.size(0), jets = directions.size(0), rows = jet_rows;
    const std::size_t layers = params.size() / 2;
    // Layer 0: h = x W_0^T + b_0; the tangents are the rows W_0 d_j, shared by every sample.
    Tensor h = product(input, false, params[0], true).add_(params[1]);
    Tensor tangents = torch::mm(directions, params[0].t()).contiguous();  // J x w
    bool broadcast = true;
    variable_list saved{input, directions};
    for (std::size_t i = 1; i < layers; ++i) {
      const auto w = h.size(1);
      // stacked = [a; u_1; ...; u_J]: one product gives the next values and tangents.
      Tensor stacked = torch::empty({n + jets * rows, w}, h.options());
      Tensor a = stacked.narrow(0, 0, n);
      tanh_into(a, h);
      Tensor s = torch::empty({rows, w}, h.options());
      Tensor u = stacked.narrow(0, n, jets * rows);
      slope_and_tangents(a.narrow(0, 0, rows), tangents, broadcast, s, u);
      Tensor out = product(stacked, false, params[2 * i], true);
      out.narrow(0, 0, n).add_(params[2 * i + 1]);
      saved.insert(saved.end(), {stacked, s, tangents});
      h = out.narrow(0, 0, n);
      tangents = out.narrow(0, n, jets * rows);
      broadcast = false;
    }
    for (const auto& p : params) saved.push_back(p);
    ctx->save_for_backward(saved);
    ctx->saved_data["jets"] = jets;
    ctx->saved_data["rows"] = rows;
    ctx->saved_data["layers"] = static_cast<std::int64_t>(layers);
    ctx->saved_data["input_grad"] = input.requires_grad();
    variable_list result{h};
    for (std::int64_t j = 0; j < jets; ++j) result.push_back(tangents.narrow(0, j * rows, rows));
    return result;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    // The elementwise loops below are not recorded: this node is differentiable once.
    TORCH_CHECK(!torch::GradMode::is_enabled(),
                "Mlp::forward_jet is differentiable once; use Mlp::forward for higher orders");
    const auto saved = ctx->get_saved_variables();
    const std::int64_t jets = ctx->saved_data["jets"].toInt();
    const std::int64_t rows = ctx->saved_data["rows"].toInt();
    const auto layers = static_cast<std::size_t>(ctx->saved_data["layers"].toInt());
    const Tensor& input = saved[0];
    const Tensor& directions = saved[1];
    const std::int64_t n = input.size(0);
    const std::size_t first_param = 2 + 3 * (layers - 1);
    auto param = [&](std::size_t k) -> const Tensor& { return saved[first_param + k]; };
    // upstream = [∂L/∂value; ∂L/∂tangent_j], (N + J R) x out; unused outputs count as zero.
    const auto outputs = param(2 * layers - 2).size(0);
    std::vector<Tensor> blocks;
    for (std::int64_t j = 0; j <= jets; ++j) {
      blocks.push_back(grads[j].defined()
                           ? grads[j]
                           : torch::zeros({j == 0 ? n : rows, outputs}, input.options()));
    }
    Tensor upstream = torch::cat(blocks, 0);
    variable_list param_grads(2 * layers);
    for (std::size_t i = layers - 1; i >= 1; --i) {
      const Tensor& stacked = saved[2 + 3 * (i - 1)];
      param_grads[2 * i] = product(upstream, true, stacked, false);
      param_grads[2 * i + 1] = upstream.narrow(0, 0, n).sum(0);
      upstream = product(upstream, false, param(2 * i), false);  // [ā; ū_j]
      tanh_and_tangents_backward(upstream, stacked.narrow(0, 0, n), saved[3 + 3 * (i - 1)],
                                 saved[4 + 3 * (i - 1)], i == 1);
    }
    // Layer 0: value rows h̄ and, for the shared tangent rows W_0 d_j, their column sums.
    const Tensor h_bar = upstream.narrow(0, 0, n);
    Tensor weight_grad = product(h_bar, true, input, false);
    if (jets > 0 && rows > 0) {
      const Tensor t_bar = upstream.narrow(0, n, jets * rows).reshape({jets, rows, -1}).sum(1);
      weight_grad.addmm_(t_bar.t(), directions);
    }
    param_grads[0] = weight_grad;
    param_grads[1] = h_bar.sum(0);
    variable_list result{
        ctx->saved_data["input_grad"].toBool() ? product(h_bar, false, param(0), false) : Tensor(),
        Tensor(), Tensor()};
    result.insert(result.end(), param_grads.begin(), param_grads.end());
    return result;
  }
};

}  // namespace

const char* jet_product_library() { return have_fast_sgemm() ? "oneDNN" : "ATen"; }

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

Jet MlpImpl::forward_jet(const torch::Tensor& input, const std::vector<torch::Tensor>& directions,
                         std::int64_t jet_rows) {
  TORCH_CHECK(layers_.size() >= 2, "Mlp::forward_jet needs depth >= 1");
  if (!input.device().is_cpu()) return forward_jet_unfused(input, directions, jet_rows);
  variable_list params;
  for (auto& linear : layers_) params.insert(params.end(), {linear->weight, linear->bias});
  const Tensor d = directions.empty() ? torch::empty({0, input.size(1)}, input.options())
                                      : torch::stack(directions).to(input.options());
  const std::int64_t rows = jet_rows < 0 ? input.size(0) : std::min(jet_rows, input.size(0));
  auto out = JetFunction::apply(input.contiguous(), d, rows, at::TensorList(params));
  return {out[0], variable_list(out.begin() + 1, out.end())};
}

Jet MlpImpl::forward_jet_unfused(const torch::Tensor& input,
                                 const std::vector<torch::Tensor>& directions,
                                 std::int64_t jet_rows) {
  TORCH_CHECK(layers_.size() >= 2, "Mlp::forward_jet needs depth >= 1");
  const std::int64_t rows = jet_rows < 0 ? input.size(0) : std::min(jet_rows, input.size(0));
  // The first layer's tangents are the rows W_0 d, broadcast over the rows until the first tanh.
  Tensor h = layers_.front()->forward(input);
  std::vector<Tensor> tangents;
  for (const auto& d : directions)
    tangents.push_back(torch::mv(layers_.front()->weight, d.to(input.options())));
  for (std::size_t i = 1; i < layers_.size(); ++i) {
    const Tensor a = torch::tanh(h);
    const Tensor slope = 1 - a.narrow(0, 0, rows).square();
    h = layers_[i]->forward(a);
    for (auto& t : tangents) t = torch::matmul(slope * t, layers_[i]->weight.t());
  }
  return {h, tangents};
}

}  // namespace hrgrad::model
