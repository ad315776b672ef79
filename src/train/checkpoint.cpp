#include "hrgrad/train/checkpoint.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <sstream>
#include <type_traits>
#include <utility>

#include "hrgrad/core/error.hpp"
#include "hrgrad/core/log.hpp"
#include "hrgrad/core/number_list.hpp"
#include "hrgrad/io/atomic_write.hpp"

namespace hrgrad::train {
namespace {

constexpr const char* kFormat = "hrgrad checkpoint 1";

// Options that may differ on a resume without a word: they change where and how long the run
// goes, not its trajectory.
const std::vector<std::string> kFreeKeys = {
    "steps",       "output",          "resume",    "checkpoint-every", "flush-every",
    "metrics-csv", "reference-cache", "eval-eps",  "threads",          "max-skipped-steps",
    "exchange",    "device",          "eval-every"};

// FNV-1a, 64 bits: a hash that every platform computes alike.
struct Fnv1a {
  std::uint64_t value = 0xcbf29ce484222325ULL;
  void add(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) value = (value ^ bytes[i]) * 0x100000001b3ULL;
  }
  std::string hex() const {
    char text[20];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
    return text;
  }
};

std::string stem(const std::string& output) {
  const std::string suffix = ".h5";
  if (output.size() > suffix.size() &&
      output.compare(output.size() - suffix.size(), suffix.size(), suffix) == 0)
    return output.substr(0, output.size() - suffix.size());
  return output;
}

// LibTorch keys an optimizer's per-parameter state by the parameter's TensorImpl address: as
// text (what streaming the pointer prints) in older releases (1.13, Debian 12's), as the pointer
// itself in newer ones (2.11 on the GPU machine).
using OptimizerStateKey =
    std::decay_t<decltype(std::declval<torch::optim::Optimizer&>().state())>::key_type;

template <class Key = OptimizerStateKey>
Key adam_key(const torch::Tensor& p) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream text;
    text << p.unsafeGetTensorImpl();
    return text.str();
  } else {
    return p.unsafeGetTensorImpl();
  }
}

std::vector<std::size_t> shape_of(const torch::Tensor& t) {
  return {t.sizes().begin(), t.sizes().end()};
}

// The checkpoint's arrays go through these, which also hash what they write or read, so that
// a corrupt file (bit rot, a bad copy) is found even where HDF5's own checks are silent.
void write_tensor(io::File& file, const std::string& name, const torch::Tensor& t, Fnv1a& hash) {
  const torch::Tensor d = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  std::vector<double> data(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
  hash.add(data.data(), data.size() * sizeof(double));
  file.write(name, data, shape_of(t));
}

torch::Tensor read_tensor(const io::File& file, const std::string& name, const torch::Tensor& like,
                          Fnv1a& hash) {
  std::vector<std::size_t> dims;
  auto data = file.read_doubles(name, &dims);
  if (dims != shape_of(like)) throw IoError(name + ": shape does not fit the network");
  hash.add(data.data(), data.size() * sizeof(double));
  return torch::from_blob(data.data(), like.sizes(), torch::kFloat64)
      .to(like.options(), /*non_blocking=*/false, /*copy=*/true);
}

// The configuration records numbers at 17 digits so that they read back exactly (the options
// hash is taken over that text); messages show them as briefly as reads back the same (0.15,
// not 0.14999999999999999). Integers (seeds above 2^53 among them) are shown as written.
std::string readable(const std::string& value) {
  if (value.find_first_of(".eE") == std::string::npos) return value;
  double number = 0;
  const char* end = value.data() + value.size();
  const auto [last, error] = std::from_chars(value.data(), end, number);
  if (error != std::errc() || last != end) return value;
  return shortest_text(number);
}

// A key's recorded text, as the options hash takes it.
std::string recorded(const std::map<std::string, std::string>& text, const std::string& key) {
  const auto it = text.find(key);
  return it == text.end() ? "(unset)" : it->second.empty() ? "(empty)" : it->second;
}

std::string show(const std::map<std::string, std::string>& text, const std::string& key) {
  return readable(recorded(text, key));
}

// Checkpoints from before --eps-margin, --model.uncollided and --model.uncollided-power existed
// trained without them: they record no such key, and these values (0, 0 and 2) are what they
// implied, so a run with them resumes such a checkpoint as it was.
bool implied_by_absence(const std::string& key, const std::string& value) {
  if (key == "eps-margin" || key == "model.uncollided") return std::stod(value) == 0;
  if (key == "model.uncollided-power") return std::stod(value) == 2;
  return false;
}

// Keys that Options::as_text records only when the option is used: read from a checkpoint even
// when this run lacks them, so that leaving the option out on resume is noticed too.
const std::vector<std::string> kOptionalKeys = {
    "points.front",          "points.front-width", "points.adaptive", "points.adaptive-pool",
    "points.adaptive-floor", "model.cone",         "ema-decay"};

std::map<std::string, std::string> read_config(const io::File& file,
                                               const std::map<std::string, std::string>& here) {
  std::map<std::string, std::string> there;
  auto read = [&](const std::string& key) {
    if (file.has_attribute("/config", key)) there[key] = file.read_attribute_string("/config", key);
  };
  for (const auto& entry : here) read(entry.first);
  for (const auto& key : kOptionalKeys) read(key);
  return there;
}

// Refuses a checkpoint of another problem or network (naming every option that differs) and
// warns about options that change the trajectory from here on.
void check_options(const io::File& file, const std::string& path, const config::Options& options) {
  const auto here = options.as_text();
  const auto there = read_config(file, here);
  if (file.read_attribute_string("/", "options_hash") != fingerprint_hash(here)) {
    std::string differences;
    for (const auto& key : fingerprint_keys()) {
      if (show(there, key) == show(here, key)) continue;
      differences += (differences.empty() ? "" : "; ") + std::string("--") + key + " " +
                     show(there, key) + " there, " + show(here, key) + " here";
    }
    if (differences.empty()) differences = "the options hash differs";
    throw InputError("--resume: '" + path +
                     "' was written for another problem or network shape: " + differences);
  }
  std::string changed;
  for (const auto& [key, value] : here) {
    if (std::find(kFreeKeys.begin(), kFreeKeys.end(), key) != kFreeKeys.end()) continue;
    if (show(there, key) == show(here, key)) continue;
    if (!there.count(key) && implied_by_absence(key, value)) continue;
    changed += " --" + key;
  }
  for (const auto& [key, value] : there)
    if (!here.count(key)) changed += " --" + key;
  if (!changed.empty()) {
    log::warning("--resume: options differ from the checkpoint's run (" + changed.substr(1) +
                 "); the run continues, but not as the uninterrupted run would have");
  }
}

io::File open_checkpoint(const std::string& path) {
  try {
    return io::File(path, io::File::Mode::kRead);
  } catch (const IoError&) {
    throw InputError("--resume: cannot open '" + path +
                     "' (missing, truncated, or not an HDF5 file)");
  }
}

}  // namespace

