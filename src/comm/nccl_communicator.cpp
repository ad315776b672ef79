#include "hrgrad/comm/nccl_communicator.hpp"

#include <cuda_runtime_api.h>
#include <nccl.h>

#include <cstdlib>

#include "hrgrad/core/error.hpp"
#include "hrgrad/core/log.hpp"
#include "hrgrad/core/partition.hpp"

namespace hrgrad::comm {
namespace {

ncclDataType_t nccl_type(DataType type) {
  switch (type) {
    case DataType::kFloat32:
      return ncclFloat32;
    case DataType::kFloat64:
      return ncclFloat64;
    case DataType::kInt64:
      return ncclInt64;
    case DataType::kUInt8:
      return ncclUint8;
  }
  return ncclUint8;
}

void check_nccl(ncclResult_t code, const char* call, int rank) {
  if (code == ncclSuccess) return;
  throw CommError(
      log::format("NCCL ", call, " failed on rank ", rank, ": ", ncclGetErrorString(code)));
}

void check_cuda(cudaError_t code, const char* call, int rank) {
  if (code == cudaSuccess) return;
  throw CommError(
      log::format("CUDA ", call, " failed on rank ", rank, ": ", cudaGetErrorString(code)));
}

const char* offset(const void* base, std::int64_t elements, DataType type) {
  return static_cast<const char*>(base) + elements * static_cast<std::int64_t>(size_of(type));
}
char* offset(void* base, std::int64_t elements, DataType type) {
  return static_cast<char*>(base) + elements * static_cast<std::int64_t>(size_of(type));
}

// The legacy default stream: LibTorch's default, so NCCL work follows the tensor kernels.
const cudaStream_t kStream = nullptr;

}  // namespace

struct NcclCommunicator::Native {
  ncclComm_t comm = nullptr;
};

NcclCommunicator::NcclCommunicator(Communicator& host, int device)
    : host_(host), native_(std::make_unique<Native>()), device_(device) {
  check_cuda(cudaSetDevice(device), "cudaSetDevice", host.rank());
  ncclUniqueId id{};
  if (host.rank() == 0) check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId", 0);
  host.broadcast(&id, sizeof id, DataType::kUInt8, 0);
  check_nccl(ncclCommInitRank(&native_->comm, host.size(), id, host.rank()), "ncclCommInitRank",
             host.rank());
}

NcclCommunicator::NcclCommunicator(std::unique_ptr<Communicator> owned_host,
                                   std::unique_ptr<Native> native, int device)
    : owned_host_(std::move(owned_host)),
      host_(*owned_host_),
      native_(std::move(native)),
      device_(device) {}

NcclCommunicator::~NcclCommunicator() {
  if (native_ && native_->comm) ncclCommDestroy(native_->comm);
}

void NcclCommunicator::synchronize() const {
  check_cuda(cudaStreamSynchronize(kStream), "cudaStreamSynchronize", rank());
}

void NcclCommunicator::barrier() {
  synchronize();
  host_.barrier();
}

void NcclCommunicator::allreduce_sum(void* data, std::size_t count, DataType type) {
  check_nccl(ncclAllReduce(data, data, count, nccl_type(type), ncclSum, native_->comm, kStream),
             "ncclAllReduce", rank());
  synchronize();
}

void NcclCommunicator::allreduce_max(void* data, std::size_t count, DataType type) {
  check_nccl(ncclAllReduce(data, data, count, nccl_type(type), ncclMax, native_->comm, kStream),
             "ncclAllReduce", rank());
  synchronize();
}

void NcclCommunicator::broadcast(void* data, std::size_t count, DataType type, int root) {
  check_nccl(ncclBroadcast(data, data, count, nccl_type(type), root, native_->comm, kStream),
             "ncclBroadcast", rank());
  synchronize();
}

void NcclCommunicator::allgatherv(const void* send, void* receive, const std::vector<int>& counts,
                                  DataType type) {
  // One broadcast per rank, fused into one group: NCCL has no allgatherv.
  const auto displs = displacements(counts);
  check_nccl(ncclGroupStart(), "ncclGroupStart", rank());
  for (int r = 0; r < size(); ++r) {
    if (counts[r] == 0) continue;
    void* slot = offset(receive, displs[r], type);
    check_nccl(ncclBroadcast(r == rank() ? send : slot, slot, counts[r], nccl_type(type), r,
                             native_->comm, kStream),
               "ncclBroadcast", rank());
  }
  check_nccl(ncclGroupEnd(), "ncclGroupEnd", rank());
  synchronize();
}

void NcclCommunicator::gatherv(const void* send, void* receive, const std::vector<int>& counts,
                               DataType type, int root) {
  const auto displs = displacements(counts);
  const std::size_t bytes = size_of(type);
  check_nccl(ncclGroupStart(), "ncclGroupStart", rank());
  if (rank() == root) {
    for (int r = 0; r < size(); ++r) {
      if (r == root || counts[r] == 0) continue;
      check_nccl(ncclRecv(offset(receive, displs[r], type), counts[r], nccl_type(type), r,
                          native_->comm, kStream),
                 "ncclRecv", rank());
    }
  } else if (counts[rank()] > 0) {
    check_nccl(ncclSend(send, counts[rank()], nccl_type(type), root, native_->comm, kStream),
               "ncclSend", rank());
  }
  check_nccl(ncclGroupEnd(), "ncclGroupEnd", rank());
  if (rank() == root && counts[root] > 0) {
    check_cuda(cudaMemcpyAsync(offset(receive, displs[root], type), send, counts[root] * bytes,
                               cudaMemcpyDeviceToDevice, kStream),
               "cudaMemcpyAsync", rank());
  }
  synchronize();
}

void NcclCommunicator::alltoallv(const void* send, const std::vector<int>& send_counts,
                                 const std::vector<int>& send_displs, void* receive,
                                 const std::vector<int>& receive_counts,
                                 const std::vector<int>& receive_displs, DataType type) {
  const int me = rank();
  check_nccl(ncclGroupStart(), "ncclGroupStart", me);
  for (int r = 0; r < size(); ++r) {
    if (r == me) continue;
    if (send_counts[r] > 0) {
      check_nccl(ncclSend(offset(send, send_displs[r], type), send_counts[r], nccl_type(type), r,
                          native_->comm, kStream),
                 "ncclSend", me);
    }
    if (receive_counts[r] > 0) {
      check_nccl(ncclRecv(offset(receive, receive_displs[r], type), receive_counts[r],
                          nccl_type(type), r, native_->comm, kStream),
                 "ncclRecv", me);
    }
  }
  check_nccl(ncclGroupEnd(), "ncclGroupEnd", me);
  if (send_counts[me] > 0) {
    check_cuda(cudaMemcpyAsync(offset(receive, receive_displs[me], type),
                               offset(send, send_displs[me], type), send_counts[me] * size_of(type),
                               cudaMemcpyDeviceToDevice, kStream),
               "cudaMemcpyAsync", me);
  }
  synchronize();
}

std::unique_ptr<Communicator> NcclCommunicator::split(int color, int key) const {
#if NCCL_VERSION_CODE >= NCCL_VERSION(2, 18, 0)
  auto host = host_.split(color, key);
  auto native = std::make_unique<Native>();
  check_nccl(ncclCommSplit(native_->comm, color, key, &native->comm, nullptr), "ncclCommSplit",
             rank());
  return std::unique_ptr<Communicator>(
      new NcclCommunicator(std::move(host), std::move(native), device_));
#else
  (void)color;
  (void)key;
  throw CommError("NCCL communicator split needs NCCL 2.18 or newer");
#endif
}

void NcclCommunicator::abort(const std::string& message, int status) {
  if (native_ && native_->comm) ncclCommAbort(native_->comm);
  native_.reset();
  host_.abort(message, status);
  std::abort();  // not reached; GCC 13 does not carry [[noreturn]] through a virtual call
}

}  // namespace hrgrad::comm
