// The aggregator interface: a rule that turns the m x m Gram matrix of the task gradients into
// weights w, so that the update is sum_i w_i g_i. Pure double-precision m x m arithmetic (no MPI,
// no LibTorch), so the same rule runs unchanged in every exchange and on every rank. Stateful
// rules (random permutations, warm starts) draw their state from the run's seed, so every rank
// computes identical weights.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace hrgrad::aggregate {

// What an aggregation returns besides the weights; computed from G and w alone.
struct Diagnostics {
  Eigen::MatrixXd cosines;         // C = D^-1 G D^-1 (0 rows/cols for zero-norm tasks)
  Eigen::VectorXd update_cosines;  // cos(update, g_i); 0 for zero-norm tasks
  double min_update_cosine = 0.0;  // min_i cos(update, g_i) over nonzero tasks
  double update_norm = 0.0;        // |sum_i w_i g_i| = sqrt(w^T G w)
  double conflict = 0.0;           // max(0, -min_{i != j} C_ij): 0 without pairwise conflict
  std::vector<std::string> notes;  // degenerate cases met this step (dropped task, ...)
};

struct Result {
  Eigen::VectorXd weights;  // size m; the update is sum_i weights_i g_i
  Diagnostics diagnostics;
  bool skip = false;  // true when G is not finite: every rank skips the step
};

// One tunable parameter of a method, exposed as the option --<method>.<key>.
struct ParameterSpec {
  std::string key;
  std::string default_value;
  std::string help;
};

// Values by key, as strings from the command line or the config file.
using Parameters = std::map<std::string, std::string>;

// What a rule carries from one step to the next (a random stream, a warm start), as plain
// numbers, so that a checkpoint can restore it and a resumed run continues exactly.
struct State {
  std::vector<std::int64_t> integers;
  std::vector<double> reals;
  bool empty() const { return integers.empty() && reals.empty(); }
};

class Aggregator {
 public:
  virtual ~Aggregator() = default;
  virtual std::string name() const = 0;
  // Weights for the Gram matrix G (m x m, symmetric). May update internal state.
  virtual Result aggregate(const Eigen::MatrixXd& gram) = 0;
  // The state carried across steps; empty for stateless rules.
  virtual State state() const { return {}; }
  // Restores what state() returned; throws hrgrad::InputError when it does not fit this rule.
  virtual void restore(const State& state);

 protected:
  // Throws the InputError for a saved state that does not fit this rule.
  [[noreturn]] void refuse(const State& state) const;
};

// The names accepted by make_aggregator, in display order.
std::vector<std::string> aggregator_names();

// The parameters of the named method (empty for methods without any).
std::vector<ParameterSpec> parameter_specs(const std::string& method);

// Builds the named method. Missing parameters take their defaults; a bad name or value throws
// hrgrad::InputError naming the option ("--aggregator" or "--<method>.<key>").
std::unique_ptr<Aggregator> make_aggregator(const std::string& method, const Parameters& params,
                                            std::uint64_t seed);

// Diagnostics for weights w on Gram G (shared by every method).
Diagnostics diagnose(const Eigen::MatrixXd& gram, const Eigen::VectorXd& weights);

}  // namespace hrgrad::aggregate
