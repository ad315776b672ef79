#include "jet_kernels.hpp"

namespace hrgrad::model {
namespace {

template <typename T>
__attribute__((always_inline)) inline void slope_rows(const T* __restrict a, const T* __restrict t,
                                                      T* __restrict s, T* __restrict u,
                                                      const SlopeRows& shape, std::int64_t begin,
                                                      std::int64_t end) {
  const std::int64_t w = shape.width;
  for (std::int64_t r = begin; r < end; ++r) {
    T* __restrict sr = s + r * w;
    const T* __restrict ar = a + r * w;
    for (std::int64_t c = 0; c < w; ++c) sr[c] = T(1) - ar[c] * ar[c];
    for (std::int64_t j = 0; j < shape.jets; ++j) {
      const T* __restrict tj = shape.broadcast ? t + j * w : t + (j * shape.rows + r) * w;
      T* __restrict out = u + (j * shape.rows + r) * w;
      for (std::int64_t c = 0; c < w; ++c) out[c] = sr[c] * tj[c];
    }
  }
}

template <typename T>
__attribute__((always_inline)) inline void backward_rows(T* __restrict g, const T* __restrict a,
                                                         const T* __restrict s,
                                                         const T* __restrict t,
                                                         const BackwardRows& shape,
                                                         std::int64_t begin, std::int64_t end) {
  const std::int64_t w = shape.width;
  for (std::int64_t r = begin; r < end; ++r) {
    T* __restrict h_bar = g + r * w;
    const T* __restrict ar = a + r * w;
    if (r >= shape.rows) {
      for (std::int64_t c = 0; c < w; ++c) h_bar[c] *= T(1) - ar[c] * ar[c];
      continue;
    }
    const T* __restrict sr = s + r * w;
    for (std::int64_t j = 0; j < shape.jets; ++j) {
      T* __restrict u_bar = g + (shape.values + j * shape.rows + r) * w;
      const T* __restrict tj = shape.broadcast ? t + j * w : t + (j * shape.rows + r) * w;
      for (std::int64_t c = 0; c < w; ++c) {
        h_bar[c] -= T(2) * ar[c] * u_bar[c] * tj[c];
        u_bar[c] *= sr[c];
      }
    }
    for (std::int64_t c = 0; c < w; ++c) h_bar[c] *= sr[c];
  }
}

}  // namespace

#define HRGRAD_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

HRGRAD_VECTOR_CLONES void slope_and_tangents_rows(const float* a, const float* t, float* s,
                                                  float* u, const SlopeRows& shape,
                                                  std::int64_t begin, std::int64_t end) {
  slope_rows(a, t, s, u, shape, begin, end);
}

void slope_and_tangents_rows(const double* a, const double* t, double* s, double* u,
                             const SlopeRows& shape, std::int64_t begin, std::int64_t end) {
  slope_rows(a, t, s, u, shape, begin, end);
}

HRGRAD_VECTOR_CLONES void tanh_and_tangents_backward_rows(float* g, const float* a, const float* s,
                                                          const float* t, const BackwardRows& shape,
                                                          std::int64_t begin, std::int64_t end) {
  backward_rows(g, a, s, t, shape, begin, end);
}

void tanh_and_tangents_backward_rows(double* g, const double* a, const double* s, const double* t,
                                     const BackwardRows& shape, std::int64_t begin,
                                     std::int64_t end) {
  backward_rows(g, a, s, t, shape, begin, end);
}

}  // namespace hrgrad::model
