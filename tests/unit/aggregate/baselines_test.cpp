// Each baseline against its definition on hand-made two-task cases (aligned, orthogonal,
// opposing, partly conflicting) and a task with a norm 1e4 times the other's. Expected values are
// worked out by hand in the comments.
#include <gtest/gtest.h>

#include <cmath>

#include <random>
#include "hrgrad/aggregate/methods.hpp"
#include "test_util.hpp"

namespace hrgrad::aggregate {
namespace {

using test::gram_of;

Eigen::MatrixXd two(double a0, double a1, double b0, double b1) {
  Eigen::MatrixXd j(2, 2);
  j << a0, a1, b0, b1;
  return j;
}
const Eigen::MatrixXd kAligned = two(1, 0, 2, 0);
const Eigen::MatrixXd kOrthogonal = two(1, 0, 0, 3);
const Eigen::MatrixXd kOpposing = two(1, 0, -2, 0);
const Eigen::MatrixXd kConflict = two(1, 0, -1, 1);
const Eigen::MatrixXd kHuge = two(1e4, 0, 0, 1);

Eigen::VectorXd update(const Eigen::MatrixXd& j, const Result& r) {
  return test::update_of(j, r.weights);
}

void expect_vec(const Eigen::VectorXd& got, std::initializer_list<double> want, double tol) {
  ASSERT_EQ(got.size(), static_cast<Eigen::Index>(want.size()));
  Eigen::Index i = 0;
  for (double v : want) {
    EXPECT_NEAR(got(i), v, tol) << "component " << i << " of " << got.transpose();
    ++i;
  }
}

bool has_note(const Result& r, const std::string& text) {
  for (const auto& n : r.diagnostics.notes)
    if (n.find(text) != std::string::npos) return true;
  return false;
}

TEST(Sum, AddsTheGradients) {
  expect_vec(update(kAligned, sum_aggregate(gram_of(kAligned))), {3, 0}, 0);
  expect_vec(update(kOpposing, sum_aggregate(gram_of(kOpposing))), {-1, 0}, 0);
  EXPECT_DOUBLE_EQ(sum_aggregate(gram_of(kOpposing)).diagnostics.min_update_cosine, -1.0);
}

TEST(Mean, AveragesTheGradients) {
  expect_vec(update(kOrthogonal, mean_aggregate(gram_of(kOrthogonal))), {0.5, 1.5}, 0);
  expect_vec(update(kHuge, mean_aggregate(gram_of(kHuge))), {5e3, 0.5}, 0);
}

TEST(Pcgrad, ProjectsConflictingPairsOnly) {
  const std::vector<std::vector<int>> order{{0, 1}, {1, 0}};
  // No conflict: the sum.
  expect_vec(update(kOrthogonal, pcgrad_aggregate(gram_of(kOrthogonal), order)), {1, 3}, 1e-15);
  // g1 - (-1/2) g2 = (0.5, 0.5); g2 - (-1) g1 = (0, 1).
  expect_vec(update(kConflict, pcgrad_aggregate(gram_of(kConflict), order)), {0.5, 1.5}, 1e-15);
  // Opposing: both projections vanish.
  expect_vec(update(kOpposing, pcgrad_aggregate(gram_of(kOpposing), order)), {0, 0}, 1e-15);
}

TEST(Pcgrad, OrderMattersForThreeTasks) {
  Eigen::MatrixXd j(3, 2);
  j << 1, 0, -1, 1, -1, -1.5;
  const Eigen::MatrixXd g = gram_of(j);
  const Result a = pcgrad_aggregate(g, {{1, 2}, {0, 2}, {0, 1}});
  const Result b = pcgrad_aggregate(g, {{2, 1}, {2, 0}, {1, 0}});
  EXPECT_GT((a.weights - b.weights).norm(), 1e-3);
}

TEST(Pcgrad, SeededAggregatorIsReproducible) {
  auto a = make_aggregator("pcgrad", {}, 99);
  auto b = make_aggregator("pcgrad", {}, 99);
  auto c = make_aggregator("pcgrad", {}, 100);
  std::mt19937_64 rng(5);
  bool differs = false;
  for (int step = 0; step < 20; ++step) {
    const Eigen::MatrixXd g = gram_of(test::random_jacobian(6, 8, 10.0, rng, true));
    const Eigen::VectorXd wa = a->aggregate(g).weights;
    EXPECT_EQ(wa, b->aggregate(g).weights);  // bitwise: every rank computes the same weights
    differs = differs || (wa - c->aggregate(g).weights).norm() > 1e-12;
  }
  EXPECT_TRUE(differs);
}

TEST(Mgda, TwoTasksClosedForm) {
  // Segment (1,0)-(0,3): gamma = 9/10, min-norm point (0.9, 0.3).
  expect_vec(update(kOrthogonal, mgda_aggregate(gram_of(kOrthogonal), {})), {0.9, 0.3}, 1e-15);
  // Aligned: the shorter gradient.
  expect_vec(update(kAligned, mgda_aggregate(gram_of(kAligned), {})), {1, 0}, 1e-15);
  // Opposing: zero is in the hull.
  const Result r = mgda_aggregate(gram_of(kOpposing), {});
  expect_vec(update(kOpposing, r), {0, 0}, 1e-15);
  EXPECT_TRUE(has_note(r, "Pareto-stationary"));
  // The small task dominates: gamma = 1/(1e8 + 1).
  expect_vec(update(kHuge, mgda_aggregate(gram_of(kHuge), {})), {1e4 / (1e8 + 1), 1e8 / (1e8 + 1)},
             1e-15);
}

TEST(Mgda, ThreeTasksFrankWolfeFindsTheMinNormPoint) {
  // Hull of (2,0), (0,2), (3,3): min-norm point (1,1) on the first edge.
  Eigen::MatrixXd j(3, 2);
  j << 2, 0, 0, 2, 3, 3;
  int iterations = 0;
  const Result r = mgda_aggregate(gram_of(j), {}, &iterations);
  expect_vec(update(j, r), {1, 1}, 1e-14);
  EXPECT_NEAR(r.weights(2), 0.0, 1e-15);
  EXPECT_GT(iterations, 0);
}

TEST(Cagrad, SymmetricCaseMovesAlongTheMean) {
  // g = (1,0), (0,1): d = g0 (1 + c) = (0.75, 0.75), rescale 1 divides by 1.25.
  const Eigen::MatrixXd j = two(1, 0, 0, 1);
  expect_vec(update(j, cagrad_aggregate(gram_of(j), {})), {0.6, 0.6}, 1e-9);
  CagradOptions none;
  none.rescale = 0;
  expect_vec(update(j, cagrad_aggregate(gram_of(j), none)), {0.75, 0.75}, 1e-9);
  CagradOptions two_opt;
  two_opt.rescale = 2;
  expect_vec(update(j, cagrad_aggregate(gram_of(j), two_opt)), {0.5, 0.5}, 1e-9);
}

TEST(Cagrad, OpposingUnequalTasks) {
  // g0 = (-0.5, 0), k = 0.25; F(w1) decreases on [0,1], so w = (1,0) and d = (-0.25, 0).
  expect_vec(update(kOpposing, cagrad_aggregate(gram_of(kOpposing), {})), {-0.2, 0}, 1e-12);
}

TEST(Cagrad, ZeroRadiusIsTheMean) {
  CagradOptions o;
  o.c = 0.0;
  expect_vec(update(kConflict, cagrad_aggregate(gram_of(kConflict), o)), {0, 0.5}, 0);
}

TEST(Imtlg, EqualProjections) {
  // Orthogonal: w = (3/4, 1/4), update (3/4, 3/4).
  expect_vec(update(kOrthogonal, imtlg_aggregate(gram_of(kOrthogonal), {})), {0.75, 0.75}, 1e-15);
  // Aligned (rank 1): w = (2/3, 1/3), update (4/3, 0).
  expect_vec(update(kAligned, imtlg_aggregate(gram_of(kAligned), {})), {4.0 / 3, 0}, 1e-15);
  // The huge task gets weight 1e-4 / 1.0001: equal projections 1/1.0001 on both.
  expect_vec(update(kHuge, imtlg_aggregate(gram_of(kHuge), {})), {1 / 1.0001, 1 / 1.0001}, 1e-12);
  const Result r = imtlg_aggregate(gram_of(kOpposing), {});
  EXPECT_TRUE(r.weights.isZero(0.0));
  EXPECT_TRUE(has_note(r, "sum to zero"));
}

TEST(Imtlg, NegativeSumIsReported) {
  // 1^T C^-1 1 > 0, but the weights D^-1 C^-1 1 can sum to a negative number under norm
  // spread; the equal projections are then all negative (aggregators.md 3.6). Find such cases.
  std::mt19937_64 rng(17);
  int negative = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const Eigen::MatrixXd j = test::random_jacobian(2 + trial % 5, 8, 1e4, rng, true);
    const Eigen::MatrixXd g = gram_of(j);
    const Result r = imtlg_aggregate(g, {});
    const Eigen::VectorXd proj = (g * r.weights).cwiseQuotient(g.diagonal().cwiseSqrt());
    ASSERT_NEAR(proj.maxCoeff() - proj.minCoeff(), 0.0, 1e-8 * proj.cwiseAbs().maxCoeff());
    if (has_note(r, "negative")) {
      ++negative;
      EXPECT_LT(proj.maxCoeff(), 0.0) << trial;
    } else {
      EXPECT_GT(proj.minCoeff(), 0.0) << trial;
    }
  }
  EXPECT_GT(negative, 0);
}

TEST(Config, ProjectionLengthAlongTheEqualAngleDirection) {
  // Orthogonal: direction (1,1)/sqrt2, length (1 + 3)/sqrt2: update (2, 2).
  expect_vec(update(kOrthogonal, config_aggregate(gram_of(kOrthogonal), {})), {2, 2}, 1e-14);
  expect_vec(update(kAligned, config_aggregate(gram_of(kAligned), {})), {3, 0}, 1e-14);
  // Huge task: same direction, length (1e4 + 1)/sqrt2.
  expect_vec(update(kHuge, config_aggregate(gram_of(kHuge), {})), {5000.5, 5000.5}, 1e-9);
  const Result r = config_aggregate(gram_of(kOpposing), {});
  EXPECT_TRUE(r.weights.isZero(0.0));
}

TEST(AlignedMtl, ScaleModes) {
  // G = diag(1, 9): B = sqrt(scale) diag(1, 1/3), w = B 1/2, update sqrt(scale) (1/2, 1/2).
  AlignedMtlOptions o;
  expect_vec(update(kOrthogonal, aligned_mtl_aggregate(gram_of(kOrthogonal), o)), {0.5, 0.5},
             1e-15);
  o.scale = AlignedScale::kMedian;  // lower median of {1, 9}
  expect_vec(update(kOrthogonal, aligned_mtl_aggregate(gram_of(kOrthogonal), o)), {0.5, 0.5},
             1e-15);
  o.scale = AlignedScale::kRmse;  // mean eigenvalue 5
  const double s = std::sqrt(5.0) / 2;
  expect_vec(update(kOrthogonal, aligned_mtl_aggregate(gram_of(kOrthogonal), o)), {s, s}, 1e-14);
  // Rank 1: B = v v^T with v = (1,2)/sqrt5, w = (0.3, 0.6), update (1.5, 0).
  const Result r = aligned_mtl_aggregate(gram_of(kAligned), {});
  expect_vec(r.weights, {0.3, 0.6}, 1e-15);
  EXPECT_TRUE(has_note(r, "rank 1"));
}

TEST(AlignedMtl, MedianOfThreeEigenvalues) {
  Eigen::MatrixXd j = Eigen::MatrixXd::Zero(3, 3);
  j.diagonal() << 1, 2, 4;  // eigenvalues 1, 4, 16: median 4, update 2 (1,1,1)/3
  AlignedMtlOptions o;
  o.scale = AlignedScale::kMedian;
  const double v = 2.0 / 3.0;
  expect_vec(update(j, aligned_mtl_aggregate(gram_of(j), o)), {v, v, v}, 1e-15);
}

TEST(NashMtl, SolvesTheBargainingEquation) {
  NashMtlOptions raw;
  raw.normalize = false;
  // Orthogonal: alpha_i = 1/|g_i|: update (1, 1).
  expect_vec(update(kOrthogonal, nash_mtl_aggregate(gram_of(kOrthogonal), raw)), {1, 1}, 1e-12);
  // Normalised G' = G / sqrt(82): alpha scales by 82^(1/4).
  const double f = std::pow(82.0, 0.25);
  expect_vec(update(kOrthogonal, nash_mtl_aggregate(gram_of(kOrthogonal), {})), {f, f}, 1e-11);
  // Duplicated direction: alpha = (1/sqrt2, 1/(2 sqrt2)), update (sqrt2, 0).
  expect_vec(update(kAligned, nash_mtl_aggregate(gram_of(kAligned), raw)), {std::sqrt(2.0), 0},
             1e-12);
  // Opposing: no solution; zero update with a note.
  const Result r = nash_mtl_aggregate(gram_of(kOpposing), raw);
  EXPECT_TRUE(r.weights.isZero(0.0));
  EXPECT_TRUE(has_note(r, "did not converge"));
}

TEST(NashMtl, WarmStartAndUpdateEvery) {
  auto a = make_aggregator("nash-mtl", {{"update_every", "2"}}, 0);
  const Eigen::MatrixXd g1 = gram_of(kOrthogonal);
  const Eigen::MatrixXd g2 = gram_of(kConflict);
  const Result r1 = a->aggregate(g1);
  const Result r2 = a->aggregate(g2);  // reused
  EXPECT_EQ(r1.weights, r2.weights);
  const Result r3 = a->aggregate(g2);  // recomputed
  EXPECT_GT((r3.weights - r1.weights).norm(), 1e-3);
  int cold = 0, warm = 0;
  nash_mtl_aggregate(g2, {}, nullptr, &cold);
  nash_mtl_aggregate(g2, {}, &r3.weights, &warm);
  EXPECT_EQ(warm, 0);
  EXPECT_GT(cold, 0);
}

TEST(Upgrad, ProjectsEachGradientOntoTheDualCone) {
  UpgradOptions exact;
  exact.reg_eps = 0.0;
  // No conflict: the mean.
  expect_vec(update(kOrthogonal, upgrad_aggregate(gram_of(kOrthogonal), exact)), {0.5, 1.5}, 1e-15);
  // (0.5,0) -> (0.25,0.25) and (-0.5,0.5) -> (0,0.5): sum (0.25, 0.75).
  expect_vec(update(kConflict, upgrad_aggregate(gram_of(kConflict), exact)), {0.25, 0.75}, 1e-15);
  // Opposing: the cone is the line x1 = 0: zero update.
  expect_vec(update(kOpposing, upgrad_aggregate(gram_of(kOpposing), exact)), {0, 0}, 1e-15);
  // The default regulariser changes the answer only at its own scale.
  expect_vec(update(kConflict, upgrad_aggregate(gram_of(kConflict), {})), {0.25, 0.75}, 1e-11);
}

TEST(Upgrad, ScaleAwareRegulariserKeepsTheGuaranteeUnderNormSpread) {
  // A small task (norm 1e-2) in mild conflict with a big one: TorchJD's trace-scaled 1e-4
  // regulariser lets the update conflict with the small task, the min-scaled one does not.
  Eigen::MatrixXd j(2, 2);
  j << 1.0, 0.0, -0.01 * 0.3, 0.01 * std::sqrt(1 - 0.09);
  const Eigen::MatrixXd g = gram_of(j);
  UpgradOptions torchjd;
  torchjd.reg_eps = 1e-4;
  torchjd.reg_scale = RegScale::kTrace;
  const Result bad = upgrad_aggregate(g, torchjd);
  EXPECT_LT(bad.diagnostics.min_update_cosine, -1e-3);
  const Result good = upgrad_aggregate(g, {});
  EXPECT_GE(good.diagnostics.min_update_cosine, -1e-12);
}

}  // namespace
}  // namespace hrgrad::aggregate
