// The gather exchange gives every rank the same update, equal to aggregating the full gradient
// matrix in one process, whatever the rank count.
#include <gtest/gtest.h>

#include "hrgrad/aggregate/aggregator.hpp"
#include "hrgrad/comm/topology.hpp"
#include "hrgrad/exchange/exchange.hpp"
#include "mpi_test_env.hpp"

namespace {

using namespace hrgrad;

torch::Tensor task_gradients(int m, std::int64_t p, torch::Dtype dtype) {
  torch::manual_seed(1234);
  // Rows with norms spread over three decades, some in conflict.
  auto j = torch::randn({m, p}, torch::kFloat64);
  for (int i = 0; i < m; ++i) j[i] *= std::pow(10.0, i % 3);
  j[1] -= 2.0 * j[0];
  return j.to(dtype);
}

void check_matches_serial(const std::string& method, int m, std::int64_t p, torch::Dtype dtype) {
  auto& world = test::world();
  if (world.size() > m) GTEST_SKIP() << "more ranks than tasks";
  const comm::Topology topology(m, world.size());
  const auto all = task_gradients(m, p, dtype);
  const int first = topology.first_task(world.rank()), count = topology.task_count(world.rank());
  const auto local = all.slice(0, first, first + count).contiguous();
  std::vector<double> scalars;
  for (int t = first; t < first + count; ++t) scalars.push_back(100.0 + t);

  auto aggregator = aggregate::make_aggregator(method, {}, 7);
  auto exchange = exchange::make_exchange("gather", world, topology, *aggregator, 1);
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
  EXPECT_LT(error, tolerance) << method << " at " << world.size() << " ranks";
  for (int t = 0; t < m; ++t) EXPECT_EQ(result.scalars[t], 100.0 + t);
  EXPECT_LT((result.weights - serial.weights).norm(), 1e-12 * (1 + serial.weights.norm()));

  // Every rank holds exactly rank 0's update.
  auto copy = result.update.clone();
  world.broadcast(copy.data_ptr(), copy.numel(),
                  dtype == torch::kFloat32 ? comm::DataType::kFloat32 : comm::DataType::kFloat64, 0);
  EXPECT_TRUE(torch::equal(copy, result.update));
}

TEST(GatherExchange, HrgradMatchesSerialFloat32) { check_matches_serial("hrgrad", 4, 1001, torch::kFloat32); }
TEST(GatherExchange, HrgradMatchesSerialFloat64) { check_matches_serial("hrgrad", 4, 1001, torch::kFloat64); }
TEST(GatherExchange, UnevenTaskSplit) { check_matches_serial("hrgrad", 5, 333, torch::kFloat64); }
TEST(GatherExchange, SumMatchesSerial) { check_matches_serial("sum", 4, 1001, torch::kFloat64); }

TEST(GatherExchange, NonFiniteGradientSkipsOnEveryRank) {
  auto& world = test::world();
  const int m = 4;
  if (world.size() > m) GTEST_SKIP();
  const comm::Topology topology(m, world.size());
  auto all = task_gradients(m, 50, torch::kFloat64);
  all[m - 1][3] = std::numeric_limits<double>::quiet_NaN();
  const int first = topology.first_task(world.rank()), count = topology.task_count(world.rank());
  auto aggregator = aggregate::make_aggregator("hrgrad", {}, 0);
  auto exchange = exchange::make_exchange("gather", world, topology, *aggregator, 1);
  const auto result = exchange->step(all.slice(0, first, first + count).contiguous(),
                                     std::vector<double>(count, 0.0));
  EXPECT_TRUE(result.skipped);
  EXPECT_EQ(result.update.abs().sum().item<double>(), 0.0);
}

}  // namespace
