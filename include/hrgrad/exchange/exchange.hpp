// The collective step: every rank holds the flat gradients of its own tasks; the step combines
// all tasks' gradients with the aggregator and gives every rank the same update, together with
// the Gram matrix, the weights and every task's logged scalars (losses, loss components).
#pragma once

#include <torch/torch.h>

#include <Eigen/Dense>
#include <memory>
#include <string>
#include <vector>

#include "hrgrad/aggregate/aggregator.hpp"
#include "hrgrad/comm/communicator.hpp"
#include "hrgrad/comm/topology.hpp"

namespace hrgrad::exchange {

struct StepResult {
  torch::Tensor update;          // (p), identical on every rank; zero when skipped
  Eigen::MatrixXd gram;          // m x m, task order
  Eigen::VectorXd weights;       // m
  aggregate::Diagnostics diagnostics;
  std::vector<double> scalars;   // m x scalars_per_task, task order
  bool skipped = false;          // the Gram matrix was not finite: no update this step
};

class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual std::string name() const = 0;
  // local_gradients: (tasks of this rank, p), contiguous; local_scalars: that many rows of
  // scalars_per_task numbers. Collective: every rank calls it with its own tasks.
  virtual StepResult step(const torch::Tensor& local_gradients,
                          const std::vector<double>& local_scalars) = 0;
};

// The reference exchange: gather every task gradient on rank 0, aggregate there, broadcast
// the update and the step's numbers.
class GatherExchange final : public Exchange {
 public:
  GatherExchange(comm::Communicator& comm, const comm::Topology& topology,
                 aggregate::Aggregator& aggregator, int scalars_per_task);
  std::string name() const override { return "gather"; }
  StepResult step(const torch::Tensor& local_gradients,
                  const std::vector<double>& local_scalars) override;

 private:
  comm::Communicator& comm_;
  comm::Topology topology_;
  aggregate::Aggregator& aggregator_;
  int scalars_per_task_;
};

std::unique_ptr<Exchange> make_exchange(const std::string& name, comm::Communicator& comm,
                                        const comm::Topology& topology,
                                        aggregate::Aggregator& aggregator, int scalars_per_task);

}  // namespace hrgrad::exchange
