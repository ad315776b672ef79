// Which share of a regime's collocation points one rank computes (task groups, DESIGN.md §5):
// part `index` of `count` contiguous, near-equal parts of every point set. A part's loss is its
// share of the regime's loss (squared residuals summed over its points, divided by the regime's
// full point count), so the parts' losses and gradients add up to the whole regime's.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace hrgrad::physics {

struct Part {
  int index = 0;
  int count = 1;
};

// The rows of `points` (one sample per row) that belong to `part`.
torch::Tensor part_rows(const torch::Tensor& points, Part part);

// This part's share of the mean square of a residual over full_rows rows: (B, K) residual rows
// of the part, summed and divided by full_rows * K.
torch::Tensor part_mse(const torch::Tensor& residual, std::int64_t full_rows);

}  // namespace hrgrad::physics
