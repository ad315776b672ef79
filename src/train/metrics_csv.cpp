#include "hrgrad/train/metrics_csv.hpp"

#include <cstdio>

#include "hrgrad/core/error.hpp"

namespace hrgrad::train {
namespace {

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

std::string header(const History& history) {
  const int m = history.tasks();
  std::string line = "step,skipped,lr,wall_time";
  for (int t = 0; t < m; ++t) line += ",loss_" + std::to_string(t);
  for (int t = 0; t < m; ++t)
    for (const auto& c : history.component_names()) line += "," + c + "_" + std::to_string(t);
  for (int t = 0; t < m; ++t) line += ",gram_diagonal_" + std::to_string(t);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j) line += ",cosine_" + std::to_string(i) + "_" + std::to_string(j);
  return line +
         ",min_update_cosine,step_length,conflict,time_compute,time_exchange,time_update,"
         "bytes_sent,bytes_received";
}

std::string line_of(const HistoryRow& row) {
  std::string line = std::to_string(row.step) + "," + (row.skipped ? "1" : "0") + "," +
                     number(row.lr) + "," + number(row.wall_time);
  for (const auto* values : {&row.losses, &row.components, &row.gram_diagonal, &row.cosines})
    for (double v : *values) line += "," + number(v);
  for (double v : {row.min_update_cosine, row.update_norm, row.conflict, row.time_compute,
                   row.time_exchange, row.time_update})
    line += "," + number(v);
  return line + "," + std::to_string(row.bytes_sent) + "," + std::to_string(row.bytes_received);
}

}  // namespace

MetricsCsv::MetricsCsv(const std::string& path, const History& history)
    : path_(path), out_(path, std::ios::trunc) {
  out_ << header(history) << '\n' << std::flush;
  if (!out_) throw InputError("--metrics-csv: cannot write '" + path + "'");
}

void MetricsCsv::write(const History& history) {
  const auto& rows = history.rows();
  for (; written_ < rows.size(); ++written_) out_ << line_of(rows[written_]) << '\n';
  out_.flush();
  if (!out_) throw IoError(path_ + ": cannot write the metrics CSV (disk full?)");
}

}  // namespace hrgrad::train
