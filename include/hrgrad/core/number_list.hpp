// Parsing of comma-separated number lists given as option values ("1,1e-2,1e-4").
#pragma once

#include <string>
#include <vector>

namespace hrgrad {

// Splits on commas, ignores blanks around items and empty items; throws InputError naming
// `option` when an item is not a number.
std::vector<double> parse_number_list(const std::string& text, const std::string& option);

}  // namespace hrgrad
