// The elementwise loops of the fused jet MLP (mlp.cpp), over a range of rows. The float
// versions are compiled for AVX-512, AVX2 and the baseline and the loader picks the best the CPU
// has (GCC target_clones), so a portable build still runs them at full vector width.
#pragma once

#include <cstdint>

namespace hrgrad::model {

// Forward, per hidden layer, rows [begin, end) of the R rows with tangents: the slope
// s = 1 - a² and u_j = s t_j. a, s: R x w; t: J x w when broadcast (shared by every row), else
// J R x w; u: J R x w (row j R + r).
struct SlopeRows {
  std::int64_t rows, width, jets;
  bool broadcast;
};
void slope_and_tangents_rows(const float* a, const float* t, float* s, float* u,
                             const SlopeRows& shape, std::int64_t begin, std::int64_t end);
void slope_and_tangents_rows(const double* a, const double* t, double* s, double* u,
                             const SlopeRows& shape, std::int64_t begin, std::int64_t end);

// Backward, rows [begin, end) of the N value rows: g holds [ā (N x w); ū_j (R x w each)] and
// becomes [h̄; t̄_j] in place, h̄ = (ā - 2 a Σ_j ū_j t_j) s on rows with tangents, ā (1 - a²)
// on the others, t̄_j = ū_j s.
struct BackwardRows {
  std::int64_t values, rows, width, jets;
  bool broadcast;
};
void tanh_and_tangents_backward_rows(float* g, const float* a, const float* s, const float* t,
                                     const BackwardRows& shape, std::int64_t begin,
                                     std::int64_t end);
void tanh_and_tangents_backward_rows(double* g, const double* a, const double* s, const double* t,
                                     const BackwardRows& shape, std::int64_t begin,
                                     std::int64_t end);

}  // namespace hrgrad::model
