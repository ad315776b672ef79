// Times one collective step of the gather and the sharded exchange (HRGrad aggregation
// included) for p in {1e4, 1e5, 1e6} float32 parameters and m in {2, 4, 8} tasks, at the rank
// count it is launched with (rank counts that fit neither blocks of tasks nor task groups are
// skipped). Each case: 3 warm-up steps, then the median over `repeats` steps of the slowest
// rank's time, ranks synchronised by a barrier before each step, with the allocator tuned as in
// hrgrad-train. Rank 0 prints CSV rows:
//   exchange,ranks,m,p,median_ms,max_bytes_sent,max_bytes_received
// Run through tests/bench/exchange_bench.sh (2 and 4 ranks, table for docs/distributed.md).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "hrgrad/aggregate/aggregator.hpp"
#include "hrgrad/comm/environment.hpp"
#include "hrgrad/comm/topology.hpp"
#include "hrgrad/core/allocator.hpp"
#include "hrgrad/core/timer.hpp"
#include "hrgrad/exchange/exchange.hpp"

namespace {

using namespace hrgrad;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void bench(comm::Communicator& world, const std::string& name, int m, std::int64_t p, int repeats) {
  const int ranks = world.size();
  if (ranks > m && ranks % m != 0) return;
  const comm::Topology topology(m, ranks);
  torch::manual_seed(world.rank());
  const torch::Tensor local = torch::randn({topology.task_count(world.rank()), p});
  const std::vector<double> scalars(topology.task_count(world.rank()) * 6, 1.0);
  auto aggregator = aggregate::make_aggregator("hrgrad", {}, 0);
  auto exchange = exchange::make_exchange(name, world, topology, *aggregator, 6);
  std::vector<double> times;
  std::int64_t sent = 0, received = 0;
  for (int r = 0; r < repeats + 3; ++r) {
    world.barrier();
    Stopwatch clock;
    const auto result = exchange->step(local, scalars);
    double seconds = clock.seconds();
    world.allreduce_max(&seconds, 1, comm::DataType::kFloat64);
    if (r >= 3) times.push_back(seconds);
    sent = result.bytes_sent;
    received = result.bytes_received;
  }
  world.allreduce_max(&sent, 1, comm::DataType::kInt64);
  world.allreduce_max(&received, 1, comm::DataType::kInt64);
  if (world.rank() == 0) {
    std::printf("%s,%d,%d,%lld,%.4f,%lld,%lld\n", name.c_str(), ranks, m, static_cast<long long>(p),
                1e3 * median(times), static_cast<long long>(sent),
                static_cast<long long>(received));
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  comm::Environment env(argc, argv);
  tune_allocator_for_tensors();  // as hrgrad-train does: tensor-sized blocks stay mapped
  torch::set_num_threads(1);
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 20;
  auto& world = env.world();
  if (world.rank() == 0)
    std::printf("exchange,ranks,m,p,median_ms,max_bytes_sent,max_bytes_received\n");
  for (std::int64_t p : {10000, 100000, 1000000})
    for (int m : {2, 4, 8})
      for (const std::string name : {"gather", "sharded"}) bench(world, name, m, p, repeats);
  return 0;
}
