// Which rank owns which regimes (tasks). With P ranks and m regimes, P <= m: rank r owns a
// contiguous block of regimes (sizes differ by at most one) and computes them in turn. P > m
// (task groups splitting a regime's points) is refused with a message saying which counts work.
#pragma once

#include <vector>

namespace hrgrad::comm {

class Topology {
 public:
  // Throws InputError when the rank count does not fit the regime count.
  Topology(int tasks, int ranks);
  int tasks() const { return tasks_; }
  int ranks() const { return ranks_; }
  int first_task(int rank) const { return first_[rank]; }
  int task_count(int rank) const { return first_[rank + 1] - first_[rank]; }
  std::vector<int> tasks_of(int rank) const;
  int owner(int task) const;
  // task_count(r) for every rank r.
  std::vector<int> counts() const;

 private:
  int tasks_, ranks_;
  std::vector<int> first_;  // size ranks + 1
};

}  // namespace hrgrad::comm
