#include "hrgrad/train/history.hpp"

namespace hrgrad::train {

History::History(int tasks, std::vector<std::string> component_names)
    : tasks_(tasks), component_names_(std::move(component_names)) {}

void History::add(HistoryRow row) { rows_.push_back(std::move(row)); }

void History::write(io::File& file, const std::string& group) const {
  const std::size_t n = rows_.size(), m = tasks_, c = component_names_.size();
  std::vector<std::int64_t> step, skipped, bytes_sent, bytes_received;
  std::vector<double> lr, wall, losses, components, diagonal, cosines, min_cos, norm, conflict;
  std::vector<double> time_compute, time_exchange, time_update;
  for (const auto& row : rows_) {
    step.push_back(row.step);
    skipped.push_back(row.skipped ? 1 : 0);
    bytes_sent.push_back(row.bytes_sent);
    bytes_received.push_back(row.bytes_received);
    lr.push_back(row.lr);
    wall.push_back(row.wall_time);
    min_cos.push_back(row.min_update_cosine);
    norm.push_back(row.update_norm);
    conflict.push_back(row.conflict);
    time_compute.push_back(row.time_compute);
    time_exchange.push_back(row.time_exchange);
    time_update.push_back(row.time_update);
    losses.insert(losses.end(), row.losses.begin(), row.losses.end());
    components.insert(components.end(), row.components.begin(), row.components.end());
    diagonal.insert(diagonal.end(), row.gram_diagonal.begin(), row.gram_diagonal.end());
    cosines.insert(cosines.end(), row.cosines.begin(), row.cosines.end());
  }
  file.create_group(group);
  file.write(group + "/step", step);
  file.write(group + "/skipped", skipped);
  file.write(group + "/lr", lr);
  file.write(group + "/wall_time", wall);
  file.write(group + "/loss", losses, {n, m});
  file.write(group + "/components", components, {n, m, c});
  file.write(group + "/gram_diagonal", diagonal, {n, m});
  file.write(group + "/cosines", cosines, {n, m, m});
  file.write(group + "/min_update_cosine", min_cos);
  file.write(group + "/step_length", norm);
  file.write(group + "/conflict", conflict);
  file.write(group + "/time_compute", time_compute);
  file.write(group + "/time_exchange", time_exchange);
  file.write(group + "/time_update", time_update);
  file.write(group + "/bytes_sent", bytes_sent);
  file.write(group + "/bytes_received", bytes_received);
  std::string names;
  for (std::size_t i = 0; i < c; ++i) names += (i ? "," : "") + component_names_[i];
  file.write_attribute(group, "component_names", names);
}

}  // namespace hrgrad::train
