// The MLP's matrix products through oneDNN (fast_sgemm.hpp): every transpose combination, row
// strides wider than the rows and beta (0 with NaN in C) against a plain triple loop in double,
// and the fused float32 jets (which use it) against the unfused ATen jets.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "fast_sgemm.hpp"
#include "hrgrad/model/mlp.hpp"

namespace {

using hrgrad::model::fast_sgemm;
using hrgrad::model::have_fast_sgemm;

TEST(FastSgemm, MatchesALoopForEveryTransposeStrideAndBeta) {
  if (!have_fast_sgemm()) GTEST_SKIP() << "built without oneDNN (HRGRAD_WITH_DNNL)";
  std::mt19937 random(7);
  std::normal_distribution<float> normal;
  const std::int64_t m = 37, n = 19, k = 66, pad = 3;
  for (const bool ta : {false, true}) {
    for (const bool tb : {false, true}) {
      for (const float beta : {0.0f, 1.0f, 0.5f}) {
        // op(A) is m x k; stored as m x k (or k x m) with row stride lda >= its columns.
        const std::int64_t a_rows = ta ? k : m, a_cols = ta ? m : k, lda = a_cols + pad;
        const std::int64_t b_rows = tb ? n : k, b_cols = tb ? k : n, ldb = b_cols + pad;
        const std::int64_t ldc = n + pad;
        std::vector<float> a(a_rows * lda), b(b_rows * ldb), c(m * ldc);
        for (auto* v : {&a, &b, &c})
          for (auto& x : *v) x = normal(random);
        // beta = 0 must not read C (BLAS semantics): NaN there must not reach the result.
        if (beta == 0) std::fill(c.begin(), c.end(), std::numeric_limits<float>::quiet_NaN());
        const std::vector<float> c0 = c;
        ASSERT_TRUE(fast_sgemm(ta, tb, m, n, k, a.data(), lda, b.data(), ldb, beta, c.data(), ldc));
        for (std::int64_t i = 0; i < m; ++i) {
          for (std::int64_t j = 0; j < n; ++j) {
            double sum = beta == 0 ? 0.0 : beta * static_cast<double>(c0[i * ldc + j]);
            double scale = std::abs(sum);
            for (std::int64_t p = 0; p < k; ++p) {
              const double x = ta ? a[p * lda + i] : a[i * lda + p];
              const double y = tb ? b[j * ldb + p] : b[p * ldb + j];
              sum += x * y;
              scale += std::abs(x * y);
            }
            ASSERT_NEAR(c[i * ldc + j], sum, 1e-6 * scale)
                << "transpose_a " << ta << " transpose_b " << tb << " beta " << beta << " at (" << i
                << ", " << j << ")";
          }
          for (std::int64_t j = n; j < ldc; ++j)  // the padding between rows stays untouched
            ASSERT_EQ(std::memcmp(&c[i * ldc + j], &c0[i * ldc + j], sizeof(float)), 0);
        }
      }
    }
  }
}

TEST(FastSgemm, EmptyProductsLeaveTheOutputAlone) {
  if (!have_fast_sgemm()) GTEST_SKIP() << "built without oneDNN (HRGRAD_WITH_DNNL)";
  std::vector<float> a(4, 1.0f), b(4, 1.0f), c(4, 5.0f);
  ASSERT_TRUE(fast_sgemm(false, false, 0, 2, 2, a.data(), 2, b.data(), 2, 0.0f, c.data(), 2));
  EXPECT_EQ(c, std::vector<float>(4, 5.0f));
}

// The fused node in float32, whose products go through fast_sgemm, against the unfused ATen
// jets: values, tangents of the first rows and all gradients, to float32 rounding.
TEST(FastSgemm, Float32FusedJetsMatchTheUnfusedJets) {
  torch::manual_seed(5);
  hrgrad::model::Mlp net(11, 64, 4, 1);
  const auto options = torch::TensorOptions().dtype(torch::kFloat32);
  const std::vector<torch::Tensor> directions{
      torch::zeros({11}, options).index_fill_(0, torch::tensor({0}), 20.0),
      torch::zeros({11}, options).index_fill_(0, torch::tensor({1}), 2.0)};
  const auto input = torch::rand({700, 11}, options) * 2 - 1;
  const std::int64_t rows = 300;
  auto objective = [&](const hrgrad::model::Jet& jet) {
    return jet.value.square().mean() + (jet.derivatives[0] * jet.derivatives[1]).mean() +
           jet.derivatives[1].square().mean();
  };
  const auto x_fused = input.clone().requires_grad_(true);
  const auto x_plain = input.clone().requires_grad_(true);
  const auto fused = net->forward_jet(x_fused, directions, rows);
  const auto plain = net->forward_jet_unfused(x_plain, directions, rows);
  auto relative = [](const torch::Tensor& x, const torch::Tensor& y) {
    return ((x - y).norm() / y.norm().clamp_min(1e-30)).item<double>();
  };
  EXPECT_LT(relative(fused.value, plain.value), 1e-5);
  for (std::size_t j = 0; j < directions.size(); ++j) {
    ASSERT_EQ(fused.derivatives[j].size(0), rows);
    EXPECT_LT(relative(fused.derivatives[j], plain.derivatives[j]), 1e-5) << "tangent " << j;
  }
  auto params = net->parameters();
  params.push_back(x_fused);
  const auto g_fused = torch::autograd::grad({objective(fused)}, params);
  params.back() = x_plain;
  const auto g_plain = torch::autograd::grad({objective(plain)}, params);
  for (std::size_t i = 0; i < params.size(); ++i)
    EXPECT_LT(relative(g_fused[i], g_plain[i]), 1e-5) << "gradient " << i;
}

}  // namespace
