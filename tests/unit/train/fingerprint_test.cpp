// The checkpoint fingerprint: --eps-margin changes the ε encoding and --model.uncollided (and
// its power) what the networks represent, so they enter the hash, except at the values implied
// before the options existed (0, 0 and 2), so that checkpoints written then still resume.
#include <gtest/gtest.h>

#include "hrgrad/config/options.hpp"
#include "hrgrad/train/checkpoint.hpp"

namespace {

using namespace hrgrad;

TEST(Fingerprint, ZeroMarginHashesAsCheckpointsWithoutTheKey) {
  config::Options o;
  o.eps_margin = 0;
  o.model.uncollided = 0;
  auto text = o.as_text();
  const auto with_zero = train::fingerprint_hash(text);
  text.erase("eps-margin");
  EXPECT_EQ(train::fingerprint_hash(text), with_zero);
  text.erase("model.uncollided");
  EXPECT_EQ(train::fingerprint_hash(text), with_zero);
}

// Power 2, the form before --model.uncollided-power existed, hashes as no entry.
TEST(Fingerprint, PowerTwoHashesAsCheckpointsWithoutTheKey) {
  config::Options o;
  o.model.uncollided_power = 2;
  auto text = o.as_text();
  ASSERT_EQ(text.at("model.uncollided-power"), "2");
  const auto with_two = train::fingerprint_hash(text);
  text.erase("model.uncollided-power");
  EXPECT_EQ(train::fingerprint_hash(text), with_two);
}

// Without the split the power is not recorded, so a BGK or split-free checkpoint written when
// the default power was 2 still resumes under the default 4.
TEST(Fingerprint, PowerIsNotRecordedWithoutTheSplit) {
  config::Options o;
  o.model.uncollided = 0;
  const auto four = o.as_text();
  EXPECT_EQ(four.count("model.uncollided-power"), 0u);
  o.model.uncollided_power = 2;
  EXPECT_EQ(train::fingerprint_hash(o.as_text()), train::fingerprint_hash(four));
  o.model.uncollided = 0.3;
  EXPECT_EQ(o.as_text().at("model.uncollided-power"), "2");
}

TEST(Fingerprint, UncollidedAndItsPowerChangeTheHash) {
  config::Options o;
  o.model.uncollided = 0;
  const auto off = train::fingerprint_hash(o.as_text());
  o.model.uncollided = 0.1;
  const auto on = train::fingerprint_hash(o.as_text());
  EXPECT_NE(on, off);
  o.model.uncollided_power = 3;
  EXPECT_NE(train::fingerprint_hash(o.as_text()), on);
}

TEST(Fingerprint, MarginAndWidthChangeTheHash) {
  config::Options o;
  o.eps_margin = 0;
  const auto none = train::fingerprint_hash(o.as_text());
  o.eps_margin = 0.2;
  const auto some = train::fingerprint_hash(o.as_text());
  EXPECT_NE(some, none);
  o.model.width = 32;
  EXPECT_NE(train::fingerprint_hash(o.as_text()), some);
  o.train.lr = 0.5;  // not part of the shape: no change
  const auto lr_changed = train::fingerprint_hash(o.as_text());
  o.train.lr = 1e-3;
  EXPECT_EQ(train::fingerprint_hash(o.as_text()), lr_changed);
}

}  // namespace
