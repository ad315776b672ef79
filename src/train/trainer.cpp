#include "hrgrad/train/trainer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <thread>
#include <tuple>

#include <torch/cuda.h>

#include "hrgrad/comm/nccl_communicator.hpp"
#include "hrgrad/core/allocator.hpp"
#include "hrgrad/core/blas.hpp"
#include "hrgrad/core/error.hpp"
#include "hrgrad/core/log.hpp"
#include "hrgrad/core/stop_signal.hpp"
#include "hrgrad/core/timer.hpp"
#include "hrgrad/io/atomic_write.hpp"
#include "hrgrad/io/hdf5_file.hpp"
#include "hrgrad/model/mlp.hpp"
#include "hrgrad/physics/bgk.hpp"
#include "hrgrad/physics/transport.hpp"
#include "hrgrad/train/checkpoint.hpp"
#include "hrgrad/train/device.hpp"

namespace hrgrad::train {
namespace {

std::string reference_cache_path(const config::Options& o) {
  if (o.reference_cache == "none") return "";
  if (o.reference_cache != "auto") return o.reference_cache;
  return (std::filesystem::path(o.output).parent_path() / "hrgrad_reference_cache.h5").string();
}

// The settings every problem has (range, points, networks, seed, device, cache) from the options.
template <typename Settings>
Settings common_settings(const config::Options& o, torch::Device device) {
  Settings s;
  // The ε encoding spans every ε the regimes sample, the margin included.
  std::tie(s.eps_min, s.eps_max) = physics::trained_range(o.eps_min, o.eps_max, o.eps_margin);
  s.t_final = o.t_final;
  s.interior = o.sampling.interior;
  s.initial_points = o.sampling.initial;
  s.quadrature = o.sampling.quadrature;
  s.width = o.model.width;
  s.depth = o.model.depth;
  s.encoding = o.model.encoding;
  s.harmonics = o.model.harmonics;
  s.hidden_size = o.model.hidden_size;
  s.seed = o.train.seed;
  s.dtype = o.train.dtype == "float64" ? torch::kFloat64 : torch::kFloat32;
  s.device = device;
  s.reference_cache = reference_cache_path(o);
  return s;
}

std::unique_ptr<physics::Problem> make_problem(const config::Options& o, torch::Device device) {
  if (o.problem == "bgk") {
    auto s = common_settings<physics::BgkSettings>(o, device);
    s.v_max = o.bgk.v_max;
    s.envelope = o.bgk.envelope;
    s.initial = o.bgk.initial;
    s.weights = o.bgk.weights;
    return std::make_unique<physics::BgkProblem>(s);
  }
  auto s = common_settings<physics::TransportSettings>(o, device);
  s.boundary = o.sampling.boundary;
  s.front = o.sampling.front;
  s.front_width = o.sampling.front_width;
  s.adaptive = o.sampling.adaptive;
  s.adaptive_pool = o.sampling.adaptive_pool;
  s.adaptive_floor = o.sampling.adaptive_floor;
  s.rho_output = o.model.rho_output;
  s.uncollided = o.model.uncollided;
  s.uncollided_power = o.model.uncollided_power;
  s.cone = o.model.cone;
  return std::make_unique<physics::TransportProblem>(s);
}

std::string duration(double seconds) {
  char text[32];
  const int s = static_cast<int>(std::lround(seconds));
  if (s >= 3600) {
    std::snprintf(text, sizeof text, "%dh%02dm", s / 3600, (s / 60) % 60);
  } else {
    std::snprintf(text, sizeof text, "%dm%02ds", s / 60, s % 60);
  }
  return text;
}

std::string sci(double value, int digits = 3) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*e", digits - 1, value);
  return text;
}

torch::Tensor flat_gradient(const torch::Tensor& loss, const std::vector<torch::Tensor>& params) {
  auto grads = torch::autograd::grad({loss}, params, {}, /*retain_graph=*/false,
                                     /*create_graph=*/false, /*allow_unused=*/true);
  std::vector<torch::Tensor> flat;
  flat.reserve(grads.size());
  for (std::size_t i = 0; i < grads.size(); ++i) {
    flat.push_back(grads[i].defined() ? grads[i].reshape({-1})
                                      : torch::zeros_like(params[i]).reshape({-1}));
  }
  return torch::cat(flat);
}

}  // namespace

