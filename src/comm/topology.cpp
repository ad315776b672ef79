#include "hrgrad/comm/topology.hpp"

#include <string>

#include "hrgrad/core/error.hpp"
#include "hrgrad/core/partition.hpp"

namespace hrgrad::comm {

Topology::Topology(int tasks, int ranks) : tasks_(tasks), ranks_(ranks) {
  require(tasks >= 1, "--regimes", "must be >= 1, got " + std::to_string(tasks));
  require(ranks >= 1, "ranks", "must be >= 1, got " + std::to_string(ranks));
  if (ranks > tasks) {
    require(ranks % tasks == 0, "--regimes",
            std::to_string(tasks) + " regimes cannot be spread over " + std::to_string(ranks) +
                " ranks: run with 1 to " + std::to_string(tasks) +
                " ranks (one or more regimes per rank) or a multiple of " + std::to_string(tasks) +
                " (a task group of ranks per regime)");
    group_ = ranks / tasks;
    return;
  }
  for (auto bound : split_bounds(tasks, ranks)) first_.push_back(static_cast<int>(bound));
}

std::vector<int> Topology::tasks_of(int rank) const {
  if (group_ > 1) return {rank / group_};
  std::vector<int> out;
  for (int t = first_[rank]; t < first_[rank + 1]; ++t) out.push_back(t);
  return out;
}

int Topology::task_count(int rank) const {
  return group_ > 1 ? 1 : first_[rank + 1] - first_[rank];
}

std::vector<int> Topology::counts() const {
  std::vector<int> out(ranks_);
  for (int r = 0; r < ranks_; ++r) out[r] = task_count(r);
  return out;
}

std::vector<int> Topology::row_tasks() const {
  std::vector<int> out;
  for (int r = 0; r < ranks_; ++r)
    for (int t : tasks_of(r)) out.push_back(t);
  return out;
}

std::vector<int> Topology::ranks_of(int task) const {
  std::vector<int> out;
  for (int r = 0; r < ranks_; ++r)
    for (int t : tasks_of(r))
      if (t == task) out.push_back(r);
  return out;
}

}  // namespace hrgrad::comm
