#include "hrgrad/config/parse.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "hrgrad/core/error.hpp"

namespace {

using hrgrad::InputError;
using hrgrad::config::Options;
using hrgrad::config::parse;

std::optional<Options> parse_args(std::vector<std::string> args) {
  args.insert(args.begin(), "hrgrad-train");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return parse(static_cast<int>(argv.size()), argv.data());
}

// The message of the InputError that parsing throws, or "" when it does not throw.
std::string error_of(std::vector<std::string> args) {
  try {
    parse_args(std::move(args));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Parse, DefaultsAreTheDefaultProblem) {
  const auto o = parse_args({});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->problem, "transport");
  EXPECT_DOUBLE_EQ(o->eps_min, 1e-4);
  EXPECT_DOUBLE_EQ(o->eps_max, 1.0);
  EXPECT_EQ(o->regimes, 4);
  EXPECT_EQ(o->aggregator, "hrgrad");
  EXPECT_EQ(o->eval_eps, (std::vector<double>{1.0, 1e-1, 1e-2, 1e-3, 1e-4}));
  EXPECT_EQ(o->aggregator_params.at("hrgrad").count("rho"), 1u);
}

TEST(Parse, HelpReturnsNothingAndListsEveryOption) {
  EXPECT_FALSE(parse_args({"--help"}));
  const auto help = hrgrad::config::help_text();
  for (const char* option : {"--eps-min", "--regimes", "--steps", "--aggregator", "--hrgrad.rho",
                             "--model.width", "--points.interior", "--output", "--dtype"}) {
    EXPECT_NE(help.find(option), std::string::npos) << option;
  }
}

TEST(Parse, CommandLineOverridesConfigFile) {
  const std::string path = std::string(HRGRAD_TEST_TMP) + "/override.ini";
  std::ofstream(path) << "eps-min = 1e-3\nsteps = 7\n[model]\nwidth = 12\n[hrgrad]\nrho = 0.5\n";
  const auto o = parse_args({"--config", path, "--steps", "9"});
  ASSERT_TRUE(o);
  EXPECT_DOUBLE_EQ(o->eps_min, 1e-3);
  EXPECT_EQ(o->train.steps, 9);
  EXPECT_EQ(o->model.width, 12);
  EXPECT_EQ(o->aggregator_params.at("hrgrad").at("rho"), "0.5");
}

// --problem bgk brings its own defaults for the options left unset, on the command line and in
// a config file alike; values given anywhere win.
TEST(Parse, BgkProblemHasItsOwnDefaults) {
  const auto o = parse_args({"--problem", "bgk"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->problem, "bgk");
  EXPECT_DOUBLE_EQ(o->eps_min, 1e-3);
  EXPECT_DOUBLE_EQ(o->eps_max, 1.0);
  EXPECT_EQ(o->regimes, 3);
  EXPECT_EQ(o->sampling.quadrature, 40);
  EXPECT_EQ(o->eval_eps, (std::vector<double>{1.0, 1e-1, 1e-2, 1e-3}));
  EXPECT_EQ(o->bgk.weights, (std::vector<double>{1, 1, 1, 1, 1, 1, 1, 10, 1, 10, 10}));
  EXPECT_EQ(o->as_text().at("bgk.v-max"), "10");
  EXPECT_EQ(o->as_text().at("bgk.initial"), "penalty");
  EXPECT_DOUBLE_EQ(o->model.uncollided, 0.0);

  const auto given = parse_args({"--problem", "bgk", "--regimes", "2", "--eps-min", "1e-2"});
  ASSERT_TRUE(given);
  EXPECT_EQ(given->regimes, 2);
  EXPECT_DOUBLE_EQ(given->eps_min, 1e-2);
  EXPECT_EQ(given->sampling.quadrature, 40);

  const std::string path = std::string(HRGRAD_TEST_TMP) + "/bgk.ini";
  std::ofstream(path) << "problem = bgk\nquadrature = 32\n[bgk]\nweights = 1,1,1,1,1,1,1,1,1,1,1\n";
  const auto file = parse_args({"--config", path, "--eps-min", "1e-2"});
  ASSERT_TRUE(file);
  EXPECT_EQ(file->sampling.quadrature, 32);
  EXPECT_EQ(file->regimes, 3);
  EXPECT_DOUBLE_EQ(file->eps_min, 1e-2);
  EXPECT_EQ(file->bgk.weights, std::vector<double>(11, 1.0));

  // The transport defaults stay when the problem is not bgk.
  const auto transport = parse_args({"--problem", "transport"});
  ASSERT_TRUE(transport);
  EXPECT_EQ(transport->regimes, 4);
  EXPECT_EQ(transport->sampling.quadrature, 16);
  EXPECT_DOUBLE_EQ(transport->model.uncollided, 0.3);
  EXPECT_DOUBLE_EQ(transport->model.uncollided_power, 4);
  EXPECT_EQ(transport->as_text().count("bgk.weights"), 0u);
  EXPECT_NE(hrgrad::config::help_text().find("With --problem bgk these defaults differ"),
            std::string::npos);
}

TEST(Parse, InvalidValuesNameTheOption) {
  struct Case {
    std::vector<std::string> args;
    std::string option;
  };
  const std::vector<Case> cases = {
      {{"--eps-min", "0"}, "--eps-min"},
      {{"--eps-min", "-1"}, "--eps-min"},
      {{"--eps-min", "1", "--eps-max", "0.5"}, "--eps-min"},
      {{"--eps-min", "0.1", "--eps-max", "0.1"}, "--eps-min"},
      {{"--regimes", "0"}, "--regimes"},
      {{"--steps", "0"}, "--steps"},
      {{"--max-skipped-steps", "0"}, "--max-skipped-steps"},
      {{"--lr", "-1e-3"}, "--lr"},
      {{"--t-final", "0"}, "--t-final"},
      {{"--quadrature", "7"}, "--quadrature"},
      {{"--points.interior", "0"}, "--points.interior"},
      {{"--model.width", "0"}, "--model.width"},
      {{"--model.encoding", "cubic"}, "--model.encoding"},
      {{"--model.rho-output", "linear"}, "--model.rho-output"},
      {{"--model.uncollided", "-0.1"}, "--model.uncollided"},
      {{"--model.uncollided", "nan"}, "--model.uncollided"},
      {{"--model.uncollided-power", "0"}, "--model.uncollided-power"},
      {{"--model.uncollided-power", "inf"}, "--model.uncollided-power"},
      {{"--problem", "bgk", "--model.uncollided", "0.1"}, "--model.uncollided"},
      {{"--dtype", "half"}, "--dtype"},
      {{"--exchange", "ring"}, "--exchange"},
      {{"--problem", "euler"}, "--problem"},
      {{"--eval-eps", "1,abc"}, "--eval-eps"},
      {{"--eval-eps", "1,-2"}, "--eval-eps"},
      {{"--aggregator", "nonsense"}, "--aggregator"},
      {{"--hrgrad.rho", "2"}, "--hrgrad.rho"},
      {{"--checkpoint-every", "-1"}, "--checkpoint-every"},
      {{"--flush-every", "-5"}, "--flush-every"},
      {{"--eval-every", "-1"}, "--eval-every"},
      {{"--eps-margin", "-0.1"}, "--eps-margin"},
      {{"--eps-margin", "1.5"}, "--eps-margin"},
      {{"--eps-min", "1e-8", "--eps-margin", "0.1"}, "--eps-margin"},
      {{"--problem", "bgk", "--bgk.weights", "1,2"}, "--bgk.weights"},
      {{"--bgk.weights", "1,1,1,1,1,1,1,1,1,1,-1"}, "--bgk.weights"},
      {{"--bgk.v-max", "0"}, "--bgk.v-max"},
      {{"--problem", "bgk", "--bgk.initial", "soft"}, "--bgk.initial"},
      {{"--points.front", "1.5"}, "--points.front"},
      {{"--points.front", "-0.1"}, "--points.front"},
      {{"--problem", "bgk", "--points.front", "0.5"}, "--points.front"},
      {{"--points.front-width", "0.5"}, "--points.front-width"},
      {{"--points.adaptive", "-1"}, "--points.adaptive"},
      {{"--points.adaptive", "nan"}, "--points.adaptive"},
      {{"--problem", "bgk", "--points.adaptive", "1"}, "--points.adaptive"},
      {{"--points.adaptive-pool", "1"}, "--points.adaptive-pool"},
      {{"--points.adaptive-floor", "-0.5"}, "--points.adaptive-floor"},
      {{"--model.cone", "-0.1"}, "--model.cone"},
      {{"--model.cone", "inf"}, "--model.cone"},
      {{"--problem", "bgk", "--model.cone", "0.05"}, "--model.cone"},
      {{"--ema-decay", "1"}, "--ema-decay"},
      {{"--ema-decay", "-0.5"}, "--ema-decay"},
      {{"--ema-decay", "nan"}, "--ema-decay"},
  };
  for (const auto& c : cases) {
    const auto message = error_of(c.args);
    EXPECT_NE(message.find(c.option), std::string::npos)
        << c.args[0] << " gave '" << message << "'";
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

// --points.front: off by default and then absent from the recorded options (so runs and
// checkpoints without it keep their keys); recorded with its width when set; 0 is fine for BGK.
TEST(Parse, FrontSampling) {
  const auto plain = parse_args({});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->sampling.front, 0.0);
  EXPECT_EQ(plain->sampling.front_width, 1.5);
  EXPECT_EQ(plain->as_text().count("points.front"), 0u);
  EXPECT_EQ(plain->as_text().count("points.front-width"), 0u);
  const auto front = parse_args({"--points.front", "0.5", "--points.front-width", "2"});
  ASSERT_TRUE(front);
  EXPECT_EQ(front->sampling.front, 0.5);
  EXPECT_EQ(front->as_text().at("points.front"), "0.5");
  EXPECT_EQ(front->as_text().at("points.front-width"), "2");
  EXPECT_TRUE(parse_args({"--problem", "bgk", "--points.front", "0"}));
}

// --points.adaptive: off by default and then absent from the recorded options; recorded with its
// pool and floor when set.
TEST(Parse, AdaptiveSampling) {
  const auto plain = parse_args({});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->sampling.adaptive, 0.0);
  EXPECT_EQ(plain->sampling.adaptive_pool, 4);
  EXPECT_EQ(plain->sampling.adaptive_floor, 1.0);
  for (const char* key : {"points.adaptive", "points.adaptive-pool", "points.adaptive-floor"})
    EXPECT_EQ(plain->as_text().count(key), 0u) << key;
  const auto rad = parse_args(
      {"--points.adaptive", "2", "--points.adaptive-pool", "8", "--points.adaptive-floor", "0"});
  ASSERT_TRUE(rad);
  EXPECT_EQ(rad->sampling.adaptive_pool, 8);
  EXPECT_EQ(rad->as_text().at("points.adaptive"), "2");
  EXPECT_EQ(rad->as_text().at("points.adaptive-pool"), "8");
  EXPECT_EQ(rad->as_text().at("points.adaptive-floor"), "0");
  EXPECT_TRUE(parse_args({"--problem", "bgk", "--points.adaptive", "0"}));
}

// --model.cone: off by default and then absent from the recorded options (checkpoints without
// it keep their hash); recorded when set.
TEST(Parse, ConeGate) {
  const auto plain = parse_args({});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->model.cone, 0.0);
  EXPECT_EQ(plain->as_text().count("model.cone"), 0u);
  const auto gated = parse_args({"--model.cone", "0.05"});
  ASSERT_TRUE(gated);
  EXPECT_EQ(gated->model.cone, 0.05);
  EXPECT_EQ(gated->as_text().at("model.cone"), "0.050000000000000003");
  EXPECT_TRUE(parse_args({"--problem", "bgk", "--model.cone", "0"}));
}

// --ema-decay: off by default and then absent from the recorded options; recorded when set.
TEST(Parse, EmaDecay) {
  const auto plain = parse_args({});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->train.ema_decay, 0.0);
  EXPECT_EQ(plain->as_text().count("ema-decay"), 0u);
  const auto averaged = parse_args({"--ema-decay", "0.995"});
  ASSERT_TRUE(averaged);
  EXPECT_EQ(averaged->train.ema_decay, 0.995);
  EXPECT_EQ(averaged->as_text().count("ema-decay"), 1u);
}

