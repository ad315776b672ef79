// Wall-clock timing: a stopwatch, and an accumulator of named phases of a training step.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace hrgrad {

class Stopwatch {
 public:
  Stopwatch() : start_(Clock::now()) {}
  void reset() { start_ = Clock::now(); }
  double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_;
};

// Sums the seconds spent in each named phase (forward, backward, exchange, ...).
class PhaseTimer {
 public:
  void add(const std::string& phase, double seconds) { totals_[phase] += seconds; }
  const std::map<std::string, double>& totals() const { return totals_; }
  void clear() { totals_.clear(); }

 private:
  std::map<std::string, double> totals_;
};

}  // namespace hrgrad
