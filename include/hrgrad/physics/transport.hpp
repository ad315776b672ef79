// The linear transport equation in diffusive scaling,
//   ε f_t + v f_x = (σ_s/ε)(<f> - f) - ε σ_a f + ε Q,  x in [0, 1], v in [-1, 1],
// with inflow f(t,0,v>0) = f_L, f(t,1,v<0) = f_R and f(0,x,v) = f_0, solved by the micro-macro
// APNN (physics.md §1.3, §4(a)) with ε as an input through its hidden representation:
// f = ρ(t,x,z) + ε g(t,x,v,z), g = ĝ - <ĝ> so <g> = 0 holds exactly. Interior, boundary and
// initial points are (t, x) samples taken at every Gauss-Legendre velocity node, so one network
// batch gives N_v residual points and the velocity averages at once.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "hrgrad/model/eps_encoder.hpp"
#include "hrgrad/model/mlp.hpp"
#include "hrgrad/physics/problem.hpp"
#include "hrgrad/physics/reference_cache.hpp"

namespace hrgrad::physics {

struct TransportSettings {
  double eps_min = 1e-4, eps_max = 1.0;
  double t_final = 0.1;
  double sigma_s = 1.0, sigma_a = 0.0, source = 0.0;
  double inflow_left = 1.0, inflow_right = 0.0, initial = 0.0;
  double weight_boundary = 10.0, weight_initial = 10.0;
  int interior = 128, boundary = 64, initial_points = 64, quadrature = 16;
  // Front sampling: the first round(front · interior) interior pairs lie in the inflow's causal
  // cone, x ~ U[0, min(1, front_width · t/ε)]; the others are uniform in [0, 1].
  double front = 0.0, front_width = 1.5;
  // Residual-based adaptive sampling (RAD): draw adaptive_pool x interior candidate pairs, score
  // each by its residual r = sqrt(<micro²> + macro²) under the current networks, and keep
  // `interior` of them without replacement with probability ∝ r^k / mean(r^k) + c
  // (k = adaptive, c = adaptive_floor). 0: off, the interior pairs are uniform.
  double adaptive = 0.0, adaptive_floor = 1.0;
  int adaptive_pool = 4;
  int width = 64, depth = 4;
  std::string encoding = "hidden";
  // exp: ρ = exp(-o); hard-initial: ρ = f_0 + (t/T) exp(-o), exact at t = 0.
  std::string rho_output = "exp";
  // The left inflow's uncollided flux f_u = α(ε) f_L exp(-κ x/v) on v > ε x/t (κ = σ_s/ε + ε σ_a),
  // α(ε) = exp(-(uncollided/ε)^p), is known in closed form: the networks then carry the
  // collided rest f - f_u only. 0: off (α = 0; the limit uncollided -> 0 would be α = 1).
  double uncollided = 0.0;
  double uncollided_power = 2.0;  // p
  // Causal gate: with zero initial data, right inflow and source, nothing reaches x > t/ε (the
  // speeds are at most 1/ε), so ρ and g are multiplied by c = tanh(max(0, t/ε - x)/(W ε)),
  // W = cone: they vanish outside the inflow's cone and meet the initial value; the loss asks it
  // of the ungated networks, which would be free in the time layer t < εx otherwise. The
  // width is W mean free paths (ε), so that at small ε the gate opens within the initial layer
  // (t ~ ε²) where the solution itself rises. 0: off.
  double cone = 0.0;
  int harmonics = 4, hidden_size = 8;
  std::uint64_t seed = 0;
  torch::Dtype dtype = torch::kFloat32;
  torch::Device device = torch::kCPU;
  std::string reference_cache;  // HDF5 cache of reference solutions; empty: no cache
};

// The networks: the ε encoder shared by ρ and ĝ.
class TransportApnnImpl : public torch::nn::Module {
 public:
  explicit TransportApnnImpl(const TransportSettings& settings);
  model::EpsEncoder encoder{nullptr};
  model::Mlp rho_net{nullptr};  // (t̂, x̂, z) -> o, ρ from o by TransportSettings::rho_output
  model::Mlp g_net{nullptr};    // (t̂, x̂, v, z) -> ĝ
};
TORCH_MODULE(TransportApnn);

// Values at (t, x) samples and all velocity nodes, with t- and x-derivatives when requested.
struct TransportFields {
  torch::Tensor rho, rho_t, rho_x;  // (B, 1)
  torch::Tensor g, g_t, g_x;        // (B, K), g = ĝ - <ĝ>
  torch::Tensor flux_x;             // (B, 1), ∂x <v ĝ>
};

// Fields at (t, x, ε) samples, (B, 1) tensors each, with derivatives when the flag is set: what
// the networks give, or analytic fields a test feeds the loss instead (set_fields).
using TransportFieldProvider = std::function<TransportFields(
    const torch::Tensor& t, const torch::Tensor& x, const torch::Tensor& eps, bool derivatives)>;

// One step's samples of one regime, every tensor (N, 1).
struct TransportPoints {
  torch::Tensor t_in, x_in, eps_in;  // interior (t, x), each at all velocity nodes
  torch::Tensor t_bd, eps_bd;        // boundary times, at the inflow nodes of both sides
  torch::Tensor x_ic, eps_ic;        // initial positions, at all nodes
};

class TransportProblem final : public Problem {
 public:
  explicit TransportProblem(const TransportSettings& settings);
  std::string name() const override { return "transport"; }
  std::vector<torch::Tensor> parameters() override { return model_->parameters(); }
  std::vector<std::string> component_names() const override;
  TaskLoss task_loss(const Regime& regime, std::int64_t step, Part part) override;
  Evaluation evaluate(double eps) override;

