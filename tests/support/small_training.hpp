// The options of the short trainings the tests run: a small network and few points, so a
// 20-step run takes about a second per rank.
#pragma once

#include <string>

#include "hrgrad/config/options.hpp"
#include "hrgrad/config/parse.hpp"

namespace hrgrad::test {

inline config::Options small_training(const std::string& output, const std::string& dtype,
                                      const std::string& exchange = "gather", int steps = 20) {
  config::Options o;
  o.exchange = exchange;
  o.regimes = 4;
  o.model.width = 24;
  o.model.depth = 3;
  o.sampling.interior = 32;
  o.sampling.boundary = 16;
  o.sampling.initial = 16;
  o.sampling.quadrature = 8;
  o.train.steps = steps;
  o.train.log_every = 0;
  o.train.threads = 1;
  o.train.dtype = dtype;
  o.eval_eps = {1e-4};
  o.output = output;
  config::validate(o);
  return o;
}

}  // namespace hrgrad::test
