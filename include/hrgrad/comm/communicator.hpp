// The communicator interface hrgrad's collective step is written against, with three backends:
// MPI on host memory (one duplicated communicator, every return code checked), a serial one for
// runs without mpirun, and NCCL on GPU memory (built with HRGRAD_WITH_NCCL). Buffers are raw
// pointers with an element type, so tensor data goes to the library directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hrgrad::comm {

enum class DataType { kFloat32, kFloat64, kInt64, kUInt8 };

std::size_t size_of(DataType type);

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Ranks of this communicator that share this rank's node, and this rank's index among them.
  virtual int local_rank() const = 0;
  virtual int local_size() const = 0;
  virtual std::string backend() const = 0;
  // True when the buffers of the collectives are device (GPU) pointers, false for host memory.
  virtual bool device_buffers() const { return false; }

  virtual void barrier() = 0;
  // In-place elementwise sum over all ranks.
  virtual void allreduce_sum(void* data, std::size_t count, DataType type) = 0;
  // In-place elementwise max over all ranks.
  virtual void allreduce_max(void* data, std::size_t count, DataType type) = 0;
  virtual void broadcast(void* data, std::size_t count, DataType type, int root) = 0;
  // Rank r contributes counts[r] elements; every rank receives the concatenation.
  virtual void allgatherv(const void* send, void* receive, const std::vector<int>& counts,
                          DataType type) = 0;
  // Rank r contributes counts[r] elements; root receives the concatenation.
  virtual void gatherv(const void* send, void* receive, const std::vector<int>& counts,
                       DataType type, int root) = 0;
  // Personalised all-to-all with per-destination counts and displacements (in elements).
  virtual void alltoallv(const void* send, const std::vector<int>& send_counts,
                         const std::vector<int>& send_displs, void* receive,
                         const std::vector<int>& receive_counts,
                         const std::vector<int>& receive_displs, DataType type) = 0;
  // Splits into sub-communicators by color, ordered by key.
  virtual std::unique_ptr<Communicator> split(int color, int key) const = 0;

  // True on every rank when ok is true on every rank (one allreduce).
  bool all_agree(bool ok);
  // Ends every rank of the job with this message and exit status; never returns.
  [[noreturn]] virtual void abort(const std::string& message, int status) = 0;
};

// The single-process communicator: every collective is a copy or a no-op.
class SerialCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int local_rank() const override { return 0; }
  int local_size() const override { return 1; }
  std::string backend() const override { return "serial"; }
  void barrier() override {}
  void allreduce_sum(void*, std::size_t, DataType) override {}
  void allreduce_max(void*, std::size_t, DataType) override {}
  void broadcast(void*, std::size_t, DataType, int) override {}
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
};

}  // namespace hrgrad::comm
