// --metrics-csv: the rows of /history as a CSV file (one header line naming the columns, then
// one line per step), appended and flushed with the cadence of --flush-every, so a run can be
// watched with any CSV reader.
#pragma once

#include <cstddef>
#include <fstream>
#include <string>

#include "hrgrad/train/history.hpp"

namespace hrgrad::train {

class MetricsCsv {
 public:
  // Creates (truncates) path and writes the header; throws InputError naming --metrics-csv when
  // the file cannot be written.
  MetricsCsv(const std::string& path, const History& history);
  // Appends the rows of history not written yet and flushes; throws IoError when that fails.
  void write(const History& history);

 private:
  std::string path_;
  std::ofstream out_;
  std::size_t written_ = 0;
};

}  // namespace hrgrad::train
