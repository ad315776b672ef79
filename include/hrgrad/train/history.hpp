// The per-step record of a training run (rank 0): per-task losses and loss components, the Gram
// diagonal, the cosine matrix, min_i cos(update, g_i), the step length, the learning rate and
// the wall time and the time per phase; written to /history of the run's HDF5 file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hrgrad/io/hdf5_file.hpp"

namespace hrgrad::train {

struct HistoryRow {
  std::int64_t step = 0;
  double lr = 0, wall_time = 0;
  std::vector<double> losses;         // m
  std::vector<double> components;     // m x c
  std::vector<double> gram_diagonal;  // m
  std::vector<double> cosines;        // m x m
  double min_update_cosine = 0, update_norm = 0, conflict = 0;
  // Seconds this step spent in the task losses and gradients, the collective step (with the
  // aggregation) and the optimizer.
  double time_compute = 0, time_exchange = 0, time_update = 0;
  // Payload bytes this rank sent and received in the collective step.
  std::int64_t bytes_sent = 0, bytes_received = 0;
  bool skipped = false;
};

class History {
 public:
  History() = default;
  History(int tasks, std::vector<std::string> component_names);
  void add(HistoryRow row);
  const std::vector<HistoryRow>& rows() const { return rows_; }
  void write(io::File& file, const std::string& group = "/history") const;
  // Replaces the rows with those write() stored in group; throws IoError when a dataset is
  // missing or its shape does not fit this history's tasks and components.
  void read(const io::File& file, const std::string& group = "/history");
  int tasks() const { return tasks_; }
  const std::vector<std::string>& component_names() const { return component_names_; }

 private:
  int tasks_ = 0;
  std::vector<std::string> component_names_;
  std::vector<HistoryRow> rows_;
};

}  // namespace hrgrad::train
