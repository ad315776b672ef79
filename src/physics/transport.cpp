#include "hrgrad/physics/transport.hpp"

#include <cmath>
#include <cstdio>

#include "hrgrad/core/gauss_legendre.hpp"
#include "hrgrad/core/rng.hpp"
#include "hrgrad/physics/collocation.hpp"
#include "hrgrad/physics/reference_cache.hpp"
#include "hrgrad/reference/diffusion_limit.hpp"
#include "hrgrad/reference/transport.hpp"

namespace hrgrad::physics {
TransportApnnImpl::TransportApnnImpl(const TransportSettings& s) {
  encoder = register_module(
      "encoder", model::EpsEncoder(s.eps_min, s.eps_max, s.encoding, s.harmonics, s.hidden_size));
  const int z = encoder->size();
  rho_net = register_module("rho", model::Mlp(2 + z, s.width, s.depth));
  g_net = register_module("g", model::Mlp(3 + z, s.width, s.depth));
}

TransportProblem::TransportProblem(const TransportSettings& settings) : settings_(settings) {
  torch::manual_seed(mix64(settings.seed));
  model_ = TransportApnn(settings);
  model_->to(settings.device, settings.dtype);
  const auto rule = gauss_legendre(settings.quadrature, -1.0, 1.0);
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  nodes_ = torch::tensor(rule.nodes, options).to(settings.device, settings.dtype);
  weights_ = (0.5 * torch::tensor(rule.weights, options)).to(settings.device, settings.dtype);
  positive_ = nodes_ > 0;
  negative_ = nodes_ < 0;
}

std::vector<std::string> TransportProblem::component_names() const {
  return {"micro", "macro", "bc_left", "bc_right", "initial"};
}

torch::Tensor TransportProblem::average(const torch::Tensor& values) const {
  return torch::matmul(values, weights_).unsqueeze(1);
}

TransportFields TransportProblem::fields(const torch::Tensor& t, const torch::Tensor& x,
                                         const torch::Tensor& eps, bool derivatives) {
  if (provider_) return provider_(t, x, eps, derivatives);
  return network_fields(t, x, eps, derivatives);
}

TransportFields TransportProblem::network_fields(const torch::Tensor& t, const torch::Tensor& x,
                                                 const torch::Tensor& eps, bool derivatives) {
  const auto batch = t.size(0);
  const auto nodes = nodes_.size(0);
  const double scale_t = 2.0 / settings_.t_final, scale_x = 2.0;
  const torch::Tensor t_hat = t * scale_t - 1.0, x_hat = x * scale_x - 1.0;
  const torch::Tensor z = model_->encoder->forward(eps);

  const torch::Tensor rho_input = torch::cat({t_hat, x_hat, z}, 1);
  const torch::Tensor g_input =
      torch::cat({t_hat.repeat_interleave(nodes, 0), x_hat.repeat_interleave(nodes, 0),
                  nodes_.repeat({batch}).unsqueeze(1), z.repeat_interleave(nodes, 0)},
                 1);

  TransportFields out;
  const bool hard_initial = settings_.rho_output == "hard-initial";
  if (!derivatives) {
    out.rho = torch::exp(-model_->rho_net->forward(rho_input));
    if (hard_initial) out.rho = settings_.initial + t / settings_.t_final * out.rho;
    const torch::Tensor g_hat = model_->g_net->forward(g_input).reshape({batch, nodes});
    out.g = g_hat - average(g_hat);
    return out;
  }
  auto direction = [&](int inputs, int index, double scale) {
    return input_direction(inputs, index, scale, nodes_.options());
  };
  const int rho_inputs = rho_input.size(1), g_inputs = g_input.size(1);
  auto rho_jet = model_->rho_net->forward_jet(
      rho_input, {direction(rho_inputs, 0, scale_t), direction(rho_inputs, 1, scale_x)});
  auto g_jet = model_->g_net->forward_jet(
      g_input, {direction(g_inputs, 0, scale_t), direction(g_inputs, 1, scale_x)});

  // ρ = e = exp(-o): ρ_t = -e o_t. Hard initial value: ρ = ρ_0 + (t/T) e, so
  // ρ_t = e/T - (t/T) e o_t and ρ_x = -(t/T) e o_x.
  const torch::Tensor e = torch::exp(-rho_jet.value);
  if (hard_initial) {
    const torch::Tensor ramp = t / settings_.t_final;
    out.rho = settings_.initial + ramp * e;
    out.rho_t = e / settings_.t_final - ramp * e * rho_jet.derivatives[0];
    out.rho_x = -ramp * e * rho_jet.derivatives[1];
  } else {
    out.rho = e;
    out.rho_t = -e * rho_jet.derivatives[0];
    out.rho_x = -e * rho_jet.derivatives[1];
  }
  const torch::Tensor g_hat = g_jet.value.reshape({batch, nodes});
  const torch::Tensor g_hat_t = g_jet.derivatives[0].reshape({batch, nodes});
  const torch::Tensor g_hat_x = g_jet.derivatives[1].reshape({batch, nodes});
  out.g = g_hat - average(g_hat);
  out.g_t = g_hat_t - average(g_hat_t);
  out.g_x = g_hat_x - average(g_hat_x);
  out.flux_x = average(g_hat_x * nodes_);
  return out;
}

TaskLoss TransportProblem::loss_at(const TransportPoints& points, Part part) {
  const auto& s = settings_;
  const torch::Tensor v = nodes_.unsqueeze(0);
  const torch::Tensor t_in = part_rows(points.t_in, part), x_in = part_rows(points.x_in, part),
                      eps_in = part_rows(points.eps_in, part);
  const torch::Tensor t_bd = part_rows(points.t_bd, part), eps_bd = part_rows(points.eps_bd, part);
  const torch::Tensor x_ic = part_rows(points.x_ic, part), eps_ic = part_rows(points.eps_ic, part);
  const std::int64_t interior = points.t_in.size(0), boundary = points.t_bd.size(0),
                     initial_points = points.x_ic.size(0);

  // Interior: the micro and macro equations (physics.md §1.3, general coefficients).
  const auto in = fields(t_in, x_in, eps_in, true);
  const torch::Tensor eps2 = eps_in * eps_in;
  const torch::Tensor micro = eps2 * in.g_t + eps_in * (v * in.g_x - in.flux_x) + v * in.rho_x +
                              (s.sigma_s + s.sigma_a * eps2) * in.g;
  const torch::Tensor macro = in.rho_t + in.flux_x + s.sigma_a * in.rho - s.source;

  // Inflow boundaries: f = ρ + ε g at the incoming nodes.
  const auto zeros = torch::zeros_like(t_bd);
  const auto left = fields(t_bd, zeros, eps_bd, false);
  const auto right = fields(t_bd, zeros + 1.0, eps_bd, false);
  const torch::Tensor f_left =
      (left.rho + eps_bd * left.g).index({torch::indexing::Slice(), positive_});
  const torch::Tensor f_right =
      (right.rho + eps_bd * right.g).index({torch::indexing::Slice(), negative_});

  // Initial condition at every node.
  const auto initial = fields(torch::zeros_like(x_ic), x_ic, eps_ic, false);
  const torch::Tensor f_initial = initial.rho + eps_ic * initial.g;

  TaskLoss loss;
  loss.components = {part_mse(micro, interior), part_mse(macro, interior),
                     part_mse(f_left - s.inflow_left, boundary),
                     part_mse(f_right - s.inflow_right, boundary),
                     part_mse(f_initial - s.initial, initial_points)};
  loss.total = loss.components[0] + loss.components[1] +
               s.weight_boundary * (loss.components[2] + loss.components[3]) +
               s.weight_initial * loss.components[4];
  return loss;
}

TransportPoints TransportProblem::sample(const Regime& regime, std::int64_t step) const {
  const auto& s = settings_;
  Sampler draw(s.seed, regime, step, s.dtype, s.device);
  TransportPoints points;
  points.t_in = draw.uniform(s.interior, 0.0, s.t_final);
  points.x_in = draw.uniform(s.interior);
  points.eps_in = draw.eps(s.interior);
  points.t_bd = draw.uniform(s.boundary, 0.0, s.t_final);
  points.eps_bd = draw.eps(s.boundary);
  points.x_ic = draw.uniform(s.initial_points);
  points.eps_ic = draw.eps(s.initial_points);
  return points;
}

TaskLoss TransportProblem::task_loss(const Regime& regime, std::int64_t step, Part part) {
  return loss_at(sample(regime, step), part);
}

Evaluation TransportProblem::evaluate(double eps) {
  torch::NoGradGuard no_grad;
  Evaluation result;
  result.eps = eps;
  result.x = reference::cell_centres(100);
  const auto options = nodes_.options();
  const auto n = static_cast<std::int64_t>(result.x.size());
  const torch::Tensor x = column(result.x, options);
  const torch::Tensor t = torch::full({n, 1}, settings_.t_final, options);
  const torch::Tensor e = torch::full({n, 1}, eps, options);
  const auto out = fields(t, x, e, false);
  Field field;
  field.name = "rho";
  field.prediction = to_doubles(out.rho);

  const auto& s = settings_;
  reference::TransportSettings rs;
  rs.eps = eps;
  rs.t_final = s.t_final;
  rs.sigma_s = s.sigma_s;
  rs.sigma_a = s.sigma_a;
  rs.source = s.source;
  rs.inflow_left = s.inflow_left;
  rs.inflow_right = s.inflow_right;
  rs.initial = s.initial;
  rs = reference::resolve_transport(rs);
  ReferenceCache cache(s.reference_cache);
  const auto ref =
      cache.get(reference::transport_key(rs), [&] { return reference::solve_transport(rs); });
  field.reference = reference::interpolate_linear(ref.x, ref.rho, result.x);
  field.relative_l2 = reference::relative_l2(field.prediction, field.reference);
  char name[160];
  std::snprintf(name, sizeof name, "AP finite volume, N=%d K=%d dt=%g%s", rs.cells, rs.half_nodes,
                rs.dt, ref.from_cache ? " (cached)" : "");
  result.reference_name = name;
  result.fields.push_back(std::move(field));
  return result;
}

}  // namespace hrgrad::physics
