#include "hrgrad/config/parse.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "hrgrad/aggregate/aggregator.hpp"
#include "hrgrad/core/error.hpp"
#include "hrgrad/core/number_list.hpp"

namespace po = boost::program_options;

namespace hrgrad::config {
namespace {

std::string format_list(const std::vector<double>& values) {
  std::ostringstream out;
  for (std::size_t i = 0; i < values.size(); ++i) out << (i ? "," : "") << values[i];
  return out.str();
}

// A value bound to target whose default is target's current value, shown as %g would.
template <typename T>
po::typed_value<T>* with_default(T* target) {
  std::ostringstream text;
  text << *target;
  return po::value<T>(target)->default_value(*target, text.str());
}

// Options holds the defaults; the description binds each option to its field.
po::options_description describe(Options& o, std::string& eval_eps_text,
                                 std::string& bgk_weights_text) {
  // clang-format off
  po::options_description general("General");
  general.add_options()
      ("help,h", "print this help and exit")
      ("config", po::value<std::string>(&o.config_file), "INI file of options; the command line overrides it")
      ("output,o", with_default(&o.output), "HDF5 result file")
      ("reference-cache", with_default(&o.reference_cache), "HDF5 cache of reference solutions: a path, auto (beside --output) or none")
      ("quiet,q", po::bool_switch(&o.quiet), "print only warnings and errors");

  po::options_description problem("Problem");
  problem.add_options()
      ("problem", with_default(&o.problem), "kinetic problem: transport (linear transport, micro-macro APNN) or bgk (BGK, conservation-augmented APNN; other defaults, listed below)")
      ("eps-min", with_default(&o.eps_min), "smallest Knudsen number of the range")
      ("eps-max", with_default(&o.eps_max), "largest Knudsen number of the range")
      ("eps-margin", with_default(&o.eps_margin), "decades by which the first and the last regime sample beyond [eps-min, eps-max], so that the ends of the range are not the edges of the trained eps (0: none)")
      ("regimes", with_default(&o.regimes), "number of regimes (tasks): log-uniform segments of [eps-min, eps-max]")
      ("t-final", with_default(&o.t_final), "final time T")
      ("eval-eps", with_default(&eval_eps_text), "comma-separated Knudsen numbers evaluated at the end")
      ("eval-every", with_default(&o.eval_every), "also evaluate at the --eval-eps every this many steps (errors logged and kept in --output's /eval_history); 0: only at the end");

  po::options_description model("Model");
  model.add_options()
      ("model.width", with_default(&o.model.width), "hidden width of each MLP")
      ("model.depth", with_default(&o.model.depth), "hidden layers of each MLP")
      ("model.encoding", with_default(&o.model.encoding), "ε representation: hidden (learned tanh features) or raw (normalised log ε)")
      ("model.harmonics", with_default(&o.model.harmonics), "Fourier harmonics K of the hidden representation")
      ("model.hidden-size", with_default(&o.model.hidden_size), "size d_h of the hidden representation")
      ("model.rho-output", with_default(&o.model.rho_output), "density output: exp (rho = exp(-o)) or hard-initial (rho = f0 + (t/T) exp(-o), exact at t = 0)")
      ("model.uncollided", with_default(&o.model.uncollided), "transport only: E >= 0; the left inflow's uncollided flux, weighted exp(-(E/eps)^p), is taken in closed form and the networks learn the collided rest (the kinetic front at eps ~ 1 leaves the networks); 0: off")
      ("model.uncollided-power", with_default(&o.model.uncollided_power), "transport only: the power p > 0 of the uncollided weight exp(-(E/eps)^p); larger p switches from the split (eps >> E) to none (eps << E) more sharply")
      ("model.cone", with_default(&o.model.cone), "transport only: W >= 0; the networks' density and micro part are multiplied by tanh(max(0, t/eps - x)/(W eps)), so they vanish outside the left inflow's causal cone x <= t/eps (exact for zero initial data, right inflow and source); the initial value is asked of the ungated networks; 0: off");

  po::options_description sampling("Sampling");
  sampling.add_options()
      ("points.interior", with_default(&o.sampling.interior), "interior (t, x) pairs per regime per step, each at every velocity node")
      ("points.boundary", with_default(&o.sampling.boundary), "boundary times per regime per step, each at every inflow node")
      ("points.initial", with_default(&o.sampling.initial), "initial positions per regime per step, each at every velocity node")
      ("points.front", with_default(&o.sampling.front), "transport only: fraction F in [0, 1] of the interior pairs drawn in the inflow's causal cone, x ~ U[0, min(1, c t/eps)] (the rest uniform); reweights the interior loss towards the kinetic front")
      ("points.front-width", with_default(&o.sampling.front_width), "c >= 1, the width of that cone relative to t/eps (the fastest characteristic, |v| = 1, reaches x = t/eps)")
      ("points.adaptive", with_default(&o.sampling.adaptive), "transport only: k >= 0, residual-based adaptive sampling (RAD) of the interior pairs: of points.adaptive-pool x points.interior uniform candidates, keep points.interior with probability proportional to r^k / mean(r^k) + c, r the candidate's residual under the current networks; 0: off")
      ("points.adaptive-pool", with_default(&o.sampling.adaptive_pool), "M >= 2, candidates per interior pair of adaptive sampling (each step scores M x points.interior candidates)")
      ("points.adaptive-floor", with_default(&o.sampling.adaptive_floor), "c >= 0, the uniform floor of adaptive sampling's density (0: by residual only)")
      ("quadrature", with_default(&o.sampling.quadrature), "Gauss-Legendre velocity nodes (even): on [-1, 1] for transport, on [-bgk.v-max, bgk.v-max] for bgk");

  po::options_description bgk("BGK problem (--problem bgk)");
  bgk.add_options()
      ("bgk.weights", with_default(&bgk_weights_text), "loss weights of bgk, cons_rho, cons_m, cons_E, moment_rho, moment_m, moment_E, ic_rho, ic_u, ic_T, ic_f")
      ("bgk.v-max", with_default(&o.bgk.v_max), "velocity range [-v-max, v-max] of the quadrature")
      ("bgk.envelope", with_default(&o.bgk.envelope), "theta > 0: f = softplus(o) exp(-v^2/(2 theta)), a fixed Gaussian envelope; 0: f = softplus(o)")
      ("bgk.initial", with_default(&o.bgk.initial), "initial state: penalty (the ic_* losses) or hard (fields built on the initial state, exact at t = 0; the envelope is then unused)");

  po::options_description train("Training");
  train.add_options()
      ("steps", with_default(&o.train.steps), "optimizer steps")
      ("lr", with_default(&o.train.lr), "Adam learning rate")
      ("lr-decay", with_default(&o.train.lr_decay), "learning-rate factor applied every lr-decay-every steps")
      ("lr-decay-every", with_default(&o.train.lr_decay_every), "steps between learning-rate decays")
      ("ema-decay", with_default(&o.train.ema_decay), "beta in [0, 1): evaluations use the exponential moving average of the parameters, avg <- beta avg + (1 - beta) params after each step (bias-corrected; training continues from the parameters themselves); 0: the last iterate")
      ("log-every", with_default(&o.train.log_every), "steps between progress lines (0: none)")
      ("seed", with_default(&o.train.seed), "seed of every random stream (weights and samples)")
      ("dtype", with_default(&o.train.dtype), "floating-point type: float32 or float64")
      ("max-skipped-steps", with_default(&o.train.max_skipped_steps), "consecutive steps skipped for non-finite gradients that end the run")
      ("threads", with_default(&o.train.threads), "compute threads per rank (0: the node's cores divided by its ranks)")
      ("device", with_default(&o.train.device), "cpu, or cuda: each rank on a GPU of its node (node-local rank modulo the node's GPUs)");

  po::options_description aggregation("Aggregation");
  aggregation.add_options()
      ("aggregator", with_default(&o.aggregator), "gradient aggregator (see the method options below)")
      ("exchange", with_default(&o.exchange), "collective step: gather (reference) or sharded");
  for (const auto& method : aggregate::aggregator_names()) {
    for (const auto& spec : aggregate::parameter_specs(method)) {
      auto& target = o.aggregator_params[method][spec.key];
      target = spec.default_value;
      aggregation.add_options()((method + "." + spec.key).c_str(),
                                po::value<std::string>(&target)->default_value(spec.default_value),
                                spec.help.c_str());
    }
  }

  po::options_description progress("Checkpoints and monitoring");
  progress.add_options()
      ("checkpoint-every", with_default(&o.checkpoint_every), "steps between checkpoints (<output stem>.ckpt.h5, the one before kept as .ckpt.prev.h5); 0: only at the end")
      ("resume", po::value<std::string>(&o.resume)->default_value("", "none"), "continue the run saved in this checkpoint file, up to --steps in all")
      ("flush-every", with_default(&o.flush_every), "steps between rewrites of --output's /history (and --metrics-csv) during training; 0: only at the end")
      ("metrics-csv", po::value<std::string>(&o.metrics_csv)->default_value("", "none"), "also write the per-step rows of /history to this CSV file");

  po::options_description debug("Debugging");
  debug.add_options()
      ("debug.fail-rank", with_default(&o.debug_fail_rank), "inject a failure on this rank (-1: none), to test that one rank's error ends the job")
      ("debug.fail-step", with_default(&o.debug_fail_step), "the step at which --debug.fail-rank fails");
  // clang-format on
  po::options_description all("hrgrad-train options");
  all.add(general)
      .add(problem)
      .add(model)
      .add(sampling)
      .add(bgk)
      .add(train)
      .add(aggregation)
      .add(progress)
      .add(debug);
  return all;
}

[[noreturn]] void rethrow_as_input_error(const po::error& e, const std::string& where) {
  std::string message = e.what();
  // Boost phrases these as "the argument ('x') for option '--y' is invalid"; keep it on one line.
  for (auto& c : message)
    if (c == '\n') c = ' ';
  throw InputError(where + message);
}

}  // namespace

std::string help_text() {
  Options defaults;
  std::string eval_text = format_list(defaults.eval_eps);
  std::string weights_text = format_list(defaults.bgk.weights);
  std::ostringstream out;
  out << "Usage: hrgrad-train [options]\n"
      << "       mpirun -np P hrgrad-train [options]\n\n"
      << "Trains one asymptotic-preserving network over a range of Knudsen numbers, one task per\n"
      << "regime, combining the task gradients with the chosen aggregator. Options can also be\n"
      << "given in an INI file (--config); [section] key = value sets --section.key.\n\n"
      << describe(defaults, eval_text, weights_text);
  for (const auto& problem : problem_names()) {
    const auto changed = problem_defaults(problem);
    if (changed.empty()) continue;
    out << "\nWith --problem " << problem << " these defaults differ:";
    for (const auto& [name, value] : changed) out << " --" << name << " " << value;
    out << "\n";
  }
  return out.str();
}

std::optional<Options> parse(int argc, const char* const* argv) {
  Options options;
  std::string eval_text = format_list(options.eval_eps);
  std::string weights_text = format_list(options.bgk.weights);
  const auto description = describe(options, eval_text, weights_text);
  po::variables_map values;
  try {
    po::store(po::command_line_parser(argc, argv).options(description).run(), values);
  } catch (const po::error& e) {
    rethrow_as_input_error(e, "");
  }
  if (values.count("help")) return std::nullopt;
  if (values.count("config")) {
    const auto file = values["config"].as<std::string>();
    std::ifstream stream(file);
    if (!stream) throw InputError("--config: cannot read '" + file + "'");
    try {
      po::store(po::parse_config_file(stream, description, false), values);
    } catch (const po::error& e) {
      rethrow_as_input_error(e, file + ": ");
    }
  }
  // The chosen problem's own defaults fill the options still unset: store() keeps the values
  // already given, as it does for the command line over --config.
  const auto problem = values.count("problem") ? values["problem"].as<std::string>() : "";
  std::ostringstream defaults_text;
  for (const auto& [name, value] : problem_defaults(problem))
    defaults_text << name << " = " << value << "\n";
  std::istringstream defaults_stream(defaults_text.str());
  try {
    po::store(po::parse_config_file(defaults_stream, description, false), values);
    po::notify(values);
  } catch (const po::error& e) {
    rethrow_as_input_error(e, "");
  }
  options.eval_eps = parse_number_list(eval_text, "--eval-eps");
  options.bgk.weights = parse_number_list(weights_text, "--bgk.weights");
  validate(options);
  return options;
}

void validate(const Options& o) {
  auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  auto show = [](double v) {
    std::ostringstream out;
    out << v;
    return out.str();
  };
  const auto problems = problem_names();
  std::string problem_list;
  for (const auto& p : problems) problem_list += (problem_list.empty() ? "" : ", ") + p;
  require(std::find(problems.begin(), problems.end(), o.problem) != problems.end(), "--problem",
          "unknown problem '" + o.problem + "' (choose from " + problem_list + ")");
  require(positive(o.eps_min), "--eps-min", "must be > 0, got " + show(o.eps_min));
  require(positive(o.eps_max), "--eps-max", "must be > 0, got " + show(o.eps_max));
  require(o.eps_min < o.eps_max, "--eps-min",
          "must be < --eps-max, got " + show(o.eps_min) + " >= " + show(o.eps_max));
  require(o.eps_min >= 1e-8, "--eps-min",
          "must be >= 1e-8 (the APNN's validity range), got " + show(o.eps_min));
  require(std::isfinite(o.eps_margin) && o.eps_margin >= 0 && o.eps_margin <= 1, "--eps-margin",
          "must be in [0, 1] decades, got " + show(o.eps_margin));
  require(o.eps_min * std::pow(10.0, -o.eps_margin) >= 1e-8, "--eps-margin",
          "takes the smallest trained eps below 1e-8: --eps-min " + show(o.eps_min) + " x 10^-" +
              show(o.eps_margin));
  require(o.regimes >= 1, "--regimes", "must be >= 1, got " + std::to_string(o.regimes));
  require(positive(o.t_final), "--t-final", "must be > 0, got " + show(o.t_final));
  require(!o.eval_eps.empty(), "--eval-eps", "must list at least one Knudsen number");
  for (double e : o.eval_eps)
    require(positive(e), "--eval-eps", "values must be > 0, got " + show(e));
  require(o.eval_every >= 0, "--eval-every", "must be >= 0, got " + std::to_string(o.eval_every));
  require(o.model.width >= 1, "--model.width",
          "must be >= 1, got " + std::to_string(o.model.width));
  require(o.model.depth >= 1, "--model.depth",
          "must be >= 1, got " + std::to_string(o.model.depth));
  require(o.model.encoding == "hidden" || o.model.encoding == "raw", "--model.encoding",
          "unknown encoding '" + o.model.encoding + "' (choose from hidden, raw)");
  require(o.model.rho_output == "exp" || o.model.rho_output == "hard-initial", "--model.rho-output",
          "unknown output '" + o.model.rho_output + "' (choose from exp, hard-initial)");
  require(o.model.harmonics >= 0, "--model.harmonics",
          "must be >= 0, got " + std::to_string(o.model.harmonics));
  require(o.model.hidden_size >= 1, "--model.hidden-size",
          "must be >= 1, got " + std::to_string(o.model.hidden_size));
  require(o.sampling.interior >= 1, "--points.interior",
          "must be >= 1, got " + std::to_string(o.sampling.interior));
  require(o.sampling.boundary >= 1, "--points.boundary",
          "must be >= 1, got " + std::to_string(o.sampling.boundary));
  require(o.sampling.initial >= 1, "--points.initial",
          "must be >= 1, got " + std::to_string(o.sampling.initial));
  require(std::isfinite(o.sampling.front) && o.sampling.front >= 0 && o.sampling.front <= 1,
          "--points.front", "must be in [0, 1], got " + show(o.sampling.front));
  require(o.problem != "bgk" || o.sampling.front == 0, "--points.front",
          "is for --problem transport only (bgk has no inflow boundary), got " +
              show(o.sampling.front));
  require(std::isfinite(o.sampling.adaptive) && o.sampling.adaptive >= 0, "--points.adaptive",
          "must be >= 0, got " + show(o.sampling.adaptive));
  require(o.problem != "bgk" || o.sampling.adaptive == 0, "--points.adaptive",
          "is for --problem transport only, got " + show(o.sampling.adaptive));
  require(o.sampling.adaptive_pool >= 2, "--points.adaptive-pool",
          "must be >= 2, got " + std::to_string(o.sampling.adaptive_pool));
  require(std::isfinite(o.sampling.adaptive_floor) && o.sampling.adaptive_floor >= 0,
          "--points.adaptive-floor", "must be >= 0, got " + show(o.sampling.adaptive_floor));
  require(std::isfinite(o.model.uncollided) && o.model.uncollided >= 0, "--model.uncollided",
          "must be >= 0, got " + show(o.model.uncollided));
  require(o.problem != "bgk" || o.model.uncollided == 0, "--model.uncollided",
          "applies to --problem transport only, got " + show(o.model.uncollided));
  require(std::isfinite(o.model.cone) && o.model.cone >= 0, "--model.cone",
          "must be >= 0, got " + show(o.model.cone));
  require(o.problem != "bgk" || o.model.cone == 0, "--model.cone",
          "applies to --problem transport only, got " + show(o.model.cone));
  require(std::isfinite(o.model.uncollided_power) && o.model.uncollided_power > 0,
          "--model.uncollided-power", "must be > 0, got " + show(o.model.uncollided_power));
  require(std::isfinite(o.sampling.front_width) && o.sampling.front_width >= 1,
          "--points.front-width", "must be >= 1, got " + show(o.sampling.front_width));
  require(o.sampling.quadrature >= 2 && o.sampling.quadrature % 2 == 0, "--quadrature",
          "must be even and >= 2, got " + std::to_string(o.sampling.quadrature));
  require(o.train.steps >= 1, "--steps", "must be >= 1, got " + std::to_string(o.train.steps));
  require(positive(o.train.lr), "--lr", "must be > 0, got " + show(o.train.lr));
  require(positive(o.train.lr_decay) && o.train.lr_decay <= 1, "--lr-decay",
          "must be in (0, 1], got " + show(o.train.lr_decay));
  require(o.train.lr_decay_every >= 1, "--lr-decay-every",
          "must be >= 1, got " + std::to_string(o.train.lr_decay_every));
  require(o.train.ema_decay >= 0 && o.train.ema_decay < 1, "--ema-decay",
          "must be in [0, 1), got " + show(o.train.ema_decay));
  require(o.train.log_every >= 0, "--log-every",
          "must be >= 0, got " + std::to_string(o.train.log_every));
  require(o.train.dtype == "float32" || o.train.dtype == "float64", "--dtype",
          "unknown type '" + o.train.dtype + "' (choose from float32, float64)");
  require(o.train.max_skipped_steps >= 1, "--max-skipped-steps",
          "must be >= 1, got " + std::to_string(o.train.max_skipped_steps));
  require(o.train.threads >= 0, "--threads",
          "must be >= 0, got " + std::to_string(o.train.threads));
  require(o.train.device == "cpu" || o.train.device == "cuda", "--device",
          "unknown device '" + o.train.device + "' (choose from cpu, cuda)");
  require(o.exchange == "gather" || o.exchange == "sharded", "--exchange",
          "unknown exchange '" + o.exchange + "' (choose from gather, sharded)");
  require(o.bgk.weights.size() == 11, "--bgk.weights",
          "needs 11 weights (bgk, cons_rho, cons_m, cons_E, moment_rho, moment_m, moment_E, "
          "ic_rho, ic_u, ic_T, ic_f), got " +
              std::to_string(o.bgk.weights.size()));
  for (double w : o.bgk.weights)
    require(std::isfinite(w) && w >= 0, "--bgk.weights", "values must be >= 0, got " + show(w));
  require(positive(o.bgk.v_max), "--bgk.v-max", "must be > 0, got " + show(o.bgk.v_max));
  require(std::isfinite(o.bgk.envelope) && o.bgk.envelope >= 0, "--bgk.envelope",
          "must be >= 0, got " + show(o.bgk.envelope));
  require(o.bgk.initial == "penalty" || o.bgk.initial == "hard", "--bgk.initial",
          "unknown initial-value treatment '" + o.bgk.initial + "' (choose from penalty, hard)");
  require(!o.output.empty(), "--output", "must not be empty");
  require(o.checkpoint_every >= 0, "--checkpoint-every",
          "must be >= 0, got " + std::to_string(o.checkpoint_every));
  require(o.flush_every >= 0, "--flush-every",
          "must be >= 0, got " + std::to_string(o.flush_every));
  require(!o.reference_cache.empty(), "--reference-cache", "must be a path, auto or none");
  // Builds the aggregator once to validate its name and parameters (throws InputError).
  const auto params = o.aggregator_params.count(o.aggregator) ? o.aggregator_params.at(o.aggregator)
                                                              : aggregate::Parameters{};
  aggregate::make_aggregator(o.aggregator, params, o.train.seed);
}

}  // namespace hrgrad::config