TEST(Parse, MalformedAndUnknownOptions) {
  EXPECT_NE(error_of({"--regimes", "four"}).find("regimes"), std::string::npos);
  EXPECT_NE(error_of({"--steps", "1.5"}).find("steps"), std::string::npos);
  EXPECT_NE(error_of({"--no-such-option", "1"}).find("no-such-option"), std::string::npos);
  EXPECT_NE(error_of({"--config", "/nonexistent/file.ini"}).find("--config"), std::string::npos);
  const std::string path = std::string(HRGRAD_TEST_TMP) + "/unknown.ini";
  std::ofstream(path) << "colour = blue\n";
  const auto message = error_of({"--config", path});
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("colour"), std::string::npos) << message;
}

}  // namespace

// The shipped config files parse, and the BGK pair is phase 1 and phase 2 of one run: the same
// problem and network, phase 2 with the moment_E weight raised to 10 and a lower learning rate.
TEST(Parse, ShippedConfigFilesParse) {
  const std::string dir = HRGRAD_CONFIGS;
  for (const char* name : {"default.ini", "bgk.ini", "bgk_finetune.ini"}) {
    EXPECT_TRUE(parse_args({"--config", dir + "/" + name})) << name;
  }
  const auto phase1 = parse_args({"--config", dir + "/bgk.ini"});
  const auto phase2 = parse_args({"--config", dir + "/bgk_finetune.ini"});
  ASSERT_TRUE(phase1 && phase2);
  EXPECT_EQ(phase1->problem, "bgk");
  EXPECT_GT(phase2->train.steps, phase1->train.steps);
  EXPECT_LT(phase2->train.lr, phase1->train.lr);
  EXPECT_EQ(phase2->bgk.weights[6], 10.0);
  auto text1 = phase1->as_text(), text2 = phase2->as_text();
  for (const char* key : {"steps", "lr", "bgk.weights"}) {
    text1.erase(key);
    text2.erase(key);
  }
  EXPECT_EQ(text1, text2);
}
