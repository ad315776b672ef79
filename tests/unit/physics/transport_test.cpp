#include "hrgrad/physics/transport.hpp"

#include <gtest/gtest.h>

#include "hrgrad/core/gauss_legendre.hpp"
#include "hrgrad/reference/diffusion_limit.hpp"
#include "hrgrad/reference/solution.hpp"

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

// The forward-propagated derivatives equal autograd's input derivatives.
TEST(TransportFields, JetDerivativesMatchAutograd) {
  TransportProblem problem(small_settings());
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  auto t = (0.1 * torch::rand({5, 1}, opts)).requires_grad_(true);
  auto x = torch::rand({5, 1}, opts).requires_grad_(true);
  auto eps = torch::pow(10.0, -4 * torch::rand({5, 1}, opts));
  const auto f = problem.fields(t, x, eps, true);
  EXPECT_TRUE(torch::allclose(f.rho_t, autograd_derivative(f.rho, t), 1e-10, 1e-12));
  EXPECT_TRUE(torch::allclose(f.rho_x, autograd_derivative(f.rho, x), 1e-10, 1e-12));
  // Per node k: d g[:, k] / dt.
  for (int k = 0; k < 6; ++k) {
    const auto gk = f.g.select(1, k);
    EXPECT_TRUE(
        torch::allclose(f.g_t.select(1, k), autograd_derivative(gk, t).squeeze(1), 1e-10, 1e-12));
    EXPECT_TRUE(
        torch::allclose(f.g_x.select(1, k), autograd_derivative(gk, x).squeeze(1), 1e-10, 1e-12));
  }
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

// Task groups: the parts' losses, components and gradients add up to the whole regime's, also
// when a part of some point set is empty (4 boundary points over 5 parts).
TEST(TransportLoss, PartsAddUpToTheWholeRegime) {
  TransportProblem problem(small_settings());
  const auto regime = log_uniform_regimes(1e-4, 1.0, 4)[2];
  const auto params = problem.parameters();
  auto gradient = [&](const torch::Tensor& loss) {
    std::vector<torch::Tensor> flat;
    for (const auto& g : torch::autograd::grad({loss}, params, {}, false, false, true))
      flat.push_back(g.reshape({-1}));
    return torch::cat(flat);
  };
  const auto whole = problem.task_loss(regime, 7, {});
  const auto whole_gradient = gradient(whole.total);
  for (int count : {2, 3, 5}) {
    double total = 0;
    std::vector<double> components(whole.components.size(), 0.0);
    torch::Tensor summed = torch::zeros_like(whole_gradient);
    for (int index = 0; index < count; ++index) {
      const auto part = problem.task_loss(regime, 7, Part{index, count});
      total += part.total.item<double>();
      for (std::size_t c = 0; c < components.size(); ++c)
        components[c] += part.components[c].item<double>();
      summed += gradient(part.total);
    }
    EXPECT_NEAR(total, whole.total.item<double>(), 1e-12 * whole.total.item<double>())
        << count << " parts";
    for (std::size_t c = 0; c < components.size(); ++c) {
      const double expected = whole.components[c].item<double>();
      EXPECT_NEAR(components[c], expected, 1e-12 * std::abs(expected)) << "component " << c;
    }
    EXPECT_LT((summed - whole_gradient).norm().item<double>(),
              1e-12 * whole_gradient.norm().item<double>());
  }
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
