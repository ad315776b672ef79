// The errors of a run at its test Knudsen numbers over training (--eval-every): per evaluation
// the step, the training wall time so far (evaluations excluded) and each field's relative L2
// error at each test ε. Rank 0 keeps it, writes it to /eval_history of the run's HDF5 file and
// stores it in checkpoints, so a resumed run keeps its earlier evaluations.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hrgrad/io/hdf5_file.hpp"
#include "hrgrad/physics/problem.hpp"

namespace hrgrad::train {

struct EvalRow {
  std::int64_t step = 0;            // steps done when evaluated
  double wall_time = 0;             // training seconds up to then
  std::vector<double> relative_l2;  // eps x fields, row-major; NaN where a field has no reference
};

class EvalHistory {
 public:
  EvalHistory() = default;
  explicit EvalHistory(std::vector<double> eps) : eps_(std::move(eps)) {}
  // Appends one evaluation per test ε, in the order of eps(); the first call fixes the fields.
  void add(std::int64_t step, double wall_time,
           const std::vector<physics::Evaluation>& evaluations);
  const std::vector<EvalRow>& rows() const { return rows_; }
  const std::vector<double>& eps() const { return eps_; }
  const std::vector<std::string>& fields() const { return fields_; }
  // One line: the step, the training time and every field's errors across the test ε.
  std::string summary(const EvalRow& row) const;
  void write(io::File& file, const std::string& group = "/eval_history") const;
  // Replaces this history with the one write() stored in group (eps and fields included).
  void read(const io::File& file, const std::string& group = "/eval_history");

 private:
  std::vector<double> eps_;
  std::vector<std::string> fields_;
  std::vector<EvalRow> rows_;
};

}  // namespace hrgrad::train
