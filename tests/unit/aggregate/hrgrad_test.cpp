// HRGrad against its definition (DESIGN.md §3) on hand-made cases, and against the explicit
// p-space implementation.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "explicit.hpp"
#include "hrgrad/aggregate/methods.hpp"
#include "test_util.hpp"

namespace hrgrad::aggregate {
namespace {

using test::gram_of;
using test::update_of;

Eigen::MatrixXd rows(std::initializer_list<std::initializer_list<double>> r) {
  Eigen::MatrixXd j(static_cast<Eigen::Index>(r.size()),
                    static_cast<Eigen::Index>(r.begin()->size()));
  Eigen::Index i = 0;
  for (const auto& row : r) {
    Eigen::Index k = 0;
    for (double v : row) j(i, k++) = v;
    ++i;
  }
  return j;
}

TEST(Hrgrad, SingleTaskIsThePlainGradient) {
  const Eigen::MatrixXd j = rows({{3.0, -4.0}});
  const Result r = hrgrad_aggregate(gram_of(j), {});
  ASSERT_EQ(r.weights.size(), 1);
  EXPECT_DOUBLE_EQ(r.weights(0), 1.0);
  EXPECT_FALSE(r.skip);
  EXPECT_TRUE(r.diagnostics.notes.empty());
  EXPECT_DOUBLE_EQ(r.diagnostics.update_norm, 5.0);
}

TEST(Hrgrad, TwoAlignedTasksUseTheHarmonicMeanLength) {
  // u_1 = u_2 = (1, 0), norms 1 and 2: h = 4/3, |s| = 2, so L = 8/3 along (1, 0).
  const Eigen::MatrixXd j = rows({{1.0, 0.0}, {2.0, 0.0}});
  HrgradGeometry geo;
  const Result r = hrgrad_aggregate(gram_of(j), {}, &geo);
  EXPECT_NEAR(r.weights(0), 4.0 / 3.0, 1e-15);
  EXPECT_NEAR(r.weights(1), 2.0 / 3.0, 1e-15);
  EXPECT_EQ(geo.rank, 1);
  EXPECT_NEAR(geo.harmonic_norm, 4.0 / 3.0, 1e-15);
  EXPECT_DOUBLE_EQ(geo.theta, 0.0);
}

TEST(Hrgrad, OrthogonalTasksGiveTheScaledBisector) {
  // u_1 = (1,0), u_2 = (0,1), norms 1 and 3: h = 3/2, update = h (u_1 + u_2) = (1.5, 1.5).
  const Eigen::MatrixXd j = rows({{1.0, 0.0}, {0.0, 3.0}});
  const Result r = hrgrad_aggregate(gram_of(j), {});
  const Eigen::VectorXd g = update_of(j, r.weights);
  EXPECT_NEAR(g(0), 1.5, 1e-14);
  EXPECT_NEAR(g(1), 1.5, 1e-14);
  EXPECT_NEAR(r.diagnostics.min_update_cosine, std::sqrt(0.5), 1e-14);
  EXPECT_DOUBLE_EQ(r.diagnostics.conflict, 0.0);
}

TEST(Hrgrad, OpposingTasksGiveAZeroUpdateWithANote) {
  const Eigen::MatrixXd j = rows({{1.0, 0.0}, {-2.0, 0.0}});
  const Result r = hrgrad_aggregate(gram_of(j), {});
  EXPECT_FALSE(r.skip);
  EXPECT_TRUE(r.weights.isZero(0.0));
  ASSERT_FALSE(r.diagnostics.notes.empty());
  EXPECT_NE(r.diagnostics.notes[0].find("sum to zero"), std::string::npos);
  EXPECT_DOUBLE_EQ(r.diagnostics.conflict, 1.0);
}

TEST(Hrgrad, RotatesOutOfConflictAndStopsAtTheEqualAngleDirection) {
  // s = u_1 + u_2 + u_3 conflicts with u_3; e serves all three equally.
  const Eigen::MatrixXd j = rows({{1.0, 0.0, 0.0}, {0.0, 2.0, 0.0}, {-0.8, -0.5, 0.33}});
  const Eigen::MatrixXd g = gram_of(j);
  const Eigen::VectorXd n = j.rowwise().norm();
  HrgradGeometry geo0, geo_half, geo1;
  const Result r0 = hrgrad_aggregate(g, {0.0, 1e-10}, &geo0);
  const Result r_half = hrgrad_aggregate(g, {0.5, 1e-10}, &geo_half);
  const Result r1 = hrgrad_aggregate(g, {1.0, 1e-10}, &geo1);
  // The mean direction conflicts: the first conflict-free angle is strictly inside (0, theta_e).
  EXPECT_GT(geo0.theta_0, 0.0);
  EXPECT_LT(geo0.theta_0, geo0.theta_e);
  EXPECT_DOUBLE_EQ(geo0.theta, geo0.theta_0);
  EXPECT_NEAR(geo_half.theta, 0.5 * (geo0.theta_0 + geo0.theta_e), 1e-15);
  EXPECT_NEAR(geo1.theta, geo1.theta_e, 1e-15);
  // rho = 0: the least rotation leaves exactly one task orthogonal, none in conflict.
  EXPECT_NEAR(r0.diagnostics.min_update_cosine, 0.0, 1e-14);
  EXPECT_GE(r0.diagnostics.min_update_cosine, -1e-15);
  // rho > 0: strictly positive for every task; rho = 1: equal cosines.
  EXPECT_GT(r_half.diagnostics.min_update_cosine, 1e-3);
  const Eigen::VectorXd proj1 = (g * r1.weights).cwiseQuotient(n);
  EXPECT_NEAR(proj1.maxCoeff() - proj1.minCoeff(), 0.0, 1e-14 * proj1.maxCoeff());
  // The step shrinks as the rotation grows (L = h |s| cos theta).
  EXPECT_GT(r0.diagnostics.update_norm, r_half.diagnostics.update_norm);
  EXPECT_GT(r_half.diagnostics.update_norm, r1.diagnostics.update_norm);
}

TEST(Hrgrad, AHugeTaskDoesNotSetTheStep) {
  // Same directions, one norm 1e4 times the others: the direction does not change and the
  // harmonic mean keeps the length near the small norms.
  const Eigen::MatrixXd small = rows({{1.0, 0.0, 0.0}, {0.0, 1.0, 0.0}, {-0.3, 0.2, 1.0}});
  Eigen::MatrixXd big = small;
  big.row(0) *= 1e4;
  const Eigen::VectorXd ga = update_of(small, hrgrad_aggregate(gram_of(small), {}).weights);
  const Eigen::VectorXd gb = update_of(big, hrgrad_aggregate(gram_of(big), {}).weights);
  EXPECT_NEAR(ga.normalized().dot(gb.normalized()), 1.0, 1e-14);
  const double h = 3.0 / (1e-4 + 1.0 / small.row(1).norm() + 1.0 / small.row(2).norm());
  const double h_small = 3.0 / small.rowwise().norm().cwiseInverse().sum();
  EXPECT_NEAR(gb.norm() / ga.norm(), h / h_small, 1e-12);
  EXPECT_LT(gb.norm(), 4.0);
}

TEST(Hrgrad, MatchesTheExplicitImplementation) {
  std::mt19937_64 rng(11);
  int checked = 0;
  int rotated = 0;  // cases where the mean conflicts, so the rotation search matters
  for (int trial = 0; trial < 300; ++trial) {
    const int m = 2 + trial % 6;
    const int p = m + trial % 7;
    const double spread = trial % 2 ? 1e4 : 10.0;
    const Eigen::MatrixXd j = test::random_jacobian(m, p, spread, rng, trial % 3 == 0);
    for (double rho : {0.0, 0.3, 1.0}) {
      HrgradGeometry geo;
      const Result r = hrgrad_aggregate(gram_of(j), {rho, 1e-10}, &geo);
      if (rho == 0.0 && geo.theta_0 > 0.0) ++rotated;
      const Eigen::VectorXd g = update_of(j, r.weights);
      const Eigen::VectorXd ref = test::explicit_hrgrad(j, rho, 1e-10);
      ASSERT_LT(test::relative_difference(g, ref), 1e-10)
          << "trial " << trial << " rho " << rho << "\n"
          << j;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 900);
  EXPECT_GT(rotated, 30);
}

}  // namespace
}  // namespace hrgrad::aggregate
