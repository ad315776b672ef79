// Degenerate inputs for every method, through the registry: each gives a defined, finite result
// with a note where it departs from the plain rule, never a crash or a silent NaN.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "explicit.hpp"
#include "hrgrad/aggregate/aggregator.hpp"
#include "hrgrad/aggregate/methods.hpp"
#include "hrgrad/core/error.hpp"
#include "test_util.hpp"

namespace hrgrad::aggregate {
namespace {

bool has_note(const Result& r, const std::string& text) {
  for (const auto& n : r.diagnostics.notes)
    if (n.find(text) != std::string::npos) return true;
  return false;
}

void expect_finite(const Result& r, const std::string& name) {
  EXPECT_TRUE(r.weights.allFinite()) << name;
  EXPECT_TRUE(r.diagnostics.cosines.allFinite()) << name;
  EXPECT_TRUE(r.diagnostics.update_cosines.allFinite()) << name;
  EXPECT_TRUE(std::isfinite(r.diagnostics.min_update_cosine)) << name;
  EXPECT_TRUE(std::isfinite(r.diagnostics.update_norm)) << name;
  EXPECT_TRUE(std::isfinite(r.diagnostics.conflict)) << name;
}

Result run(const std::string& name, const Eigen::MatrixXd& g) {
  return make_aggregator(name, {}, 1)->aggregate(g);
}

// The methods that guarantee g.g_i >= 0 in exact arithmetic (given a solution exists).
bool conflict_free_method(const std::string& name) {
  return name == "mgda" || name == "nash-mtl" || name == "upgrad" || name == "hrgrad";
}

TEST(Degenerate, SingleTaskGivesAPositiveMultipleOfItsGradient) {
  Eigen::MatrixXd g(1, 1);
  g << 4.0;
  for (const auto& name : aggregator_names()) {
    const Result r = run(name, g);
    expect_finite(r, name);
    ASSERT_EQ(r.weights.size(), 1) << name;
    EXPECT_FALSE(r.skip) << name;
    EXPECT_GT(r.weights(0), 0.0) << name;
    EXPECT_DOUBLE_EQ(r.diagnostics.min_update_cosine, 1.0) << name;
    // Everything but CAGrad (1 + c)/(1 + c^2) and Nash-MTL (1/sqrt of the normalised G) gives
    // the gradient itself.
    if (name == "cagrad") {
      EXPECT_NEAR(r.weights(0), 1.5 / 1.25, 1e-15);
    } else {
      EXPECT_NEAR(r.weights(0), 1.0, 1e-12) << name;
    }
  }
}

TEST(Degenerate, EmptyGramGivesEmptyWeights) {
  for (const auto& name : aggregator_names()) {
    const Result r = run(name, Eigen::MatrixXd(0, 0));
    EXPECT_EQ(r.weights.size(), 0) << name;
    EXPECT_FALSE(r.skip) << name;
  }
}

TEST(Degenerate, NonFiniteGramSkipsTheStep) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double bad : {nan, inf, -inf}) {
    Eigen::MatrixXd g = Eigen::MatrixXd::Identity(3, 3);
    g(0, 1) = g(1, 0) = bad;
    for (const auto& name : aggregator_names()) {
      const Result r = run(name, g);
      EXPECT_TRUE(r.skip) << name;
      EXPECT_TRUE(r.weights.isZero(0.0)) << name;
      EXPECT_TRUE(has_note(r, "not finite")) << name;
      expect_finite(r, name);
    }
  }
}

TEST(Degenerate, NegativeDiagonalSkipsTheStep) {
  Eigen::MatrixXd g = Eigen::MatrixXd::Identity(2, 2);
  g(1, 1) = -1.0;
  for (const auto& name : aggregator_names()) {
    const Result r = run(name, g);
    EXPECT_TRUE(r.skip) << name;
    EXPECT_TRUE(has_note(r, "negative diagonal")) << name;
  }
}

TEST(Degenerate, NonSquareGramThrows) {
  for (const auto& name : aggregator_names())
    EXPECT_THROW(run(name, Eigen::MatrixXd::Zero(2, 3)), Error) << name;
}

