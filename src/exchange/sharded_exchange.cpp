// The sharded exchange (DESIGN.md §5, aggregators.md §6 layout A3): each rank owns one slice of
// the parameter vector, so the m x p gradient matrix is never assembled on one rank.
#include <algorithm>

#include "detail.hpp"
#include "hrgrad/core/log.hpp"
#include "hrgrad/core/partition.hpp"
#include "hrgrad/exchange/exchange.hpp"

namespace hrgrad::exchange {

StepResult ShardedExchange::step(const torch::Tensor& local_gradients,
                                 const std::vector<double>& local_scalars) {
  const int m = topology_.tasks();
  const int ranks = comm_.size(), rank = comm_.rank();
  const std::int64_t p = local_gradients.size(1);
  const auto type = detail::data_type(local_gradients);
  const std::int64_t element = static_cast<std::int64_t>(comm::size_of(type));
  const torch::Tensor local = detail::staged(local_gradients, data_);
  const std::int64_t own_rows = topology_.task_count(rank);
  if (local.size(0) != own_rows) {
    throw Error(log::format("sharded exchange: rank ", rank, " passed ", local.size(0),
                            " task gradients, owns ", own_rows));
  }
  const auto row_tasks = topology_.row_tasks();
  const auto rows = static_cast<std::int64_t>(row_tasks.size());

  const auto bounds = split_bounds(p, ranks);
  const std::int64_t length = bounds[rank + 1] - bounds[rank];
  StepResult result;

  // 1. All-to-all: this rank's rows, cut into slices by destination; back comes this rank's
  // slice of every row in rank order (each rank's rows are a contiguous block), and the partial
  // rows of a task group add up to the task's slice.
  std::vector<torch::Tensor> pieces;
  std::vector<int> send_counts(ranks), receive_counts(ranks);
  for (int s = 0; s < ranks; ++s) {
    const std::int64_t len = bounds[s + 1] - bounds[s];
    pieces.push_back(local.slice(1, bounds[s], bounds[s + 1]).reshape({-1}));
    send_counts[s] = static_cast<int>(own_rows * len);
    receive_counts[s] = static_cast<int>(topology_.task_count(s) * length);
  }
  const torch::Tensor send = torch::cat(pieces).contiguous();
  torch::Tensor received = torch::empty({rows, length}, local.options());
  data_.alltoallv(send.data_ptr(), send_counts, displacements(send_counts), received.data_ptr(),
                  receive_counts, displacements(receive_counts), type);
  for (int s = 0; s < ranks; ++s) {
    if (s == rank) continue;
    result.bytes_sent += send_counts[s] * element;
    result.bytes_received += receive_counts[s] * element;
  }
  const torch::Tensor slice = detail::sum_by_task(received, row_tasks, m);

  // 2. Every task's scalars on every rank.
  const auto scalar_counts = detail::scaled(topology_.counts(), scalars_per_task_);
  std::vector<double> row_scalars(static_cast<std::size_t>(rows) * scalars_per_task_);
  comm_.allgatherv(local_scalars.data(), row_scalars.data(), scalar_counts,
                   comm::DataType::kFloat64);
  result.scalars = detail::sum_by_task(std::move(row_scalars), row_tasks, m);
  const std::int64_t own_scalars = own_rows * scalars_per_task_;
  result.bytes_sent += (ranks - 1) * own_scalars * 8;
  result.bytes_received += (rows * scalars_per_task_ - own_scalars) * 8;

  // 3. The slice Gram, summed over ranks: exact, since G is additive over parameter blocks.
  torch::Tensor gram = detail::gram_in_double(slice).to(torch::kCPU).contiguous();
  comm_.allreduce_sum(gram.data_ptr(), static_cast<std::size_t>(m) * m, comm::DataType::kFloat64);
  if (ranks > 1) {
    result.bytes_sent += static_cast<std::int64_t>(m) * m * 8;
    result.bytes_received += static_cast<std::int64_t>(m) * m * 8;
  }
  result.gram =
      Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          gram.data_ptr<double>(), m, m);

  // 4. Every rank runs the aggregator on the same G; its state is seeded identically, so the
  // weights agree without a broadcast.
  const auto aggregated = aggregator_.aggregate(result.gram);
  if (rank == 0) {
    for (const auto& note : aggregated.diagnostics.notes) log::info("aggregator: " + note);
  }
  result.skipped = aggregated.skip;
  result.weights = Eigen::VectorXd::Zero(m);
  result.update = torch::zeros({p}, local_gradients.options());
  if (result.skipped) return result;  // G is identical everywhere, so every rank returns here
  result.weights = aggregated.weights;
  result.diagnostics = aggregate::diagnose(result.gram, result.weights);

  // 5. This rank's slice of sum_i w_i g_i, then the allgather of the slices.
  const torch::Tensor w =
      torch::from_blob(result.weights.data(), {m}, torch::TensorOptions().dtype(torch::kFloat64));
  const torch::Tensor own = detail::combine_in_double(w, slice);
  std::vector<int> slice_counts(ranks);
  for (int s = 0; s < ranks; ++s) slice_counts[s] = static_cast<int>(bounds[s + 1] - bounds[s]);
  torch::Tensor update = torch::empty({p}, local.options());
  data_.allgatherv(own.data_ptr(), update.data_ptr(), slice_counts, type);
  result.update = update.to(local_gradients.device());
  result.bytes_sent += (ranks - 1) * length * element;
  result.bytes_received += (p - length) * element;
  return result;
}

}  // namespace hrgrad::exchange