Trainer::Trainer(const config::Options& options, comm::Communicator& comm)
    : options_(options),
      comm_(comm),
      topology_(options.regimes, comm.size()),
      part_{topology_.part_of(comm.rank()), topology_.group_size()},
      device_(select_device(options.train.device, comm)) {
  tune_allocator_for_tensors();
  const int threads = options.train.threads > 0
                          ? options.train.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()) /
                                            std::max(1, comm.local_size()));
  torch::set_num_threads(threads);
  if (const auto blas = loaded_blas(); is_reference_blas(blas)) {
    log::warning(log::format("matrix products run on the reference BLAS (", blas,
                             "), several times slower than OpenBLAS; install libopenblas0-openmp "
                             "(launch/setup.sh)"));
  }
  regimes_ = physics::log_uniform_regimes(options.eps_min, options.eps_max, options.regimes,
                                          options.eps_margin);
  problem_ = make_problem(options, device_);
  std::string data_path = "MPI";
  if (device_.is_cuda()) {
    device_comm_ = comm::make_device_communicator(
        comm, device_.index(), static_cast<int>(torch::cuda::device_count()), &data_path);
  }
  const auto params = options.aggregator_params.count(options.aggregator)
                          ? options.aggregator_params.at(options.aggregator)
                          : aggregate::Parameters{};
  aggregator_ = aggregate::make_aggregator(options.aggregator, params, options.train.seed);
  const int scalars = 1 + static_cast<int>(problem_->component_names().size());
  exchange_ = exchange::make_exchange(options.exchange, comm, topology_, *aggregator_, scalars,
                                      device_comm_.get());
  parameters_ = problem_->parameters();
  optimizer_ = std::make_unique<torch::optim::Adam>(parameters_,
                                                    torch::optim::AdamOptions(options.train.lr));
  average_ = std::make_unique<ParameterAverage>(parameters_, options.train.ema_decay);
  history_ = History(options.regimes, problem_->component_names());
  eval_history_ = EvalHistory(options.eval_eps);
  broadcast_parameters();
  // What may fail on one rank only comes after the last collective, so a failure here ends
  // every rank cleanly (comm::guarded_main) instead of leaving the others in a collective.
  if (!options.resume.empty()) restore(options.resume);
  if (comm.rank() == 0) prepare_output_files();

  std::int64_t count = 0;
  for (const auto& p : parameters_) count += p.numel();
  log::info(log::format(
      "hrgrad: ", problem_->name(), " problem, eps in [", options.eps_min, ", ", options.eps_max,
      "] (margin ", options.eps_margin, " decades), ", options.regimes, " regimes, ", comm.size(),
      " rank(s) [", comm.backend(), "], ", threads, " thread(s)/rank, ", options.aggregator,
      " aggregation, ", options.exchange, " exchange, ", count, " parameters, ",
      options.train.dtype, " (MLP products on ", model::jet_product_library(), ")"));
  if (average_->enabled()) {
    log::info(log::format("  evaluations use the parameters' moving average (--ema-decay ",
                          options.train.ema_decay, ")"));
  }
  if (device_.is_cuda()) {
    log::info(log::format("  device cuda (rank 0 on GPU ", static_cast<int>(device_.index()),
                          "), exchange through ", data_path));
  }
  for (const auto& regime : regimes_) {
    const auto ranks = topology_.ranks_of(regime.index);
    log::info(log::format("  regime ", regime.index, " eps ", regime.label(),
                          ranks.size() == 1 ? " on rank " : " on the task group of ranks ",
                          ranks.front(), ranks.size() == 1 ? "" : log::format("-", ranks.back())));
  }
}

Trainer::~Trainer() = default;

void Trainer::broadcast_parameters() {
  // Every rank builds the same initial weights from the seed; broadcasting rank 0's copy makes
  // that hold even across unlike nodes.
  torch::NoGradGuard no_grad;
  for (auto& p : parameters_) {
    torch::Tensor data = p.detach().to(torch::kCPU).contiguous();
    comm_.broadcast(
        data.data_ptr(), data.numel(),
        p.scalar_type() == torch::kFloat64 ? comm::DataType::kFloat64 : comm::DataType::kFloat32,
        0);
    p.copy_(data);
  }
}

