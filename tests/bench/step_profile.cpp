// Times the parts of one regime's task loss and gradient for the default linear-transport
// problem: interior fields with derivatives, boundary and initial fields, and the backward pass.
// Usage: step_profile [repeats] [threads]; HRGRAD_DEFAULT_MALLOC=1 leaves glibc malloc untuned.
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "hrgrad/core/allocator.hpp"
#include "hrgrad/core/timer.hpp"
#include "hrgrad/physics/transport.hpp"

using namespace hrgrad;

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 30;
  if (!std::getenv("HRGRAD_DEFAULT_MALLOC")) tune_allocator_for_tensors();
  torch::set_num_threads(argc > 2 ? std::atoi(argv[2]) : 1);
  physics::TransportSettings s;
  physics::TransportProblem problem(s);
  const auto regime = physics::log_uniform_regimes(1e-4, 1.0, 4)[2];
  auto params = problem.parameters();
  auto opts = torch::TensorOptions().dtype(torch::kFloat32);
  std::vector<double> t_interior, t_other, t_loss, t_backward, t_loss_at;
  for (int r = 0; r < repeats + 3; ++r) {
    Stopwatch w;
    auto t = 0.1 * torch::rand({s.interior, 1}, opts), x = torch::rand({s.interior, 1}, opts);
    auto e = torch::full({s.interior, 1}, 0.05, opts);
    auto in = problem.fields(t, x, e, true);
    const double a = w.seconds();
    w.reset();
    auto tb = 0.1 * torch::rand({s.boundary, 1}, opts);
    auto eb = torch::full({s.boundary, 1}, 0.05, opts);
    auto left = problem.fields(tb, torch::zeros_like(tb), eb, false);
    auto right = problem.fields(tb, torch::ones_like(tb), eb, false);
    auto xi = torch::rand({s.initial_points, 1}, opts);
    auto init = problem.fields(torch::zeros_like(xi), xi,
                               torch::full({s.initial_points, 1}, 0.05, opts), false);
    const double b = w.seconds();
    w.reset();
    auto loss = problem.task_loss(regime, r, {});
    const double c = w.seconds();
    w.reset();
    auto loss2 =
        problem.loss_at({t, x, e, tb, eb, xi, torch::full({s.initial_points, 1}, 0.05, opts)});
    const double c2 = w.seconds();
    if (r >= 3) t_loss_at.push_back(c2);
    w.reset();
    auto grads = torch::autograd::grad({loss.total}, params, {}, false, false, true);
    const double d = w.seconds();
    if (r >= 3) {
      t_interior.push_back(a);
      t_other.push_back(b);
      t_loss.push_back(c);
      t_backward.push_back(d);
    }
  }
  std::printf("loss_at on fixed points %.2f\n", 1e3 * median(t_loss_at));
  std::printf(
      "median ms: interior fields+jets %.2f | boundary+initial fields %.2f | full task loss %.2f | "
      "backward %.2f | loss+backward %.2f\n",
      1e3 * median(t_interior), 1e3 * median(t_other), 1e3 * median(t_loss),
      1e3 * median(t_backward), 1e3 * (median(t_loss) + median(t_backward)));
  return 0;
}
