// The MPI backend of the communicator: owns a duplicate of the communicator it is given (so
// hrgrad's traffic never mixes with a host application's), sets MPI_ERRORS_RETURN on it and
// turns every failed call into a CommError naming the call and the rank.
#pragma once

#include <mpi.h>

#include "hrgrad/comm/communicator.hpp"

namespace hrgrad::comm {

class MpiCommunicator final : public Communicator {
 public:
  // Duplicates parent; the duplicate is freed in the destructor.
  explicit MpiCommunicator(MPI_Comm parent);
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_rank() const override { return local_rank_; }
  int local_size() const override { return local_size_; }
  std::string backend() const override { return "mpi"; }
  MPI_Comm native() const { return comm_; }

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
  void check(int code, const char* call) const;

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
  int local_rank_ = 0;
  int local_size_ = 1;
};

}  // namespace hrgrad::comm
