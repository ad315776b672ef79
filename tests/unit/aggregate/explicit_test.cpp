// Every Gram form against the same method written on the explicit gradient matrix
// (explicit.hpp), to 1e-10 relative to the update, on random Jacobians with m in [2, 6],
// p >= m, norm spreads up to 1e4 and forced conflicts.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "explicit.hpp"
#include "hrgrad/aggregate/methods.hpp"
#include "linalg.hpp"
#include "test_util.hpp"

namespace hrgrad::aggregate {
namespace {

constexpr double kTol = 1e-10;

using GramForm = std::function<Result(const Eigen::MatrixXd&)>;
using ExplicitForm = std::function<Eigen::VectorXd(const Eigen::MatrixXd&)>;

// Runs both forms on `trials` random Jacobians; returns how many cases were compared.
int compare(const GramForm& gram_form, const ExplicitForm& explicit_form, int trials,
            std::uint64_t seed, int max_m = 6) {
  std::mt19937_64 rng(seed);
  int compared = 0;
  for (int trial = 0; trial < trials; ++trial) {
    const int m = 2 + trial % (max_m - 1);
    const int p = m + (trial / 5) % 7;
    const double spread = trial % 3 == 0 ? 1.0 : (trial % 3 == 1 ? 100.0 : 1e4);
    const Eigen::MatrixXd j = test::random_jacobian(m, p, spread, rng, trial % 2 == 0);
    const Result r = gram_form(test::gram_of(j));
    const Eigen::VectorXd got = test::update_of(j, r.weights);
    const Eigen::VectorXd want = explicit_form(j);
    // Relative to the size of the terms of sum_i w_i g_i: a Gram form cannot resolve an update
    // that cancels down below eps * max_i |w_i g_i| any better than forming the sum does.
    const double mass = r.weights.cwiseAbs().dot(j.rowwise().norm());
    EXPECT_LT(test::relative_difference(got, want, mass), kTol)
        << "trial " << trial << " m " << m << " p " << p << "\ngram:     " << got.transpose()
        << "\nexplicit: " << want.transpose();
    if (::testing::Test::HasFailure()) return compared;
    ++compared;
  }
  return compared;
}

TEST(ExplicitForm, SumAndMean) {
  EXPECT_EQ(compare(sum_aggregate, test::explicit_sum, 100, 1), 100);
  EXPECT_EQ(compare(mean_aggregate, test::explicit_mean, 100, 2), 100);
}

TEST(ExplicitForm, Pcgrad) {
  detail::SplitMix64 rng(3);
  std::vector<std::vector<int>> orders;
  auto gram_form = [&](const Eigen::MatrixXd& g) {
    const int m = static_cast<int>(g.rows());
    orders.assign(m, {});
    for (auto& o : orders) o = detail::random_permutation(m, rng);
    return pcgrad_aggregate(g, orders);
  };
  auto explicit_form = [&](const Eigen::MatrixXd& j) { return test::explicit_pcgrad(j, orders); };
  EXPECT_EQ(compare(gram_form, explicit_form, 300, 4), 300);
}

TEST(ExplicitForm, Mgda) {
  auto gram_form = [](const Eigen::MatrixXd& g) { return mgda_aggregate(g, {}); };
  EXPECT_EQ(compare(gram_form, test::explicit_mgda, 300, 5), 300);
}

TEST(ExplicitForm, Cagrad) {
  for (int rescale : {0, 1, 2}) {
    CagradOptions o;
    o.rescale = rescale;
    auto gram_form = [&](const Eigen::MatrixXd& g) { return cagrad_aggregate(g, o); };
    auto explicit_form = [&](const Eigen::MatrixXd& j) {
      return test::explicit_cagrad(j, o.c, o.rescale);
    };
    EXPECT_EQ(compare(gram_form, explicit_form, 100, 6 + rescale), 100);
  }
}

TEST(ExplicitForm, Imtlg) {
  auto gram_form = [](const Eigen::MatrixXd& g) { return imtlg_aggregate(g, {}); };
  EXPECT_EQ(compare(gram_form, test::explicit_imtlg, 300, 9), 300);
}

TEST(ExplicitForm, Config) {
  auto gram_form = [](const Eigen::MatrixXd& g) { return config_aggregate(g, {}); };
  auto explicit_form = [](const Eigen::MatrixXd& j) { return test::explicit_config(j, 1e-10); };
  EXPECT_EQ(compare(gram_form, explicit_form, 300, 10), 300);
}

TEST(ExplicitForm, AlignedMtl) {
  for (int mode : {0, 1, 2}) {
    AlignedMtlOptions o;
    o.scale = static_cast<AlignedScale>(mode);
    auto gram_form = [&](const Eigen::MatrixXd& g) { return aligned_mtl_aggregate(g, o); };
    auto explicit_form = [&](const Eigen::MatrixXd& j) {
      return test::explicit_aligned_mtl(j, mode, o.rank_eps);
    };
    EXPECT_EQ(compare(gram_form, explicit_form, 100, 11 + mode), 100);
  }
}

TEST(ExplicitForm, NashMtlSolvesItsEquationOnTheVectors) {
  // The solution of G' a = 1/a (a > 0) is unique, so checking the defining equation with the
  // explicit vectors, g . g_i = |G|_F / a_i, pins the update down.
  std::mt19937_64 rng(14);
  for (int trial = 0; trial < 300; ++trial) {
    const int m = 2 + trial % 5;
    const Eigen::MatrixXd j =
        test::random_jacobian(m, m + trial % 7, trial % 2 ? 1e4 : 10.0, rng, trial % 2 == 0);
    const Eigen::MatrixXd g = test::gram_of(j);
    const Result r = nash_mtl_aggregate(g, {});
    ASSERT_GT(r.weights.minCoeff(), 0.0) << trial;
    const Eigen::VectorXd update = test::update_of(j, r.weights);
    const double frob = g.norm();
    // As in compare(): errors are relative to the terms of the sum, |g_i| sum_j a_j |g_j|.
    const double mass = r.weights.dot(j.rowwise().norm());
    for (int i = 0; i < m; ++i) {
      const double lhs = r.weights(i) * update.dot(j.row(i).transpose());
      ASSERT_NEAR(lhs, frob, kTol * r.weights(i) * j.row(i).norm() * mass)
          << "trial " << trial << " task " << i;
    }
  }
}

TEST(ExplicitForm, UpgradAgainstPrimalProjections) {
  UpgradOptions exact;
  exact.reg_eps = 0.0;
  auto gram_exact = [&](const Eigen::MatrixXd& g) { return upgrad_aggregate(g, exact); };
  EXPECT_EQ(compare(gram_exact, test::explicit_upgrad, 300, 15), 300);
}

TEST(ExplicitForm, Hrgrad) {
  for (double rho : {0.0, 0.5, 1.0}) {
    auto gram_form = [&](const Eigen::MatrixXd& g) { return hrgrad_aggregate(g, {rho, 1e-10}); };
    auto explicit_form = [&](const Eigen::MatrixXd& j) {
      return test::explicit_hrgrad(j, rho, 1e-10);
    };
    EXPECT_EQ(compare(gram_form, explicit_form, 300, 17), 300);
  }
}

}  // namespace
}  // namespace hrgrad::aggregate
