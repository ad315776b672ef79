// The registry: names, option specs, and one-line errors that name the option.
#include <gtest/gtest.h>

#include <set>

#include "hrgrad/aggregate/aggregator.hpp"
#include "hrgrad/core/error.hpp"

namespace hrgrad::aggregate {
namespace {

std::string error_of(const std::string& method, const Parameters& params) {
  try {
    make_aggregator(method, params, 1);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Registry, EveryNameBuildsWithDefaultsAndReportsItsName) {
  const auto names = aggregator_names();
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  for (const auto& name : names) {
    auto a = make_aggregator(name, {}, 7);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->name(), name);
    // Every default parses: building with the defaults passed explicitly must succeed.
    Parameters explicit_defaults;
    for (const auto& spec : parameter_specs(name)) {
      EXPECT_FALSE(spec.help.empty()) << name << "." << spec.key;
      explicit_defaults[spec.key] = spec.default_value;
    }
    EXPECT_NO_THROW(make_aggregator(name, explicit_defaults, 7)) << name;
    const Eigen::MatrixXd g = Eigen::MatrixXd::Identity(3, 3);
    const Result r = a->aggregate(g);
    EXPECT_EQ(r.weights.size(), 3) << name;
    EXPECT_TRUE(r.weights.allFinite()) << name;
  }
}

TEST(Registry, UnknownMethodListsTheChoices) {
  const std::string msg = error_of("foo", {});
  EXPECT_EQ(msg.rfind("--aggregator: unknown method 'foo' (choose from sum, mean, ", 0), 0u) << msg;
  EXPECT_THROW(parameter_specs("foo"), InputError);
}

TEST(Registry, HrgradOptionsAreValidated) {
  EXPECT_EQ(error_of("hrgrad", {{"rho", "1.5"}}), "--hrgrad.rho: must be in [0, 1], got 1.5");
  EXPECT_EQ(error_of("hrgrad", {{"rho", "abc"}}), "--hrgrad.rho: expected a number, got 'abc'");
  EXPECT_EQ(error_of("hrgrad", {{"rho", "nan"}}), "--hrgrad.rho: expected a number, got 'nan'");
  EXPECT_EQ(error_of("hrgrad", {{"rcond", "-1"}}), "--hrgrad.rcond: must be in [0, 1], got -1");
  EXPECT_EQ(error_of("hrgrad", {{"bogus", "1"}}),
            "--hrgrad.bogus: unknown option (choose from rho, rcond)");
  EXPECT_EQ(error_of("sum", {{"x", "1"}}), "--sum.x: unknown option (this method has no options)");
  EXPECT_NO_THROW(make_aggregator("hrgrad", {{"rho", "0"}, {"rcond", "1e-8"}}, 0));
}

TEST(Registry, SpecsNameTheKeys) {
  const auto specs = parameter_specs("hrgrad");
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].key, "rho");
  EXPECT_EQ(specs[0].default_value, "1");
  EXPECT_EQ(specs[1].key, "rcond");
  EXPECT_EQ(specs[1].default_value, "1e-10");
  EXPECT_TRUE(parameter_specs("sum").empty());
}

}  // namespace
}  // namespace hrgrad::aggregate
