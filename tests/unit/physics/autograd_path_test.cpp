// The optimised loss path against the plain autograd path (issue 9): on the same weights and the
// same points, with the default networks and quadrature in float32, the task loss, its components
// and the parameter gradient computed with forward-propagated input derivatives (model/mlp.hpp
// forward_jet) equal those computed with input derivatives by autograd (create_graph, then a second
// backward), to 1e-5 relative, for every regime of the default linear-transport and BGK problems;
// in float64 to 1e-10, also with the hard initial density and with the causal gate.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "hrgrad/model/mlp.hpp"
#include "hrgrad/physics/bgk.hpp"
#include "hrgrad/physics/transport.hpp"

namespace {

using namespace hrgrad::physics;

// float32 as the issue asks; float64 checks the hand-written backward to its own rounding.
constexpr double kFloat32Tolerance = 1e-5, kFloat64Tolerance = 1e-10;

// ∂/∂wrt of y, row by row (each row of y depends on its own row of wrt), kept differentiable.
torch::Tensor d(const torch::Tensor& y, const torch::Tensor& wrt) {
  return torch::autograd::grad({y.sum()}, {wrt}, {}, true, true)[0];
}

// Column by column: ∂y[:, k]/∂wrt for every k, as a (B, K) tensor.
torch::Tensor d_columns(const torch::Tensor& y, const torch::Tensor& wrt) {
  std::vector<torch::Tensor> columns;
  for (std::int64_t k = 0; k < y.size(1); ++k) columns.push_back(d(y.select(1, k), wrt));
  return torch::cat(columns, 1);
}

torch::Tensor flat_gradient(const torch::Tensor& loss, const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> flat;
  for (const auto& g : torch::autograd::grad({loss}, params)) flat.push_back(g.reshape({-1}));
  return torch::cat(flat);
}

// Relative difference; absolute where b is zero (the causal gate makes some components exactly
// zero on both paths).
double relative(const torch::Tensor& a, const torch::Tensor& b) {
  const auto a64 = a.to(torch::kFloat64), b64 = b.to(torch::kFloat64);
  const double scale = b64.norm().item<double>();
  return (a64 - b64).norm().item<double>() / (scale > 0 ? scale : 1.0);
}

// Loss, components and gradient of the optimised path (no provider) against the plain path
// (provider set), on the same points.
template <typename Problem, typename Points>
void expect_same_loss_and_gradient(Problem& problem, const Points& points,
                                   const std::function<void(Problem&, bool)>& plain,
                                   double tolerance) {
  const auto params = problem.parameters();
  plain(problem, false);
  const auto fast = problem.loss_at(points);
  const torch::Tensor fast_gradient = flat_gradient(fast.total, params);
  plain(problem, true);
  const auto slow = problem.loss_at(points);
  const torch::Tensor slow_gradient = flat_gradient(slow.total, params);
  plain(problem, false);
  EXPECT_LE(relative(fast.total, slow.total), tolerance);
  for (std::size_t c = 0; c < fast.components.size(); ++c)
    EXPECT_LE(relative(fast.components[c], slow.components[c]), tolerance) << "component " << c;
  EXPECT_LE(relative(fast_gradient, slow_gradient), tolerance);
  EXPECT_GT(slow_gradient.norm().item<double>(), 0.0);
}

// Switches `problem` between its optimised path (off) and the plain path (on): the networks'
// values, with the input derivatives that `fill` takes by autograd (create_graph).
template <typename Problem, typename Fields, typename Fill>
std::function<void(Problem&, bool)> plain_path(Fill fill) {
  return [fill](Problem& p, bool on) {
    if (!on) return p.set_fields({});
    p.set_fields([&p, fill](const torch::Tensor& t, const torch::Tensor& x,
                            const torch::Tensor& eps, bool derivatives) {
      if (!derivatives) return p.network_fields(t, x, eps, false);
      const auto tt = t.detach().requires_grad_(true), xx = x.detach().requires_grad_(true);
      Fields f = p.network_fields(tt, xx, eps, false);
      fill(p, f, tt, xx);
      return f;
    });
  };
}

void transport_case(torch::Dtype dtype, const std::string& rho_output, double tolerance,
                    double cone = 0) {
  TransportSettings s;  // the default networks and nodes; fewer points, for time
  s.dtype = dtype;
  s.rho_output = rho_output;
  s.cone = cone;
  s.interior = 32;
  s.boundary = 16;
  s.initial_points = 16;
  TransportProblem problem(s);
  const auto plain = plain_path<TransportProblem, TransportFields>(
      [](TransportProblem& p, TransportFields& f, const torch::Tensor& t, const torch::Tensor& x) {
        f.rho_t = d(f.rho, t);
        f.rho_x = d(f.rho, x);
        f.g_t = d_columns(f.g, t);
        f.g_x = d_columns(f.g, x);
        // <v g> = <v ĝ>, since the nodes' weighted sum is zero.
        f.flux_x = d(torch::matmul(f.g * p.nodes(), p.weights()).unsqueeze(1), x);
      });
  for (const auto& regime : log_uniform_regimes(s.eps_min, s.eps_max, 4)) {
    SCOPED_TRACE(regime.label());
    expect_same_loss_and_gradient<TransportProblem>(problem, problem.sample(regime, 7), plain,
                                                    tolerance);
  }
}

TEST(AutogradPath, TransportLossAndGradientMatchDoubleBackward) {
  transport_case(torch::kFloat32, "exp", kFloat32Tolerance);
}

TEST(AutogradPath, TransportFloat64AndHardInitialMatchDoubleBackward) {
  transport_case(torch::kFloat64, "exp", kFloat64Tolerance);
  transport_case(torch::kFloat64, "hard-initial", kFloat64Tolerance);
  transport_case(torch::kFloat64, "exp", kFloat64Tolerance, /*cone=*/0.05);
}

void bgk_case(torch::Dtype dtype, double tolerance) {
  BgkSettings s;  // the default networks and nodes; fewer points, for time
  s.dtype = dtype;
  s.interior = 24;
  s.initial_points = 16;
  BgkProblem problem(s);
  const auto plain = plain_path<BgkProblem, BgkFields>(
      [](BgkProblem&, BgkFields& f, const torch::Tensor& t, const torch::Tensor& x) {
        f.f_t = d_columns(f.f, t);
        f.f_x = d_columns(f.f, x);
        f.rho_t = d(f.rho, t);
        f.u_t = d(f.u, t);
        f.T_t = d(f.T, t);
      });
  for (const auto& regime : log_uniform_regimes(s.eps_min, s.eps_max, 3)) {
    SCOPED_TRACE(regime.label());
    expect_same_loss_and_gradient<BgkProblem>(problem, problem.sample(regime, 7), plain, tolerance);
  }
}

TEST(AutogradPath, BgkLossAndGradientMatchDoubleBackward) {
  bgk_case(torch::kFloat32, kFloat32Tolerance);
  bgk_case(torch::kFloat64, kFloat64Tolerance);
}

}  // namespace

