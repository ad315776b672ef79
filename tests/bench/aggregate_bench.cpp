// Times every aggregator's weight computation (aggregate() on an m x m Gram matrix, diagnostics
// included) for m = 2 ... 64. Each iteration takes the next of 32 pre-drawn Gram matrices of
// random Jacobians (p = 2m, norms spread over 100x, tasks 0 and 1 in strong conflict), so
// iterative methods are timed on a mix of easy and hard instances rather than one.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "hrgrad/aggregate/aggregator.hpp"

namespace {

std::vector<Eigen::MatrixXd> gram_set(int m) {
  std::mt19937_64 rng(1234 + static_cast<unsigned>(m));
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> log_norm(-0.5 * std::log(100.0), 0.5 * std::log(100.0));
  const int p = 2 * m;
  std::vector<Eigen::MatrixXd> set;
  for (int k = 0; k < 32; ++k) {
    Eigen::MatrixXd j(m, p);
    for (int i = 0; i < m; ++i)
      for (int c = 0; c < p; ++c) j(i, c) = normal(rng);
    if (m >= 2) {
      Eigen::RowVectorXd b(p);
      for (int c = 0; c < p; ++c) b(c) = normal(rng);
      j.row(0) = -3.0 * b + 0.3 * j.row(0);
      j.row(1) = b + 0.3 * j.row(1);
    }
    for (int i = 0; i < m; ++i) j.row(i) *= std::exp(log_norm(rng)) / j.row(i).norm();
    set.push_back(j * j.transpose());
  }
  return set;
}

void run(benchmark::State& state, const std::string& method) {
  const int m = static_cast<int>(state.range(0));
  const std::vector<Eigen::MatrixXd> set = gram_set(m);
  auto aggregator = hrgrad::aggregate::make_aggregator(method, {}, 7);
  std::size_t next = 0;
  for (auto _ : state) {
    hrgrad::aggregate::Result r = aggregator->aggregate(set[next]);
    benchmark::DoNotOptimize(r.weights.data());
    next = (next + 1) % set.size();
  }
  state.SetLabel(method);
}

}  // namespace

int main(int argc, char** argv) {
  for (const auto& name : hrgrad::aggregate::aggregator_names()) {
    auto* b = benchmark::RegisterBenchmark(("aggregate/" + name).c_str(), run, name);
    for (int m : {2, 4, 8, 16, 32, 64}) b->Arg(m);
    b->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