  // The fields at given points (t, x, eps are (B, 1) tensors): the provider's when one is set,
  // otherwise the networks'.
  TransportFields fields(const torch::Tensor& t, const torch::Tensor& x, const torch::Tensor& eps,
                         bool derivatives);
  // fields() times the causal gate (settings' cone), as the density is evaluated: the ungated
  // fields when the gate is off.
  TransportFields gated_fields(const torch::Tensor& t, const torch::Tensor& x,
                               const torch::Tensor& eps, bool derivatives);
  TransportFields network_fields(const torch::Tensor& t, const torch::Tensor& x,
                                 const torch::Tensor& eps, bool derivatives);
  // The networks' fields at every sample, with derivatives (rho_t, rho_x, g_t, g_x, flux_x) for
  // the first `derivative_rows` samples only: one pass of each network serves points that need
  // derivatives and points that do not (the loss's interior, boundary and initial samples).
  TransportFields network_fields_batch(const torch::Tensor& t, const torch::Tensor& x,
                                       const torch::Tensor& eps, std::int64_t derivative_rows);
  // The test seam: losses and evaluation use `provider` in place of the networks (empty: the
  // networks again).
  void set_fields(TransportFieldProvider provider) { provider_ = std::move(provider); }
  // The velocity nodes (K) and weights (summing to 1) on the problem's device.
  const torch::Tensor& nodes() const { return nodes_; }
  const torch::Tensor& weights() const { return weights_; }
  // The samples of `regime` at `step`, on this problem's device. With adaptive sampling the
  // interior holds the whole candidate pool (adaptive_pool x interior pairs).
  TransportPoints sample(const Regime& regime, std::int64_t step) const;
  // Adaptive sampling's choice: `interior` of the candidates, drawn from the stream (seed,
  // regime, step, slice 1) with probability ∝ r^k / mean(r^k) + c of each candidate's residual
  // under the current networks. The boundary and initial points are kept.
  TransportPoints choose_by_residual(const TransportPoints& candidates, const Regime& regime,
                                     std::int64_t step);
  // Loss of `part` of the given samples (the seam the tests use with hand-picked points).
  TaskLoss loss_at(const TransportPoints& points, Part part = {});
  // <f_u>(t, x, ε), the velocity average of the uncollided inflow (zero when it is off): the
  // density is this plus the network's ρ.
  torch::Tensor uncollided_density(const torch::Tensor& t, const torch::Tensor& x,
                                   const torch::Tensor& eps) const;
  TransportApnn& model() { return model_; }
  const TransportSettings& settings() const { return settings_; }

 private:
  torch::Tensor average(const torch::Tensor& values) const;  // <·> over nodes: (B,K) -> (B,1)
  torch::Tensor uncollided_weight(const torch::Tensor& eps) const;  // α(ε)
  // Multiplies the fields by the causal gate (settings' cone > 0), with the product rule for the
  // derivatives of the first `derivative_rows` samples when `fields` has them.
  void apply_cone(TransportFields& fields, const torch::Tensor& t, const torch::Tensor& x,
                  const torch::Tensor& eps, std::int64_t derivative_rows) const;
  // The micro (B, K) and macro (B, 1) residuals of the interior fields `in` at (t, x, ε).
  std::pair<torch::Tensor, torch::Tensor> interior_residuals(const TransportFields& in,
                                                             const torch::Tensor& t,
                                                             const torch::Tensor& x,
                                                             const torch::Tensor& eps) const;
  // The ρ network's inputs (t̂, x̂, z) per sample and ĝ's (t̂, x̂, v_k, z) per (sample, node).
  std::pair<torch::Tensor, torch::Tensor> network_inputs(const torch::Tensor& t,
                                                         const torch::Tensor& x,
                                                         const torch::Tensor& eps);

  TransportSettings settings_;
  TransportApnn model_{nullptr};
  torch::Tensor nodes_, weights_;  // (K), weights sum to 1 so <φ> = Σ w_k φ_k
  // Gauss-Legendre on [0, 1] for the uncollided density's integral over v.
  torch::Tensor speed_nodes_, speed_weights_;
  torch::Tensor positive_, negative_;  // masks of the inflow nodes at x = 0 and x = 1
  TransportFieldProvider provider_;
  ReferenceCache reference_cache_;  // also keeps each ε's reference in memory
};

}  // namespace hrgrad::physics
