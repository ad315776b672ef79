#include "hrgrad/core/number_list.hpp"

#include <gtest/gtest.h>

#include "hrgrad/core/error.hpp"

namespace {

TEST(NumberList, ParsesBlanksAndEmptyItems) {
  EXPECT_EQ(hrgrad::parse_number_list(" 1, 1e-2 ,,1e-4 ", "--x"),
            (std::vector<double>{1.0, 1e-2, 1e-4}));
  EXPECT_TRUE(hrgrad::parse_number_list("", "--x").empty());
}

TEST(NumberList, NamesTheOptionOnBadItems) {
  for (const char* text : {"1,abc", "1e-2x", "0.5,1 2"}) {
    try {
      hrgrad::parse_number_list(text, "--eval-eps");
      FAIL() << text;
    } catch (const hrgrad::InputError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("--eval-eps: ", 0), 0u) << e.what();
    }
  }
}

}  // namespace
