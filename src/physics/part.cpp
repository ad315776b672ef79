#include "hrgrad/physics/part.hpp"

#include "hrgrad/core/partition.hpp"

namespace hrgrad::physics {

torch::Tensor part_rows(const torch::Tensor& points, Part part) {
  if (part.count == 1) return points;
  const auto bounds = split_bounds(points.size(0), part.count);
  return points.slice(0, bounds[part.index], bounds[part.index + 1]);
}

torch::Tensor part_mse(const torch::Tensor& residual, std::int64_t full_rows) {
  const std::int64_t columns = residual.dim() > 1 ? residual.size(1) : 1;
  return residual.square().sum() / static_cast<double>(full_rows * columns);
}

}  // namespace hrgrad::physics
