// The regimes: contiguous log-uniform segments of [ε_min, ε_max], ordered by ε. Each regime is
// one task of the multi-task training and samples ε log-uniformly inside its segment.
#pragma once

#include <string>
#include <vector>

namespace hrgrad::physics {

struct Regime {
  int index = 0;
  double eps_low = 0;
  double eps_high = 0;
  std::string label() const;  // "[1e-04, 1e-03]"
};

std::vector<Regime> log_uniform_regimes(double eps_min, double eps_max, int count);

}  // namespace hrgrad::physics
