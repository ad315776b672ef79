// Which rank computes which regimes (tasks). With P ranks and m regimes:
// - P <= m: rank r owns a contiguous block of regimes (sizes differ by at most one) and computes
//   them in turn;
// - P = k m, k > 1: every regime has a task group of k consecutive ranks that split its
//   collocation points; each rank computes one part of one regime, and the exchange adds the
//   group's partial gradients.
// Any other P > m is refused with a message saying which rank counts work.
#pragma once

#include <vector>

namespace hrgrad::comm {

class Topology {
 public:
  // Throws InputError when the rank count does not fit the regime count.
  Topology(int tasks, int ranks);
  int tasks() const { return tasks_; }
  int ranks() const { return ranks_; }
  // Ranks per task group: 1 when P <= m, P / m otherwise.
  int group_size() const { return group_; }
  // Which part of its task's points `rank` computes, 0 .. group_size() - 1.
  int part_of(int rank) const { return group_ > 1 ? rank % group_ : 0; }
  // The tasks of `rank`: a contiguous block starting at first_task(rank).
  std::vector<int> tasks_of(int rank) const;
  int first_task(int rank) const { return group_ > 1 ? rank / group_ : first_[rank]; }
  int task_count(int rank) const;
  // task_count(r) for every rank r: the rows (task gradients or partial ones) each rank holds.
  std::vector<int> counts() const;
  // The task of every rank's rows, concatenated in rank order.
  std::vector<int> row_tasks() const;
  // The ranks that compute `task`: its owner, or its task group.
  std::vector<int> ranks_of(int task) const;

 private:
  int tasks_, ranks_, group_ = 1;
  std::vector<int> first_;  // P <= m: first task of each rank, size ranks + 1
};

}  // namespace hrgrad::comm
