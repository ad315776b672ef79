// The step-time harness of issue 9: one full training step of the default linear-transport or
// BGK problem, as hrgrad-train runs it (task losses, flat gradients, the collective step with
// HRGrad, Adam), timed in parts over many steps after a warm-up: residual forward, backward,
// exchange, aggregation (the aggregator's own time, taken out of the exchange) and optimizer;
// the median of each part on rank 0 and the median of the slowest rank's step. It also reports
// the peak resident memory per rank (getrusage), the step's matrix-product FLOPs counted
// analytically from the network sizes and batches, and the fraction of the single-core sgemm peak
// that makes (the peak measured here with a torch::mm loop).
//   usage: [mpirun -np P] step_bench [transport|bgk] [steps] [warmup] [threads] [exchange]
//          [float32|float64]
//   (defaults: transport 40 5, threads = cores / ranks as hrgrad-train, gather)
// HRGRAD_PROFILE=trace.json writes rank 0's operator trace of the timed steps (Chrome trace
// format, torch's legacy profiler) for tests/bench/trace_summary.py. Prints one JSON line (rank 0).
// tests/bench/twin_bench.sh runs it next to the PyTorch twin.
#include <sys/resource.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "hrgrad/aggregate/aggregator.hpp"
#include "hrgrad/comm/environment.hpp"
#include "hrgrad/comm/topology.hpp"
#include "hrgrad/core/allocator.hpp"
#include "hrgrad/core/timer.hpp"
#include "hrgrad/exchange/exchange.hpp"
#include "hrgrad/physics/bgk.hpp"
#include "hrgrad/physics/transport.hpp"

namespace {

using namespace hrgrad;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Times the wrapped rule, so that the aggregation can be told apart from the communication.
class TimedAggregator final : public aggregate::Aggregator {
 public:
  explicit TimedAggregator(std::unique_ptr<aggregate::Aggregator> inner)
      : inner_(std::move(inner)) {}
  std::string name() const override { return inner_->name(); }
  aggregate::Result aggregate(const Eigen::MatrixXd& gram) override {
    Stopwatch clock;
    auto result = inner_->aggregate(gram);
    seconds += clock.seconds();
    return result;
  }
  double seconds = 0;