void Trainer::apply_update(const torch::Tensor& update) {
  std::int64_t offset = 0;
  for (auto& p : parameters_) {
    const auto n = p.numel();
    p.mutable_grad() = update.slice(0, offset, offset + n).view_as(p).clone();
    offset += n;
  }
  optimizer_->step();
}

TrainResult Trainer::run() {
  const auto& o = options_;
  const auto local_tasks = topology_.tasks_of(comm_.rank());
  const auto components = problem_->component_names();
  const int scalars = 1 + static_cast<int>(components.size());
  const int m = topology_.tasks();
  Stopwatch clock;
  StopSignals signals;
  int consecutive_skips = start_skips_;
  int stop_signal = 0;
  for (int step = static_cast<int>(start_step_); step < o.train.steps; ++step) {
    if ((stop_signal = agreed_stop_signal()) != 0) break;
    const double lr = o.train.lr * std::pow(o.train.lr_decay, step / o.train.lr_decay_every);
    for (auto& group : optimizer_->param_groups()) {
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    }
    if (step == o.debug_fail_step && comm_.rank() == o.debug_fail_rank) {
      throw Error(log::format("injected failure (--debug.fail-rank ", o.debug_fail_rank,
                              ") at step ", step));
    }
    Stopwatch phase;
    std::vector<torch::Tensor> rows;
    std::vector<double> local_scalars;
    for (int task : local_tasks) {
      const auto loss = problem_->task_loss(regimes_[task], step, part_);
      local_scalars.push_back(loss.total.item<double>());
      for (const auto& c : loss.components) local_scalars.push_back(c.item<double>());
      rows.push_back(flat_gradient(loss.total, parameters_));
    }
    const torch::Tensor local = torch::stack(rows);
    const double time_compute = phase.seconds();
    phase.reset();
    auto result = exchange_->step(local, local_scalars);
    const double time_exchange = phase.seconds();
    phase.reset();
    if (result.skipped) {
      ++consecutive_skips;
      log::warning(
          log::format("step ", step, ": non-finite task gradients, step skipped on every rank"));
      if (consecutive_skips >= o.train.max_skipped_steps) {
        throw Error(log::format("training diverged: ", consecutive_skips,
                                " consecutive steps with non-finite gradients (last step ", step,
                                "); lower --lr"));
      }
    } else {
      consecutive_skips = 0;
      apply_update(result.update);
    }
    average_->update();

    HistoryRow row;
    row.time_compute = time_compute;
    row.time_exchange = time_exchange;
    row.time_update = phase.seconds();
    row.bytes_sent = result.bytes_sent;
    row.bytes_received = result.bytes_received;
    row.step = step;
    row.lr = lr;
    row.wall_time = start_wall_time_ + clock.seconds() - eval_seconds_;
    row.skipped = result.skipped;
    for (int t = 0; t < m; ++t) {
      row.losses.push_back(result.scalars[t * scalars]);
      for (int c = 1; c < scalars; ++c) row.components.push_back(result.scalars[t * scalars + c]);
      row.gram_diagonal.push_back(result.gram(t, t));
    }
    if (!result.skipped) {
      const auto& d = result.diagnostics;
      row.cosines.assign(d.cosines.data(), d.cosines.data() + d.cosines.size());
      row.min_update_cosine = d.min_update_cosine;
      row.update_norm = d.update_norm;
      row.conflict = d.conflict;
    } else {
      row.cosines.assign(static_cast<std::size_t>(m) * m, std::nan(""));
      row.min_update_cosine = row.update_norm = row.conflict = std::nan("");
    }
    const bool last = step + 1 == o.train.steps;
    if (o.train.log_every > 0 && (step % o.train.log_every == 0 || last))
      report(row, clock.seconds() - eval_seconds_);
    const double wall_time = row.wall_time;
    history_.add(std::move(row));
    if (o.eval_every > 0 && (step + 1) % o.eval_every == 0 && !last && comm_.rank() == 0)
      evaluate_during_training(step + 1, wall_time);
    after_step(step + 1, consecutive_skips);
  }

  TrainResult result;
  result.steps = static_cast<int>(history_.rows().size());
  result.seconds = clock.seconds() - eval_seconds_;
  result.stop_signal = stop_signal;
  // The checkpoint first, so that a failing evaluation loses no training.
  if (comm_.rank() == 0) write_checkpoint(result.steps, consecutive_skips);
  if (comm_.rank() == 0 && stop_signal == 0) {
    {
      ParameterAverage::Swap averaged(*average_);  // not past here: the checkpoint below
      for (double eps : o.eval_eps) {
        if (eps < regimes_.front().eps_low || eps > regimes_.back().eps_high) {
          log::warning(log::format("--eval-eps: ", eps, " lies outside the trained range [",
                                   regimes_.front().eps_low, ", ", regimes_.back().eps_high,
                                   "]; the network extrapolates"));
        }
        result.evaluations.push_back(problem_->evaluate(eps));
      }
    }
    if (eval_history_.rows().empty() || eval_history_.rows().back().step != result.steps) {
      const double wall_time = history_.rows().empty() ? 0 : history_.rows().back().wall_time;
      eval_history_.add(result.steps, wall_time, result.evaluations);
      // Again with this evaluation, so that a run resumed from it keeps the whole history.
      if (o.eval_every > 0) write_checkpoint(result.steps, consecutive_skips);
    }
  }
  if (stop_signal != 0) {
    if (comm_.rank() == 0) {
      write_progress();
      log::warning(log::format("stopped by ", signal_name(stop_signal), " after step ",
                               result.steps, " of ", o.train.steps, "; continue with --resume ",
                               checkpoint_path(o.output)));
    }
    comm_.barrier();  // no rank exits before the checkpoint is in place
    return result;
  }
  if (comm_.rank() == 0) {
    write_output(result);
  }
  comm_.barrier();
  return result;
}

