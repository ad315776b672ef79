// The checkpoint fingerprint: --eps-margin changes the ε encoding and --model.uncollided what the
// networks represent, so they enter the hash, except at 0, so that checkpoints written before
// the options existed still resume.
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

TEST(Fingerprint, UncollidedChangesTheHash) {
  config::Options o;
  o.model.uncollided = 0;
  const auto off = train::fingerprint_hash(o.as_text());
  o.model.uncollided = 0.1;
  EXPECT_NE(train::fingerprint_hash(o.as_text()), off);
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
