#include "hrgrad/train/eval_history.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "hrgrad/core/error.hpp"

namespace hrgrad::train {

void EvalHistory::add(std::int64_t step, double wall_time,
                      const std::vector<physics::Evaluation>& evaluations) {
  if (evaluations.size() != eps_.size())
    throw Error("EvalHistory: " + std::to_string(evaluations.size()) + " evaluations for " +
                std::to_string(eps_.size()) + " test Knudsen numbers");
  if (fields_.empty())
    for (const auto& f : evaluations.front().fields) fields_.push_back(f.name);
  EvalRow row;
  row.step = step;
  row.wall_time = wall_time;
  for (const auto& e : evaluations) {
    for (const auto& name : fields_) {
      double error = std::nan("");
      for (const auto& f : e.fields)
        if (f.name == name && !f.reference.empty()) error = f.relative_l2;
      row.relative_l2.push_back(error);
    }
  }
  rows_.push_back(std::move(row));
}

std::string EvalHistory::summary(const EvalRow& row) const {
  std::ostringstream out;
  char text[64];
  std::snprintf(text, sizeof text, "eval at step %lld (%.0f s):", static_cast<long long>(row.step),
                row.wall_time);
  out << text;
  for (std::size_t f = 0; f < fields_.size(); ++f) {
    out << (f ? ";" : "") << " " << fields_[f];
    for (std::size_t e = 0; e < eps_.size(); ++e) {
      std::snprintf(text, sizeof text, " %.2e", row.relative_l2[e * fields_.size() + f]);
      out << text;
    }
  }
  out << " at eps";
  for (double e : eps_) {
    std::snprintf(text, sizeof text, " %g", e);
    out << text;
  }
  return out.str();
}

void EvalHistory::write(io::File& file, const std::string& group) const {
  std::vector<std::int64_t> step;
  std::vector<double> wall, errors;
  for (const auto& row : rows_) {
    step.push_back(row.step);
    wall.push_back(row.wall_time);
    errors.insert(errors.end(), row.relative_l2.begin(), row.relative_l2.end());
  }
  file.create_group(group);
  file.write(group + "/step", step);
  file.write(group + "/wall_time", wall);
  file.write(group + "/eps", eps_);
  file.write(group + "/relative_l2", errors, {rows_.size(), eps_.size(), fields_.size()});
  std::string names;
  for (std::size_t i = 0; i < fields_.size(); ++i) names += (i ? "," : "") + fields_[i];
  file.write_attribute(group, "fields", names);
}

void EvalHistory::read(const io::File& file, const std::string& group) {
  const auto step = file.read_int64s(group + "/step");
  const auto wall = file.read_doubles(group + "/wall_time");
  auto eps = file.read_doubles(group + "/eps");
  const auto errors = file.read_doubles(group + "/relative_l2");
  std::vector<std::string> fields;
  std::stringstream names(file.read_attribute_string(group, "fields"));
  for (std::string name; std::getline(names, name, ',');) fields.push_back(name);
  const std::size_t width = eps.size() * fields.size();
  if (wall.size() != step.size() || errors.size() != step.size() * width)
    throw IoError(file.path() + ":" + group + ": datasets of unlike lengths");
  eps_ = std::move(eps);
  fields_ = std::move(fields);
  rows_.clear();
  for (std::size_t i = 0; i < step.size(); ++i) {
    rows_.push_back(
        {step[i], wall[i],
         std::vector<double>(errors.begin() + i * width, errors.begin() + (i + 1) * width)});
  }
}

}  // namespace hrgrad::train
