// The training loop: builds the problem, the topology, the aggregator and the exchange from the
// options; each step every rank computes its regimes' losses and flat gradients (or, in a task
// group, its part of one regime's), the collective step returns the same update everywhere,
// and Adam applies it. Rank 0 reports progress, keeps
// the history, evaluates at the test Knudsen numbers (at the end, and every --eval-every steps;
// with --ema-decay, the parameters' moving average) and writes the run's HDF5 file.
// Checkpoints (checkpoint.hpp) are written periodically, at the end and when a stop signal
// (core/stop_signal.hpp) arrives; --resume continues from one.
#pragma once

#include <memory>
#include <vector>

#include "hrgrad/aggregate/aggregator.hpp"
#include "hrgrad/comm/communicator.hpp"
#include "hrgrad/comm/topology.hpp"
#include "hrgrad/config/options.hpp"
#include "hrgrad/exchange/exchange.hpp"
#include "hrgrad/physics/problem.hpp"
#include "hrgrad/train/eval_history.hpp"
#include "hrgrad/train/history.hpp"
#include "hrgrad/train/metrics_csv.hpp"
#include "hrgrad/train/parameter_average.hpp"

namespace hrgrad::train {

struct TrainResult {
  std::vector<physics::Evaluation> evaluations;  // rank 0 only
  double seconds = 0;
  int steps = 0;
  // A stop signal (SIGTERM, SIGUSR1) ended training early after a checkpoint was written; no
  // evaluation was done.
  int stop_signal = 0;
};

class Trainer {
 public:
  // Validates what depends on the run (rank count, output file) and builds everything; throws
  // InputError before any training when something does not fit.
  Trainer(const config::Options& options, comm::Communicator& comm);
  ~Trainer();
  TrainResult run();
  const History& history() const { return history_; }
  const EvalHistory& eval_history() const { return eval_history_; }  // rank 0

 private:
  void broadcast_parameters();
  void apply_update(const torch::Tensor& update);
  // Rank 0: evaluates at the test ε, logs and keeps the errors (--eval-every).
  void evaluate_during_training(std::int64_t steps_done, double wall_time);
  void report(const HistoryRow& row, double elapsed) const;
  void write_output(const TrainResult& result) const;
  void write_output_file(io::File& file, const TrainResult& result) const;
  // Checkpoints, progress files and stop signals (checkpoint.hpp, metrics_csv.hpp).
  void restore(const std::string& checkpoint);
  void prepare_output_files();
  int agreed_stop_signal();
  void after_step(std::int64_t steps_done, int consecutive_skips);
  void write_checkpoint(std::int64_t steps_done, int consecutive_skips);
  void write_config_and_history(io::File& file) const;
  void write_progress() const;

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
  std::unique_ptr<ParameterAverage> average_;  // what evaluations use (--ema-decay)
  History history_;
  EvalHistory eval_history_;     // rank 0
  double eval_seconds_ = 0;      // spent evaluating during training, left out of the wall times
  std::int64_t start_step_ = 0;  // > 0 after --resume
  int start_skips_ = 0;
  double start_wall_time_ = 0;
  std::unique_ptr<MetricsCsv> metrics_csv_;  // rank 0, with --metrics-csv
};

// Prints the per-ε error table (rank 0).
std::string format_evaluation_table(const std::vector<physics::Evaluation>& evaluations,
                                    double t_final);

}  // namespace hrgrad::train
