// The resolved options of a training run: every setting of hrgrad-train, with its default, as
// plain data. Filled and validated by config/parse.hpp; read by train/.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hrgrad::config {

struct ModelOptions {
  int width = 64;                   // hidden width of each MLP
  int depth = 4;                    // hidden layers of each MLP
  std::string encoding = "hidden";  // ε representation: hidden (learned) or raw (z = s)
  int harmonics = 4;                // K in [s, sin(kπs), cos(kπs)]_{k=1..K}
  int hidden_size = 8;              // d_h, the size of the learned representation
  std::string rho_output = "exp";   // exp or hard-initial (the transport density transform)
  // Transport: the Knudsen scale E of the uncollided inflow's weight exp(-(E/ε)^p); 0: off.
  double uncollided = 0.3;
  double uncollided_power = 4;  // p
  // Transport: the width W (mean free paths) of the causal gate tanh(max(0, t/ε - x)/(W ε)) on
  // the networks' fields (they vanish outside the inflow's cone x <= t/ε); 0: off.
  double cone = 0;
};

struct SamplingOptions {
  int interior = 128;   // (t, x) pairs per regime per step, each at all quadrature nodes
  int boundary = 64;    // boundary times per regime per step (each at the inflow nodes)
  int initial = 64;     // initial positions per regime per step (each at all nodes)
  int quadrature = 16;  // Gauss-Legendre velocity nodes on [-1, 1]
  // Transport only: the fraction of interior pairs drawn in the inflow's causal cone,
  // x ~ U[0, min(1, front_width t/ε)], and that cone's width c relative to t/ε.
  double front = 0.0;
  double front_width = 1.5;
  // Transport only: residual-based adaptive sampling of the interior pairs (RAD): the exponent
  // k (0: off), the candidates per pair, and the floor c of the density r^k / mean(r^k) + c.
  double adaptive = 0.0;
  int adaptive_pool = 4;
  double adaptive_floor = 1.0;
};

// Options of --problem bgk only.
struct BgkOptions {
  // Loss weights in the order of the BGK loss components (docs/bgk.md): bgk, cons_rho, cons_m,
  // cons_E, moment_rho, moment_m, moment_E, ic_rho, ic_u, ic_T, ic_f.
  std::vector<double> weights = {1, 1, 1, 1, 1, 1, 1, 10, 1, 10, 10};
  double v_max = 10.0;              // velocity range [-v_max, v_max] of the quadrature
  double envelope = 2.0;            // θ of the envelope f = softplus(o) exp(-v²/(2θ)); 0: none
  std::string initial = "penalty";  // initial state through the ic_* losses, or "hard"
};

struct TrainOptions {
  int steps = 3000;
  double lr = 1e-3;
  double lr_decay = 0.96;  // multiply lr by this every lr_decay_every steps
  int lr_decay_every = 100;
  // Evaluations use the exponential moving average of the parameters with this decay (the
  // iterate keeps training); 0: the last iterate.
  double ema_decay = 0;
  int log_every = 100;
  std::uint64_t seed = 0;
  std::string dtype = "float32";
  int max_skipped_steps = 10;  // consecutive non-finite steps that end the run
  int threads = 0;             // torch threads per rank; 0 = cores per rank on this node
  // cpu, or cuda: each rank on the GPU numbered by its node-local rank modulo the node's GPUs
  std::string device = "cpu";
};

struct Options {
  std::string problem = "transport";
  double eps_min = 1e-4;
  double eps_max = 1.0;
  // Decades by which the first and last regimes sample beyond [eps_min, eps_max]
  // (physics/regimes.hpp).
  double eps_margin = 0.2;
  int regimes = 4;
  double t_final = 0.1;
  std::string aggregator = "hrgrad";
  std::map<std::string, std::map<std::string, std::string>> aggregator_params;  // by method
  std::string exchange = "gather";
  ModelOptions model;
  SamplingOptions sampling;
  BgkOptions bgk;
  TrainOptions train;
  std::vector<double> eval_eps = {1.0, 1e-1, 1e-2, 1e-3, 1e-4};
  // Steps between evaluations at eval_eps during training (train/eval_history.hpp); 0: only at
  // the end.
  int eval_every = 0;
  std::string output = "hrgrad_run.h5";
  // HDF5 cache of reference solutions: "auto" puts hrgrad_reference_cache.h5 beside --output,
  // "none" disables it.
  std::string reference_cache = "auto";
  // Checkpoints (train/checkpoint.hpp) every this many steps and at the end; 0: only at the end.
  int checkpoint_every = 500;
  std::string resume;  // a checkpoint to continue from; empty: start afresh
  // Steps between rewrites of --output's /history (and --metrics-csv) while training; 0: only
  // at the end.
  int flush_every = 100;
  std::string metrics_csv;  // per-step rows as CSV; empty: none
  bool quiet = false;
  // Fault injection for tests: rank debug_fail_rank throws at step debug_fail_step (-1: never).
  int debug_fail_rank = -1;
  int debug_fail_step = -1;
  std::string config_file;  // the INI file the options came from, if any

  // Every option as "name = value" text, for /config and for logs.
  std::map<std::string, std::string> as_text() const;
};

// The problems --problem accepts.
std::vector<std::string> problem_names();

// The defaults that differ from the ones above for `problem`, as (option, value text) pairs:
// they apply to every option the user leaves unset (command line and --config alike).
std::vector<std::pair<std::string, std::string>> problem_defaults(const std::string& problem);

}  // namespace hrgrad::config
