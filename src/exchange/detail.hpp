// Helpers shared by the exchange implementations (not part of the public interface).
#pragma once

#include <torch/torch.h>

#include <algorithm>
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

// Task groups contribute one partial row per rank, and rows of the same task add up;
// row_tasks (Topology::row_tasks()) names each row's task. m rows are one per task, in order.
inline torch::Tensor sum_by_task(const torch::Tensor& rows, const std::vector<int>& row_tasks,
                                 int m) {
  if (rows.size(0) == m) return rows;
  const std::vector<std::int64_t> tasks(row_tasks.begin(), row_tasks.end());
  const torch::Tensor index = torch::tensor(tasks, torch::kLong).to(rows.device());
  return torch::zeros({m, rows.size(1)}, rows.options()).index_add_(0, index, rows);
}

inline std::vector<double> sum_by_task(std::vector<double> rows, const std::vector<int>& row_tasks,
                                       int m) {
  if (row_tasks.size() == static_cast<std::size_t>(m)) return rows;
  const auto width = static_cast<std::int64_t>(rows.size() / row_tasks.size());
  const torch::Tensor summed = sum_by_task(
      torch::from_blob(rows.data(), {static_cast<std::int64_t>(row_tasks.size()), width},
                       torch::kFloat64),
      row_tasks, m);
  return {summed.data_ptr<double>(), summed.data_ptr<double>() + summed.numel()};
}

// Columns per block of the double-precision products below: small enough that the double copy
// of a block stays in the heap (glibc maps larger blocks afresh, and page-faults them in, on
// every step), large enough for BLAS to run at speed.
inline constexpr std::int64_t kDoubleBlockColumns = 1 << 14;

// G = J J^T in double, accumulated over column blocks of J (rows: tasks).
inline torch::Tensor gram_in_double(const torch::Tensor& j) {
  const std::int64_t m = j.size(0), p = j.size(1);
  torch::Tensor gram = torch::zeros({m, m}, j.options().dtype(torch::kFloat64));
  for (std::int64_t c = 0; c < p; c += kDoubleBlockColumns) {
    const torch::Tensor block =
        j.slice(1, c, std::min(p, c + kDoubleBlockColumns)).to(torch::kFloat64);
    gram.addmm_(block, block.t());
  }
  return gram;
}

// sum_i w_i J_i, formed in double block by block and stored in J's type; w: (m) doubles.
inline torch::Tensor combine_in_double(const torch::Tensor& w, const torch::Tensor& j) {
  const std::int64_t p = j.size(1);
  torch::Tensor out = torch::empty({p}, j.options());
  const torch::Tensor weights = w.to(j.device());
  for (std::int64_t c = 0; c < p; c += kDoubleBlockColumns) {
    const std::int64_t end = std::min(p, c + kDoubleBlockColumns);
    out.slice(0, c, end).copy_(torch::matmul(weights, j.slice(1, c, end).to(torch::kFloat64)));
  }
  return out;
}

// Where tensor payloads must lie for the data communicator: on the device for a device
// backend (NCCL), else in host memory (staged through the host for MPI).
inline torch::Tensor staged(const torch::Tensor& tensor, const comm::Communicator& data) {
  return (data.device_buffers() ? tensor : tensor.to(torch::kCPU)).contiguous();
}

}  // namespace hrgrad::exchange::detail
