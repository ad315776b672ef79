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

TEST(Registry, UnknownMethodThrowsForSpecsToo) { EXPECT_THROW(parameter_specs("foo"), InputError); }

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

TEST(Registry, TheElevenMethodsInDisplayOrder) {
  EXPECT_EQ(aggregator_names(),
            (std::vector<std::string>{"sum", "mean", "pcgrad", "mgda", "cagrad", "imtl-g", "config",
                                      "aligned-mtl", "nash-mtl", "upgrad", "hrgrad"}));
  EXPECT_EQ(error_of("foo", {}),
            "--aggregator: unknown method 'foo' (choose from sum, mean, pcgrad, mgda, cagrad, "
            "imtl-g, config, aligned-mtl, nash-mtl, upgrad, hrgrad)");
}

TEST(Registry, BaselineOptionsAreValidated) {
  EXPECT_EQ(error_of("cagrad", {{"c", "-0.5"}}), "--cagrad.c: must be in [0, 1e+06], got -0.5");
  EXPECT_EQ(error_of("cagrad", {{"rescale", "3"}}), "--cagrad.rescale: must be in [0, 2], got 3");
  EXPECT_EQ(error_of("cagrad", {{"rescale", "1.5"}}),
            "--cagrad.rescale: expected an integer, got '1.5'");
  EXPECT_EQ(error_of("mgda", {{"tolerance", "0"}}), "--mgda.tolerance: must be in (0, 0.5], got 0");
  EXPECT_EQ(error_of("mgda", {{"max_iters", "0"}}),
            "--mgda.max_iters: must be in [1, 100000000], got 0");
  EXPECT_EQ(error_of("aligned-mtl", {{"scale_mode", "max"}}),
            "--aligned-mtl.scale_mode: unknown value 'max' (choose from min, median, rmse)");
  EXPECT_EQ(error_of("upgrad", {{"reg_scale", "frobenius"}}),
            "--upgrad.reg_scale: unknown value 'frobenius' (choose from min, trace)");
  EXPECT_EQ(error_of("upgrad", {{"reg_eps", "2"}}), "--upgrad.reg_eps: must be in [0, 1], got 2");
  EXPECT_EQ(error_of("nash-mtl", {{"normalize", "2"}}),
            "--nash-mtl.normalize: must be in [0, 1], got 2");
  EXPECT_EQ(error_of("config", {{"rcond", "x"}}), "--config.rcond: expected a number, got 'x'");
  EXPECT_EQ(error_of("imtl-g", {{"rho", "1"}}), "--imtl-g.rho: unknown option (choose from rcond)");
  EXPECT_EQ(error_of("pcgrad", {{"seed", "1"}}),
            "--pcgrad.seed: unknown option (this method has no options)");
  // Values that are accepted change the result.
  Eigen::MatrixXd g(2, 2);
  g << 1.0, -0.5, -0.5, 4.0;
  const auto a = make_aggregator("cagrad", {{"c", "0.2"}}, 0)->aggregate(g).weights;
  const auto b = make_aggregator("cagrad", {{"c", "0.8"}}, 0)->aggregate(g).weights;
  EXPECT_GT((a - b).norm(), 1e-3);
}

TEST(Registry, SpecsNameTheKeys) {
  const auto specs = parameter_specs("hrgrad");
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].key, "rho");
  EXPECT_EQ(specs[0].default_value, "0.1");
  EXPECT_EQ(specs[1].key, "rcond");
  EXPECT_EQ(specs[1].default_value, "1e-10");
  EXPECT_TRUE(parameter_specs("sum").empty());
}

}  // namespace
}  // namespace hrgrad::aggregate