std::string checkpoint_path(const std::string& output) { return stem(output) + ".ckpt.h5"; }

std::string previous_checkpoint_path(const std::string& output) {
  return stem(output) + ".ckpt.prev.h5";
}

const std::vector<std::string>& fingerprint_keys() {
  // The order is part of the hash: new keys go at the end.
  // clang-format off
  static const std::vector<std::string> keys = {
      "problem", "eps-min", "eps-max", "regimes", "t-final", "quadrature", "dtype",
      "model.width", "model.depth", "model.encoding", "model.harmonics", "model.hidden-size",
      "model.rho-output", "bgk.envelope", "bgk.initial", "eps-margin", "model.uncollided",
      "model.uncollided-power", "model.cone"};
  // clang-format on
  return keys;
}

std::string fingerprint_hash(const std::map<std::string, std::string>& options_text) {
  Fnv1a hash;
  for (const auto& key : fingerprint_keys()) {
    if (!options_text.count(key)) continue;  // a key of another problem
    if (implied_by_absence(key, options_text.at(key))) continue;
    const std::string entry = key + "=" + recorded(options_text, key) + "\n";
    hash.add(entry.data(), entry.size());
  }
  return hash.hex();
}

void save_checkpoint(const std::string& path, const std::string& previous,
                     const config::Options& options, int ranks, const TrainingState& state) {
  io::write_atomically(
      path,
      [&](io::File& file) {
        const auto text = options.as_text();
        file.create_group("/config");
        for (const auto& [key, value] : text) file.write_attribute("/config", key, value);
        Fnv1a hash;
        for (std::size_t i = 0; i < state.parameters.size(); ++i) {
          const auto& p = state.parameters[i];
          const std::string name = "/parameters/" + std::to_string(i);
          write_tensor(file, name, p, hash);
          const auto it = state.optimizer.state().find(adam_key(p));
          if (it == state.optimizer.state().end()) continue;  // no Adam step taken yet
          const auto& adam = static_cast<const torch::optim::AdamParamState&>(*it->second);
          const std::string group = "/adam/" + std::to_string(i);
          write_tensor(file, group + "/exp_avg", adam.exp_avg(), hash);
          write_tensor(file, group + "/exp_avg_sq", adam.exp_avg_sq(), hash);
          file.write_attribute(group, "step", static_cast<std::int64_t>(adam.step()));
        }
        if (state.average && state.average->enabled()) {
          for (std::size_t i = 0; i < state.average->sums().size(); ++i)
            write_tensor(file, "/average/" + std::to_string(i), state.average->sums()[i], hash);
          file.write_attribute("/average", "count", state.average->count());
        }
        const auto aggregator = state.aggregator.state();
        file.write("/aggregator/integers", aggregator.integers);
        file.write("/aggregator/reals", aggregator.reals);
        file.write_attribute("/aggregator", "name", state.aggregator.name());
        state.history.write(file);
        if (state.evaluations && !state.evaluations->rows().empty()) state.evaluations->write(file);
        file.write_attribute("/", "format", std::string(kFormat));
        file.write_attribute("/", "step", state.step);
        file.write_attribute("/", "ranks", static_cast<std::int64_t>(ranks));
        file.write_attribute("/", "consecutive_skips",
                             static_cast<std::int64_t>(state.consecutive_skips));
        file.write_attribute("/", "options_hash", fingerprint_hash(text));
        file.write_attribute("/", "content_hash", hash.hex());
      },
      previous);
}

