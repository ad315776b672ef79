// Single-precision matrix products through oneDNN's sgemm (libdnnl, the library Debian's
// LibTorch itself links) when hrgrad was built with it: on the MLP's shapes (rows x 64 by
// 64 x 64, and the 64 x 64 weight gradients) it runs 1.2-1.6x faster than the OpenBLAS that
// ATen's mm calls (docs/performance.md). Without oneDNN the caller falls back to ATen.
#pragma once

#include <cstdint>

namespace hrgrad::model {

// True when fast_sgemm is available (hrgrad was built against oneDNN).
bool have_fast_sgemm();

// Row-major C = op(A) op(B) + beta C, op(X) = X or its transpose; op(A) is m x k, op(B) k x n,
// C m x n; ld* are the row strides. Returns false, touching nothing, when oneDNN is absent;
// throws std::runtime_error when oneDNN reports an error.
bool fast_sgemm(bool transpose_a, bool transpose_b, std::int64_t m, std::int64_t n, std::int64_t k,
                const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta,
                float* c, std::int64_t ldc);

}  // namespace hrgrad::model
