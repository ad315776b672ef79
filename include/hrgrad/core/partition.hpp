// Contiguous, near-equal splits of n items into parts (sizes differ by at most one, larger parts
// first): the one rule shared by the topology, the sharded exchange's parameter slices and the
// task groups' point splits; and the displacements of the communicators' v-collectives.
#pragma once

#include <cstdint>
#include <vector>

namespace hrgrad {

// The first item of each part, size parts + 1 (the last entry is n).
std::vector<std::int64_t> split_bounds(std::int64_t n, int parts);

// Exclusive prefix sums of per-rank counts: the displacements of a v-collective.
std::vector<int> displacements(const std::vector<int>& counts);

}  // namespace hrgrad
