#include "hrgrad/comm/mpi_communicator.hpp"

#include <cstdlib>

#include "hrgrad/core/error.hpp"
#include "hrgrad/core/log.hpp"
#include "hrgrad/core/partition.hpp"

namespace hrgrad::comm {
namespace {

MPI_Datatype mpi_type(DataType type) {
  switch (type) {
    case DataType::kFloat32:
      return MPI_FLOAT;
    case DataType::kFloat64:
      return MPI_DOUBLE;
    case DataType::kInt64:
      return MPI_INT64_T;
    case DataType::kUInt8:
      return MPI_UINT8_T;
  }
  return MPI_BYTE;
}

void* in_place(const void* send, void* receive) {
  return send == receive ? MPI_IN_PLACE : const_cast<void*>(send);
}

}  // namespace

MpiCommunicator::MpiCommunicator(MPI_Comm parent) {
  check(MPI_Comm_dup(parent, &comm_), "MPI_Comm_dup");
  check(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
  MPI_Comm node = MPI_COMM_NULL;
  check(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node),
        "MPI_Comm_split_type");
  check(MPI_Comm_rank(node, &local_rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(node, &local_size_), "MPI_Comm_size");
  MPI_Comm_free(&node);
}

MpiCommunicator::~MpiCommunicator() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized && comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

void MpiCommunicator::check(int code, const char* call) const {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw CommError(std::string(call) + " failed on rank " + std::to_string(rank_) + ": " +
                  std::string(text, length));
}

void MpiCommunicator::barrier() { check(MPI_Barrier(comm_), "MPI_Barrier"); }

void MpiCommunicator::allreduce_sum(void* data, std::size_t count, DataType type) {
  check(MPI_Allreduce(MPI_IN_PLACE, data, static_cast<int>(count), mpi_type(type), MPI_SUM, comm_),
        "MPI_Allreduce");
}

void MpiCommunicator::allreduce_max(void* data, std::size_t count, DataType type) {
  check(MPI_Allreduce(MPI_IN_PLACE, data, static_cast<int>(count), mpi_type(type), MPI_MAX, comm_),
        "MPI_Allreduce");
}

void MpiCommunicator::broadcast(void* data, std::size_t count, DataType type, int root) {
  check(MPI_Bcast(data, static_cast<int>(count), mpi_type(type), root, comm_), "MPI_Bcast");
}

void MpiCommunicator::allgatherv(const void* send, void* receive, const std::vector<int>& counts,
                                 DataType type) {
  const auto displs = displacements(counts);
  const void* source = send;
  if (send == receive) {
    source = MPI_IN_PLACE;
  }
  check(MPI_Allgatherv(source, counts.at(rank_), mpi_type(type), receive, counts.data(),
                       displs.data(), mpi_type(type), comm_),
        "MPI_Allgatherv");
}

void MpiCommunicator::gatherv(const void* send, void* receive, const std::vector<int>& counts,
                              DataType type, int root) {
  const auto displs = displacements(counts);
  const void* source = (rank_ == root && send == receive) ? MPI_IN_PLACE : send;
  check(MPI_Gatherv(source, counts.at(rank_), mpi_type(type), receive, counts.data(), displs.data(),
                    mpi_type(type), root, comm_),
        "MPI_Gatherv");
}

void MpiCommunicator::alltoallv(const void* send, const std::vector<int>& send_counts,
                                const std::vector<int>& send_displs, void* receive,
                                const std::vector<int>& receive_counts,
                                const std::vector<int>& receive_displs, DataType type) {
  check(
      MPI_Alltoallv(in_place(send, receive), send_counts.data(), send_displs.data(), mpi_type(type),
                    receive, receive_counts.data(), receive_displs.data(), mpi_type(type), comm_),
      "MPI_Alltoallv");
}

std::unique_ptr<Communicator> MpiCommunicator::split(int color, int key) const {
  MPI_Comm part = MPI_COMM_NULL;
  check(MPI_Comm_split(comm_, color, key, &part), "MPI_Comm_split");
  auto result = std::make_unique<MpiCommunicator>(part);
  MPI_Comm_free(&part);
  return result;
}

void MpiCommunicator::abort(const std::string& message, int status) {
  log::error(message);
  MPI_Abort(comm_, status);
  std::exit(status);  // MPI_Abort does not return; this only satisfies [[noreturn]]
}

}  // namespace hrgrad::comm
