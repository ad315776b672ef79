#include "hrgrad/physics/bgk.hpp"

#include <cmath>
#include <cstdio>

#include "hrgrad/core/error.hpp"
#include "hrgrad/core/gauss_legendre.hpp"
#include "hrgrad/core/rng.hpp"
#include "hrgrad/physics/collocation.hpp"
#include "hrgrad/physics/reference_cache.hpp"
#include "hrgrad/reference/diffusion_limit.hpp"

namespace hrgrad::physics {

std::vector<std::string> bgk_component_names() {
  return {"bgk",      "cons_rho", "cons_m", "cons_E", "moment_rho", "moment_m",
          "moment_E", "ic_rho",   "ic_u",   "ic_T",   "ic_f"};
}

std::vector<double> bgk_default_weights() { return {1, 1, 1, 1, 1, 1, 1, 10, 1, 10, 10}; }

BgkApnnImpl::BgkApnnImpl(const BgkSettings& s) {
  encoder = register_module(
      "encoder", model::EpsEncoder(s.eps_min, s.eps_max, s.encoding, s.harmonics, s.hidden_size));
  const int z = encoder->size();
  f_net = register_module("f", model::Mlp(3 + z, s.width, s.depth));
  rho_net = register_module("rho", model::Mlp(2 + z, s.width, s.depth));
  u_net = register_module("u", model::Mlp(2 + z, s.width, s.depth));
  temp_net = register_module("T", model::Mlp(2 + z, s.width, s.depth));
}

BgkProblem::BgkProblem(const BgkSettings& settings)
    : settings_(settings), reference_cache_(settings.reference_cache) {
  const auto names = bgk_component_names();
  require(settings.initial == "penalty" || settings.initial == "hard", "--bgk.initial",
          "unknown initial-value treatment '" + settings.initial + "' (choose from penalty, hard)");
  hard_initial_ = settings.initial == "hard";
  require(settings.envelope >= 0, "--bgk.envelope",
          "must be >= 0, got " + std::to_string(settings.envelope));
  require(settings.weights.size() == names.size(), "--bgk.weights",
          "needs " + std::to_string(names.size()) + " weights, got " +
              std::to_string(settings.weights.size()));
  torch::manual_seed(mix64(settings.seed));
  model_ = BgkApnn(settings);
  model_->to(settings.device, settings.dtype);
  const auto rule = gauss_legendre(settings.quadrature, -settings.v_max, settings.v_max);
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  const torch::Tensor v = torch::tensor(rule.nodes, options);
  const torch::Tensor w = torch::tensor(rule.weights, options);
  powers_ =
      torch::stack({w, w * v, w * v * v, w * v * v * v}, 1).to(settings.device, settings.dtype);
  nodes_ = v.to(settings.device, settings.dtype);
  const torch::Tensor envelope =
      settings.envelope > 0 ? torch::exp(-v * v / (2 * settings.envelope)) : torch::ones_like(v);
  envelope_ = envelope.unsqueeze(0).to(settings.device, settings.dtype);
}

torch::Tensor BgkProblem::maxwellian(const torch::Tensor& rho, const torch::Tensor& u,
                                     const torch::Tensor& T) const {
  const torch::Tensor d = nodes_.unsqueeze(0) - u;
  return rho / torch::sqrt(2 * M_PI * T) * torch::exp(-d * d / (2 * T));
}

torch::Tensor BgkProblem::moment(const torch::Tensor& values, int p) const {
  return torch::matmul(values, powers_.select(1, p)).unsqueeze(1);
}

BgkFields BgkProblem::fields(const torch::Tensor& t, const torch::Tensor& x,
                             const torch::Tensor& eps, bool derivatives) {
  if (provider_) return provider_(t, x, eps, derivatives);
  return network_fields(t, x, eps, derivatives);
}

namespace {

// The initial profile p(x) = (tanh(20x) + 1)/2 of the reference solver's default (Case IV,
// reference::bgk_initial_state) and its x-derivative.
struct Profile {
  torch::Tensor p, p_x;
};

Profile tanh20_profile(const torch::Tensor& x) {
  const torch::Tensor th = torch::tanh(20.0 * x);
  return {0.5 * (th + 1.0), 10.0 * (1.0 - th * th)};
}

double tanh20_profile(double x) { return 0.5 * (std::tanh(20.0 * x) + 1.0); }

}  // namespace

BgkFields BgkProblem::network_fields(const torch::Tensor& t, const torch::Tensor& x,
                                     const torch::Tensor& eps, bool derivatives) {
  const auto& s = settings_;
  const auto batch = t.size(0);
  const auto nodes = nodes_.size(0);
  const double scale_t = 2.0 / s.t_final, scale_x = 2.0;
  const torch::Tensor t_hat = t * scale_t - 1.0, x_hat = x * scale_x;
  const torch::Tensor z = model_->encoder->forward(eps);
  const torch::Tensor macro_input = torch::cat({t_hat, x_hat, z}, 1);
  const torch::Tensor f_input =
      torch::cat({t_hat.repeat_interleave(nodes, 0), x_hat.repeat_interleave(nodes, 0),
                  (nodes_ / s.v_max).repeat({batch}).unsqueeze(1), z.repeat_interleave(nodes, 0)},
                 1);

  // Hard boundary values (physics.md §1.5): with a = 1/2 - x and b = 1/2 + x,
  // ρ = exp(a ln ρ_l + b ln ρ_r + ab o), u = a u_l + b u_r + sqrt(ab) o,
  // T = exp(a ln T_l + b ln T_r + ab o).
  // Hard initial values put the initial state φ_0 under them and gate the network by s = t/T:
  // ρ = exp(ln ρ_0(x) + a c_l + b c_r + s ab o), where c_l, c_r (about 1e-9) make the boundary
  // values exact; u = u_0(x) + a c_l + b c_r + s sqrt(ab) o; f = M[ρ_0, u_0, T_0] exp(s o_f).
  const torch::Tensor a = 0.5 - x, b = 0.5 + x;
  const torch::Tensor ab = a * b, root = torch::sqrt(ab.clamp_min(0.0));
  const torch::Tensor gate = hard_initial_ ? t / s.t_final : torch::ones_like(t);
  const double gate_t = hard_initial_ ? 1.0 / s.t_final : 0.0;
  const Profile profile = hard_initial_ ? tanh20_profile(x) : Profile{};
  const double p_left = tanh20_profile(-0.5), p_right = tanh20_profile(0.5);
  // The network-free part of u, ln ρ or ln T, and its x-derivative (hard initial values only).
  struct Base {
    torch::Tensor value, initial, initial_x;
  };
  auto base = [&](double left, double right, bool logarithmic) {
    auto g = [&](double v) { return logarithmic ? std::log(v) : v; };
    Base out;
    if (!hard_initial_) {
      out.value = a * g(left) + b * g(right);
      return out;
    }
    out.initial = left + (right - left) * profile.p;
    out.initial_x = (right - left) * profile.p_x;
    const double c_left = g(left) - g(left + (right - left) * p_left);
    const double c_right = g(right) - g(left + (right - left) * p_right);
    out.value = (logarithmic ? torch::log(out.initial) : out.initial) + a * c_left + b * c_right;
    return out;
  };
  const Base rho_base = base(s.left.rho, s.right.rho, true);
  const Base u_base = base(s.left.u, s.right.u, false);
  const Base temp_base = base(s.left.T, s.right.T, true);
  const torch::Tensor initial_f =
      hard_initial_ ? maxwellian(rho_base.initial, u_base.initial, temp_base.initial)
                    : torch::Tensor();
  auto distribution = [&](const torch::Tensor& o) {
    const torch::Tensor values = o.reshape({batch, nodes});
    return hard_initial_ ? initial_f * torch::exp(gate * values)
                         : torch::softplus(values) * envelope_;
  };

  BgkFields out;
  if (!derivatives) {
    out.f = distribution(model_->f_net->forward(f_input));
    out.rho = torch::exp(rho_base.value + gate * ab * model_->rho_net->forward(macro_input));
    out.u = u_base.value + gate * root * model_->u_net->forward(macro_input);
    out.T = torch::exp(temp_base.value + gate * ab * model_->temp_net->forward(macro_input));
    return out;
  }
  const auto options = nodes_.options();
  const int macro_inputs = macro_input.size(1), f_inputs = f_input.size(1);
  const std::vector<torch::Tensor> along_t{input_direction(macro_inputs, 0, scale_t, options)};
  auto f_jet =
      model_->f_net->forward_jet(f_input, {input_direction(f_inputs, 0, scale_t, options),
                                           input_direction(f_inputs, 1, scale_x, options)});
  const torch::Tensor o = f_jet.value.reshape({batch, nodes});
  const torch::Tensor o_t = f_jet.derivatives[0].reshape({batch, nodes});
  const torch::Tensor o_x = f_jet.derivatives[1].reshape({batch, nodes});
  out.f = distribution(f_jet.value);
  if (hard_initial_) {
    // f = M_0 exp(s o): f_t = f (s o_t + s_t o), f_x = f (∂x ln M_0 + s o_x), with
    // ∂x ln M_0 = ρ_0'/ρ_0 - T_0'/(2 T_0) + (v - u_0) u_0'/T_0 + (v - u_0)² T_0'/(2 T_0²).
    const torch::Tensor T0 = temp_base.initial, d = nodes_.unsqueeze(0) - u_base.initial;
    const torch::Tensor log_m0_x = rho_base.initial_x / rho_base.initial -
                                   temp_base.initial_x / (2.0 * T0) + d * u_base.initial_x / T0 +
                                   d * d * temp_base.initial_x / (2.0 * T0 * T0);
    out.f_t = out.f * (gate * o_t + gate_t * o);
    out.f_x = out.f * (log_m0_x + gate * o_x);
  } else {
    // f = softplus(o) e(v): f' = sigmoid(o) o' e(v).
    const torch::Tensor slope = torch::sigmoid(o) * envelope_;
    out.f_t = slope * o_t;
    out.f_x = slope * o_x;
  }

  const auto rho_jet = model_->rho_net->forward_jet(macro_input, along_t);
  const auto u_jet = model_->u_net->forward_jet(macro_input, along_t);
  const auto temp_jet = model_->temp_net->forward_jet(macro_input, along_t);
  // (gate o)_t = s o_t + s_t o.
  auto gated_t = [&](const model::Jet& jet) {
    return gate * jet.derivatives[0] + gate_t * jet.value;
  };
  out.rho = torch::exp(rho_base.value + gate * ab * rho_jet.value);
  out.rho_t = out.rho * ab * gated_t(rho_jet);
  out.u = u_base.value + gate * root * u_jet.value;
  out.u_t = root * gated_t(u_jet);
  out.T = torch::exp(temp_base.value + gate * ab * temp_jet.value);
  out.T_t = out.T * ab * gated_t(temp_jet);
  return out;
}

TaskLoss BgkProblem::loss_at(const BgkPoints& points, Part part) {
  const torch::Tensor t_in = part_rows(points.t_in, part), x_in = part_rows(points.x_in, part),
                      eps_in = part_rows(points.eps_in, part);
  const torch::Tensor x_ic = part_rows(points.x_ic, part), eps_ic = part_rows(points.eps_ic, part);
  const std::int64_t interior = points.t_in.size(0), initial_points = points.x_ic.size(0);

  // Interior (physics.md §4(b) step 5), moments and their x-derivatives from the node values.
  const auto in = fields(t_in, x_in, eps_in, true);
  const torch::Tensor v = nodes_.unsqueeze(0);
  const torch::Tensor mu = torch::matmul(in.f, powers_);      // (B, 4): μ_0..μ_3
  const torch::Tensor mu_x = torch::matmul(in.f_x, powers_);  // (B, 4): ∂x μ_0..μ_3
  auto col = [](const torch::Tensor& m, int p) { return m.select(1, p).unsqueeze(1); };
  const torch::Tensor bgk =
      eps_in * (in.f_t + v * in.f_x) - (maxwellian(in.rho, in.u, in.T) - in.f);
  const torch::Tensor energy_density = in.u * in.u + in.T;
  const torch::Tensor m = in.rho * in.u, E = 0.5 * in.rho * energy_density;
  const torch::Tensor m_t = in.rho_t * in.u + in.rho * in.u_t;
  const torch::Tensor E_t =
      0.5 * (in.rho_t * energy_density + in.rho * (2.0 * in.u * in.u_t + in.T_t));

  // Initial conditions: the macro fields and f at every node.
  const auto ic = fields(torch::zeros_like(x_ic), x_ic, eps_ic, false);
  const torch::Tensor rho0 = part_rows(points.rho_ic, part), u0 = part_rows(points.u_ic, part),
                      T0 = part_rows(points.T_ic, part);

  TaskLoss loss;
  loss.components = {part_mse(bgk, interior),
                     part_mse(in.rho_t + col(mu_x, 1), interior),
                     part_mse(m_t + col(mu_x, 2), interior),
                     part_mse(E_t + 0.5 * col(mu_x, 3), interior),
                     part_mse(in.rho - col(mu, 0), interior),
                     part_mse(m - col(mu, 1), interior),
                     part_mse(E - 0.5 * col(mu, 2), interior),
                     part_mse(ic.rho - rho0, initial_points),
                     part_mse(ic.u - u0, initial_points),
                     part_mse(ic.T - T0, initial_points),
                     part_mse(ic.f - maxwellian(rho0, u0, T0), initial_points)};
  loss.total = settings_.weights[0] * loss.components[0];
  for (std::size_t i = 1; i < loss.components.size(); ++i)
    loss.total = loss.total + settings_.weights[i] * loss.components[i];
  return loss;
}

BgkPoints BgkProblem::sample(const Regime& regime, std::int64_t step) const {
  const auto& s = settings_;
  Sampler draw(s.seed, regime, step, s.dtype, s.device);
  BgkPoints points;
  points.t_in = draw.uniform(s.interior, 0.0, s.t_final);
  points.x_in = draw.uniform(s.interior, -0.5, 0.5);
  points.eps_in = draw.eps(s.interior);
  const torch::Tensor x_ic = draw.uniform_cpu(s.initial_points, -0.5, 0.5);
  points.x_ic = x_ic.to(s.device);
  points.eps_ic = draw.eps(s.initial_points);
  // The initial state comes from the reference solver's profile, so both start from the same data.
  const auto initial = reference_settings(s.eps_max);
  std::vector<double> rho, u, T;
  for (double x : to_doubles(x_ic)) {
    const auto state = reference::bgk_initial_state(initial, x);
    rho.push_back(state.rho);
    u.push_back(state.u);
    T.push_back(state.T);
  }
  const auto options = nodes_.options();
  points.rho_ic = column(rho, options);
  points.u_ic = column(u, options);
  points.T_ic = column(T, options);
  return points;
}

TaskLoss BgkProblem::task_loss(const Regime& regime, std::int64_t step, Part part) {
  return loss_at(sample(regime, step), part);
}

reference::BgkSettings BgkProblem::reference_settings(double eps) const {
  reference::BgkSettings rs;
  rs.kn = eps;
  rs.t_final = settings_.t_final;
  rs.left = settings_.left;
  rs.right = settings_.right;
  rs.v_max = settings_.v_max;
  return reference::resolve_bgk(rs);
}

Evaluation BgkProblem::evaluate(double eps) {
  torch::NoGradGuard no_grad;
  Evaluation result;
  result.eps = eps;
  result.x = reference::cell_centres(100, -0.5, 0.5);
  const auto options = nodes_.options();
  const auto n = static_cast<std::int64_t>(result.x.size());
  const auto out = fields(torch::full({n, 1}, settings_.t_final, options),
                          column(result.x, options), torch::full({n, 1}, eps, options), false);
  const torch::Tensor m = out.rho * out.u, E = 0.5 * out.rho * (out.u * out.u + out.T);

  const auto rs = reference_settings(eps);
  const auto ref =
      reference_cache_.get(reference::bgk_key(rs), [&] { return reference::solve_bgk(rs); });
  auto add = [&](const char* name, const torch::Tensor& values, const std::vector<double>& exact) {
    Field field;
    field.name = name;
    field.prediction = to_doubles(values);
    field.reference = reference::interpolate_linear(ref.x, exact, result.x);
    field.relative_l2 = reference::relative_l2(field.prediction, field.reference);
    result.fields.push_back(std::move(field));
  };
  add("rho", out.rho, ref.rho);
  add("m", m, ref.m);
  add("E", E, ref.E);
  char name[160];
  std::snprintf(name, sizeof name, "IMEX kinetic, Nx=%d Nv=%d dt=%g%s", rs.cells, rs.velocities,
                rs.dt, ref.from_cache ? " (cached)" : "");
  result.reference_name = name;
  return result;
}

}  // namespace hrgrad::physics
