// The collective step: every rank holds the flat gradients of its own tasks; the step combines
// all tasks' gradients with the aggregator and gives every rank the same update, together with
// the Gram matrix, the weights and every task's logged scalars (losses, loss components).
#pragma once

#include <torch/torch.h>

#include <Eigen/Dense>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hrgrad/aggregate/aggregator.hpp"
#include "hrgrad/comm/communicator.hpp"
#include "hrgrad/comm/topology.hpp"

namespace hrgrad::exchange {

struct StepResult {
  torch::Tensor update;     // (p), identical on every rank; zero when skipped
  Eigen::MatrixXd gram;     // m x m, task order
  Eigen::VectorXd weights;  // m
  aggregate::Diagnostics diagnostics;
  std::vector<double> scalars;  // m x scalars_per_task, task order
  bool skipped = false;         // the Gram matrix was not finite: no update this step
  // This rank's payload bytes this step, from the counts given to MPI; what a rank "sends" to
  // itself is not counted, and a broadcast counts as root -> every other rank.
  std::int64_t bytes_sent = 0, bytes_received = 0;
};

class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual std::string name() const = 0;
  // local_gradients: (rows of this rank, p), its tasks' gradients or, in a task group, its part of
  // one task's gradient (parts add up), on the CPU or a GPU; the update comes back on the same
  // device. local_scalars: that many rows of scalars_per_task numbers (parts add up too).
  // Collective: every rank calls it with its own rows.
  virtual StepResult step(const torch::Tensor& local_gradients,
                          const std::vector<double>& local_scalars) = 0;
};

// What every exchange of hrgrad works with: the communicator, which rank owns which tasks, the
// aggregator every rank runs on the same Gram matrix, and the scalars logged per task.
// Gradient-sized payloads go through `data` (NCCL on device memory, when given) and the small
// m x m and scalar traffic through `comm` in host memory; without `data`, everything goes
// through `comm`, staged through the host.
class TaskExchange : public Exchange {
 public:
  // Throws Error when the topology was made for another number of ranks than comm has.
  TaskExchange(comm::Communicator& comm, const comm::Topology& topology,
               aggregate::Aggregator& aggregator, int scalars_per_task,
               comm::Communicator* data = nullptr);

 protected:
  comm::Communicator& comm_;
  comm::Communicator& data_;
  comm::Topology topology_;
  aggregate::Aggregator& aggregator_;
  int scalars_per_task_;
};

// The reference exchange: gather every task gradient on rank 0, aggregate there, broadcast
// the update and the step's numbers.
class GatherExchange final : public TaskExchange {
 public:
  using TaskExchange::TaskExchange;
  std::string name() const override { return "gather"; }
  StepResult step(const torch::Tensor& local_gradients,
                  const std::vector<double>& local_scalars) override;
};

// The sharded exchange (aggregators.md §6, layout A3): the p-vector is split into one contiguous
// slice per rank; an all-to-all gives each rank its slice of every task gradient, the slice Grams
// are summed with one allreduce of m x m numbers, every rank runs the aggregator on the same G,
// forms its slice of the update, and an allgather assembles the update on every rank.
class ShardedExchange final : public TaskExchange {
 public:
  using TaskExchange::TaskExchange;
  std::string name() const override { return "sharded"; }
  StepResult step(const torch::Tensor& local_gradients,
                  const std::vector<double>& local_scalars) override;
};

// "gather" or "sharded"; anything else throws InputError.
std::unique_ptr<Exchange> make_exchange(const std::string& name, comm::Communicator& comm,
                                        const comm::Topology& topology,
                                        aggregate::Aggregator& aggregator, int scalars_per_task,
                                        comm::Communicator* data = nullptr);

}  // namespace hrgrad::exchange
