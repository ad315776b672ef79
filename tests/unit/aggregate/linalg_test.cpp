// The module's shared linear algebra: pseudo-inverse cutoff, bounded QP, the seeded
// permutation generator.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "linalg.hpp"

namespace hrgrad::aggregate::detail {
namespace {

TEST(Linalg, PinvDropsSmallEigenvalues) {
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(3, 3);
  a.diagonal() << 4.0, 1e-3, 1e-12;
  const SymmetricPinv p = symmetric_pinv(a, 1e-10);
  EXPECT_EQ(p.rank, 2);
  EXPECT_NEAR(p.inverse(0, 0), 0.25, 1e-15);
  EXPECT_NEAR(p.inverse(1, 1), 1e3, 1e-9);
  EXPECT_EQ(p.inverse(2, 2), 0.0);
  EXPECT_EQ(symmetric_pinv(Eigen::MatrixXd::Zero(2, 2), 1e-10).rank, 0);
}

TEST(Linalg, BoundedQpMatchesEnumeration) {
  // Against brute force over all 2^n active sets (KKT check) on random small problems.
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal;
  for (int trial = 0; trial < 200; ++trial) {
    const int n = 2 + trial % 5;
    const int rank = trial % 3 == 0 ? n - 1 : n;  // some singular Hessians
    Eigen::MatrixXd b(n, rank);
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < rank; ++k) b(i, k) = normal(rng) * (i == 0 ? 100.0 : 1.0);
    const Eigen::MatrixXd h = b * b.transpose();
    Eigen::VectorXd y(rank);
    for (int k = 0; k < rank; ++k) y(k) = normal(rng);
    const Eigen::VectorXd f = b * y;  // in the range of H: bounded below
    Eigen::VectorXd lower(n);
    for (int i = 0; i < n; ++i) lower(i) = normal(rng);
    const QpResult r = solve_bounded_qp(h, f, lower);
    ASSERT_TRUE(r.converged) << trial;
    auto objective = [&](const Eigen::VectorXd& x) { return 0.5 * x.dot(h * x) + f.dot(x); };
    double best = std::numeric_limits<double>::infinity();
    for (int mask = 0; mask < (1 << n); ++mask) {
      std::vector<int> fr;
      for (int i = 0; i < n; ++i)
        if (mask & (1 << i)) fr.push_back(i);
      Eigen::VectorXd x = lower;
      if (!fr.empty()) {
        const int k = static_cast<int>(fr.size());
        Eigen::MatrixXd hff(k, k);
        Eigen::VectorXd rhs(k);
        for (int a = 0; a < k; ++a) {
          rhs(a) = -f(fr[a]);
          for (int j = 0; j < n; ++j)
            if (!(mask & (1 << j))) rhs(a) -= h(fr[a], j) * lower(j);
          for (int c = 0; c < k; ++c) hff(a, c) = h(fr[a], fr[c]);
        }
        const Eigen::VectorXd xf = hff.completeOrthogonalDecomposition().solve(rhs);
        for (int a = 0; a < k; ++a) x(fr[a]) = xf(a);
      }
      if ((x - lower).minCoeff() < -1e-12) continue;
      best = std::min(best, objective(x));
    }
    const double scale = std::abs(best) + h.diagonal().maxCoeff() * lower.squaredNorm() + 1.0;
    EXPECT_NEAR(objective(r.x), best, 1e-10 * scale) << trial;
    EXPECT_GE((r.x - lower).minCoeff(), -1e-12 * (1.0 + lower.cwiseAbs().maxCoeff())) << trial;
  }
}

TEST(Linalg, PermutationsAreSeededAndUniform) {
  SplitMix64 a(42), b(42);
  for (int t = 0; t < 10; ++t) EXPECT_EQ(random_permutation(6, a), random_permutation(6, b));
  SplitMix64 rng(1);
  std::vector<int> first_counts(4, 0);
  for (int t = 0; t < 40000; ++t) {
    auto p = random_permutation(4, rng);
    std::vector<int> sorted = p;
    std::sort(sorted.begin(), sorted.end());
    ASSERT_EQ(sorted, (std::vector<int>{0, 1, 2, 3}));
    ++first_counts[p[0]];
  }
  for (int c : first_counts) EXPECT_NEAR(c, 10000, 400);
}

}  // namespace
}  // namespace hrgrad::aggregate::detail
