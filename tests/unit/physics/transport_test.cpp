#include "hrgrad/physics/transport.hpp"

#include <gtest/gtest.h>

#include "hrgrad/core/error.hpp"
#include "hrgrad/core/gauss_legendre.hpp"
#include "hrgrad/physics/collocation.hpp"
#include "hrgrad/reference/diffusion_limit.hpp"
#include "hrgrad/reference/solution.hpp"
#include "parts_add_up.hpp"

#include <cmath>
#include <cstdio>

namespace {

using namespace hrgrad::physics;

TransportSettings small_settings() {
  TransportSettings s;
  s.width = 16;
  s.depth = 3;
  s.interior = 8;
  s.boundary = 4;
  s.initial_points = 4;
  s.quadrature = 6;
  s.dtype = torch::kFloat64;
  return s;
}

torch::Tensor autograd_derivative(const torch::Tensor& y, const torch::Tensor& x) {
  return torch::autograd::grad({y.sum()}, {x}, {}, true, false)[0];
}

// ρ_t, ρ_x and, node by node, g_t and g_x of fields at (t, x) against autograd.
void expect_derivatives_match_autograd(const TransportFields& f, const torch::Tensor& t,
                                       const torch::Tensor& x) {
  EXPECT_TRUE(torch::allclose(f.rho_t, autograd_derivative(f.rho, t), 1e-10, 1e-12));
  EXPECT_TRUE(torch::allclose(f.rho_x, autograd_derivative(f.rho, x), 1e-10, 1e-12));
  for (std::int64_t k = 0; k < f.g.size(1); ++k) {
    const auto gk = f.g.select(1, k);
    EXPECT_TRUE(
        torch::allclose(f.g_t.select(1, k), autograd_derivative(gk, t).squeeze(1), 1e-10, 1e-12))
        << "node " << k;
    EXPECT_TRUE(
        torch::allclose(f.g_x.select(1, k), autograd_derivative(gk, x).squeeze(1), 1e-10, 1e-12))
        << "node " << k;
  }
}

// The forward-propagated derivatives equal autograd's input derivatives.
TEST(TransportFields, JetDerivativesMatchAutograd) {
  TransportProblem problem(small_settings());
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  auto t = (0.1 * torch::rand({5, 1}, opts)).requires_grad_(true);
  auto x = torch::rand({5, 1}, opts).requires_grad_(true);
  auto eps = torch::pow(10.0, -4 * torch::rand({5, 1}, opts));
  expect_derivatives_match_autograd(problem.fields(t, x, eps, true), t, x);
}

// The hard initial value: ρ(0, x) = f_0 exactly, and its derivatives still match autograd.
TEST(TransportFields, HardInitialDensity) {
  auto s = small_settings();
  s.rho_output = "hard-initial";
  TransportProblem problem(s);
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  const auto x0 = torch::rand({6, 1}, opts);
  const auto at_zero =
      problem.fields(torch::zeros_like(x0), x0, torch::full({6, 1}, 1e-3, opts), false);
  EXPECT_EQ(at_zero.rho.abs().max().item<double>(), 0.0);
  auto t = (0.1 * torch::rand({5, 1}, opts)).requires_grad_(true);
  auto x = torch::rand({5, 1}, opts).requires_grad_(true);
  const auto f = problem.fields(t, x, torch::full({5, 1}, 0.3, opts), true);
  EXPECT_TRUE(torch::allclose(f.rho_t, autograd_derivative(f.rho, t), 1e-10, 1e-12));
  EXPECT_TRUE(torch::allclose(f.rho_x, autograd_derivative(f.rho, x), 1e-10, 1e-12));
}

// The causal gate: outside the cone x <= t/ε the fields are zero (at t = 0 too, so the initial
// value holds exactly); inside they are the ungated networks' times tanh((t/ε - x)/(Wε)), with <g>
// still zero; the derivatives match autograd across the cone's edge; nonzero initial data is
// refused.
TEST(TransportFields, ConeGateVanishesOutsideTheCone) {
  auto s = small_settings();
  TransportProblem ungated(s);
  s.cone = 0.05;
  TransportProblem gated(s);  // the same seed: the same weights
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  const auto t = torch::tensor({{0.0}, {0.05}, {0.05}, {0.05}, {0.1}}, opts);
  const auto x = torch::tensor({{0.3}, {0.3}, {0.04}, {0.01}, {0.5}}, opts);
  const auto eps = torch::tensor({{1e-3}, {1.0}, {1.0}, {1.0}, {1e-3}}, opts);
  const auto f = gated.gated_fields(t, x, eps, false), plain = ungated.fields(t, x, eps, false);
  for (int i : {0, 1}) {  // t = 0; x = 0.3 beyond the cone's edge 0.05
    EXPECT_EQ(f.rho[i].abs().max().item<double>(), 0.0) << i;
    EXPECT_EQ(f.g[i].abs().max().item<double>(), 0.0) << i;
  }
  for (int i : {2, 3, 4}) {
    const double e = eps[i].item<double>();
    const double c = std::tanh((t[i].item<double>() / e - x[i].item<double>()) / (0.05 * e));
    EXPECT_NEAR(f.rho[i].item<double>(), c * plain.rho[i].item<double>(), 1e-14) << i;
    EXPECT_TRUE(torch::allclose(f.g[i], c * plain.g[i], 1e-12, 1e-14)) << i;
  }
  const auto rule = hrgrad::gauss_legendre(6);
  EXPECT_LT(torch::matmul(f.g, 0.5 * torch::tensor(rule.weights, opts)).abs().max().item<double>(),
            1e-14);

  // Samples on both sides of the edge x = t/ε, at ε = 1 and in the diffusive range.
  auto tt = (0.1 * torch::rand({12, 1}, opts)).requires_grad_(true);
  auto xx = (0.2 * torch::rand({12, 1}, opts)).requires_grad_(true);
  const auto ee = torch::cat({torch::ones({6, 1}, opts), torch::full({6, 1}, 0.05, opts)});
  const auto d = gated.gated_fields(tt, xx, ee, true);
  expect_derivatives_match_autograd(d, tt, xx);
  const auto nodes = gated.nodes(), weights = gated.weights();
  EXPECT_TRUE(torch::allclose(
      d.flux_x, autograd_derivative(torch::matmul(d.g * nodes, weights), xx), 1e-10, 1e-12));
  const auto outside = (xx > tt / ee).squeeze(1);
  EXPECT_GT(outside.sum().item<int>(), 0);  // the samples straddle the edge
  EXPECT_LT(outside.sum().item<int>(), 12);

  // The loss asks the initial value of the ungated networks (the gate alone would meet it): the
  // initial component is the ungated problem's, the interior and inflow ones are not.
  const auto points = gated.sample(hrgrad::physics::log_uniform_regimes(1e-4, 1.0, 4)[3], 3);
  const auto with_gate = gated.loss_at(points), without = ungated.loss_at(points);
  EXPECT_GT(with_gate.components[4].item<double>(), 0.0);
  EXPECT_NEAR(with_gate.components[4].item<double>(), without.components[4].item<double>(), 1e-14);
  EXPECT_GT(std::abs(with_gate.components[0].item<double>() - without.components[0].item<double>()),
            1e-6);

  s.initial = 0.5;
  EXPECT_THROW(TransportProblem{s}, hrgrad::Error);
}

TEST(TransportFields, MicroPartHasZeroAverage) {
  TransportProblem problem(small_settings());
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  const auto f = problem.fields(torch::rand({7, 1}, opts) * 0.1, torch::rand({7, 1}, opts),
                                torch::full({7, 1}, 0.5, opts), true);
  const auto rule = hrgrad::gauss_legendre(6);
  const auto w = 0.5 * torch::tensor(rule.weights, opts);
  // <g> = 0 and <g_t> = 0 for every sample, to rounding, while g itself is not small.
  EXPECT_LT(torch::matmul(f.g, w).abs().max().item<double>(), 1e-14);
  EXPECT_LT(torch::matmul(f.g_t, w).abs().max().item<double>(), 1e-12);
  EXPECT_GT(f.g.abs().max().item<double>(), 1e-3);
}

TEST(TransportLoss, SameRegimeAndStepGiveTheSameSamples) {
  TransportProblem a(small_settings());
  TransportProblem b(small_settings());
  const auto regimes = log_uniform_regimes(1e-4, 1.0, 4);
  // b evaluates other regimes and steps first: the stream depends only on (seed, regime, step).
  b.task_loss(regimes[0], 3, {});
  b.task_loss(regimes[2], 5, {});
  const auto la = a.task_loss(regimes[1], 5, {});
  const auto lb = b.task_loss(regimes[1], 5, {});
  EXPECT_EQ(la.total.item<double>(), lb.total.item<double>());
  const auto other_step = a.task_loss(regimes[1], 6, {});
  EXPECT_NE(la.total.item<double>(), other_step.total.item<double>());
  ASSERT_EQ(la.components.size(), a.component_names().size());
  for (const auto& c : la.components) EXPECT_TRUE(std::isfinite(c.item<double>()));
}

// Front sampling (--points.front F): the first round(F n) interior pairs are the same draws
// with x scaled into the inflow's causal cone [0, min(1, c t/ε)]; the other pairs, t, ε and the
// boundary and initial samples are those of F = 0, and F = 0 gives the sampler's plain stream.
TEST(TransportSampling, FrontPairsLieInTheCausalCone) {
  auto s = small_settings();
  s.interior = 400;
  const auto top = log_uniform_regimes(1e-4, 1.0, 4)[3];  // ε in [0.1, 1]
  const auto plain = TransportProblem(s).sample(top, 7);
  {
    Sampler draw(s.seed, top, 7, s.dtype, s.device);
    EXPECT_TRUE(torch::equal(plain.t_in, draw.uniform(s.interior, 0.0, s.t_final)));
    EXPECT_TRUE(torch::equal(plain.x_in, draw.uniform(s.interior)));
    EXPECT_TRUE(torch::equal(plain.eps_in, draw.eps(s.interior)));
    EXPECT_TRUE(torch::equal(plain.t_bd, draw.uniform(s.boundary, 0.0, s.t_final)));
  }
  s.front = 0.25;
  s.front_width = 1.5;
  const auto p = TransportProblem(s).sample(top, 7);
  const std::int64_t front = 100;
  EXPECT_TRUE(torch::equal(p.t_in, plain.t_in));
  EXPECT_TRUE(torch::equal(p.eps_in, plain.eps_in));
  EXPECT_TRUE(torch::equal(p.t_bd, plain.t_bd));
  EXPECT_TRUE(torch::equal(p.x_ic, plain.x_ic));
  EXPECT_TRUE(torch::equal(p.eps_ic, plain.eps_ic));
  EXPECT_TRUE(torch::equal(p.x_in.narrow(0, front, s.interior - front),
                           plain.x_in.narrow(0, front, s.interior - front)));
  const auto cone = torch::clamp_max(1.5 * p.t_in / p.eps_in, 1.0).narrow(0, 0, front);
  const auto x = p.x_in.narrow(0, 0, front);
  EXPECT_TRUE(torch::all(x >= 0).item<bool>());
  EXPECT_TRUE(torch::all(x <= cone).item<bool>());
  EXPECT_TRUE(torch::allclose(x / cone, plain.x_in.narrow(0, 0, front), 1e-12, 0));
  // Most uniform pairs of this regime lie outside the cone (t/ε < 1 at ε near 1), so the front
  // pairs really are concentrated: all of them inside, against a minority of the others.
  const auto inside_rest =
      (plain.x_in.narrow(0, front, s.interior - front) <=
       torch::clamp_max(1.5 * p.t_in / p.eps_in, 1.0).narrow(0, front, s.interior - front))
          .to(torch::kFloat64)
          .mean()
          .item<double>();
  EXPECT_LT(inside_rest, 0.5);

  // In the diffusive regime the cone covers [0, 1] for nearly every t: x stays uniform.
  const auto bottom = log_uniform_regimes(1e-4, 1.0, 4)[0];  // ε in [1e-4, 1e-3]
  auto s0 = s;
  s0.front = 0;
  const auto q = TransportProblem(s).sample(bottom, 7), q0 = TransportProblem(s0).sample(bottom, 7);
  const auto wide = (1.5 * q.t_in / q.eps_in >= 1.0).narrow(0, 0, front);
  EXPECT_TRUE(torch::equal(q.x_in.narrow(0, 0, front).masked_select(wide),
                           q0.x_in.narrow(0, 0, front).masked_select(wide)));
  EXPECT_GT(wide.to(torch::kFloat64).mean().item<double>(), 0.95);
}

// A field whose only residual is the micro one, v ρ_x, on x > 1/2: ρ = max(x - 1/2, 0), g = 0.
TransportFieldProvider residual_right_of_half(TransportProblem& problem) {
  return [&problem](const torch::Tensor& t, const torch::Tensor& x, const torch::Tensor&, bool) {
    TransportFields out;
    out.rho = torch::clamp_min(x - 0.5, 0.0);
    out.rho_x = (x > 0.5).to(x.dtype());
    out.rho_t = out.flux_x = torch::zeros_like(t);
    out.g = out.g_t = out.g_x = torch::zeros({t.size(0), problem.nodes().size(0)}, t.options());
    return out;
  };
}

// Adaptive sampling (--points.adaptive k): sample() draws M x n candidate pairs, the plain
// stream's first n of them, and the boundary and initial samples after them; the choice keeps
// n distinct candidates, the same ones every time, and only where the residual is when c = 0.
TEST(TransportSampling, AdaptiveChoiceFollowsTheResidual) {
  auto s = small_settings();
  s.interior = 64;
  const auto regime = log_uniform_regimes(1e-4, 1.0, 4)[2];
  const auto plain = TransportProblem(s).sample(regime, 5);
  s.adaptive = 1;
  s.adaptive_pool = 4;
  s.adaptive_floor = 0;
  TransportProblem problem(s);
  problem.set_fields(residual_right_of_half(problem));
  const auto pool = problem.sample(regime, 5);
  ASSERT_EQ(pool.t_in.size(0), 256);
  EXPECT_TRUE(torch::equal(pool.t_in.narrow(0, 0, 64), plain.t_in));
  EXPECT_EQ(pool.t_bd.size(0), s.boundary);
  EXPECT_EQ(pool.x_ic.size(0), s.initial_points);

  const auto chosen = problem.choose_by_residual(pool, regime, 5);
  ASSERT_EQ(chosen.t_in.size(0), 64);
  EXPECT_TRUE(torch::all(chosen.x_in > 0.5).item<bool>());
  EXPECT_EQ(std::get<0>(torch::_unique(chosen.x_in)).size(0), 64);  // without replacement
  // Every chosen pair is a candidate, with its own t and ε.
  for (std::int64_t i = 0; i < 64; ++i) {
    const auto at = torch::nonzero(pool.x_in.squeeze(1) == chosen.x_in[i][0]);
    ASSERT_EQ(at.size(0), 1);
    EXPECT_EQ(pool.t_in[at[0][0]].item<double>(), chosen.t_in[i].item<double>());
    EXPECT_EQ(pool.eps_in[at[0][0]].item<double>(), chosen.eps_in[i].item<double>());
  }
  EXPECT_TRUE(torch::equal(chosen.t_bd, pool.t_bd));
  EXPECT_TRUE(torch::equal(chosen.x_ic, pool.x_ic));
  EXPECT_TRUE(torch::equal(problem.choose_by_residual(pool, regime, 5).x_in, chosen.x_in));
  EXPECT_FALSE(torch::equal(problem.choose_by_residual(pool, regime, 6).x_in, chosen.x_in));

  // A large floor makes the choice nearly uniform: about as many pairs left of 1/2 as in the
  // pool (half), where c = 0 took none.
  auto flat = s;
  flat.adaptive_floor = 1e6;
  TransportProblem uniform(flat);
  uniform.set_fields(residual_right_of_half(uniform));
  const double left = (uniform.choose_by_residual(pool, regime, 5).x_in <= 0.5)
                          .to(torch::kFloat64)
                          .mean()
                          .item<double>();
  const double pool_left = (pool.x_in <= 0.5).to(torch::kFloat64).mean().item<double>();
  EXPECT_NEAR(left, pool_left, 0.2);
  EXPECT_GT(left, 0.2);

  // The loss of a step is the loss at the chosen points.
  const auto loss = problem.task_loss(regime, 5, {});
  const auto direct = problem.loss_at(chosen);
  EXPECT_EQ(loss.total.item<double>(), direct.total.item<double>());
  EXPECT_GT(loss.components[0].item<double>(), 0.0);
}

// With the networks, the choice runs without recording a graph and the loss still trains.
TEST(TransportSampling, AdaptiveLossHasParameterGradients) {
  auto s = small_settings();
  s.adaptive = 2;
  TransportProblem problem(s);
  const auto loss = problem.task_loss(log_uniform_regimes(1e-4, 1.0, 4)[3], 3, {});
  const auto grads = torch::autograd::grad({loss.total}, problem.parameters(), {}, false, false,
                                           /*allow_unused=*/true);
  double norm = 0;
  for (const auto& g : grads)
    if (g.defined()) norm += g.square().sum().item<double>();
  EXPECT_GT(norm, 0.0);
  EXPECT_TRUE(std::isfinite(norm));
}

// Task groups: the parts' losses, components and gradients add up to the whole regime's, also
// when a part of some point set is empty (4 boundary points over 5 parts).
TEST(TransportLoss, PartsAddUpToTheWholeRegime) {
  TransportProblem problem(small_settings());
  hrgrad::test::expect_parts_add_up(problem, log_uniform_regimes(1e-4, 1.0, 4)[2], 7, {2, 3, 5});
}

// With inflow 1 on both sides and f_0 = 1, f = 1 (ρ = 1, g = 0) solves the problem: every
// residual vanishes exactly.
TEST(TransportLoss, ConstantSolutionMakesEveryResidualVanish) {
  auto s = small_settings();
  s.inflow_left = s.inflow_right = s.initial = 1.0;
  TransportProblem problem(s);
  problem.set_fields([&](const torch::Tensor& t, const torch::Tensor&, const torch::Tensor&, bool) {
    TransportFields out;
    out.rho = torch::ones_like(t);
    out.rho_t = out.rho_x = out.flux_x = torch::zeros_like(t);
    out.g = out.g_t = out.g_x = torch::zeros({t.size(0), problem.nodes().size(0)}, t.options());
    return out;
  });
  const auto loss = problem.task_loss(log_uniform_regimes(1e-4, 1.0, 4)[1], 3, {});
  for (std::size_t c = 0; c < loss.components.size(); ++c)
    EXPECT_EQ(loss.components[c].item<double>(), 0.0) << problem.component_names()[c];
  EXPECT_EQ(loss.total.item<double>(), 0.0);
}

// The diffusion limit: ρ = 1 + exp(-π² t/3) sin(πx) solves ρ_t = ρ_xx/3, and g = -v ρ_x makes
// R_mic = ε² g_t + ε(v g_x - ∂x<v g>) + v ρ_x + g = ε ρ_xx (1/3 - v²) + O(ε²), the macro
// residual zero. The micro MSE divided by ε² tends to mean(ρ_xx² (1/3 - v²)²).
TEST(TransportLoss, DiffusionLimitMicroResidualIsOrderEps) {
  auto s = small_settings();
  s.interior = 16;
  TransportProblem problem(s);
  const torch::Tensor v = problem.nodes().unsqueeze(0);
  problem.set_fields(
      [&](const torch::Tensor& t, const torch::Tensor& x, const torch::Tensor&, bool) {
        const torch::Tensor decay = torch::exp(-M_PI * M_PI * t / 3), sine = torch::sin(M_PI * x);
        const torch::Tensor rho_x = M_PI * decay * torch::cos(M_PI * x);
        const torch::Tensor rho_xx = -M_PI * M_PI * decay * sine;
        TransportFields out;
        out.rho = 1 + decay * sine;
        out.rho_t = -M_PI * M_PI / 3 * decay * sine;
        out.rho_x = rho_x;
        out.g = -v * rho_x;
        out.g_t = -v * (-M_PI * M_PI / 3 * rho_x);
        out.g_x = -v * rho_xx;
        out.flux_x = -rho_xx / 3;  // ∂x<v g> with <v²> = 1/3
        return out;
      });
  auto points = problem.sample(log_uniform_regimes(1e-4, 1.0, 4)[0], 1);
  const auto t = to_doubles(points.t_in), x = to_doubles(points.x_in);
  const auto nodes = hrgrad::gauss_legendre(6).nodes;
  double limit = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const double rho_xx = -M_PI * M_PI * std::exp(-M_PI * M_PI * t[i] / 3) * std::sin(M_PI * x[i]);
    for (double vk : nodes) limit += std::pow(rho_xx * (1.0 / 3 - vk * vk), 2);
  }
  limit /= static_cast<double>(t.size() * nodes.size());
  for (double eps : {1e-2, 1e-3, 1e-4}) {
    points.eps_in = torch::full_like(points.eps_in, eps);
    const auto loss = problem.loss_at(points);
    EXPECT_NEAR(loss.components[0].item<double>() / (eps * eps), limit, 3 * eps * limit) << eps;
    EXPECT_LT(loss.components[1].item<double>(), 1e-24) << eps;
  }
}

