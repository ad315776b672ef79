// The task-group property every problem's loss must have: the parts' losses, components and
// parameter gradients add up to the whole regime's, also when a part of some point set is empty.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "hrgrad/physics/problem.hpp"

namespace hrgrad::test {

inline void expect_parts_add_up(physics::Problem& problem, const physics::Regime& regime,
                                std::int64_t step, const std::vector<int>& counts) {
  const auto params = problem.parameters();
  auto gradient = [&](const torch::Tensor& loss) {
    std::vector<torch::Tensor> flat;
    for (const auto& g : torch::autograd::grad({loss}, params, {}, false, false, true))
      flat.push_back(g.defined() ? g.reshape({-1}) : torch::zeros({0}, loss.options()));
    return torch::cat(flat);
  };
  const auto whole = problem.task_loss(regime, step, {});
  const auto whole_gradient = gradient(whole.total);
  for (int count : counts) {
    double total = 0;
    std::vector<double> components(whole.components.size(), 0.0);
    torch::Tensor summed = torch::zeros_like(whole_gradient);
    for (int index = 0; index < count; ++index) {
      const auto part = problem.task_loss(regime, step, physics::Part{index, count});
      total += part.total.item<double>();
      for (std::size_t c = 0; c < components.size(); ++c)
        components[c] += part.components[c].item<double>();
      summed += gradient(part.total);
    }
    EXPECT_NEAR(total, whole.total.item<double>(), 1e-12 * whole.total.item<double>())
        << count << " parts";
    for (std::size_t c = 0; c < components.size(); ++c) {
      const double expected = whole.components[c].item<double>();
      EXPECT_NEAR(components[c], expected, 1e-12 * std::abs(expected)) << "component " << c;
    }
    EXPECT_LT((summed - whole_gradient).norm().item<double>(),
              1e-12 * whole_gradient.norm().item<double>());
  }
}

}  // namespace hrgrad::test