 private:
  std::unique_ptr<aggregate::Aggregator> inner_;
};

// Matrix-product multiply-adds of one row through an MLP (Linear(in, w), depth-1 x Linear(w, w),
// Linear(w, out)): all layers, and the layers after the first (which the tangents go through).
struct MlpMacs {
  double all, after_first;
};
MlpMacs mlp_macs(int inputs, int width, int depth, int outputs = 1) {
  const double first = static_cast<double>(inputs) * width;
  const double rest = static_cast<double>(depth - 1) * width * width + 1.0 * width * outputs;
  return {first + rest, rest};
}

// FLOPs of the matrix products of one regime's loss and gradient: `rows` network rows with
// `jets` tangent directions each (2 FLOPs per multiply-add). Forward: every layer for the
// values, the layers after the first for each tangent (the first layer's tangent is one row W d).
// Backward: weight gradients of every product, input gradients of all but the first layer's
// value product (the inputs need none).
double network_flops(const MlpMacs& m, double rows, int jets) {
  const double forward = 2.0 * rows * (m.all + jets * m.after_first);
  const double backward = 2.0 * rows * (m.all + m.after_first + 2.0 * jets * m.after_first);
  return forward + backward;
}

// FLOPs of one regime's loss + gradient for the default settings of each problem.
double regime_flops(const std::string& problem) {
  if (problem == "bgk") {
    const physics::BgkSettings s;
    const int z = s.hidden_size;
    const double k = s.quadrature;
    const auto f = mlp_macs(3 + z, s.width, s.depth), macro = mlp_macs(2 + z, s.width, s.depth);
    return network_flops(f, s.interior * k, 2) + network_flops(f, s.initial_points * k, 0) +
           3 * (network_flops(macro, s.interior, 1) + network_flops(macro, s.initial_points, 0));
  }
  const physics::TransportSettings s;
  const int z = s.hidden_size;
  const double k = s.quadrature;
  const auto g = mlp_macs(3 + z, s.width, s.depth), rho = mlp_macs(2 + z, s.width, s.depth);
  return network_flops(g, s.interior * k, 2) + network_flops(rho, s.interior, 2) +
         2 * (network_flops(g, s.boundary * k, 0) + network_flops(rho, s.boundary, 0)) +
         network_flops(g, s.initial_points * k, 0) + network_flops(rho, s.initial_points, 0);
}

// Single-thread float32 matrix-product peak in GFLOP/s (torch::mm, 512^3, best of 5 x 20).
double sgemm_peak() {
  const int threads = torch::get_num_threads();
  torch::set_num_threads(1);
  const auto a = torch::randn({512, 512}), b = torch::randn({512, 512});
  auto c = torch::mm(a, b);
  double best = 0;
  for (int r = 0; r < 5; ++r) {
    Stopwatch clock;
    for (int i = 0; i < 20; ++i) c = torch::mm(a, b);
    best = std::max(best, 20 * 2.0 * 512 * 512 * 512 / clock.seconds() / 1e9);
  }
  torch::set_num_threads(threads);
  return best;
}

std::unique_ptr<physics::Problem> make_problem(const std::string& name, torch::Dtype dtype) {
  if (name == "bgk") {
    physics::BgkSettings s;
    s.dtype = dtype;
    return std::make_unique<physics::BgkProblem>(s);
  }
  physics::TransportSettings s;
  s.dtype = dtype;
  return std::make_unique<physics::TransportProblem>(s);
}

int regime_count(const std::string& name) { return name == "bgk" ? 3 : 4; }

[[noreturn]] void bad(const std::string& why) {
  std::fprintf(stderr,
               "step_bench: %s\nusage: step_bench [transport|bgk] [steps] [warmup] [threads] "
               "[gather|sharded] [float32|float64]\n",
               why.c_str());
  std::exit(2);
}

int positive_int(const char* text, const char* what, int minimum) {
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (*end != '\0' || value < minimum) bad(std::string(what) + " '" + text + "' is not valid");
  return static_cast<int>(value);
}

}  // namespace

