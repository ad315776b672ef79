#include "hrgrad/comm/communicator.hpp"

#include <cstdlib>
#include <cstring>

#include "hrgrad/core/log.hpp"

namespace hrgrad::comm {

std::size_t size_of(DataType type) {
  switch (type) {
    case DataType::kFloat32:
      return 4;
    case DataType::kFloat64:
    case DataType::kInt64:
      return 8;
    case DataType::kUInt8:
      return 1;
  }
  return 1;
}

bool Communicator::all_agree(bool ok) {
  std::int64_t failed = ok ? 0 : 1;
  allreduce_max(&failed, 1, DataType::kInt64);
  return failed == 0;
}

void SerialCommunicator::allgatherv(const void* send, void* receive, const std::vector<int>& counts,
                                    DataType type) {
  if (send != receive) std::memcpy(receive, send, counts.at(0) * size_of(type));
}

void SerialCommunicator::gatherv(const void* send, void* receive, const std::vector<int>& counts,
                                 DataType type, int) {
  if (send != receive) std::memcpy(receive, send, counts.at(0) * size_of(type));
}

void SerialCommunicator::alltoallv(const void* send, const std::vector<int>& send_counts,
                                   const std::vector<int>& send_displs, void* receive,
                                   const std::vector<int>&, const std::vector<int>& receive_displs,
                                   DataType type) {
  const std::size_t bytes = size_of(type);
  std::memcpy(static_cast<char*>(receive) + receive_displs.at(0) * bytes,
              static_cast<const char*>(send) + send_displs.at(0) * bytes,
              send_counts.at(0) * bytes);
}

std::unique_ptr<Communicator> SerialCommunicator::split(int, int) const {
  return std::make_unique<SerialCommunicator>();
}

void SerialCommunicator::abort(const std::string& message, int status) {
  log::error(message);
  std::exit(status);
}

}  // namespace hrgrad::comm
