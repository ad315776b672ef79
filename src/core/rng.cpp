#include "hrgrad/core/rng.hpp"

namespace hrgrad {

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t regime, std::uint64_t step,
                          std::uint64_t slice) {
  std::uint64_t h = mix64(seed);
  h = mix64(h ^ regime);
  h = mix64(h ^ step);
  return mix64(h ^ slice);
}

}  // namespace hrgrad
