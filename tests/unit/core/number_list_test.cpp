#include "hrgrad/core/number_list.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

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

TEST(NumberList, ShortestTextReadsBack) {
  EXPECT_EQ(hrgrad::shortest_text(0.15), "0.15");
  EXPECT_EQ(hrgrad::shortest_text(1e-4), "0.0001");
  EXPECT_EQ(hrgrad::shortest_text(1e-10), "1e-10");
  EXPECT_EQ(hrgrad::shortest_text(3000), "3000");
  EXPECT_EQ(hrgrad::shortest_text(0.1 + 0.2), "0.30000000000000004");  // 17 digits needed
  for (double v : {1.0 / 3, 2.0 / 3e7, 0.96, -1.5e300, 5e-324})
    EXPECT_EQ(std::strtod(hrgrad::shortest_text(v).c_str(), nullptr), v) << v;
}

}  // namespace