// The fused jet node (CPU) against the plain-ATen jets that tensors off the CPU take: values,
// derivatives of the first rows only, and the parameter and input gradients of a function of
// both, in float64.
TEST(AutogradPath, FusedJetsMatchTheUnfusedJets) {
  torch::manual_seed(3);
  hrgrad::model::Mlp net(4, 16, 3, 2);
  net->to(torch::kFloat64);
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  const std::vector<torch::Tensor> directions{torch::tensor({1.0, 0.0, 0.0, 0.0}, options),
                                              torch::tensor({0.0, 2.0, 0.0, 0.5}, options)};
  const auto input = torch::randn({9, 4}, options);
  auto weighted = [&](const hrgrad::model::Jet& jet) {
    return (jet.value.square().sum() + (jet.derivatives[0] * jet.derivatives[1]).sum() +
            jet.derivatives[1].sin().sum());
  };
  const auto x_fused = input.clone().requires_grad_(true);
  const auto x_plain = input.clone().requires_grad_(true);
  const auto fused = net->forward_jet(x_fused, directions, 6);
  const auto plain = net->forward_jet_unfused(x_plain, directions, 6);
  EXPECT_TRUE(torch::allclose(fused.value, plain.value, 1e-12, 1e-14));
  for (std::size_t j = 0; j < directions.size(); ++j) {
    ASSERT_EQ(fused.derivatives[j].size(0), 6);
    ASSERT_EQ(plain.derivatives[j].size(0), 6);
    EXPECT_TRUE(torch::allclose(fused.derivatives[j], plain.derivatives[j], 1e-12, 1e-14));
  }
  auto params = net->parameters();
  params.push_back(x_fused);
  const auto g_fused = torch::autograd::grad({weighted(fused)}, params);
  params.back() = x_plain;
  const auto g_plain = torch::autograd::grad({weighted(plain)}, params);
  for (std::size_t i = 0; i < params.size(); ++i)
    EXPECT_TRUE(torch::allclose(g_fused[i], g_plain[i], 1e-11, 1e-13)) << "gradient " << i;
}
