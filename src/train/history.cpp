#include "hrgrad/train/history.hpp"

#include <type_traits>

#include "hrgrad/core/error.hpp"

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

namespace {

// Reads a dataset of n rows of `width` values each, or fails naming it.
template <typename T>
std::vector<T> read_rows(const io::File& file, const std::string& name, std::size_t n,
                         std::size_t width) {
  std::vector<std::size_t> dims;
  std::vector<T> data;
  if constexpr (std::is_same_v<T, double>) {
    data = file.read_doubles(name, &dims);
  } else {
    data = file.read_int64s(name, &dims);
  }
  if (data.size() != n * width) {
    throw IoError(file.path() + ":" + name + ": " + std::to_string(data.size()) +
                  " values, expected " + std::to_string(n * width));
  }
  return data;
}

}  // namespace

void History::read(const io::File& file, const std::string& group) {
  const std::size_t m = tasks_, c = component_names_.size();
  const auto step = file.read_int64s(group + "/step");
  const std::size_t n = step.size();
  const auto skipped = read_rows<std::int64_t>(file, group + "/skipped", n, 1);
  const auto sent = read_rows<std::int64_t>(file, group + "/bytes_sent", n, 1);
  const auto received = read_rows<std::int64_t>(file, group + "/bytes_received", n, 1);
  auto scalar = [&](const std::string& name) {
    return read_rows<double>(file, group + "/" + name, n, 1);
  };
  const auto lr = scalar("lr"), wall = scalar("wall_time"), min_cos = scalar("min_update_cosine");
  const auto norm = scalar("step_length"), conflict = scalar("conflict");
  const auto compute = scalar("time_compute"), exchange = scalar("time_exchange");
  const auto update = scalar("time_update");
  const auto losses = read_rows<double>(file, group + "/loss", n, m);
  const auto components = read_rows<double>(file, group + "/components", n, m * c);
  const auto diagonal = read_rows<double>(file, group + "/gram_diagonal", n, m);
  const auto cosines = read_rows<double>(file, group + "/cosines", n, m * m);
  auto slice = [](const std::vector<double>& data, std::size_t row, std::size_t width) {
    return std::vector<double>(data.begin() + row * width, data.begin() + (row + 1) * width);
  };
  rows_.clear();
  for (std::size_t i = 0; i < n; ++i) {
    HistoryRow row;
    row.step = step[i];
    row.skipped = skipped[i] != 0;
    row.bytes_sent = sent[i];
    row.bytes_received = received[i];
    row.lr = lr[i];
    row.wall_time = wall[i];
    row.min_update_cosine = min_cos[i];
    row.update_norm = norm[i];
    row.conflict = conflict[i];
    row.time_compute = compute[i];
    row.time_exchange = exchange[i];
    row.time_update = update[i];
    row.losses = slice(losses, i, m);
    row.components = slice(components, i, m * c);
    row.gram_diagonal = slice(diagonal, i, m);
    row.cosines = slice(cosines, i, m * m);
    rows_.push_back(std::move(row));
  }
}

}  // namespace hrgrad::train
