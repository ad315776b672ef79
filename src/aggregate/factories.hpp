// Internal: the option specs and string-configured factories of each method, collected by the
// registry. One pair per method, defined next to the method.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "hrgrad/aggregate/aggregator.hpp"
#include "hrgrad/core/number_list.hpp"

namespace hrgrad::aggregate::detail {

#define HRGRAD_DECLARE_METHOD(id)          \
  std::vector<ParameterSpec> id##_specs(); \
  std::unique_ptr<Aggregator> make_##id(const Parameters& params, std::uint64_t seed);

HRGRAD_DECLARE_METHOD(sum)
HRGRAD_DECLARE_METHOD(mean)
HRGRAD_DECLARE_METHOD(pcgrad)
HRGRAD_DECLARE_METHOD(mgda)
HRGRAD_DECLARE_METHOD(cagrad)
HRGRAD_DECLARE_METHOD(imtlg)
HRGRAD_DECLARE_METHOD(config)
HRGRAD_DECLARE_METHOD(aligned_mtl)
HRGRAD_DECLARE_METHOD(nash_mtl)
HRGRAD_DECLARE_METHOD(upgrad)
HRGRAD_DECLARE_METHOD(hrgrad)

#undef HRGRAD_DECLARE_METHOD

}  // namespace hrgrad::aggregate::detail
