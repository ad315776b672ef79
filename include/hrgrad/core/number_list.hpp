// Numbers in option values: parsing comma-separated lists ("1,1e-2,1e-4"), and printing a
// number briefly but so that it reads back exactly.
#pragma once

#include <string>
#include <vector>

namespace hrgrad {

// Splits on commas, ignores blanks around items and empty items; throws InputError naming
// `option` when an item is not a number.
std::vector<double> parse_number_list(const std::string& text, const std::string& option);

// %g at 15 significant digits, or 16 or 17 where 15 do not parse back to `value`: 0.15, not
// 0.14999999999999999.
std::string shortest_text(double value);

}  // namespace hrgrad
