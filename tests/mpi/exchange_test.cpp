// Both exchanges give every rank the same update, equal to aggregating the full gradient matrix
// in one process, whatever the rank count; the sharded exchange matches the gather exchange and
// keeps its per-rank traffic to the all-to-all of its own tasks plus about 2p numbers.
#include <gtest/gtest.h>

#include <cstdio>
#include <limits>
#include <utility>

#include "hrgrad/aggregate/aggregator.hpp"
#include "hrgrad/comm/topology.hpp"
#include "hrgrad/core/error.hpp"
#include "hrgrad/core/partition.hpp"
#include "hrgrad/exchange/exchange.hpp"
#include "mpi_test_env.hpp"

namespace {

using namespace hrgrad;

torch::Tensor task_gradients(int m, std::int64_t p, torch::Dtype dtype) {
  torch::manual_seed(1234);
  // Rows with norms spread over three decades, some in conflict.
  auto j = torch::randn({m, p}, torch::kFloat64);
  for (int i = 0; i < m; ++i) j[i] *= std::pow(10.0, i % 3);
  if (m > 1) j[1] -= 2.0 * j[0];
  return j.to(dtype);
}

// Whether the world's rank count fits m tasks: blocks of tasks, or task groups.
bool fits(int m) {
  const int ranks = test::world().size();
  return ranks <= m || ranks % m == 0;
}

// This rank's rows of the task matrix: its tasks' rows, or in a task group of k ranks its part
// of one task's row (the row divided by k, so the parts add up to it).
torch::Tensor local_rows(const torch::Tensor& all, const comm::Topology& topology, int rank) {
  const int first = topology.first_task(rank), count = topology.task_count(rank);
  return (all.slice(0, first, first + count) / topology.group_size()).contiguous();
}

// Per task `values(t)`, for this rank's rows (divided among a task group's parts likewise).
template <class Values>
std::vector<double> local_scalars(const comm::Topology& topology, int rank, Values values) {
  std::vector<double> out;
  const int first = topology.first_task(rank), count = topology.task_count(rank);
  for (int t = first; t < first + count; ++t) {
    for (double v : values(t)) out.push_back(v / topology.group_size());
  }
  return out;
}

void check_matches_serial(const std::string& exchange_name, const std::string& method, int m,
                          std::int64_t p, torch::Dtype dtype) {
  auto& world = test::world();
  if (!fits(m)) GTEST_SKIP() << world.size() << " ranks do not fit " << m << " tasks";
  const comm::Topology topology(m, world.size());
  const auto all = task_gradients(m, p, dtype);
  const auto local = local_rows(all, topology, world.rank());
  const auto scalars =
      local_scalars(topology, world.rank(), [](int t) { return std::vector<double>{100.0 + t}; });

  auto aggregator = aggregate::make_aggregator(method, {}, 7);
  auto exchange = exchange::make_exchange(exchange_name, world, topology, *aggregator, 1);
  const auto result = exchange->step(local, scalars);

  // The same method on the whole matrix, in one process.
  const auto j = all.to(torch::kFloat64);
  const auto gram = torch::matmul(j, j.t()).contiguous();
  Eigen::MatrixXd g(m, m);
  for (int a = 0; a < m; ++a)
    for (int b = 0; b < m; ++b) g(a, b) = gram[a][b].item<double>();
  auto serial = aggregate::make_aggregator(method, {}, 7)->aggregate(g);
  const auto w = torch::from_blob(serial.weights.data(), {m}, torch::kFloat64).clone();
  const auto expected = torch::matmul(w, j);

  ASSERT_FALSE(result.skipped);
  const double tolerance = dtype == torch::kFloat32 ? 1e-6 : 1e-12;
  const double error = (result.update.to(torch::kFloat64) - expected).norm().item<double>() /
                       expected.norm().item<double>();
  EXPECT_LT(error, tolerance) << exchange_name << ", " << method << " at " << world.size()
                              << " ranks, m = " << m << ", p = " << p;
  for (int t = 0; t < m; ++t) EXPECT_NEAR(result.scalars[t], 100.0 + t, 1e-12);
  EXPECT_LT((result.weights - serial.weights).norm(), 1e-9 * (1 + serial.weights.norm()));

  // Every rank holds exactly rank 0's update.
  auto copy = result.update.clone();
  world.broadcast(copy.data_ptr(), copy.numel(),
                  dtype == torch::kFloat32 ? comm::DataType::kFloat32 : comm::DataType::kFloat64,
                  0);
  EXPECT_TRUE(torch::equal(copy, result.update));
}

TEST(GatherExchange, HrgradMatchesSerialFloat32) {
  check_matches_serial("gather", "hrgrad", 4, 1001, torch::kFloat32);
}
TEST(GatherExchange, HrgradMatchesSerialFloat64) {
  check_matches_serial("gather", "hrgrad", 4, 1001, torch::kFloat64);
}
TEST(GatherExchange, UnevenTaskSplit) {
  check_matches_serial("gather", "hrgrad", 5, 333, torch::kFloat64);
}
TEST(GatherExchange, SumMatchesSerial) {
  check_matches_serial("gather", "sum", 4, 1001, torch::kFloat64);
}

// 1001 and 1003 are divisible by none of 2, 3 and 4; 333 is divisible by 3.
TEST(ShardedExchange, HrgradMatchesSerialFloat32) {
  check_matches_serial("sharded", "hrgrad", 4, 1001, torch::kFloat32);
}
TEST(ShardedExchange, HrgradMatchesSerialFloat64) {
  check_matches_serial("sharded", "hrgrad", 4, 1001, torch::kFloat64);
}
TEST(ShardedExchange, UnevenTaskSplitFloat32) {
  check_matches_serial("sharded", "hrgrad", 5, 1003, torch::kFloat32);
}
TEST(ShardedExchange, UnevenTaskSplitFloat64) {
  check_matches_serial("sharded", "hrgrad", 5, 1003, torch::kFloat64);
  check_matches_serial("sharded", "hrgrad", 5, 333, torch::kFloat64);
}
TEST(ShardedExchange, SumMatchesSerial) {
  check_matches_serial("sharded", "sum", 4, 1001, torch::kFloat64);
}
// Task groups: at 2 and 4 ranks, 2 tasks get groups of 1 and 2 ranks; 1 task gets a group of
// every rank. The partial rows of a group add up to the task's row.
TEST(GatherExchange, TaskGroups) {
  check_matches_serial("gather", "hrgrad", 2, 1001, torch::kFloat64);
  check_matches_serial("gather", "hrgrad", 1, 1001, torch::kFloat64);
}
TEST(ShardedExchange, TaskGroupsFloat32) {
  check_matches_serial("sharded", "hrgrad", 2, 1001, torch::kFloat32);
}
TEST(ShardedExchange, TaskGroupsFloat64) {
  check_matches_serial("sharded", "hrgrad", 2, 1001, torch::kFloat64);
  check_matches_serial("sharded", "hrgrad", 1, 1003, torch::kFloat64);
  check_matches_serial("sharded", "sum", 2, 333, torch::kFloat64);
}
// Fewer parameters than ranks: some slices are empty.
TEST(ShardedExchange, TinyParameterVector) {
  check_matches_serial("sharded", "hrgrad", 4, 3, torch::kFloat64);
}

TEST(ShardedExchange, SliceBoundsCoverEvenly) {
  for (int ranks = 1; ranks <= 5; ++ranks) {
    for (std::int64_t p : {0, 1, 3, 7, 1001}) {
      const auto b = hrgrad::split_bounds(p, ranks);
      ASSERT_EQ(b.size(), static_cast<std::size_t>(ranks + 1));
      EXPECT_EQ(b.front(), 0);
      EXPECT_EQ(b.back(), p);
      for (int r = 0; r < ranks; ++r) {
        EXPECT_GE(b[r + 1] - b[r], p / ranks);
        EXPECT_LE(b[r + 1] - b[r], p / ranks + 1);
      }
    }
  }
}

struct Run {
  exchange::StepResult result;
  comm::Topology topology;
};

// One step of the named exchange on task_gradients(m, p), with two scalars per task.
Run run_exchange(const std::string& name, const std::string& method, int m, std::int64_t p,
                 torch::Dtype dtype) {
  auto& world = test::world();
  const comm::Topology topology(m, world.size());
  const auto all = task_gradients(m, p, dtype);
  const auto scalars = local_scalars(topology, world.rank(), [](int t) {
    return std::vector<double>{10.0 * t, 10.0 * t + 1};
  });
  auto aggregator = aggregate::make_aggregator(method, {}, 7);
  auto exchange = exchange::make_exchange(name, world, topology, *aggregator, 2);
  return {exchange->step(local_rows(all, topology, world.rank()), scalars), topology};
}

void check_sharded_equals_gather(const std::string& method, int m, std::int64_t p,
                                 torch::Dtype dtype) {
  if (!fits(m)) GTEST_SKIP() << "the ranks do not fit the tasks";
  const auto gather = run_exchange("gather", method, m, p, dtype).result;
  const auto sharded = run_exchange("sharded", method, m, p, dtype).result;
  const double tolerance = dtype == torch::kFloat32 ? 1e-6 : 1e-12;
  ASSERT_FALSE(sharded.skipped);
  const auto expected = gather.update.to(torch::kFloat64);
  EXPECT_LT((sharded.update.to(torch::kFloat64) - expected).norm().item<double>(),
            tolerance * expected.norm().item<double>());
  EXPECT_LT((sharded.gram - gather.gram).norm(), 1e-12 * gather.gram.norm());
  EXPECT_LT((sharded.weights - gather.weights).norm(), 1e-9 * (1 + gather.weights.norm()));
  ASSERT_EQ(sharded.scalars.size(), static_cast<std::size_t>(2 * m));
  for (int t = 0; t < m; ++t) {
    EXPECT_NEAR(sharded.scalars[2 * t + 1], 10.0 * t + 1, 1e-12);
    EXPECT_NEAR(gather.scalars[2 * t + 1], 10.0 * t + 1, 1e-12);
  }
  EXPECT_NEAR(sharded.diagnostics.update_norm, gather.diagnostics.update_norm,
              1e-9 * (1 + gather.diagnostics.update_norm));
  EXPECT_NEAR(sharded.diagnostics.conflict, gather.diagnostics.conflict, 1e-9);
}

TEST(ShardedExchange, EqualsGatherFloat32) {
  check_sharded_equals_gather("hrgrad", 4, 1001, torch::kFloat32);
}
TEST(ShardedExchange, EqualsGatherFloat64) {
  check_sharded_equals_gather("hrgrad", 4, 1001, torch::kFloat64);
}
TEST(ShardedExchange, EqualsGatherUnevenFloat32) {
  check_sharded_equals_gather("hrgrad", 5, 1003, torch::kFloat32);
}
TEST(ShardedExchange, EqualsGatherUnevenFloat64) {
  check_sharded_equals_gather("hrgrad", 5, 1003, torch::kFloat64);
}
TEST(ShardedExchange, EqualsGatherTaskGroups) {
  check_sharded_equals_gather("hrgrad", 2, 1001, torch::kFloat32);
  check_sharded_equals_gather("hrgrad", 1, 1001, torch::kFloat64);
}
TEST(ShardedExchange, EqualsGatherOtherMethods) {
  for (const std::string method : {"sum", "mean", "mgda", "pcgrad"}) {
    check_sharded_equals_gather(method, 5, 1003, torch::kFloat64);
  }
}

// The exact payload of the sharded step, from the topology and the slice bounds, in bytes.
std::pair<std::int64_t, std::int64_t> sharded_bytes(const comm::Topology& topology, int rank,
                                                    std::int64_t p, std::int64_t element) {
  const int ranks = topology.ranks(), m = topology.tasks();
  const auto rows = static_cast<std::int64_t>(topology.row_tasks().size());
  const auto b = hrgrad::split_bounds(p, ranks);
  const std::int64_t own = topology.task_count(rank), length = b[rank + 1] - b[rank];
  const std::int64_t collective = ranks > 1 ? std::int64_t{m} * m * 8 : 0;
  const std::int64_t sent = own * (p - length) * element + (ranks - 1) * own * 2 * 8 + collective +
                            (ranks - 1) * length * element;
  const std::int64_t received =
      (rows - own) * length * element + (rows - own) * 2 * 8 + collective + (p - length) * element;
  return {sent, received};
}

TEST(ShardedExchange, BytesMatchTheCounts) {
  auto& world = test::world();
  for (const int m : {1, 2, 5, 8}) {
    if (!fits(m)) continue;
    for (const std::int64_t p : {std::int64_t{1001}, std::int64_t{4096}}) {
      const auto run = run_exchange("sharded", "hrgrad", m, p, torch::kFloat32);
      const auto [sent, received] = sharded_bytes(run.topology, world.rank(), p, 4);
      EXPECT_EQ(run.result.bytes_sent, sent) << "m = " << m << ", p = " << p;
      EXPECT_EQ(run.result.bytes_received, received) << "m = " << m << ", p = " << p;
    }
  }
}

// With one task per rank (the task-parallel layout A3 is designed for), the traffic per rank is
// at most 2.5 p numbers + m^2 + the scalars; beyond that it grows only with this rank's own
// task count (its slices leave in the all-to-all), never with the tasks of other ranks.
TEST(ShardedExchange, TrafficPerRankIsBounded) {
  auto& world = test::world();
  const int ranks = world.size();
  const std::int64_t p = 1001, element = 8;
  for (const int m : {2, 8}) {
    if (ranks > m) continue;
    const auto run = run_exchange("sharded", "hrgrad", m, p, torch::kFloat64);
    const std::int64_t own = run.topology.task_count(world.rank());
    const std::int64_t extra = std::int64_t{m} * m * 8 + 2 * m * 8;
    // (own + 1) slices-worth of p (P-1)/P each way; the received side counts the other tasks'
    // slices of this rank's part, (m - own) p / P, which is at most own + 1 times p / P as well.
    const double numbers = (own + 1.0) * p;
    EXPECT_LE(run.result.bytes_sent, numbers * element + extra) << "m = " << m;
    if (own == 1) {
      EXPECT_LE(run.result.bytes_sent, 2.5 * p * element + extra) << "m = " << m;
      EXPECT_LE(run.result.bytes_received, 2.5 * p * element + extra) << "m = " << m;
    }
    // Rank 0 of the reference exchange, its bottleneck, moves at least as much.
    const auto gather = run_exchange("gather", "hrgrad", m, p, torch::kFloat64).result;
    std::int64_t sharded_max = run.result.bytes_sent + run.result.bytes_received;
    std::int64_t gather_max = gather.bytes_sent + gather.bytes_received;
    world.allreduce_max(&sharded_max, 1, comm::DataType::kInt64);
    world.allreduce_max(&gather_max, 1, comm::DataType::kInt64);
    // About P / 2 times less at P >= 2 (the same at P = 2, up to the m^2 and scalar terms).
    EXPECT_LE(sharded_max, gather_max + 2 * extra) << "m = " << m;
    if (world.rank() == 0) {
      std::printf(
          "[ bytes    ] m=%d p=%lld P=%d sharded rank0 sent %lld received %lld, max %lld; "
          "gather max %lld\n",
          m, static_cast<long long>(p), ranks, static_cast<long long>(run.result.bytes_sent),
          static_cast<long long>(run.result.bytes_received), static_cast<long long>(sharded_max),
          static_cast<long long>(gather_max));
    }
  }
}

// One row per rank (P = m, or task groups with P = k m): the traffic per rank is at most 2.5 p
// numbers plus the m x m Gram and the scalars, and its gradient-sized part is the same whatever
// the number of tasks.
TEST(ShardedExchange, TrafficDoesNotGrowWithTasks) {
  auto& world = test::world();
  const int ranks = world.size();
  const std::int64_t p = 4099, element = 8;
  std::int64_t first_sent = -1, first_received = -1;
  for (int m = 1; m <= ranks; ++m) {
    if (ranks % m != 0) continue;
    const auto run = run_exchange("sharded", "hrgrad", m, p, torch::kFloat64);
    const std::int64_t small = (ranks > 1 ? std::int64_t{m} * m * 8 : 0) + 2 * 8 * ranks;
    EXPECT_LE(run.result.bytes_sent, 2.5 * p * element + small) << "m = " << m;
    EXPECT_LE(run.result.bytes_received, 2.5 * p * element + small) << "m = " << m;
    // Without the Gram and the scalars, the same bytes for every m.
    const std::int64_t sent =
        run.result.bytes_sent - (ranks > 1 ? std::int64_t{m} * m * 8 : 0) - (ranks - 1) * 2 * 8;
    const std::int64_t received =
        run.result.bytes_received - (ranks > 1 ? std::int64_t{m} * m * 8 : 0) - (ranks - 1) * 2 * 8;
    if (first_sent < 0) {
      first_sent = sent;
      first_received = received;
    }
    EXPECT_EQ(sent, first_sent) << "m = " << m;
    EXPECT_EQ(received, first_received) << "m = " << m;
  }
}

TEST(GatherExchange, BytesMatchTheCounts) {
  auto& world = test::world();
  const int m = 5;
  if (world.size() > m) GTEST_SKIP();
  const std::int64_t p = 1003;
  const auto run = run_exchange("gather", "hrgrad", m, p, torch::kFloat32);
  const std::int64_t own = run.topology.task_count(world.rank());
  const std::int64_t packet = (1 + m * m + m + 2 * m) * 8 + p * 4;
  if (world.rank() == 0) {
    EXPECT_EQ(run.result.bytes_received, (m - own) * (p * 4 + 2 * 8));
    EXPECT_EQ(run.result.bytes_sent, (world.size() - 1) * packet);
  } else {
    EXPECT_EQ(run.result.bytes_sent, own * (p * 4 + 2 * 8));
    EXPECT_EQ(run.result.bytes_received, packet);
  }
}

void check_non_finite_skips(const std::string& name) {
  auto& world = test::world();
  const int m = 4;
  if (world.size() > m) GTEST_SKIP();
  const comm::Topology topology(m, world.size());
  auto all = task_gradients(m, 50, torch::kFloat64);
  all[m - 1][3] = std::numeric_limits<double>::quiet_NaN();
  const int first = topology.first_task(world.rank()), count = topology.task_count(world.rank());
  auto aggregator = aggregate::make_aggregator("hrgrad", {}, 0);
  auto exchange = exchange::make_exchange(name, world, topology, *aggregator, 1);
  const auto result = exchange->step(all.slice(0, first, first + count).contiguous(),
                                     std::vector<double>(count, 0.0));
  EXPECT_TRUE(result.skipped) << name;
  EXPECT_EQ(result.update.numel(), 50);
  EXPECT_EQ(result.update.abs().sum().item<double>(), 0.0) << name;
  EXPECT_EQ(result.weights.size(), m);
  EXPECT_EQ(result.scalars.size(), static_cast<std::size_t>(m));
  // The next step still runs normally on every rank (no rank left in a collective).
  const auto clean = task_gradients(m, 50, torch::kFloat64);
  const auto next = exchange->step(clean.slice(0, first, first + count).contiguous(),
                                   std::vector<double>(count, 0.0));
  EXPECT_FALSE(next.skipped) << name;
}

TEST(GatherExchange, NonFiniteGradientSkipsOnEveryRank) { check_non_finite_skips("gather"); }
TEST(ShardedExchange, NonFiniteGradientSkipsOnEveryRank) { check_non_finite_skips("sharded"); }
TEST(ShardedExchange, InfiniteGradientSkipsOnEveryRank) {
  auto& world = test::world();
  const int m = 5;
  if (world.size() > m) GTEST_SKIP();
  const comm::Topology topology(m, world.size());
  auto all = task_gradients(m, 1003, torch::kFloat32);
  all[0][1002] = std::numeric_limits<float>::infinity();  // in the last rank's slice
  const int first = topology.first_task(world.rank()), count = topology.task_count(world.rank());
  auto aggregator = aggregate::make_aggregator("hrgrad", {}, 0);
  auto exchange = exchange::make_exchange("sharded", world, topology, *aggregator, 1);
  const auto result = exchange->step(all.slice(0, first, first + count).contiguous(),
                                     std::vector<double>(count, 0.0));
  EXPECT_TRUE(result.skipped);
  EXPECT_EQ(result.update.abs().sum().item<double>(), 0.0);
}

TEST(Exchange, UnknownNameIsRefused) {
  auto& world = test::world();
  const comm::Topology topology(world.size(), world.size());
  auto aggregator = aggregate::make_aggregator("sum", {}, 0);
  try {
    exchange::make_exchange("ring", world, topology, *aggregator, 1);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("gather, sharded"), std::string::npos);
  }
}

}  // namespace
