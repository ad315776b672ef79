// How much one batched pass over the regimes a rank owns could save at most (issue 9,
// docs/performance.md): the default linear-transport problem's loss and parameter gradients for
// its 4 regimes, each its own pass, against one pass over 4x the points, which is the same rows
// through one set of operations and one backward. A batched pass that still gives one gradient
// per regime costs at least that one pass. The two alternate at every repetition; the ratio is
// the median of the per-repetition ratios.
// Usage: batch_bound [repetitions (30)] [threads (1)]
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "hrgrad/core/allocator.hpp"
#include "hrgrad/core/timer.hpp"
#include "hrgrad/physics/regimes.hpp"
#include "hrgrad/physics/transport.hpp"

using namespace hrgrad;

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char** argv) {
  const int repetitions = argc > 1 ? std::atoi(argv[1]) : 30;
  if (repetitions < 1) {
    std::fprintf(stderr, "batch_bound: repetitions must be a positive count, got '%s'\n", argv[1]);
    return 2;
  }
  tune_allocator_for_tensors();
  torch::set_num_threads(argc > 2 ? std::max(1, std::atoi(argv[2])) : 1);
  const physics::TransportSettings settings;
  physics::TransportSettings wide = settings;
  const int regimes = 4;
  wide.interior *= regimes;
  wide.boundary *= regimes;
  wide.initial_points *= regimes;
  physics::TransportProblem separate(settings), batched(wide);
  const auto parts = physics::log_uniform_regimes(1e-4, 1.0, regimes);
  const auto whole = physics::log_uniform_regimes(1e-4, 1.0, 1).front();
  auto gradients = [](physics::TransportProblem& problem, const physics::Regime& regime,
                      std::int64_t step) {
    const auto loss = problem.task_loss(regime, step, {});
    return torch::autograd::grad({loss.total}, problem.parameters());
  };
  std::vector<double> t_separate, t_batched, ratio;
  const int warmup = 2;
  for (int r = 0; r < repetitions + warmup; ++r) {
    Stopwatch watch;
    for (const auto& regime : parts) gradients(separate, regime, r);
    const double a = watch.seconds();
    watch.reset();
    gradients(batched, whole, r);
    const double b = watch.seconds();
    if (r < warmup) continue;
    t_separate.push_back(1e3 * a);
    t_batched.push_back(1e3 * b);
    ratio.push_back(b / a);
  }
  std::printf(
      "{\"regimes\": %d, \"repetitions\": %d, \"separate_ms\": %.2f, \"one_pass_ms\": %.2f, "
      "\"one_pass_over_separate\": %.3f}\n",
      regimes, repetitions, median(t_separate), median(t_batched), median(ratio));
  return 0;
}
