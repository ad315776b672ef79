// Internal helpers shared by the reference solvers: number formatting for messages and keys,
// validation of output times, and the time-step plan that lands exactly on every output time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hrgrad::reference::detail {

// Shortest round-trip text of a double (%.17g trimmed): stable across runs, used in keys.
std::string fmt(double v);
std::string fmt(const std::vector<double>& v);  // comma-separated
// Four significant digits, for messages.
std::string fmt_short(double v);

// The output times: the extra ones (each in (0, t_final], option named in errors) and t_final,
// sorted, duplicates (to 1e-12 relative) removed.
std::vector<double> output_times(double t_final, const std::vector<double>& times);

// Steps of one stretch between consecutive output times: n steps of exactly dt.
struct Segment {
  std::int64_t steps;
  double dt;
};
// The fewest steps of at most dt_max that land on every output time (ascending, > 0).
std::vector<Segment> time_plan(const std::vector<double>& outputs, double dt_max);

}  // namespace hrgrad::reference::detail
