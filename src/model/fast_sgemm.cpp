#include "fast_sgemm.hpp"

#include <stdexcept>
#include <string>

#if defined(HRGRAD_HAVE_DNNL)
#include <oneapi/dnnl/dnnl.h>
#endif

namespace hrgrad::model {

bool have_fast_sgemm() {
#if defined(HRGRAD_HAVE_DNNL)
  return true;
#else
  return false;
#endif
}

bool fast_sgemm(bool transpose_a, bool transpose_b, std::int64_t m, std::int64_t n, std::int64_t k,
                const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta,
                float* c, std::int64_t ldc) {
#if defined(HRGRAD_HAVE_DNNL)
  const dnnl_status_t status = dnnl_sgemm(transpose_a ? 'T' : 'N', transpose_b ? 'T' : 'N', m, n, k,
                                          1.0f, a, lda, b, ldb, beta, c, ldc);
  if (status != dnnl_success) {
    throw std::runtime_error("oneDNN sgemm failed (status " + std::to_string(status) + ") for " +
                             std::to_string(m) + " x " + std::to_string(k) + " by " +
                             std::to_string(k) + " x " + std::to_string(n));
  }
  return true;
#else
  (void)transpose_a, (void)transpose_b, (void)m, (void)n, (void)k, (void)a, (void)lda, (void)b;
  (void)ldb, (void)beta, (void)c, (void)ldc;
  return false;
#endif
}

}  // namespace hrgrad::model