TEST(Degenerate, AllZeroGram) {
  for (const auto& name : aggregator_names()) {
    const Result r = run(name, Eigen::MatrixXd::Zero(3, 3));
    expect_finite(r, name);
    EXPECT_FALSE(r.skip) << name;
    EXPECT_EQ(r.diagnostics.update_norm, 0.0) << name;
  }
}

TEST(Degenerate, ZeroGradientIsDroppedOrHarmless) {
  std::mt19937_64 rng(21);
  Eigen::MatrixXd j = test::random_jacobian(4, 6, 100.0, rng, true);
  j.row(2).setZero();
  const Eigen::MatrixXd g = test::gram_of(j);
  Eigen::MatrixXd j3(3, 6);
  j3 << j.row(0), j.row(1), j.row(3);
  const Eigen::MatrixXd g3 = test::gram_of(j3);
  for (const auto& name : aggregator_names()) {
    const Result r = run(name, g);
    expect_finite(r, name);
    EXPECT_FALSE(r.skip) << name;
    if (name == "mgda") {
      // Zero is in the hull: MGDA's answer is the zero update (Pareto-stationary).
      EXPECT_EQ(r.diagnostics.update_norm, 0.0);
      EXPECT_TRUE(has_note(r, "Pareto-stationary"));
      continue;
    }
    if (name == "hrgrad" || name == "config" || name == "imtl-g" || name == "nash-mtl") {
      // Dropped: weight 0, a note, and the same update as without the task.
      EXPECT_EQ(r.weights(2), 0.0) << name;
      EXPECT_TRUE(has_note(r, "task 2 has a zero gradient; dropped")) << name;
      const Result reduced = run(name, g3);
      const Eigen::VectorXd a = test::update_of(j, r.weights);
      const Eigen::VectorXd b = test::update_of(j3, reduced.weights);
      EXPECT_LT(test::relative_difference(a, b), 1e-12) << name;
    }
    if (conflict_free_method(name)) {
      EXPECT_GE(r.diagnostics.min_update_cosine, -1e-12) << name;
    }
  }
}

TEST(Degenerate, DuplicatedGradients) {
  std::mt19937_64 rng(22);
  Eigen::MatrixXd j = test::random_jacobian(4, 6, 100.0, rng, true);
  j.row(3) = j.row(1);
  const Eigen::MatrixXd g = test::gram_of(j);
  for (const auto& name : aggregator_names()) {
    const Result r = run(name, g);
    expect_finite(r, name);
    EXPECT_FALSE(r.skip) << name;
    if (conflict_free_method(name) || name == "config") {
      EXPECT_GE(r.diagnostics.min_update_cosine, -1e-12) << name;
    }
  }
  // Duplicates keep the equal-angle system solvable: HRGrad's equal-angle rule (rho = 1) and
  // ConFIG still serve every task at the same rate, and say the cosine matrix is singular.
  for (const std::string name : {"hrgrad", "config"}) {
    const Parameters equal_angle = name == "hrgrad" ? Parameters{{"rho", "1"}} : Parameters{};
    const Result r = make_aggregator(name, equal_angle, 1)->aggregate(g);
    const Eigen::VectorXd c = r.diagnostics.update_cosines;
    EXPECT_NEAR(c.maxCoeff() - c.minCoeff(), 0.0, 1e-12) << name;
    EXPECT_TRUE(has_note(r, "rank 3 < 4")) << name;
    EXPECT_FALSE(has_note(r, "not attainable")) << name;
  }
}

