// The checkpoint fingerprint: --eps-margin changes the ε encoding, so it enters the hash, except
// at 0, so that checkpoints written before the option existed (no margin) still resume.
#include <gtest/gtest.h>

#include "hrgrad/config/options.hpp"
#include "hrgrad/train/checkpoint.hpp"

namespace {

using namespace hrgrad;

TEST(Fingerprint, ZeroMarginHashesAsCheckpointsWithoutTheKey) {
  config::Options o;
  o.eps_margin = 0;
  auto text = o.as_text();
  const auto with_zero = train::fingerprint_hash(text);
  text.erase("eps-margin");
  EXPECT_EQ(train::fingerprint_hash(text), with_zero);
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
