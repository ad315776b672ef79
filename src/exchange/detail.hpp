// Helpers shared by the exchange implementations (not part of the public interface).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "hrgrad/comm/communicator.hpp"
#include "hrgrad/core/error.hpp"

namespace hrgrad::exchange::detail {

inline comm::DataType data_type(const torch::Tensor& t) {
  if (t.scalar_type() == torch::kFloat32) return comm::DataType::kFloat32;
  if (t.scalar_type() == torch::kFloat64) return comm::DataType::kFloat64;
  throw Error("exchange: unsupported gradient dtype " +
              std::string(c10::toString(t.scalar_type())));
}

inline std::vector<int> scaled(std::vector<int> counts, std::int64_t factor) {
  for (auto& c : counts) c = static_cast<int>(c * factor);
  return counts;
}

// Exclusive prefix sums: the displacements of a v-collective.
inline std::vector<int> displacements(const std::vector<int>& counts) {
  std::vector<int> displs(counts.size(), 0);
  for (std::size_t i = 1; i < counts.size(); ++i) displs[i] = displs[i - 1] + counts[i - 1];
  return displs;
}

}  // namespace hrgrad::exchange::detail