TEST(Degenerate, MoreTasksThanParameters) {
  // m = 6 > p = 3: G has rank 3. Defined results everywhere; the exact conflict-free methods keep
  // their guarantee when a conflict-free direction exists, HRGrad says when it does not.
  std::mt19937_64 rng(23);
  int hrgrad_free = 0, hrgrad_fallback = 0, config_conflicts = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const Eigen::MatrixXd j = test::random_jacobian(6, 3, 100.0, rng, trial % 2 == 0);
    const Eigen::MatrixXd g = test::gram_of(j);
    for (const auto& name : aggregator_names()) {
      const Result r = run(name, g);
      expect_finite(r, name);
      ASSERT_FALSE(r.skip) << name;
      if (name == "mgda" && !has_note(r, "Pareto-stationary")) {
        EXPECT_TRUE((g * r.weights).minCoeff() >= -test::rounding_bound(g, r.weights).maxCoeff())
            << name << " trial " << trial;
      }
      if (name == "upgrad") {
        // Default regulariser: (G w)_j >= -eps w_j exactly (eps = 1e-12 min_i G_ii).
        const Eigen::VectorXd slack = 1e-12 * g.diagonal().minCoeff() * r.weights.cwiseAbs();
        EXPECT_TRUE(
            ((g * r.weights).array() >= -(test::rounding_bound(g, r.weights) + slack).array())
                .all())
            << trial;
        UpgradOptions exact;
        exact.reg_eps = 0.0;
        const Result r0 = upgrad_aggregate(g, exact);
        EXPECT_TRUE(
            ((g * r0.weights).array() >= -test::rounding_bound(g, r0.weights).array()).all())
            << trial;
      }
      if (name == "mgda" && has_note(r, "Pareto-stationary")) {
        // Zero is in the hull (common with m > p): the answer is the zero update, as far as G
        // resolves it (|g|^2 = w^T G w is known to about m eps max |g_i|^2).
        const double resolution = std::sqrt(64.0 * 6 * std::numeric_limits<double>::epsilon());
        EXPECT_LT(test::update_of(j, r.weights).norm(), resolution * j.rowwise().norm().maxCoeff())
            << trial;
      }
      if (name == "nash-mtl" && r.diagnostics.update_norm > 0.0) {
        EXPECT_GT((g * r.weights).minCoeff(), 0.0) << trial;
      }
      if (name == "hrgrad") {
        HrgradGeometry geo;
        const Result h = hrgrad_aggregate(g, {}, &geo);
        EXPECT_TRUE(has_note(h, "rank 3 < 6")) << trial;
        if (geo.conflict_free) {
          ++hrgrad_free;
          EXPECT_GE(h.diagnostics.min_update_cosine, -1e-12) << trial;
        } else {
          ++hrgrad_fallback;
          EXPECT_TRUE(has_note(h, "no angle between s and e removes every conflict")) << trial;
          // The angle of least conflict: no angle on the path does better.
          double theta_e = 0.0;
          const double chosen = test::explicit_hrgrad_worst(j, geo.theta, 1e-10, &theta_e);
          EXPECT_NEAR(theta_e, geo.theta_e, 1e-9) << trial;
          for (int k = 0; k <= 1000; ++k) {
            const double t = theta_e * k / 1000.0;
            EXPECT_LE(test::explicit_hrgrad_worst(j, t, 1e-10), chosen + 1e-12) << trial;
          }
          EXPECT_LT(chosen, 0.0) << trial;
        }
      }
      if (name == "config" && r.diagnostics.min_update_cosine < -1e-9) ++config_conflicts;
    }
  }
  EXPECT_GT(hrgrad_free, 0);
  EXPECT_GT(hrgrad_fallback, 0);
  EXPECT_GT(config_conflicts, 0);  // ConFIG's known failure for m > p (aggregators.md 3.8)
}

TEST(Degenerate, OpposingTasks) {
  Eigen::MatrixXd j(2, 2);
  j << 1.0, 0.0, -3.0, 0.0;
  const Eigen::MatrixXd g = test::gram_of(j);
  for (const auto& name : aggregator_names()) {
    const Result r = run(name, g);
    expect_finite(r, name);
    EXPECT_FALSE(r.skip) << name;
    if (name == "hrgrad" || name == "config" || name == "imtl-g" || name == "nash-mtl" ||
        name == "mgda" || name == "pcgrad") {
      EXPECT_NEAR(r.diagnostics.update_norm, 0.0, 1e-15) << name;
    }
    if (name == "upgrad") {
      // The regulariser eps = 1e-12 min G_ii leaves a residue of order sqrt(eps); without it
      // the projection onto the cone {x1 = 0} is exactly zero.
      EXPECT_LT(r.diagnostics.update_norm, 1e-6);
      UpgradOptions exact;
      exact.reg_eps = 0.0;
      EXPECT_EQ(upgrad_aggregate(g, exact).diagnostics.update_norm, 0.0);
    }
  }
}

}  // namespace
}  // namespace hrgrad::aggregate
