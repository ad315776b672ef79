// The NCCL communicator on one rank and one GPU: every collective of the interface, on device
// memory, gives what the serial communicator gives on host memory. Built with HRGRAD_WITH_NCCL.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include "hrgrad/comm/nccl_communicator.hpp"

namespace {

using namespace hrgrad;

comm::DataType type_of(const torch::Tensor& t) {
  return t.scalar_type() == torch::kFloat64 ? comm::DataType::kFloat64 : comm::DataType::kFloat32;
}

TEST(NcclCommunicator, OneRankRoundTrip) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "LibTorch sees no GPU";
  comm::SerialCommunicator host;
  comm::NcclCommunicator nccl(host, 0);
  EXPECT_EQ(nccl.backend(), "nccl");
  EXPECT_TRUE(nccl.device_buffers());
  ASSERT_EQ(nccl.size(), 1);
  const auto cuda = torch::TensorOptions().device(torch::kCUDA, 0);
  for (auto dtype : {torch::kFloat32, torch::kFloat64}) {
    const auto values = torch::arange(1, 11, cuda.dtype(dtype));  // 1..10
    auto data = values.clone();
    nccl.allreduce_sum(data.data_ptr(), data.numel(), type_of(data));
    EXPECT_TRUE(torch::equal(data, values));
    nccl.allreduce_max(data.data_ptr(), data.numel(), type_of(data));
    nccl.broadcast(data.data_ptr(), data.numel(), type_of(data), 0);
    EXPECT_TRUE(torch::equal(data, values));

    auto gathered = torch::zeros({10}, cuda.dtype(dtype));
    nccl.allgatherv(values.data_ptr(), gathered.data_ptr(), {10}, type_of(values));
    EXPECT_TRUE(torch::equal(gathered, values));
    gathered.zero_();
    nccl.gatherv(values.data_ptr(), gathered.data_ptr(), {10}, type_of(values), 0);
    EXPECT_TRUE(torch::equal(gathered, values));
    // All-to-all to itself: elements 2..7 land at 0..5.
    auto received = torch::zeros({6}, cuda.dtype(dtype));
    nccl.alltoallv(values.data_ptr(), {6}, {2}, received.data_ptr(), {6}, {0}, type_of(values));
    EXPECT_TRUE(torch::equal(received, values.slice(0, 2, 8)));
  }
  auto sub = nccl.split(0, 0);
  EXPECT_EQ(sub->size(), 1);
  auto one = torch::ones({4}, cuda.dtype(torch::kFloat64));
  sub->allreduce_sum(one.data_ptr(), 4, comm::DataType::kFloat64);
  EXPECT_EQ(one.sum().item<double>(), 4.0);
  nccl.barrier();
}

}  // namespace