CheckpointInfo load_checkpoint(const std::string& path, const config::Options& options,
                               TrainingState& state) {
  CheckpointInfo info;
  try {
    const io::File file = open_checkpoint(path);
    if (!file.has_attribute("/", "format") ||
        file.read_attribute_string("/", "format") != kFormat) {
      throw InputError("--resume: '" + path + "' is not an hrgrad checkpoint (no format tag)");
    }
    check_options(file, path, options);
    info.step = file.read_attribute_int64("/", "step");
    info.ranks = static_cast<int>(file.read_attribute_int64("/", "ranks"));
    if (info.step > options.train.steps) {
      throw InputError("--steps: " + std::to_string(options.train.steps) +
                       " is below the step count " + std::to_string(info.step) +
                       " of the checkpoint '" + path + "'");
    }
    Fnv1a hash;
    std::vector<torch::Tensor> values;
    auto& adam_states = state.optimizer.state();
    adam_states.clear();
    for (std::size_t i = 0; i < state.parameters.size(); ++i) {
      const auto& p = state.parameters[i];
      values.push_back(read_tensor(file, "/parameters/" + std::to_string(i), p, hash));
      const std::string group = "/adam/" + std::to_string(i);
      if (!file.exists(group)) continue;
      auto adam = std::make_unique<torch::optim::AdamParamState>();
      adam->exp_avg(read_tensor(file, group + "/exp_avg", p, hash));
      adam->exp_avg_sq(read_tensor(file, group + "/exp_avg_sq", p, hash));
      adam->step(file.read_attribute_int64(group, "step"));
      adam_states[adam_key(p)] = std::move(adam);
    }
    if (file.exists("/parameters/" + std::to_string(state.parameters.size())))
      throw IoError("more parameter tensors than the network has");
    std::vector<torch::Tensor> average;  // read whatever this run does with it: it is hashed
    if (file.exists("/average")) {
      for (std::size_t i = 0; i < state.parameters.size(); ++i) {
        const auto like = state.parameters[i].to(torch::kFloat64);
        average.push_back(read_tensor(file, "/average/" + std::to_string(i), like, hash));
      }
    }
    if (hash.hex() != file.read_attribute_string("/", "content_hash"))
      throw IoError("the stored arrays do not match their checksum");
    {
      torch::NoGradGuard no_grad;
      for (std::size_t i = 0; i < values.size(); ++i) state.parameters[i].copy_(values[i]);
    }
    info.aggregator = file.read_attribute_string("/aggregator", "name");
    if (info.aggregator == state.aggregator.name()) {
      try {
        state.aggregator.restore(
            {file.read_int64s("/aggregator/integers"), file.read_doubles("/aggregator/reals")});
      } catch (const InputError& e) {
        throw IoError(e.what());
      }
    } else {
      log::warning("--resume: the checkpoint's run used --aggregator " + info.aggregator + "; " +
                   state.aggregator.name() + " starts from a fresh state");
    }
    state.history.read(file);
    if (static_cast<std::int64_t>(state.history.rows().size()) != info.step)
      throw IoError("/history holds " + std::to_string(state.history.rows().size()) +
                    " rows for step count " + std::to_string(info.step));
    if (state.evaluations && file.exists("/eval_history")) state.evaluations->read(file);
    if (state.average && state.average->enabled()) {
      if (!average.empty()) {
        state.average->restore(average, file.read_attribute_int64("/average", "count"));
      } else {
        log::warning(
            "--resume: the checkpoint's run kept no parameter average; --ema-decay "
            "averages from step " +
            std::to_string(info.step) + " on");
      }
    }
    state.step = info.step;
    state.consecutive_skips = static_cast<int>(file.read_attribute_int64("/", "consecutive_skips"));
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw InputError("--resume: '" + path + "' is unreadable or corrupt: " + e.what());
  }
  return info;
}

}  // namespace hrgrad::train
