// Command line and INI-file parsing of hrgrad-train's options (Boost.Program_options), with
// validation. Every bad input throws hrgrad::InputError with a one-line message naming the
// option (or the file), before any work starts.
#pragma once

#include <optional>
#include <string>

#include "hrgrad/config/options.hpp"

namespace hrgrad::config {

// The text of --help: every option with its default and meaning.
std::string help_text();

// Parses argv (and --config FILE, whose values the command line overrides) and validates.
// Returns nullopt when --help was given (the caller prints help_text()).
std::optional<Options> parse(int argc, const char* const* argv);

// Checks every value; throws InputError naming the first bad option.
void validate(const Options& options);

}  // namespace hrgrad::config
