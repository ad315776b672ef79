// The NCCL backend of the communicator: collectives on GPU memory of the rank's device, with the
// same interface as the MPI backend. The NCCL unique id travels over the host communicator,
// which also serves barrier and abort. Built only with HRGRAD_WITH_NCCL (a CUDA LibTorch and NCCL).
//
// Operations run on CUDA's legacy default stream, the stream LibTorch computes on unless told
// otherwise, so they follow the kernels that produced their buffers; each call returns once its
// result is in place, like the MPI backend.
#pragma once

#include <memory>
#include <string>

#include "hrgrad/comm/communicator.hpp"

namespace hrgrad::comm {

// The communicator the exchange sends gradient-sized payloads through on GPUs: NCCL when this
// build has it and each rank of this node has a GPU of its own (NCCL refuses two ranks on one
// device), otherwise nullptr, and the exchange stages through host memory and `host`.
// `reason` says which was chosen and why, for the log.
std::unique_ptr<Communicator> make_device_communicator(Communicator& host, int device,
                                                       int devices_on_node, std::string* reason);

#ifdef HRGRAD_WITH_NCCL
class NcclCommunicator final : public Communicator {
 public:
  // Collective over `host`: rank 0 makes the unique id, every rank joins on `device`.
  NcclCommunicator(Communicator& host, int device);
  ~NcclCommunicator() override;
  NcclCommunicator(const NcclCommunicator&) = delete;
  NcclCommunicator& operator=(const NcclCommunicator&) = delete;

  int rank() const override { return host_.rank(); }
  int size() const override { return host_.size(); }
  int local_rank() const override { return host_.local_rank(); }
  int local_size() const override { return host_.local_size(); }
  std::string backend() const override { return "nccl"; }
  bool device_buffers() const override { return true; }

  void barrier() override;
  void allreduce_sum(void* data, std::size_t count, DataType type) override;
  void allreduce_max(void* data, std::size_t count, DataType type) override;
  void broadcast(void* data, std::size_t count, DataType type, int root) override;
  void allgatherv(const void* send, void* receive, const std::vector<int>& counts,
                  DataType type) override;
  void gatherv(const void* send, void* receive, const std::vector<int>& counts, DataType type,
               int root) override;
  void alltoallv(const void* send, const std::vector<int>& send_counts,
                 const std::vector<int>& send_displs, void* receive,
                 const std::vector<int>& receive_counts, const std::vector<int>& receive_displs,
                 DataType type) override;
  std::unique_ptr<Communicator> split(int color, int key) const override;
  [[noreturn]] void abort(const std::string& message, int status) override;

 private:
  struct Native;  // the ncclComm_t, kept out of this header
  NcclCommunicator(std::unique_ptr<Communicator> owned_host, std::unique_ptr<Native> native,
                   int device);
  void synchronize() const;

  std::unique_ptr<Communicator> owned_host_;  // set for communicators made by split()
  Communicator& host_;
  std::unique_ptr<Native> native_;
  int device_ = 0;
};
#endif

}  // namespace hrgrad::comm
