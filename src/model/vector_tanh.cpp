#include "vector_tanh.hpp"

#include <cmath>

#if defined(HRGRAD_HAVE_MVEC_TANHF)
#include <immintrin.h>

// libmvec's AVX2 variant of tanhf (x86_64 vector ABI name), exported by glibc since 2.35.
extern "C" __m256 _ZGVdN8v_tanhf(__m256);
#endif

namespace hrgrad::model {

namespace {

#if defined(HRGRAD_HAVE_MVEC_TANHF)
__attribute__((target("avx2"))) std::size_t tanh_avx2(const float* in, float* out, std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _ZGVdN8v_tanhf(_mm256_loadu_ps(in + i)));
  return i;
}

bool has_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}
#endif

}  // namespace

void vector_tanh(const float* in, float* out, std::size_t n) {
  std::size_t done = 0;
#if defined(HRGRAD_HAVE_MVEC_TANHF)
  if (has_avx2()) done = tanh_avx2(in, out, n);
#endif
  for (std::size_t i = done; i < n; ++i) out[i] = std::tanh(in[i]);
}

}  // namespace hrgrad::model
