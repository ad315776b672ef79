// Chooses the data communicator of GPU runs (see nccl_communicator.hpp).
#include "hrgrad/comm/nccl_communicator.hpp"
#include "hrgrad/core/log.hpp"

namespace hrgrad::comm {

std::unique_ptr<Communicator> make_device_communicator(Communicator& host, int device,
                                                       int devices_on_node, std::string* reason) {
#ifdef HRGRAD_WITH_NCCL
  // Every rank decides alike: ranks of one node share local_size, and a job with one node short
  // of GPUs must not leave the others waiting in ncclCommInitRank.
  const bool own_gpu = host.all_agree(host.local_size() <= devices_on_node);
  if (own_gpu) {
    if (reason) *reason = "NCCL on the GPUs";
    return std::make_unique<NcclCommunicator>(host, device);
  }
  if (reason) {
    *reason = log::format("host-staged MPI: ", host.local_size(), " ranks share ", devices_on_node,
                          " GPU(s) on a node, and NCCL needs one GPU per rank");
  }
#else
  (void)host;
  (void)device;
  (void)devices_on_node;
  if (reason) *reason = "host-staged MPI: this build has no NCCL (HRGRAD_WITH_NCCL=OFF)";
#endif
  return nullptr;
}

}  // namespace hrgrad::comm
