// The exponential moving average of the network's parameters over the training steps (Polyak
// averaging, --ema-decay): evaluations use the average, which smooths out the step-to-step
// wander of the last iterate under resampled collocation points; training itself continues from
// the iterate, so the trajectory does not change. The average is bias-corrected, so that it
// weighs only the iterates of the steps taken (not the zeros it starts from).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace hrgrad::train {

class ParameterAverage {
 public:
  // decay in [0, 1); 0 keeps no average (enabled() is false and update() does nothing).
  ParameterAverage(std::vector<torch::Tensor> parameters, double decay);

  bool enabled() const { return decay_ > 0; }
  // After each step: sum <- decay sum + (1 - decay) parameters.
  void update();

  // The state a checkpoint keeps: the running sums (float64, shaped like the parameters) and the
  // number of steps averaged.
  const std::vector<torch::Tensor>& sums() const { return sums_; }
  std::int64_t count() const { return count_; }
  void restore(const std::vector<torch::Tensor>& sums, std::int64_t count);

  // While a Swap lives, the parameters hold the average (the iterate itself before any step);
  // its destructor puts the iterate back. Does nothing when the average is not enabled.
  class Swap {
   public:
    explicit Swap(ParameterAverage& average);
    ~Swap();
    Swap(const Swap&) = delete;
    Swap& operator=(const Swap&) = delete;

   private:
    ParameterAverage& average_;
    std::vector<torch::Tensor> iterate_;
  };

 private:
  std::vector<torch::Tensor> parameters_;
  std::vector<torch::Tensor> sums_;
  double decay_;
  std::int64_t count_ = 0;
};

}  // namespace hrgrad::train