// α(ε) = exp(-(E/ε)^p): at the inflow (x = 0) the uncollided density is α f_L/2, for the
// default power 2 and a sharper 4.
TEST(TransportUncollided, WeightFollowsThePower) {
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  for (double power : {2.0, 4.0}) {
    auto s = small_settings();
    s.uncollided = 0.2;
    s.uncollided_power = power;
    TransportProblem problem(s);
    for (double eps : {1.0, 0.3, 0.15}) {
      const double density =
          problem
              .uncollided_density(torch::full({1, 1}, 0.05, opts), torch::zeros({1, 1}, opts),
                                  torch::full({1, 1}, eps, opts))
              .item<double>();
      EXPECT_NEAR(density, 0.5 * s.inflow_left * std::exp(-std::pow(0.2 / eps, power)), 1e-14)
          << "power " << power << " eps " << eps;
    }
  }
}

// Zero networks: the fields are the uncollided flux's alone.
void zero_fields(TransportProblem& problem) {
  problem.set_fields([&](const torch::Tensor& t, const torch::Tensor&, const torch::Tensor&, bool) {
    TransportFields out;
    out.rho = out.rho_t = out.rho_x = out.flux_x = torch::zeros_like(t);
    out.g = out.g_t = out.g_x = torch::zeros({t.size(0), problem.nodes().size(0)}, t.options());
    return out;
  });
}

