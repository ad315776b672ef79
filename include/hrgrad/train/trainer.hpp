// The training loop: builds the problem, the topology, the aggregator and the exchange from the
// options; each step every rank computes its regimes' losses and flat gradients (or, in a task
// group, its part of one regime's), the collective step returns the same update everywhere,
// and Adam applies it. Rank 0 reports progress, keeps
// the history, evaluates at the test Knudsen numbers and writes the run's HDF5 file.
#pragma once

#include <memory>
#include <vector>

#include "hrgrad/aggregate/aggregator.hpp"
#include "hrgrad/comm/communicator.hpp"
#include "hrgrad/comm/topology.hpp"
#include "hrgrad/config/options.hpp"
#include "hrgrad/exchange/exchange.hpp"
#include "hrgrad/physics/problem.hpp"
#include "hrgrad/train/history.hpp"

namespace hrgrad::train {

struct TrainResult {
  std::vector<physics::Evaluation> evaluations;  // rank 0 only
  double seconds = 0;
  int steps = 0;
};

class Trainer {
 public:
  // Validates what depends on the run (rank count, output file) and builds everything; throws
  // InputError before any training when something does not fit.
  Trainer(const config::Options& options, comm::Communicator& comm);
  ~Trainer();
  TrainResult run();
  const History& history() const { return history_; }

 private:
  void broadcast_parameters();
  void apply_update(const torch::Tensor& update);
  void report(const HistoryRow& row, double elapsed) const;
  void write_output(const TrainResult& result) const;

  config::Options options_;
  comm::Communicator& comm_;
  comm::Topology topology_;
  physics::Part part_;  // this rank's share of its regimes' points (task groups)
  torch::Device device_ = torch::kCPU;
  std::unique_ptr<comm::Communicator> device_comm_;  // NCCL on GPUs, else null (host-staged)
  std::vector<physics::Regime> regimes_;
  std::unique_ptr<physics::Problem> problem_;
  std::unique_ptr<aggregate::Aggregator> aggregator_;
  std::unique_ptr<exchange::Exchange> exchange_;
  std::vector<torch::Tensor> parameters_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  History history_;
};

// Prints the per-ε error table (rank 0).
std::string format_evaluation_table(const std::vector<physics::Evaluation>& evaluations,
                                    double t_final);

}  // namespace hrgrad::train