void Trainer::evaluate_during_training(std::int64_t steps_done, double wall_time) {
  Stopwatch clock;
  std::vector<physics::Evaluation> evaluations;
  {
    ParameterAverage::Swap averaged(*average_);
    for (double eps : options_.eval_eps) evaluations.push_back(problem_->evaluate(eps));
  }
  eval_history_.add(steps_done, wall_time, evaluations);
  log::info(eval_history_.summary(eval_history_.rows().back()));
  eval_seconds_ += clock.seconds();  // the training clocks leave evaluations out
}

void Trainer::report(const HistoryRow& row, double elapsed) const {
  double total = 0;
  std::string per_task;
  for (double l : row.losses) {
    total += l;
    per_task += " " + sci(l, 2);
  }
  const double done = static_cast<double>(row.step + 1);
  const double rate = (done - static_cast<double>(start_step_)) / std::max(elapsed, 1e-9);
  const double eta = (options_.train.steps - done) / rate;
  char text[160];
  std::snprintf(text, sizeof text, " | min cos %+.3f | %.1f steps/s | ETA %s",
                row.min_update_cosine, rate, duration(eta).c_str());
  log::info(log::format("step ", row.step + 1, "/", options_.train.steps, " | loss ", sci(total),
                        " | regimes", per_task, text));
}

void Trainer::write_output(const TrainResult& result) const {
  if (metrics_csv_) metrics_csv_->write(history_);
  io::write_atomically(options_.output, [&](io::File& file) { write_output_file(file, result); });
}

void Trainer::write_output_file(io::File& file, const TrainResult& result) const {
  write_config_and_history(file);
  for (const auto& e : result.evaluations) {
    char name[64];
    std::snprintf(name, sizeof name, "/eval/eps_%.2e", e.eps);
    file.write(std::string(name) + "/x", e.x);
    file.write_attribute(name, "eps", e.eps);
    file.write_attribute(name, "reference", e.reference_name);
    for (const auto& f : e.fields) {
      file.write(std::string(name) + "/" + f.name, f.prediction);
      if (!f.reference.empty()) {
        file.write(std::string(name) + "/" + f.name + "_reference", f.reference);
        file.write_attribute(std::string(name) + "/" + f.name, "relative_l2", f.relative_l2);
      }
    }
  }
  file.write_attribute("/", "seconds", result.seconds);
}

void Trainer::write_config_and_history(io::File& file) const {
  file.create_group("/config");
  for (const auto& [key, value] : options_.as_text()) file.write_attribute("/config", key, value);
  file.write_attribute("/config", "ranks", static_cast<std::int64_t>(comm_.size()));
  history_.write(file);
  if (!eval_history_.rows().empty()) eval_history_.write(file);
}