// <f_u> = α f_L/2 ∫ exp(-κ x/v) dv over v in [ε x/t, 1], against a fine midpoint rule, and its
// closed forms at the inflow (x = 0: α f_L/2) and before the front arrives (x > t/ε: 0).
TEST(TransportUncollided, DensityIsTheVelocityAverageOfTheUncollidedInflow) {
  auto s = small_settings();
  s.uncollided = 0.2;
  s.sigma_s = 1.0;
  s.sigma_a = 0.5;
  s.inflow_left = 2.0;
  TransportProblem problem(s);
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  auto at = [&](double t, double x, double eps) {
    return problem
        .uncollided_density(torch::full({1, 1}, t, opts), torch::full({1, 1}, x, opts),
                            torch::full({1, 1}, eps, opts))
        .item<double>();
  };
  for (double eps : {1.0, 0.3, 0.05}) {
    const double alpha = std::exp(-std::pow(0.2 / eps, 2)), kappa = 1.0 / eps + 0.5 * eps;
    EXPECT_NEAR(at(0.07, 0.0, eps), alpha, 1e-14) << eps;
    EXPECT_EQ(at(0.0, 0.3, eps), 0.0) << eps;
    EXPECT_EQ(at(0.05, 0.06 / eps, eps), 0.0) << eps;
    for (double x : {0.01, 0.03}) {
      const double t = 0.08, v_min = std::min(1.0, eps * x / t);
      const int n = 200000;
      double sum = 0;
      for (int i = 0; i < n; ++i) {
        const double v = v_min + (1 - v_min) * (i + 0.5) / n;
        sum += std::exp(-kappa * x / v);
      }
      const double expected = 0.5 * 2.0 * alpha * sum * (1 - v_min) / n;
      EXPECT_NEAR(at(t, x, eps), expected, 1e-9 * expected + 1e-300) << eps << " " << x;
    }
  }
}

