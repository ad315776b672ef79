// Aggregator state for checkpoints: for every rule, a copy restored from another's state() gives
// the same weights from then on as the original, so a resumed run continues exactly; a state that
// does not fit a rule is refused.
#include <gtest/gtest.h>

#include <random>

#include "hrgrad/aggregate/aggregator.hpp"
#include "hrgrad/core/error.hpp"
#include "test_util.hpp"

namespace hrgrad::aggregate {
namespace {

std::vector<Eigen::MatrixXd> random_grams(int count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Eigen::MatrixXd> grams;
  for (int i = 0; i < count; ++i)
    grams.push_back(test::gram_of(test::random_jacobian(4, 12, 50.0, rng, true)));
  return grams;
}

Parameters parameters_for(const std::string& name) {
  // nash-mtl reuses its weights between updates: exercise that part of its state too.
  if (name == "nash-mtl") return {{"update_every", "3"}};
  return {};
}

TEST(AggregatorState, RestoredCopyContinuesExactly) {
  const auto grams = random_grams(10, 11);
  for (const auto& name : aggregator_names()) {
    auto original = make_aggregator(name, parameters_for(name), 5);
    for (int i = 0; i < 4; ++i) original->aggregate(grams[i]);
    // A fresh rule from another seed differs in its state unless the restore carries it over.
    auto copy = make_aggregator(name, parameters_for(name), 6);
    copy->restore(original->state());
    for (int i = 4; i < 10; ++i) {
      const Eigen::VectorXd a = original->aggregate(grams[i]).weights;
      const Eigen::VectorXd b = copy->aggregate(grams[i]).weights;
      ASSERT_EQ(a.size(), b.size()) << name;
      for (Eigen::Index k = 0; k < a.size(); ++k) EXPECT_EQ(a[k], b[k]) << name << " step " << i;
    }
  }
}

TEST(AggregatorState, StatefulRulesSayWhatTheyCarry) {
  const auto grams = random_grams(2, 3);
  for (const std::string name : {"pcgrad", "nash-mtl"}) {
    auto a = make_aggregator(name, parameters_for(name), 5);
    a->aggregate(grams[0]);
    EXPECT_FALSE(a->state().empty()) << name;
  }
  auto sum = make_aggregator("sum", {}, 5);
  sum->aggregate(grams[0]);
  EXPECT_TRUE(sum->state().empty());
}

TEST(AggregatorState, MisfitStateIsRefused) {
  State foreign{{1, 2, 3}, {0.5}};
  for (const std::string name : {"sum", "hrgrad", "pcgrad", "nash-mtl"}) {
    auto a = make_aggregator(name, parameters_for(name), 5);
    EXPECT_THROW(a->restore(foreign), InputError) << name;
  }
}

}  // namespace
}  // namespace hrgrad::aggregate