void Trainer::restore(const std::string& checkpoint) {
  TrainingState state{parameters_, *optimizer_, *aggregator_, history_};
  state.evaluations = &eval_history_;
  state.average = average_.get();
  const auto info = load_checkpoint(checkpoint, options_, state);
  if (eval_history_.eps() != options_.eval_eps) {
    if (!eval_history_.rows().empty())
      log::warning(
          "--resume: the checkpoint's evaluations were at other --eval-eps; the "
          "evaluation history starts afresh");
    eval_history_ = EvalHistory(options_.eval_eps);
  }
  start_step_ = state.step;
  start_skips_ = state.consecutive_skips;
  if (!history_.rows().empty()) start_wall_time_ = history_.rows().back().wall_time;
  log::info(log::format("resuming '", checkpoint, "' at step ", info.step, " (written by ",
                        info.ranks, " rank(s), continued on ", comm_.size(), ")"));
}

void Trainer::prepare_output_files() {
  // Fail now, not after training, when the output cannot be written; writing /config and the
  // history so far also gives a watcher a file to read from the start.
  const auto parent = std::filesystem::path(options_.output).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent)) {
    throw InputError("--output: directory '" + parent.string() + "' does not exist");
  }
  try {
    write_progress();
  } catch (const IoError&) {
    throw InputError("--output: cannot write '" + options_.output + "'");
  }
  if (!options_.metrics_csv.empty()) {
    metrics_csv_ = std::make_unique<MetricsCsv>(options_.metrics_csv, history_);
    metrics_csv_->write(history_);
  }
}

int Trainer::agreed_stop_signal() {
  std::int64_t signal = StopSignals::received();
  comm_.allreduce_max(&signal, 1, comm::DataType::kInt64);
  return static_cast<int>(signal);
}

void Trainer::after_step(std::int64_t steps_done, int consecutive_skips) {
  const auto& o = options_;
  if (comm_.rank() != 0 || steps_done == o.train.steps) return;  // the end writes its own
  if (o.checkpoint_every > 0 && steps_done % o.checkpoint_every == 0)
    write_checkpoint(steps_done, consecutive_skips);
  if (o.flush_every > 0 && steps_done % o.flush_every == 0) write_progress();
}

void Trainer::write_checkpoint(std::int64_t steps_done, int consecutive_skips) {
  TrainingState state{parameters_, *optimizer_,       *aggregator_,   history_,
                      steps_done,  consecutive_skips, &eval_history_, average_.get()};
  try {
    save_checkpoint(checkpoint_path(options_.output), previous_checkpoint_path(options_.output),
                    options_, comm_.size(), state);
  } catch (const IoError& e) {
    throw IoError(log::format("checkpoint after step ", steps_done, ": ", e.what()));
  }
}

void Trainer::write_progress() const {
  // The CSV first: a watcher that sees n rows in the output file finds them in the CSV too.
  if (metrics_csv_) metrics_csv_->write(history_);
  io::write_atomically(options_.output, [&](io::File& file) { write_config_and_history(file); });
}

std::string format_evaluation_table(const std::vector<physics::Evaluation>& evaluations,
                                    double t_final) {
  // One column per field any evaluation has (rho; rho, m, E for BGK), in first-seen order.
  std::vector<std::string> names;
  for (const auto& e : evaluations)
    for (const auto& f : e.fields)
      if (std::find(names.begin(), names.end(), f.name) == names.end()) names.push_back(f.name);
  if (names.empty()) names.push_back("rho");
  std::ostringstream out;
  out << "Relative L2 errors at t = " << t_final << " on the evaluation grid:\n";
  char cell[64];
  std::snprintf(cell, sizeof cell, "  %-10s", "eps");
  out << cell;
  for (const auto& name : names) {
    std::snprintf(cell, sizeof cell, " %-14s", ("rel. L2 (" + name + ")").c_str());
    out << cell;
  }
  out << " reference\n";
  for (const auto& e : evaluations) {
    std::snprintf(cell, sizeof cell, "  %-10.1e", e.eps);
    out << cell;
    for (const auto& name : names) {
      std::string error = "n/a";
      for (const auto& f : e.fields)
        if (f.name == name && f.relative_l2 >= 0) error = sci(f.relative_l2);
      std::snprintf(cell, sizeof cell, " %-14s", error.c_str());
      out << cell;
    }
    out << " " << e.reference_name << "\n";
  }
  return out.str();
}

}  // namespace hrgrad::train