// Off by default: no density, and the left inflow target is f_L itself.
TEST(TransportUncollided, OffMeansNoUncollidedPart) {
  TransportProblem problem(small_settings());
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  const auto d = problem.uncollided_density(torch::full({3, 1}, 0.05, opts),
                                            torch::zeros({3, 1}, opts), torch::ones({3, 1}, opts));
  EXPECT_EQ(d.abs().max().item<double>(), 0.0);
  zero_fields(problem);
  const auto loss = problem.task_loss(log_uniform_regimes(1e-4, 1.0, 4)[3], 2, {});
  EXPECT_DOUBLE_EQ(loss.components[2].item<double>(), 1.0);  // (0 - f_L)² at every node
}

// The collided part's equations: the macro residual of zero networks is -σ_s <f_u>/ε², and the
// networks owe the left inflow only (1 - α) f_L.
TEST(TransportUncollided, CollidedPartGainsTheScatteredSource) {
  auto s = small_settings();
  s.uncollided = 0.3;
  TransportProblem problem(s);
  zero_fields(problem);
  auto points = problem.sample(log_uniform_regimes(1e-2, 1.0, 2)[1], 4);
  points.x_in = points.x_in * 0.05;  // inside the front, x < t/ε, where <f_u> > 0
  const auto loss = problem.loss_at(points);
  const torch::Tensor source = s.sigma_s *
                               problem.uncollided_density(points.t_in, points.x_in, points.eps_in) /
                               points.eps_in.square();
  EXPECT_GT(source.abs().max().item<double>(), 1e-3);
  EXPECT_NEAR(loss.components[1].item<double>(), source.square().mean().item<double>(), 1e-14);
  EXPECT_EQ(loss.components[0].item<double>(), 0.0);
  const torch::Tensor alpha = torch::exp(-(0.3 / points.eps_bd).square());
  EXPECT_NEAR(loss.components[2].item<double>(), (1 - alpha).square().mean().item<double>(), 1e-14);
}

