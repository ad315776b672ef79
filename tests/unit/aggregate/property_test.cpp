// Properties on 1000 random Jacobians per setting (m in {2, 3, 4, 8, 16}, norm spread 1 or 1e4,
// p >= m, half of them with a forced strong conflict): the conflict-free methods never conflict
// beyond rounding; ConFIG and HRGrad (rho = 1) give equal cosines; HRGrad with rho = 0 is the
// harmonized mean when no pair conflicts; ConFIG's and HRGrad's directions ignore the scale of a
// task's loss; HRGrad's step shrinks as conflict grows.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "hrgrad/aggregate/methods.hpp"
#include "test_util.hpp"

namespace hrgrad::aggregate {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr int kDraws = 1000;

struct Setting {
  int m;
  double spread;
};
const Setting kSettings[] = {{2, 1.0}, {2, 1e4}, {3, 1.0}, {3, 1e4},  {4, 1.0},
                             {4, 1e4}, {8, 1.0}, {8, 1e4}, {16, 1.0}, {16, 1e4}};

std::string describe(const Setting& s, int draw) {
  return "m " + std::to_string(s.m) + " spread " + std::to_string(s.spread) + " draw " +
         std::to_string(draw);
}

// Calls f(J, G) on kDraws Jacobians of the setting; p ranges over [m, 3m].
template <typename F>
void for_each_draw(const Setting& s, std::uint64_t seed, F&& f) {
  std::mt19937_64 rng(seed * 1000003u + static_cast<std::uint64_t>(s.m) * 31u +
                      (s.spread > 1.0 ? 7u : 0u));
  for (int draw = 0; draw < kDraws; ++draw) {
    const int p = s.m + draw % (2 * s.m + 1);
    const Eigen::MatrixXd j = test::random_jacobian(s.m, p, s.spread, rng, draw % 2 == 0);
    f(j, test::gram_of(j), draw);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// g.g_i >= -rounding for every task (exact conflict freedom up to the rounding of G w).
::testing::AssertionResult no_conflict(const Eigen::MatrixXd& g, const Eigen::VectorXd& w,
                                       const Eigen::VectorXd& slack = Eigen::VectorXd()) {
  const Eigen::VectorXd proj = g * w;
  Eigen::VectorXd bound = test::rounding_bound(g, w);
  if (slack.size() == bound.size()) bound += slack;
  for (Eigen::Index i = 0; i < proj.size(); ++i) {
    if (proj(i) < -bound(i)) {
      return ::testing::AssertionFailure()
             << "g.g_" << i << " = " << proj(i) << " below -" << bound(i);
    }
  }
  return ::testing::AssertionSuccess();
}

// Spread of the cosines cos(update, g_i) is within their rounding, eps * (sum |w_j| n_j)/|g|.
::testing::AssertionResult equal_cosines(const Eigen::MatrixXd& g, const Eigen::VectorXd& w) {
  const Eigen::VectorXd n = g.diagonal().cwiseSqrt();
  const Eigen::VectorXd cosines = (g * w).cwiseQuotient(n);
  const double norm = std::sqrt(w.dot(g * w));
  const double bound = 64.0 * static_cast<double>(g.rows()) * kEps * w.cwiseAbs().dot(n);
  const double spread = cosines.maxCoeff() - cosines.minCoeff();
  if (spread <= bound) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "projections spread " << spread / norm << " (relative) beyond " << bound / norm;
}

bool full_rank(const Result& r, int m) {
  for (const auto& note : r.diagnostics.notes)
    if (note.find("rank") != std::string::npos) return false;
  return static_cast<int>(r.weights.size()) == m;
}

TEST(Property, MgdaNeverConflicts) {
  for (const auto& s : kSettings) {
    for_each_draw(s, 1, [&](const Eigen::MatrixXd&, const Eigen::MatrixXd& g, int draw) {
      const Result r = mgda_aggregate(g, {});
      ASSERT_TRUE(no_conflict(g, r.weights)) << describe(s, draw);
      EXPECT_NEAR(r.weights.sum(), 1.0, 1e-12);
      EXPECT_GE(r.weights.minCoeff(), 0.0);
    });
  }
}

TEST(Property, NashMtlNeverConflicts) {
  for (const auto& s : kSettings) {
    for_each_draw(s, 2, [&](const Eigen::MatrixXd&, const Eigen::MatrixXd& g, int draw) {
      const Result r = nash_mtl_aggregate(g, {});
      ASSERT_GT(r.weights.minCoeff(), 0.0) << describe(s, draw);
      // The certificate is strict: g.g_i = (1 + r_i)/alpha_i > 0.
      ASSERT_GT((g * r.weights).minCoeff(), 0.0) << describe(s, draw);
    });
  }
}

TEST(Property, ConfigNeverConflictsAndGivesEqualCosines) {
  for (const auto& s : kSettings) {
    int full = 0;
    for_each_draw(s, 3, [&](const Eigen::MatrixXd&, const Eigen::MatrixXd& g, int draw) {
      const Result r = config_aggregate(g, {});
      if (!full_rank(r, s.m)) return;  // ConFIG's guarantee needs independent gradients
      ++full;
      ASSERT_TRUE(no_conflict(g, r.weights)) << describe(s, draw);
      ASSERT_TRUE(equal_cosines(g, r.weights)) << describe(s, draw);
    });
    EXPECT_GE(full, kDraws * 99 / 100) << "m " << s.m;
  }
}

TEST(Property, UpgradNeverConflicts) {
  UpgradOptions exact;
  exact.reg_eps = 0.0;
  for (const auto& s : kSettings) {
    for_each_draw(s, 4, [&](const Eigen::MatrixXd&, const Eigen::MatrixXd& g, int draw) {
      const Result r0 = upgrad_aggregate(g, exact);
      ASSERT_TRUE(no_conflict(g, r0.weights)) << "reg 0, " << describe(s, draw);
      // Default regulariser eps = 1e-12 min_i G_ii: the KKT conditions give exactly
      // (G w)_j >= -eps w_j, nothing worse.
      const Result r = upgrad_aggregate(g, {});
      const double eps = 1e-12 * g.diagonal().minCoeff();
      ASSERT_TRUE(no_conflict(g, r.weights, eps * r.weights.cwiseAbs()))
          << "default reg, " << describe(s, draw);
    });
  }
}

TEST(Property, HrgradNeverConflictsForAnyRho) {
  for (const auto& s : kSettings) {
    int equal = 0;
    for_each_draw(s, 5, [&](const Eigen::MatrixXd&, const Eigen::MatrixXd& g, int draw) {
      for (double rho : {0.0, 0.25, 1.0}) {
        HrgradGeometry geo;
        const Result r = hrgrad_aggregate(g, {rho, 1e-10}, &geo);
        ASSERT_TRUE(geo.conflict_free) << describe(s, draw);
        ASSERT_TRUE(no_conflict(g, r.weights)) << "rho " << rho << ", " << describe(s, draw);
        if (rho > 0.0) {
          ASSERT_GT(r.diagnostics.min_update_cosine, 0.0) << describe(s, draw);
        }
        if (rho == 1.0 && geo.rank == s.m) {
          ++equal;
          ASSERT_TRUE(equal_cosines(g, r.weights)) << describe(s, draw);
        }
      }
    });
    EXPECT_GE(equal, kDraws * 99 / 100) << "m " << s.m;
  }
}

TEST(Property, HrgradRhoZeroIsTheHarmonizedMeanWithoutPairConflicts) {
  std::mt19937_64 rng(6);
  for (const auto& s : kSettings) {
    for (int draw = 0; draw < kDraws; ++draw) {
      // Positive entries: every pairwise cosine is positive.
      Eigen::MatrixXd j = test::random_jacobian(s.m, s.m + draw % 5, s.spread, rng).cwiseAbs();
      const Eigen::MatrixXd g = test::gram_of(j);
      const Eigen::VectorXd n = g.diagonal().cwiseSqrt();
      const double h = s.m / n.cwiseInverse().sum();
      const Result r = hrgrad_aggregate(g, {0.0, 1e-10});
      const Eigen::VectorXd want = h * n.cwiseInverse();  // update = h sum_i u_i
      ASSERT_LT(test::relative_difference(r.weights, want), 1e-13) << describe(s, draw);
    }
  }
}

TEST(Property, HrgradRhoZeroRotatesOnlyWhenTheMeanConflicts) {
  for (const auto& s : kSettings) {
    int rotated = 0;
    for_each_draw(s, 7, [&](const Eigen::MatrixXd&, const Eigen::MatrixXd& g, int draw) {
      const Eigen::VectorXd n = g.diagonal().cwiseSqrt();
      const Eigen::VectorXd mean_proj = g * n.cwiseInverse();  // g_i . sum_j u_j
      HrgradGeometry geo;
      const Result r = hrgrad_aggregate(g, {0.0, 1e-10}, &geo);
      if (mean_proj.minCoeff() >= 0.0) {
        ASSERT_EQ(geo.theta, 0.0) << describe(s, draw);
      } else {
        ++rotated;
        ASSERT_GT(geo.theta, 0.0) << describe(s, draw);
        // Least rotation: one task is left exactly orthogonal.
        ASSERT_LT(std::abs(r.diagnostics.min_update_cosine), 1e-9) << describe(s, draw);
      }
    });
    if (s.m > 2) {
      EXPECT_GT(rotated, 0) << "m " << s.m;
    }
  }
}

TEST(Property, DirectionIgnoresTheScaleOfATaskLoss) {
  for (const auto& s : kSettings) {
    int mean_moved = 0;
    for_each_draw(s, 8, [&](const Eigen::MatrixXd& j, const Eigen::MatrixXd& g, int draw) {
      Eigen::MatrixXd scaled = j;
      const double factor = draw % 2 ? 1e3 : 1e-3;
      scaled.row(draw % s.m) *= factor;
      const Eigen::MatrixXd gs = test::gram_of(scaled);
      auto direction = [](const Eigen::MatrixXd& jj, const Eigen::VectorXd& w) {
        return test::update_of(jj, w).normalized();
      };
      const Eigen::VectorXd c1 = direction(j, config_aggregate(g, {}).weights);
      const Eigen::VectorXd c2 = direction(scaled, config_aggregate(gs, {}).weights);
      ASSERT_GT(c1.dot(c2), 1.0 - 1e-9) << "config, " << describe(s, draw);
      for (double rho : {0.0, 1.0}) {
        const Eigen::VectorXd h1 = direction(j, hrgrad_aggregate(g, {rho, 1e-10}).weights);
        const Eigen::VectorXd h2 = direction(scaled, hrgrad_aggregate(gs, {rho, 1e-10}).weights);
        ASSERT_GT(h1.dot(h2), 1.0 - 1e-9) << "hrgrad rho " << rho << ", " << describe(s, draw);
      }
      // The mean is scale-dependent: the check above can fail.
      const Eigen::VectorXd m1 = direction(j, mean_aggregate(g).weights);
      const Eigen::VectorXd m2 = direction(scaled, mean_aggregate(gs).weights);
      if (m1.dot(m2) < 0.99) ++mean_moved;
    });
    EXPECT_GT(mean_moved, kDraws / 2) << "m " << s.m;
  }
}

TEST(Property, HrgradStepIsHarmonicNormTimesTotalAlignment) {
  // |update| = h sum_i cos(update, g_i): less alignment (more conflict) means a shorter step.
  for (const auto& s : kSettings) {
    for_each_draw(s, 9, [&](const Eigen::MatrixXd&, const Eigen::MatrixXd& g, int draw) {
      HrgradGeometry geo;
      const Result r = hrgrad_aggregate(g, {}, &geo);
      const double total = r.diagnostics.update_cosines.sum();
      ASSERT_NEAR(r.diagnostics.update_norm, geo.harmonic_norm * total,
                  1e-10 * geo.harmonic_norm * s.m)
          << describe(s, draw);
    });
  }
}

TEST(Property, HrgradStepShrinksAsConflictGrows) {
  // Equal pairwise cosine c: the step h sqrt(m (1 + (m - 1) c)) falls strictly as c falls.
  for (int m : {2, 3, 4, 8, 16}) {
    double last = std::numeric_limits<double>::infinity();
    const double c_min = -1.0 / (m - 1);
    for (int k = 0; k <= 40; ++k) {
      const double c = 0.95 - k * (0.95 - c_min) / 40.0 * 0.999;
      Eigen::MatrixXd cos = Eigen::MatrixXd::Constant(m, m, c);
      cos.diagonal().setOnes();
      Eigen::VectorXd n(m);
      for (int i = 0; i < m; ++i) n(i) = std::pow(10.0, i % 5);
      const Eigen::MatrixXd g = n.asDiagonal() * cos * n.asDiagonal();
      for (double rho : {0.0, 1.0}) {
        const Result r = hrgrad_aggregate(g, {rho, 1e-10});
        const double h = m / n.cwiseInverse().sum();
        EXPECT_NEAR(r.diagnostics.update_norm, h * std::sqrt(m * (1 + (m - 1) * c)), 1e-12 * h * m);
      }
      const double now = hrgrad_aggregate(g, {}).diagnostics.update_norm;
      EXPECT_LT(now, last) << "m " << m << " c " << c;
      last = now;
    }
  }
  // Two tasks with fixed norms at a growing angle phi: the step 2 h cos(phi/2) falls strictly.
  {
    double last = std::numeric_limits<double>::infinity();
    for (int k = 0; k < 60; ++k) {
      const double phi = k * M_PI / 60.0;
      Eigen::MatrixXd j(2, 2);
      j << 3.0, 0.0, 1e-3 * std::cos(phi), 1e-3 * std::sin(phi);
      const Result r = hrgrad_aggregate(test::gram_of(j), {});
      const double h = 2.0 / (1.0 / 3.0 + 1e3);
      EXPECT_NEAR(r.diagnostics.update_norm, 2.0 * h * std::cos(phi / 2), 1e-15);
      EXPECT_LT(r.diagnostics.update_norm, last);
      last = r.diagnostics.update_norm;
    }
  }
  // Random directions pulled apart from a shared one, u_i(t) ∝ b + t (v_i - b), norms fixed:
  // the step is h |s| cos(theta*) with h |s| = h sqrt(m (1 + (m - 1) c)), c the mean pairwise
  // cosine, so it is bounded by a strictly decreasing function of the conflict and the
  // rotation only shortens it further.
  std::mt19937_64 rng(10);
  std::normal_distribution<double> normal;
  int unrotated = 0;
  for (int draw = 0; draw < 300; ++draw) {
    const int m = 2 + draw % 7;
    const int p = m + 3;
    const Eigen::MatrixXd v = test::random_jacobian(m, p, 1.0, rng);
    Eigen::VectorXd b(p);
    for (int k = 0; k < p; ++k) b(k) = normal(rng);
    b.normalize();
    const Eigen::MatrixXd base = test::random_jacobian(m, p, 1e4, rng);
    const Eigen::VectorXd n = base.rowwise().norm();
    const double h = m / n.cwiseInverse().sum();
    for (int k = 0; k <= 20; ++k) {
      const double t = k / 20.0;
      Eigen::MatrixXd j(m, p);
      for (int i = 0; i < m; ++i)
        j.row(i) = n(i) * (b + t * (v.row(i).transpose() - b)).normalized().transpose();
      const Eigen::MatrixXd g = test::gram_of(j);
      for (double rho : {0.0, 1.0}) {
        HrgradGeometry geo;
        const Result r = hrgrad_aggregate(g, {rho, 1e-10}, &geo);
        const double mean_cos = (r.diagnostics.cosines.sum() - m) / (m * (m - 1));
        const double envelope = h * std::sqrt(m * (1 + (m - 1) * mean_cos));
        ASSERT_NEAR(r.diagnostics.update_norm, envelope * std::cos(geo.theta), 1e-12 * envelope)
            << draw;
        if (geo.theta == 0.0) ++unrotated;
      }
    }
  }
  EXPECT_GT(unrotated, 300);
}

}  // namespace
}  // namespace hrgrad::aggregate
