// Seeds of random streams. Every random draw in hrgrad comes from a stream keyed by what the
// numbers are for (seed, regime, step, slice), never by MPI rank, so the same seed gives the
// same samples whatever the number of ranks.
#pragma once

#include <cstdint>

namespace hrgrad {

// The SplitMix64 finaliser: a bijective 64-bit mix.
std::uint64_t mix64(std::uint64_t x);

// The seed of the stream for (seed, regime, step, slice); distinct keys give unrelated seeds.
std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t regime, std::uint64_t step,
                          std::uint64_t slice = 0);

}  // namespace hrgrad