// Without scattering the uncollided flux is the whole solution: zero networks then have zero
// loss, and their density (the uncollided one alone) matches the finite-volume solver's.
TEST(TransportUncollided, PureAbsorptionIsSolvedByTheUncollidedFluxAlone) {
  auto s = small_settings();
  s.uncollided = 1e-6;  // α = 1 at the ε used here
  s.sigma_s = 0.0;
  s.sigma_a = 1.0;
  TransportProblem problem(s);
  zero_fields(problem);
  const auto loss = problem.task_loss(Regime{0, 0.5, 1.0}, 3, {});
  EXPECT_LT(loss.total.item<double>(), 1e-20);
  const auto e = problem.evaluate(1.0);
  EXPECT_GT(e.fields[0].prediction[0], 0.4);
  EXPECT_LT(e.fields[0].relative_l2, 1e-2);
}

TEST(TransportEvaluation, EveryEpsHasTheSolverReference) {
  TransportProblem problem(small_settings());
  for (double eps : {1e-4, 1.0}) {
    const auto e = problem.evaluate(eps);
    ASSERT_EQ(e.x.size(), 100u);
    EXPECT_DOUBLE_EQ(e.x[0], 0.005);
    ASSERT_EQ(e.fields.size(), 1u);
    const auto& rho = e.fields[0];
    ASSERT_EQ(rho.reference.size(), 100u);
    EXPECT_NEAR(rho.relative_l2, hrgrad::reference::relative_l2(rho.prediction, rho.reference),
                1e-15);
    EXPECT_GT(rho.relative_l2, 0.0);
    EXPECT_NE(e.reference_name.find("AP finite volume"), std::string::npos);
  }
}

// The solver's reference at eps = 1e-4 is the diffusion limit to O(eps).
TEST(TransportEvaluation, SmallEpsReferenceIsTheDiffusionLimit) {
  auto s = small_settings();
  s.reference_cache = ::testing::TempDir() + "hrgrad_refcache_test.h5";
  std::remove(s.reference_cache.c_str());
  TransportProblem problem(s);
  const auto first = problem.evaluate(1e-4);
  const auto exact = hrgrad::reference::diffusion_limit_density(0.1, first.x);
  EXPECT_LT(hrgrad::reference::relative_l2(first.fields[0].reference, exact), 1e-3);
  EXPECT_EQ(first.reference_name.find("cached"), std::string::npos);
  const auto second = problem.evaluate(1e-4);  // now read from the cache file
  EXPECT_NE(second.reference_name.find("cached"), std::string::npos);
  EXPECT_EQ(first.fields[0].reference, second.fields[0].reference);
  std::remove(s.reference_cache.c_str());
}

}  // namespace