int main(int argc, char** argv) {
  comm::Environment env(argc, argv);
  auto& world = env.world();
  const std::string problem_name = argc > 1 ? argv[1] : "transport";
  if (problem_name != "transport" && problem_name != "bgk")
    bad("problem '" + problem_name + "' is not transport or bgk");
  const int steps = argc > 2 ? positive_int(argv[2], "steps", 1) : 40;
  const int warmup = argc > 3 ? positive_int(argv[3], "warmup", 0) : 5;
  int threads = argc > 4 ? positive_int(argv[4], "threads", 0) : 0;
  const std::string exchange_name = argc > 5 ? argv[5] : "gather";
  if (exchange_name != "gather" && exchange_name != "sharded")
    bad("exchange '" + exchange_name + "' is not gather or sharded");
  const std::string dtype_name = argc > 6 ? argv[6] : "float32";
  if (dtype_name != "float32" && dtype_name != "float64")
    bad("dtype '" + dtype_name + "' is not float32 or float64");
  const torch::Dtype dtype = dtype_name == "float64" ? torch::kFloat64 : torch::kFloat32;
  const int m = regime_count(problem_name);
  if (world.size() > m) bad("more ranks than the " + std::to_string(m) + " regimes");
  tune_allocator_for_tensors();
  if (threads == 0)
    threads = std::max(
        1, static_cast<int>(std::thread::hardware_concurrency()) / std::max(1, world.local_size()));
  torch::set_num_threads(threads);

  auto problem = make_problem(problem_name, dtype);
  const auto regimes = physics::log_uniform_regimes(problem_name == "bgk" ? 1e-3 : 1e-4, 1.0, m);
  const comm::Topology topology(m, world.size());
  const physics::Part part{topology.part_of(world.rank()), topology.group_size()};
  TimedAggregator aggregator(aggregate::make_aggregator("hrgrad", {}, 0));
  const int scalars = 1 + static_cast<int>(problem->component_names().size());
  auto exchange = exchange::make_exchange(exchange_name, world, topology, aggregator, scalars);
  auto params = problem->parameters();
  torch::optim::Adam adam(params, torch::optim::AdamOptions(1e-3));

  std::vector<double> t_forward, t_backward, t_exchange, t_aggregate, t_update, t_step;
  const char* trace = world.rank() == 0 ? std::getenv("HRGRAD_PROFILE") : nullptr;
  std::unique_ptr<torch::autograd::profiler::RecordProfile> profile;
  for (int step = 0; step < warmup + steps; ++step) {
    world.barrier();
    if (trace && step == warmup) profile.reset(new torch::autograd::profiler::RecordProfile(trace));
    Stopwatch whole;
    double forward = 0, backward = 0;
    std::vector<torch::Tensor> rows;
    std::vector<double> local_scalars;
    for (int task : topology.tasks_of(world.rank())) {
      Stopwatch clock;
      const auto loss = problem->task_loss(regimes[task], step, part);
      local_scalars.push_back(loss.total.item<double>());
      for (const auto& c : loss.components) local_scalars.push_back(c.item<double>());
      forward += clock.seconds();
      clock.reset();
      auto grads = torch::autograd::grad({loss.total}, params, {}, false, false, true);
      std::vector<torch::Tensor> flat;
      for (std::size_t i = 0; i < grads.size(); ++i)
        flat.push_back(grads[i].defined() ? grads[i].reshape({-1})
                                          : torch::zeros_like(params[i]).reshape({-1}));
      rows.push_back(torch::cat(flat));
      backward += clock.seconds();
    }
    Stopwatch clock;
    aggregator.seconds = 0;
    const auto result = exchange->step(torch::stack(rows), local_scalars);
    const double exchange_total = clock.seconds();
    clock.reset();
    std::int64_t offset = 0;
    for (auto& p : params) {
      const auto n = p.numel();
      p.mutable_grad() = result.update.slice(0, offset, offset + n).view_as(p).clone();
      offset += n;
    }
    adam.step();
    const double update = clock.seconds();
    double step_seconds = whole.seconds();
    world.allreduce_max(&step_seconds, 1, comm::DataType::kFloat64);
    if (step >= warmup) {
      t_forward.push_back(forward);
      t_backward.push_back(backward);
      t_exchange.push_back(exchange_total - aggregator.seconds);
      t_aggregate.push_back(aggregator.seconds);
      t_update.push_back(update);
      t_step.push_back(step_seconds);
    }
  }
  profile.reset();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  double peak_mb = usage.ru_maxrss / 1024.0;
  world.allreduce_max(&peak_mb, 1, comm::DataType::kFloat64);
  const double peak = sgemm_peak();
  if (world.rank() == 0) {
    const double flops = m * regime_flops(problem_name);
    const double step_ms = 1e3 * median(t_step);
    // Compute time is per rank; the fraction of peak compares the busiest rank's matrix work
    // (its regimes) with its compute time.
    const double rank_flops = flops * topology.tasks_of(0).size() / m;
    const double compute_s = median(t_forward) + median(t_backward);
    std::printf(
        "{\"program\": \"hrgrad\", \"problem\": \"%s\", \"ranks\": %d, \"threads\": %d, "
        "\"dtype\": \"%s\", \"exchange\": \"%s\", \"steps\": %d, \"median_ms\": {\"forward\": "
        "%.3f, \"backward\": "
        "%.3f, \"exchange\": %.3f, \"aggregation\": %.3f, \"optimizer\": %.3f, \"step\": %.3f}, "
        "\"peak_rss_mb_per_rank\": %.1f, \"step_gflop\": %.4f, \"sgemm_peak_gflops\": %.2f, "
        "\"rank0_compute_fraction_of_peak\": %.4f}\n",
        problem_name.c_str(), world.size(), threads, dtype_name.c_str(), exchange_name.c_str(),
        steps, 1e3 * median(t_forward), 1e3 * median(t_backward), 1e3 * median(t_exchange),
        1e3 * median(t_aggregate), 1e3 * median(t_update), step_ms, peak_mb, flops / 1e9, peak,
        rank_flops / compute_s / 1e9 / (peak * threads));
  }
  return 0;
}
