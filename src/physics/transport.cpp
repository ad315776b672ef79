#include "hrgrad/physics/transport.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "hrgrad/core/error.hpp"
#include "hrgrad/core/gauss_legendre.hpp"
#include "hrgrad/core/rng.hpp"
#include "hrgrad/physics/collocation.hpp"
#include "hrgrad/physics/reference_cache.hpp"
#include "hrgrad/reference/diffusion_limit.hpp"
#include "hrgrad/reference/transport.hpp"

namespace hrgrad::physics {
namespace {
// e^{-c/v} on [v_min, 1] is smooth (c/v_min = κ t/ε is bounded), so this many nodes give it
// to 1e-9 relative at ε in [0.05, 1] (TransportUncollided tests, against a fine midpoint rule).
constexpr int kUncollidedNodes = 48;
}  // namespace

TransportApnnImpl::TransportApnnImpl(const TransportSettings& s) {
  encoder = register_module(
      "encoder", model::EpsEncoder(s.eps_min, s.eps_max, s.encoding, s.harmonics, s.hidden_size));
  const int z = encoder->size();
  rho_net = register_module("rho", model::Mlp(2 + z, s.width, s.depth));
  g_net = register_module("g", model::Mlp(3 + z, s.width, s.depth));
}

TransportProblem::TransportProblem(const TransportSettings& settings)
    : settings_(settings), reference_cache_(settings.reference_cache) {
  if (settings.cone > 0 &&
      (settings.initial != 0 || settings.inflow_right != 0 || settings.source != 0)) {
    throw Error("the causal gate (cone " + std::to_string(settings.cone) +
                ") needs zero initial data, right inflow and source: the solution is not zero "
                "outside the left inflow's cone otherwise");
  }
  torch::manual_seed(mix64(settings.seed));
  model_ = TransportApnn(settings);
  model_->to(settings.device, settings.dtype);
  const auto rule = gauss_legendre(settings.quadrature, -1.0, 1.0);
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  nodes_ = torch::tensor(rule.nodes, options).to(settings.device, settings.dtype);
  weights_ = (0.5 * torch::tensor(rule.weights, options)).to(settings.device, settings.dtype);
  const auto speeds = gauss_legendre(kUncollidedNodes, 0.0, 1.0);
  speed_nodes_ = torch::tensor(speeds.nodes, options).to(settings.device, settings.dtype);
  speed_weights_ = torch::tensor(speeds.weights, options).to(settings.device, settings.dtype);
  positive_ = nodes_ > 0;
  negative_ = nodes_ < 0;
}

std::vector<std::string> TransportProblem::component_names() const {
  return {"micro", "macro", "bc_left", "bc_right", "initial"};
}

torch::Tensor TransportProblem::average(const torch::Tensor& values) const {
  return torch::matmul(values, weights_).unsqueeze(1);
}

torch::Tensor TransportProblem::uncollided_weight(const torch::Tensor& eps) const {
  if (settings_.uncollided == 0) return torch::zeros_like(eps);  // off (not the limit, α = 1)
  return torch::exp(-(settings_.uncollided / eps).pow(settings_.uncollided_power));
}

torch::Tensor TransportProblem::uncollided_density(const torch::Tensor& t, const torch::Tensor& x,
                                                   const torch::Tensor& eps) const {
  const auto& s = settings_;
  torch::NoGradGuard no_grad;  // a known function of the points, not of the parameters
  const torch::Tensor alpha = uncollided_weight(eps);
  if (alpha.max().item<double>() == 0) return torch::zeros_like(t);  // off, or α underflows
  // Speeds v that have reached x by t from x = 0 (x <= v t/ε): v in [v_min, 1].
  const torch::Tensor v_min =
      torch::where(t > 0, torch::clamp_max(eps * x / t, 1.0), torch::ones_like(t));
  const torch::Tensor span = 1.0 - v_min;
  const torch::Tensor v = v_min + span * speed_nodes_.unsqueeze(0);  // (B, Q)
  const torch::Tensor kappa = s.sigma_s / eps + s.sigma_a * eps;
  const torch::Tensor integral =
      span * torch::matmul(torch::exp(-kappa * x / v), speed_weights_).unsqueeze(1);
  return 0.5 * s.inflow_left * alpha * integral;
}

TransportFields TransportProblem::fields(const torch::Tensor& t, const torch::Tensor& x,
                                         const torch::Tensor& eps, bool derivatives) {
  if (provider_) return provider_(t, x, eps, derivatives);
  return network_fields(t, x, eps, derivatives);
}

TransportFields TransportProblem::gated_fields(const torch::Tensor& t, const torch::Tensor& x,
                                               const torch::Tensor& eps, bool derivatives) {
  auto out = fields(t, x, eps, derivatives);
  apply_cone(out, t, x, eps, derivatives ? t.size(0) : 0);
  return out;
}

std::pair<torch::Tensor, torch::Tensor> TransportProblem::network_inputs(const torch::Tensor& t,
                                                                         const torch::Tensor& x,
                                                                         const torch::Tensor& eps) {
  const auto batch = t.size(0), nodes = nodes_.size(0);
  const torch::Tensor t_hat = t * (2.0 / settings_.t_final) - 1.0, x_hat = x * 2.0 - 1.0;
  const torch::Tensor z = model_->encoder->forward(eps);
  return {torch::cat({t_hat, x_hat, z}, 1),
          torch::cat({t_hat.repeat_interleave(nodes, 0), x_hat.repeat_interleave(nodes, 0),
                      nodes_.repeat({batch}).unsqueeze(1), z.repeat_interleave(nodes, 0)},
                     1)};
}

TransportFields TransportProblem::network_fields(const torch::Tensor& t, const torch::Tensor& x,
                                                 const torch::Tensor& eps, bool derivatives) {
  const auto batch = t.size(0);
  if (derivatives) return network_fields_batch(t, x, eps, batch);
  const auto [rho_input, g_input] = network_inputs(t, x, eps);
  TransportFields out;
  out.rho = torch::exp(-model_->rho_net->forward(rho_input));
  if (settings_.rho_output == "hard-initial")
    out.rho = settings_.initial + t / settings_.t_final * out.rho;
  const torch::Tensor g_hat = model_->g_net->forward(g_input).reshape({batch, nodes_.size(0)});
  out.g = g_hat - average(g_hat);
  return out;
}

TransportFields TransportProblem::network_fields_batch(const torch::Tensor& t,
                                                       const torch::Tensor& x,
                                                       const torch::Tensor& eps,
                                                       std::int64_t derivative_rows) {
  const auto batch = t.size(0), rows = derivative_rows;
  const auto nodes = nodes_.size(0);
  const double scale_t = 2.0 / settings_.t_final, scale_x = 2.0;
  const auto [rho_input, g_input] = network_inputs(t, x, eps);
  auto direction = [&](int inputs, int index, double scale) {
    return input_direction(inputs, index, scale, nodes_.options());
  };
  const int rho_inputs = rho_input.size(1), g_inputs = g_input.size(1);
  // Rows are samples (ρ) and (sample, node) pairs (ĝ, sample-major): the first `rows` samples
  // are the first rows * nodes rows of ĝ.
  auto rho_jet = model_->rho_net->forward_jet(
      rho_input, {direction(rho_inputs, 0, scale_t), direction(rho_inputs, 1, scale_x)}, rows);
  auto g_jet = model_->g_net->forward_jet(
      g_input, {direction(g_inputs, 0, scale_t), direction(g_inputs, 1, scale_x)}, rows * nodes);

  // ρ = e = exp(-o): ρ_t = -e o_t. Hard initial value: ρ = ρ_0 + (t/T) e, so
  // ρ_t = e/T - (t/T) e o_t and ρ_x = -(t/T) e o_x.
  TransportFields out;
  const torch::Tensor e_all = torch::exp(-rho_jet.value);
  const torch::Tensor e = e_all.narrow(0, 0, rows);
  if (settings_.rho_output == "hard-initial") {
    const torch::Tensor ramp_all = t / settings_.t_final;
    const torch::Tensor ramp = ramp_all.narrow(0, 0, rows);
    out.rho = settings_.initial + ramp_all * e_all;
    out.rho_t = e / settings_.t_final - ramp * e * rho_jet.derivatives[0];
    out.rho_x = -ramp * e * rho_jet.derivatives[1];
  } else {
    out.rho = e_all;
    out.rho_t = -e * rho_jet.derivatives[0];
    out.rho_x = -e * rho_jet.derivatives[1];
  }
  const torch::Tensor g_hat = g_jet.value.reshape({batch, nodes});
  const torch::Tensor g_hat_t = g_jet.derivatives[0].reshape({rows, nodes});
  const torch::Tensor g_hat_x = g_jet.derivatives[1].reshape({rows, nodes});
  out.g = g_hat - average(g_hat);
  out.g_t = g_hat_t - average(g_hat_t);
  out.g_x = g_hat_x - average(g_hat_x);
  out.flux_x = average(g_hat_x * nodes_);
  return out;
}

void TransportProblem::apply_cone(TransportFields& fields, const torch::Tensor& t,
                                  const torch::Tensor& x, const torch::Tensor& eps,
                                  std::int64_t derivative_rows) const {
  if (settings_.cone == 0) return;
  const double width = settings_.cone;
  const torch::Tensor distance = torch::relu(t / eps - x);  // how far inside the cone
  const torch::Tensor gate = torch::tanh(distance / (width * eps));
  if (derivative_rows > 0) {
    // c = tanh(s/(Wε)), s = t/ε - x inside the cone: c_x = -(1 - c²)/(Wε), c_t = -c_x/ε; 0
    // outside.
    const auto first = [&](const torch::Tensor& v) { return v.narrow(0, 0, derivative_rows); };
    const torch::Tensor c = first(gate);
    const torch::Tensor c_x =
        -(1 - c * c) / (width * first(eps)) * (first(distance) > 0).to(c.scalar_type());
    const torch::Tensor c_t = -c_x / first(eps);
    const torch::Tensor rho = first(fields.rho), g = first(fields.g);
    fields.rho_t = c_t * rho + c * fields.rho_t;
    fields.rho_x = c_x * rho + c * fields.rho_x;
    fields.g_t = c_t * g + c * fields.g_t;
    fields.g_x = c_x * g + c * fields.g_x;
    // <v g> = <v ĝ> gains the gate too: ∂x(c <v g>) = c_x <v g> + c ∂x<v g>.
    fields.flux_x = c_x * average(g * nodes_) + c * fields.flux_x;
  }
  fields.rho = gate * fields.rho;
  fields.g = gate * fields.g;
}

std::pair<torch::Tensor, torch::Tensor> TransportProblem::interior_residuals(
    const TransportFields& in, const torch::Tensor& t, const torch::Tensor& x,
    const torch::Tensor& eps) const {
  const auto& s = settings_;
  const torch::Tensor v = nodes_.unsqueeze(0);
  const torch::Tensor eps2 = eps * eps;
  torch::Tensor micro = eps2 * in.g_t + eps * (v * in.g_x - in.flux_x) + v * in.rho_x +
                        (s.sigma_s + s.sigma_a * eps2) * in.g;
  torch::Tensor macro = in.rho_t + in.flux_x + s.sigma_a * in.rho - s.source;
  // The collided part gains what the uncollided flux loses to scattering: σ_s <f_u> / ε².
  if (s.uncollided > 0) macro = macro - s.sigma_s * uncollided_density(t, x, eps) / eps2;
  return {micro, macro};
}

TaskLoss TransportProblem::loss_at(const TransportPoints& points, Part part) {
  const auto& s = settings_;
  const torch::Tensor t_in = part_rows(points.t_in, part), x_in = part_rows(points.x_in, part),
                      eps_in = part_rows(points.eps_in, part);
  const torch::Tensor t_bd = part_rows(points.t_bd, part), eps_bd = part_rows(points.eps_bd, part);
  const torch::Tensor x_ic = part_rows(points.x_ic, part), eps_ic = part_rows(points.eps_ic, part);
  const std::int64_t interior = points.t_in.size(0), boundary = points.t_bd.size(0),
                     initial_points = points.x_ic.size(0);

  // Interior: the micro and macro equations (physics.md §1.3, general coefficients).
  const auto zeros = torch::zeros_like(t_bd);
  TransportFields in, left, right, initial;
  if (provider_) {
    in = fields(t_in, x_in, eps_in, true);
    left = fields(t_bd, zeros, eps_bd, false);
    right = fields(t_bd, zeros + 1.0, eps_bd, false);
    initial = fields(torch::zeros_like(x_ic), x_ic, eps_ic, false);
  } else {
    // One pass of each network over interior, boundary and initial samples; derivatives for
    // the interior rows only.
    const auto n_in = t_in.size(0), n_bd = t_bd.size(0);
    const auto all = network_fields_batch(torch::cat({t_in, t_bd, t_bd, torch::zeros_like(x_ic)}),
                                          torch::cat({x_in, zeros, zeros + 1.0, x_ic}),
                                          torch::cat({eps_in, eps_bd, eps_bd, eps_ic}), n_in);
    auto take = [&](std::int64_t begin, std::int64_t count) {
      TransportFields f;
      f.rho = all.rho.narrow(0, begin, count);
      f.g = all.g.narrow(0, begin, count);
      return f;
    };
    in = take(0, n_in);
    in.rho_t = all.rho_t;
    in.rho_x = all.rho_x;
    in.g_t = all.g_t;
    in.g_x = all.g_x;
    in.flux_x = all.flux_x;
    left = take(n_in, n_bd);
    right = take(n_in + n_bd, n_bd);
    initial = take(n_in + 2 * n_bd, x_ic.size(0));
  }
  // The causal gate on the interior and inflow fields. The initial value is asked of the ungated
  // networks: the gate is zero at t = 0 and would meet it whatever they are, which leaves them
  // free in the time layer t < εx at small ε.
  apply_cone(in, t_in, x_in, eps_in, t_in.size(0));
  apply_cone(left, t_bd, zeros, eps_bd, 0);
  apply_cone(right, t_bd, zeros + 1.0, eps_bd, 0);
  const auto [micro, macro] = interior_residuals(in, t_in, x_in, eps_in);

  // Inflow boundaries: f = ρ + ε g at the incoming nodes.
  const torch::Tensor f_left =
      (left.rho + eps_bd * left.g).index({torch::indexing::Slice(), positive_});
  const torch::Tensor f_right =
      (right.rho + eps_bd * right.g).index({torch::indexing::Slice(), negative_});

  // Initial condition at every node.
  const torch::Tensor f_initial = initial.rho + eps_ic * initial.g;

  TaskLoss loss;
  // The uncollided flux meets α f_L of the left inflow; the networks meet the rest.
  const torch::Tensor left_target = s.inflow_left * (1.0 - uncollided_weight(eps_bd));
  loss.components = {part_mse(micro, interior), part_mse(macro, interior),
                     part_mse(f_left - left_target, boundary),
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
  const std::int64_t interior =
      s.adaptive > 0 ? std::int64_t{s.adaptive_pool} * s.interior : std::int64_t{s.interior};
  points.t_in = draw.uniform(interior, 0.0, s.t_final);
  points.x_in = draw.uniform(interior);
  points.eps_in = draw.eps(interior);
  // Front sampling scales the first pairs' uniform x into the causal cone of the inflow at
  // x = 0, x < t/ε (speeds |v|/ε <= 1/ε): the same draws, so front = 0 gives the same points.
  const auto front = static_cast<std::int64_t>(std::llround(s.front * interior));
  if (front > 0) {
    const torch::Tensor cone = torch::clamp_max(
        s.front_width * points.t_in.narrow(0, 0, front) / points.eps_in.narrow(0, 0, front), 1.0);
    points.x_in = torch::cat(
        {points.x_in.narrow(0, 0, front) * cone, points.x_in.narrow(0, front, interior - front)});
  }
  points.t_bd = draw.uniform(s.boundary, 0.0, s.t_final);
  points.eps_bd = draw.eps(s.boundary);
  points.x_ic = draw.uniform(s.initial_points);
  points.eps_ic = draw.eps(s.initial_points);
  return points;
}

TransportPoints TransportProblem::choose_by_residual(const TransportPoints& candidates,
                                                     const Regime& regime, std::int64_t step) {
  const auto& s = settings_;
  const std::int64_t pool = candidates.t_in.size(0);
  if (pool < s.interior) {
    throw Error("adaptive sampling: " + std::to_string(pool) + " candidates for " +
                std::to_string(s.interior) + " interior points");
  }
  torch::Tensor score;
  {
    torch::NoGradGuard no_grad;  // the choice is a function of the points, not a loss term
    const auto in = gated_fields(candidates.t_in, candidates.x_in, candidates.eps_in, true);
    const auto [micro, macro] =
        interior_residuals(in, candidates.t_in, candidates.x_in, candidates.eps_in);
    const torch::Tensor r = torch::sqrt(micro.square().mean(1) + macro.square().squeeze(1));
    score = r.to(torch::kCPU, torch::kFloat64).pow(s.adaptive);
  }
  // A diverged network scores NaN: keep the first candidates (uniform points) and let the
  // trainer's non-finite-loss handling see the step.
  torch::Tensor rows = torch::arange(s.interior, torch::kLong);
  const double mean = score.mean().item<double>();
  if (std::isfinite(mean)) {
    const torch::Tensor density =
        mean > 0 ? score / mean + s.adaptive_floor : torch::ones_like(score);  // all residuals zero
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(
        stream_seed(s.seed, regime.index, static_cast<std::uint64_t>(step), 1));
    rows = torch::multinomial(density, s.interior, /*replacement=*/false, generator);
  }
  rows = rows.to(candidates.t_in.device());
  TransportPoints chosen = candidates;
  chosen.t_in = candidates.t_in.index_select(0, rows);
  chosen.x_in = candidates.x_in.index_select(0, rows);
  chosen.eps_in = candidates.eps_in.index_select(0, rows);
  return chosen;
}

TaskLoss TransportProblem::task_loss(const Regime& regime, std::int64_t step, Part part) {
  auto points = sample(regime, step);
  if (settings_.adaptive > 0) points = choose_by_residual(points, regime, step);
  return loss_at(points, part);
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
  const auto out = gated_fields(t, x, e, false);
  Field field;
  field.name = "rho";
  field.prediction = to_doubles(out.rho + uncollided_density(t, x, e));

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
  const auto ref = reference_cache_.get(reference::transport_key(rs),
                                        [&] { return reference::solve_transport(rs); });
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
