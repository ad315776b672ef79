// The interface every kinetic problem implements: its networks (one parameter list), the task
// loss of one regime at one step (with named components), and the evaluation of the trained
// network against the reference at a test Knudsen number. A problem lives on one device (CPU or
// a GPU): samples are drawn on the CPU from their seeded streams and then moved there, so every
// device sees the same points.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "hrgrad/physics/part.hpp"
#include "hrgrad/physics/regimes.hpp"

namespace hrgrad::physics {

struct TaskLoss {
  torch::Tensor total;                    // scalar, differentiable in the parameters
  std::vector<torch::Tensor> components;  // unweighted MSEs, in component_names() order
};

// One quantity (ρ, m, E) at the final time on the evaluation grid.
struct Field {
  std::string name;
  std::vector<double> prediction;
  std::vector<double> reference;  // empty when no reference exists for this ε
  double relative_l2 = -1;        // < 0 when no reference
};

struct Evaluation {
  double eps = 0;
  std::vector<double> x;
  std::vector<Field> fields;
  std::string reference_name;  // what the reference is, or why there is none
};

class Problem {
 public:
  virtual ~Problem() = default;
  virtual std::string name() const = 0;
  virtual std::vector<torch::Tensor> parameters() = 0;
  virtual std::vector<std::string> component_names() const = 0;
  // The loss of `regime` at `step` over `part` of its points (Part{} for all of them); samples
  // come from the stream (seed, regime, step), whatever the part.
  virtual TaskLoss task_loss(const Regime& regime, std::int64_t step, Part part) = 0;
  virtual Evaluation evaluate(double eps) = 0;
};

}  // namespace hrgrad::physics
