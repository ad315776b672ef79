// ParameterAverage (--ema-decay): the bias-corrected moving average of hand-computed iterates,
// the swap that puts it in place and the iterate back, a restored state, and decay 0 (off).
#include "hrgrad/train/parameter_average.hpp"

#include <gtest/gtest.h>

#include "hrgrad/core/error.hpp"

namespace {

using namespace hrgrad;

// Iterates 1, 2, 4 with decay 0.5: the sums are 0.5, 1.25, 2.625 and the weights (1 - 0.5^n)
// 0.5, 0.75, 0.875, so the averages are 1, 5/3 and 3.
TEST(ParameterAverage, BiasCorrectedAverageOfTheIterates) {
  auto p = torch::zeros({2, 1}, torch::kFloat32);
  train::ParameterAverage average({p}, 0.5);
  ASSERT_TRUE(average.enabled());
  const double expected[] = {1.0, 5.0 / 3.0, 3.0};
  const float iterates[] = {1, 2, 4};
  for (int n = 0; n < 3; ++n) {
    p.fill_(iterates[n]);
    average.update();
    EXPECT_EQ(average.count(), n + 1);
    {
      train::ParameterAverage::Swap swap(average);
      EXPECT_FLOAT_EQ(p[0][0].item<float>(), static_cast<float>(expected[n])) << "step " << n;
      EXPECT_FLOAT_EQ(p[1][0].item<float>(), static_cast<float>(expected[n])) << "step " << n;
    }
    EXPECT_EQ(p[0][0].item<float>(), iterates[n]) << "the iterate is back after the swap";
  }
}

TEST(ParameterAverage, RestoredStateAveragesOnAsTheOriginal) {
  auto p = torch::zeros({3}, torch::kFloat64);
  auto q = torch::zeros({3}, torch::kFloat64);
  train::ParameterAverage original({p}, 0.9);
  train::ParameterAverage copy({q}, 0.9);
  for (int n = 0; n < 4; ++n) {
    p.fill_(n * n);
    original.update();
  }
  copy.restore(original.sums(), original.count());
  p.fill_(7.0);
  q.fill_(7.0);
  original.update();
  copy.update();
  train::ParameterAverage::Swap a(original);
  train::ParameterAverage::Swap b(copy);
  EXPECT_TRUE(torch::equal(p, q));
  EXPECT_FALSE(torch::equal(p, torch::full({3}, 7.0, torch::kFloat64)));
}

TEST(ParameterAverage, ZeroDecayKeepsNoAverage) {
  auto p = torch::ones({2});
  train::ParameterAverage average({p}, 0);
  EXPECT_FALSE(average.enabled());
  average.update();
  p.fill_(3);
  train::ParameterAverage::Swap swap(average);
  EXPECT_EQ(p[0].item<float>(), 3.0f);
  EXPECT_TRUE(average.sums().empty());
}

TEST(ParameterAverage, BeforeAnyStepTheSwapLeavesTheIterate) {
  auto p = torch::full({2}, 5.0);
  train::ParameterAverage average({p}, 0.99);
  train::ParameterAverage::Swap swap(average);
  EXPECT_EQ(p[1].item<float>(), 5.0f);
}

TEST(ParameterAverage, DecayOutsideZeroToOneIsRefused) {
  auto p = torch::ones({1});
  EXPECT_THROW(train::ParameterAverage({p}, 1.0), InputError);
  EXPECT_THROW(train::ParameterAverage({p}, -0.1), InputError);
}

}  // namespace
