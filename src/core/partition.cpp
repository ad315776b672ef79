#include "hrgrad/core/partition.hpp"

namespace hrgrad {

std::vector<std::int64_t> split_bounds(std::int64_t n, int parts) {
  std::vector<std::int64_t> bounds(parts + 1, 0);
  const std::int64_t base = n / parts, extra = n % parts;
  for (int r = 0; r < parts; ++r) bounds[r + 1] = bounds[r] + base + (r < extra ? 1 : 0);
  return bounds;
}

std::vector<int> displacements(const std::vector<int>& counts) {
  std::vector<int> displs(counts.size(), 0);
  for (std::size_t i = 1; i < counts.size(); ++i) displs[i] = displs[i - 1] + counts[i - 1];
  return displs;
}

}  // namespace hrgrad
