// The regimes: contiguous log-uniform segments of [ε_min, ε_max], ordered by ε. Each regime is
// one task of the multi-task training and samples ε log-uniformly inside its segment. A margin
// extends the first and the last segment beyond the range, so that the ends of the range are
// not the edges of what the network is trained on.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace hrgrad::physics {

struct Regime {
  int index = 0;
  double eps_low = 0;
  double eps_high = 0;
  std::string label() const;  // "[1e-04, 1e-03]"; "[6.3e-05, 1e-03]" off powers of ten
};

// count segments of [eps_min, eps_max]; the first starts margin_decades below eps_min and the
// last ends margin_decades above eps_max.
std::vector<Regime> log_uniform_regimes(double eps_min, double eps_max, int count,
                                        double margin_decades = 0.0);

// [eps_min 10^-margin, eps_max 10^margin]: the ε the regimes sample, which the ε encoding maps
// onto [-1, 1].
std::pair<double, double> trained_range(double eps_min, double eps_max, double margin_decades);

}  // namespace hrgrad::physics
