#include "hrgrad/physics/bgk.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "hrgrad/core/gauss_legendre.hpp"
#include "hrgrad/physics/collocation.hpp"
#include "hrgrad/reference/solution.hpp"
#include "parts_add_up.hpp"

namespace {

using namespace hrgrad::physics;

const auto kF64 = torch::TensorOptions().dtype(torch::kFloat64);

BgkSettings small_settings() {
  BgkSettings s;
  s.width = 12;
  s.depth = 2;
  s.interior = 8;
  s.initial_points = 5;
  s.quadrature = 8;
  s.dtype = torch::kFloat64;
  return s;
}

torch::Tensor autograd_derivative(const torch::Tensor& y, const torch::Tensor& x) {
  return torch::autograd::grad({y.sum()}, {x}, {}, true, false)[0];
}

double maxwellian(double rho, double u, double T, double v) {
  return rho / std::sqrt(2 * M_PI * T) * std::exp(-(v - u) * (v - u) / (2 * T));
}

double mean_square(const std::vector<double>& r) {
  double sum = 0;
  for (double x : r) sum += x * x;
  return sum / static_cast<double>(r.size());
}

// The spec's 64 nodes on [-10, 10] integrate a Maxwellian's first four moments exactly to 1e-10.
TEST(BgkQuadrature, MaxwellianMomentsMatchTheClosedForms) {
  auto s = small_settings();
  s.quadrature = 64;
  BgkProblem problem(s);
  const auto rho = torch::tensor({1.5, 0.625, 1.0, 2.0}, kF64).unsqueeze(1);
  const auto u = torch::tensor({0.0, 0.0, 0.7, -1.2}, kF64).unsqueeze(1);
  const auto T = torch::tensor({1.5, 0.75, 0.6, 1.1}, kF64).unsqueeze(1);
  const auto M = problem.maxwellian(rho, u, T);
  const std::vector<torch::Tensor> exact = {rho, rho * u, rho * (u * u + T),
                                            rho * u * (u * u + 3 * T)};
  for (int p = 0; p < 4; ++p) {
    EXPECT_LT((problem.moment(M, p) - exact[p]).abs().max().item<double>(), 1e-10) << "p = " << p;
  }
}

// Settings with moving boundary states, so that u_0 is not constant either.
BgkSettings moving_settings(const std::string& initial) {
  auto s = small_settings();
  s.initial = initial;
  s.left = {1.5, 0.3, 1.5};
  s.right = {0.625, -0.2, 0.75};
  return s;
}

// The forward-propagated derivatives equal autograd's input derivatives: with and without the
// velocity envelope, and with hard initial values.
TEST(BgkFields, JetDerivativesMatchAutograd) {
  auto hard = moving_settings("hard");
  for (double envelope : {0.0, 2.0, -1.0}) {
    auto s = envelope < 0 ? hard : small_settings();
    if (envelope >= 0) s.envelope = envelope;
    BgkProblem problem(s);
    auto t = (0.1 * torch::rand({5, 1}, kF64)).requires_grad_(true);
    auto x = (torch::rand({5, 1}, kF64) - 0.5).requires_grad_(true);
    const auto eps = torch::pow(10.0, -3 * torch::rand({5, 1}, kF64));
    const auto f = problem.fields(t, x, eps, true);
    EXPECT_TRUE(torch::allclose(f.rho_t, autograd_derivative(f.rho, t), 1e-10, 1e-12));
    EXPECT_TRUE(torch::allclose(f.u_t, autograd_derivative(f.u, t), 1e-10, 1e-12));
    EXPECT_TRUE(torch::allclose(f.T_t, autograd_derivative(f.T, t), 1e-10, 1e-12));
    for (int k = 0; k < 8; ++k) {
      const auto fk = f.f.select(1, k);
      EXPECT_TRUE(
          torch::allclose(f.f_t.select(1, k), autograd_derivative(fk, t).squeeze(1), 1e-10, 1e-12));
      EXPECT_TRUE(
          torch::allclose(f.f_x.select(1, k), autograd_derivative(fk, x).squeeze(1), 1e-10, 1e-12));
    }
    EXPECT_GT(f.f.min().item<double>(), 0.0);  // softplus, or a Maxwellian times exp
    // The envelope exp(-v²/4) takes f at the outermost nodes (|v| > 9.6) below 1e-9.
    const double outer = f.f.select(1, 0).abs().max().item<double>();
    if (envelope > 0) {
      EXPECT_LT(outer, 1e-9);
    } else if (envelope == 0) {
      EXPECT_GT(outer, 1e-3);
    }
  }
}

// ρ, u, T meet the two boundary states exactly, whatever the networks say.
TEST(BgkFields, HardBoundaryValues) {
  for (const std::string initial : {"penalty", "hard"}) {
    BgkProblem problem(moving_settings(initial));
    const auto t = 0.1 * torch::rand({4, 1}, kF64);
    const auto eps = torch::full({4, 1}, 0.05, kF64);
    for (double side : {-0.5, 0.5}) {
      const auto f = problem.fields(t, torch::full({4, 1}, side, kF64), eps, false);
      const auto& state = side < 0 ? problem.settings().left : problem.settings().right;
      EXPECT_LT((f.rho - state.rho).abs().max().item<double>(), 1e-14) << initial;
      EXPECT_LT((f.u - state.u).abs().max().item<double>(), 1e-14) << initial;
      EXPECT_LT((f.T - state.T).abs().max().item<double>(), 1e-14) << initial;
    }
  }
}

// Hard initial values: at t = 0 the fields are the reference solver's initial state (to the
// 2e-9 boundary corrections) and f is its Maxwellian, so the ic_* losses vanish; later the
// networks move them.
TEST(BgkFields, HardInitialValues) {
  BgkProblem problem(moving_settings("hard"));
  const auto x = torch::linspace(-0.5, 0.5, 41, kF64).unsqueeze(1);
  const auto eps = torch::full({41, 1}, 0.05, kF64);
  const auto at_zero = problem.fields(torch::zeros_like(x), x, eps, false);
  const auto initial = problem.reference_settings(1.0);
  std::vector<double> rho, u, T;
  for (int i = 0; i < 41; ++i) {
    const auto state = hrgrad::reference::bgk_initial_state(initial, x[i][0].item<double>());
    rho.push_back(state.rho);
    u.push_back(state.u);
    T.push_back(state.T);
  }
  const auto rho0 = column(rho, kF64), u0 = column(u, kF64), T0 = column(T, kF64);
  EXPECT_LT((at_zero.rho - rho0).abs().max().item<double>(), 1e-8);
  EXPECT_LT((at_zero.u - u0).abs().max().item<double>(), 1e-8);
  EXPECT_LT((at_zero.T - T0).abs().max().item<double>(), 1e-8);
  EXPECT_LT((at_zero.f - problem.maxwellian(rho0, u0, T0)).abs().max().item<double>(), 1e-8);
  const auto later = problem.fields(torch::full_like(x, 0.05), x, eps, false);
  EXPECT_GT((later.rho - rho0).abs().max().item<double>(), 1e-4);
  EXPECT_GT((later.u - u0).abs().max().item<double>(), 1e-4);

  const auto loss = problem.task_loss(log_uniform_regimes(1e-3, 1.0, 3)[0], 0, {});
  for (int i = 7; i < 11; ++i) EXPECT_LT(loss.components[i].item<double>(), 1e-16) << i;
  EXPECT_GT(loss.components[0].item<double>(), 0.0);
}

// A global Maxwellian (constant ρ, u, T, f = M[ρ, u, T], initial data the same state) makes
// every residual vanish.
TEST(BgkLoss, GlobalMaxwellianMakesEveryResidualVanish) {
  auto s = small_settings();
  s.quadrature = 64;
  s.left = s.right = {1.2, 0.3, 0.9};
  BgkProblem problem(s);
  problem.set_fields([&](const torch::Tensor& t, const torch::Tensor&, const torch::Tensor&, bool) {
    BgkFields out;
    out.rho = torch::full_like(t, 1.2);
    out.u = torch::full_like(t, 0.3);
    out.T = torch::full_like(t, 0.9);
    out.rho_t = out.u_t = out.T_t = torch::zeros_like(t);
    out.f = problem.maxwellian(out.rho, out.u, out.T);
    out.f_t = out.f_x = torch::zeros_like(out.f);
    return out;
  });
  const auto regime = log_uniform_regimes(1e-3, 1.0, 3)[1];
  const auto loss = problem.task_loss(regime, 4, {});
  ASSERT_EQ(loss.components.size(), problem.component_names().size());
  for (std::size_t c = 0; c < loss.components.size(); ++c)
    EXPECT_LT(loss.components[c].item<double>(), 1e-20) << problem.component_names()[c];
  EXPECT_LT(loss.total.item<double>(), 1e-19);
}

// A non-solution with hand-computed residuals: f = α + γ x (the same at every velocity),
// ρ = 1 + a t, u = b t, T = 1 + c t. With ∫v² dv = 2000/3 on [-10, 10] and odd moments zero:
//   bgk = Kn γ v - (M[ρ, u, T](v) - f),  cons_rho = a,  cons_m = m_t + γ 2000/3,  cons_E = E_t,
//   moment_rho = ρ - 20 f,  moment_m = ρ u,  moment_E = E - f 1000/3,
// and at t = 0 (ρ, u, T = 1, 0, 1) the initial residuals against the tanh20 profile.
TEST(BgkLoss, NonSolutionGivesTheHandComputedResiduals) {
  const double alpha = 0.05, gamma = 0.003, a = 0.4, b = -0.6, c = 0.2;
  auto s = small_settings();
  s.weights = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  BgkProblem problem(s);
  problem.set_fields(
      [&](const torch::Tensor& t, const torch::Tensor& x, const torch::Tensor&, bool) {
        BgkFields out;
        out.rho = 1 + a * t;
        out.u = b * t;
        out.T = 1 + c * t;
        out.rho_t = torch::full_like(t, a);
        out.u_t = torch::full_like(t, b);
        out.T_t = torch::full_like(t, c);
        out.f = (alpha + gamma * x).expand({-1, 8});
        out.f_t = torch::zeros_like(out.f);
        out.f_x = torch::full_like(out.f, gamma);
        return out;
      });
  const auto regime = log_uniform_regimes(1e-3, 1.0, 3)[0];
  const auto points = problem.sample(regime, 2);
  const auto loss = problem.loss_at(points);

  const auto nodes = hrgrad::gauss_legendre(8, -10.0, 10.0).nodes;
  const auto t_in = to_doubles(points.t_in), x_in = to_doubles(points.x_in),
             kn = to_doubles(points.eps_in), x_ic = to_doubles(points.x_ic);
  std::vector<std::vector<double>> r(11);
  for (std::size_t i = 0; i < t_in.size(); ++i) {
    const double t = t_in[i], f = alpha + gamma * x_in[i];
    const double rho = 1 + a * t, u = b * t, T = 1 + c * t;
    for (double v : nodes) r[0].push_back(kn[i] * gamma * v - (maxwellian(rho, u, T, v) - f));
    const double m_t = a * u + rho * b;
    const double E_t = 0.5 * (a * (u * u + T) + rho * (2 * u * b + c));
    r[1].push_back(a);
    r[2].push_back(m_t + gamma * 2000.0 / 3);
    r[3].push_back(E_t);
    r[4].push_back(rho - 20 * f);
    r[5].push_back(rho * u);
    r[6].push_back(0.5 * rho * (u * u + T) - f * 1000.0 / 3);
  }
  for (double x : x_ic) {
    const double s0 = 0.5 * (std::tanh(20 * x) + 1);  // the tanh20 profile
    const double rho0 = 1.5 + (0.625 - 1.5) * s0, T0 = 1.5 + (0.75 - 1.5) * s0;
    r[7].push_back(1 - rho0);
    r[8].push_back(0.0);
    r[9].push_back(1 - T0);
    for (double v : nodes) r[10].push_back(alpha + gamma * x - maxwellian(rho0, 0.0, T0, v));
  }
  double total = 0;
  for (int k = 0; k < 11; ++k) {
    const double expected = mean_square(r[k]);
    EXPECT_NEAR(loss.components[k].item<double>(), expected, 1e-12 * std::max(expected, 1e-3))
        << problem.component_names()[k];
    total += s.weights[k] * expected;
  }
  EXPECT_NEAR(loss.total.item<double>(), total, 1e-12 * total);
}

TEST(BgkLoss, PartsAddUpToTheWholeRegime) {
  BgkProblem problem(small_settings());
  hrgrad::test::expect_parts_add_up(problem, log_uniform_regimes(1e-3, 1.0, 3)[1], 3, {2, 3, 6});
}

TEST(BgkLoss, SameRegimeAndStepGiveTheSameSamples) {
  BgkProblem a(small_settings()), b(small_settings());
  const auto regimes = log_uniform_regimes(1e-3, 1.0, 3);
  b.task_loss(regimes[2], 5, {});
  const auto la = a.task_loss(regimes[1], 5, {});
  const auto lb = b.task_loss(regimes[1], 5, {});
  EXPECT_EQ(la.total.item<double>(), lb.total.item<double>());
  EXPECT_NE(la.total.item<double>(), a.task_loss(regimes[1], 6, {}).total.item<double>());
  const auto points = a.sample(regimes[1], 5);
  EXPECT_GE(points.x_in.min().item<double>(), -0.5);
  EXPECT_LE(points.x_in.max().item<double>(), 0.5);
  EXPECT_GE(points.eps_in.min().item<double>(), regimes[1].eps_low * (1 - 1e-12));
  EXPECT_LE(points.eps_in.max().item<double>(), regimes[1].eps_high * (1 + 1e-12));
}

// ρ, m and E at t_final on the 100 cell centres of [-0.5, 0.5] against the kinetic reference.
TEST(BgkEvaluation, RhoMomentumAndEnergyAgainstTheReference) {
  BgkProblem problem(small_settings());
  const auto e = problem.evaluate(1.0);
  ASSERT_EQ(e.x.size(), 100u);
  EXPECT_DOUBLE_EQ(e.x[0], -0.495);
  ASSERT_EQ(e.fields.size(), 3u);
  const std::vector<std::string> names = {"rho", "m", "E"};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& field = e.fields[i];
    EXPECT_EQ(field.name, names[i]);
    ASSERT_EQ(field.reference.size(), 100u);
    EXPECT_NEAR(field.relative_l2,
                hrgrad::reference::relative_l2(field.prediction, field.reference), 1e-15);
    EXPECT_GT(field.relative_l2, 0.0);
  }
  EXPECT_NE(e.reference_name.find("IMEX kinetic"), std::string::npos);
  // The reference is the BGK solution: its mass stays near the initial (1.5 + 0.625)/2.
  double mass = 0;
  for (double r : e.fields[0].reference) mass += 0.01 * r;
  EXPECT_NEAR(mass, 0.5 * (1.5 + 0.625), 0.05);
}

}  // namespace
