#include "hrgrad/comm/topology.hpp"

#include <string>

#include "hrgrad/core/error.hpp"

namespace hrgrad::comm {

Topology::Topology(int tasks, int ranks) : tasks_(tasks), ranks_(ranks), first_(ranks + 1, 0) {
  require(tasks >= 1, "--regimes", "must be >= 1, got " + std::to_string(tasks));
  require(ranks <= tasks, "--regimes",
          std::to_string(tasks) + " regimes cannot be spread over " + std::to_string(ranks) +
              " ranks: run with 1 to " + std::to_string(tasks) +
              " ranks (one or more regimes per rank)");
  for (int r = 0; r < ranks; ++r) {
    first_[r + 1] = first_[r] + tasks / ranks + (r < tasks % ranks ? 1 : 0);
  }
}

std::vector<int> Topology::tasks_of(int rank) const {
  std::vector<int> out;
  for (int t = first_[rank]; t < first_[rank + 1]; ++t) out.push_back(t);
  return out;
}

int Topology::owner(int task) const {
  for (int r = 0; r < ranks_; ++r)
    if (task < first_[r + 1]) return r;
  return ranks_ - 1;
}

std::vector<int> Topology::counts() const {
  std::vector<int> out(ranks_);
  for (int r = 0; r < ranks_; ++r) out[r] = task_count(r);
  return out;
}

}  // namespace hrgrad::comm
