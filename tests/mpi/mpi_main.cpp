// main() of the MPI test binaries: sets up the parallel environment, runs GoogleTest on every
// rank (only rank 0 prints), and fails on every rank when a test failed on any rank.
#include <gtest/gtest.h>

#include "hrgrad/comm/environment.hpp"
#include "mpi_test_env.hpp"

namespace {
hrgrad::comm::Environment* g_environment = nullptr;
}

namespace hrgrad::test {
comm::Communicator& world() { return g_environment->world(); }
}  // namespace hrgrad::test

int main(int argc, char** argv) {
  hrgrad::comm::Environment environment(argc, argv);
  g_environment = &environment;
  ::testing::InitGoogleTest(&argc, argv);
  if (environment.world().rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  std::int64_t failed = RUN_ALL_TESTS() != 0 ? 1 : 0;
  environment.world().allreduce_max(&failed, 1, hrgrad::comm::DataType::kInt64);
  return failed ? 1 : 0;
}
