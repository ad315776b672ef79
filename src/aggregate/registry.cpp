// The table of methods behind --aggregator: names in display order, option specs, factories.

#include "factories.hpp"
#include "hrgrad/core/error.hpp"

namespace hrgrad::aggregate {

namespace {

struct Entry {
  const char* name;
  std::vector<ParameterSpec> (*specs)();
  std::unique_ptr<Aggregator> (*make)(const Parameters&, std::uint64_t);
};

const std::vector<Entry>& table() {
  static const std::vector<Entry> entries = {
      {"sum", &detail::sum_specs, &detail::make_sum},
      {"mean", &detail::mean_specs, &detail::make_mean},
      {"pcgrad", &detail::pcgrad_specs, &detail::make_pcgrad},
      {"mgda", &detail::mgda_specs, &detail::make_mgda},
      {"cagrad", &detail::cagrad_specs, &detail::make_cagrad},
      {"imtl-g", &detail::imtlg_specs, &detail::make_imtlg},
      {"config", &detail::config_specs, &detail::make_config},
      {"aligned-mtl", &detail::aligned_mtl_specs, &detail::make_aligned_mtl},
      {"nash-mtl", &detail::nash_mtl_specs, &detail::make_nash_mtl},
      {"upgrad", &detail::upgrad_specs, &detail::make_upgrad},
      {"hrgrad", &detail::hrgrad_specs, &detail::make_hrgrad},
  };
  return entries;
}

const Entry& find(const std::string& method) {
  for (const auto& entry : table())
    if (method == entry.name) return entry;
  std::string names;
  for (const auto& entry : table()) names += (names.empty() ? "" : ", ") + std::string(entry.name);
  throw InputError("--aggregator: unknown method '" + method + "' (choose from " + names + ")");
}

}  // namespace

std::vector<std::string> aggregator_names() {
  std::vector<std::string> names;
  for (const auto& entry : table()) names.emplace_back(entry.name);
  return names;
}

std::vector<ParameterSpec> parameter_specs(const std::string& method) {
  return find(method).specs();
}

std::unique_ptr<Aggregator> make_aggregator(const std::string& method, const Parameters& params,
                                            std::uint64_t seed) {
  return find(method).make(params, seed);
}

void Aggregator::restore(const State& state) {
  if (!state.empty()) refuse(state);
}

void Aggregator::refuse(const State& state) const {
  throw InputError(name() + ": the saved aggregator state does not fit this rule (" +
                   std::to_string(state.integers.size()) + " integers, " +
                   std::to_string(state.reals.size()) + " reals)");
}

}  // namespace hrgrad::aggregate
