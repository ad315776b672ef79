#include "hrgrad/core/number_list.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "hrgrad/core/error.hpp"

namespace hrgrad {

std::vector<double> parse_number_list(const std::string& text, const std::string& option) {
  std::vector<double> values;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    const auto first = item.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    item = item.substr(first, item.find_last_not_of(" \t") - first + 1);
    std::size_t used = 0;
    double value = 0;
    try {
      value = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    require(used == item.size(), option,
            "'" + item + "' is not a number (expected comma-separated numbers, e.g. 1,1e-2,1e-4)");
    values.push_back(value);
  }
  return values;
}

std::string shortest_text(double value) {
  // %g drops trailing zeros, so 15 digits print 0.15 as "0.15" and 3000 as "3000".
  char text[32];
  for (int digits = 15; digits < 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    if (std::strtod(text, nullptr) == value) return text;
  }
  std::snprintf(text, sizeof text, "%.17g", value);  // always reads back
  return text;
}

}  // namespace hrgrad
