// Checkpoints of a training run: what a resumed run needs to continue exactly where one stopped
// (the parameters, Adam's moments and step counts, the step count, which fixes the learning rate
// and every sample stream, the aggregator's state, the skip count, the history, the
// evaluations so far and the parameter average), and
// what is needed to refuse one that does not fit: the options that fix the problem and the
// network shape, with their hash. Rank 0 writes it through io::write_atomically, keeping the one
// before; every rank reads it on --resume.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hrgrad/aggregate/aggregator.hpp"
#include "hrgrad/config/options.hpp"
#include "hrgrad/train/eval_history.hpp"
#include "hrgrad/train/history.hpp"
#include "hrgrad/train/parameter_average.hpp"

namespace hrgrad::train {

// The live objects a checkpoint saves and restores.
struct TrainingState {
  std::vector<torch::Tensor>& parameters;
  torch::optim::Adam& optimizer;
  aggregate::Aggregator& aggregator;
  History& history;
  std::int64_t step = 0;  // steps done: the run continues at this step
  int consecutive_skips = 0;
  EvalHistory* evaluations = nullptr;   // --eval-every's rows, when the run keeps them
  ParameterAverage* average = nullptr;  // --ema-decay's average, when the run keeps one
};

// <output without .h5>.ckpt.h5 and <output without .h5>.ckpt.prev.h5.
std::string checkpoint_path(const std::string& output);
std::string previous_checkpoint_path(const std::string& output);

// The options that fix the problem and the network shape, and the hash of their values.
const std::vector<std::string>& fingerprint_keys();
std::string fingerprint_hash(const std::map<std::string, std::string>& options_text);

// Writes the checkpoint of options' run at path (atomically; the file there before becomes
// previous). Throws IoError naming the file, leaving path and previous as they were.
void save_checkpoint(const std::string& path, const std::string& previous,
                     const config::Options& options, int ranks, const TrainingState& state);

// What a checkpoint says about the run that wrote it, besides the state it restores.
struct CheckpointInfo {
  std::int64_t step = 0;
  int ranks = 0;
  std::string aggregator;
};

// Restores state from the checkpoint at path. Throws InputError naming --resume and the file
// when it is missing, truncated, corrupt, or written for another problem or network shape (the
// message says which options differ); warns about other options that differ.
CheckpointInfo load_checkpoint(const std::string& path, const config::Options& options,
                               TrainingState& state);

}  // namespace hrgrad::train
