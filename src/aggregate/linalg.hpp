// Internal helpers of the aggregate module: the small dense linear algebra every method shares
// (input checks, zero-norm tasks, the cosine matrix, the symmetric pseudo-inverse with an rcond
// cutoff, a bound-constrained QP), option parsing, and the seeded generator of the randomised
// methods. Not installed; only the module's sources and tests include it.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

#include "hrgrad/aggregate/aggregator.hpp"

namespace hrgrad::aggregate::detail {

// A task whose gradient norm is at most this fraction of the largest norm counts as zero: its
// direction is rounding noise. Normalising methods drop it (weight 0) and say so in the notes.
inline constexpr double kZeroNormRatio = 1e-12;

// The checks every aggregate() starts with. Returns true when the method should go on; otherwise
// `result` is filled: skip = true with zero weights for a non-finite G or a negative diagonal,
// empty weights for m = 0. Throws hrgrad::Error when G is not square.
bool prepare(const Eigen::MatrixXd& gram, Result& result);

// Task norms sqrt(G_ii) (negative rounding clamped to 0).
Eigen::VectorXd task_norms(const Eigen::MatrixXd& gram);

// Indices of the tasks whose norm is above kZeroNormRatio * max norm.
std::vector<int> nonzero_tasks(const Eigen::VectorXd& norms);

// Appends "task i has a zero gradient; dropped" for every task missing from `kept`.
void note_dropped(int m, const std::vector<int>& kept, std::vector<std::string>& notes);

// The sub-matrix / sub-vector on the given indices.
Eigen::MatrixXd submatrix(const Eigen::MatrixXd& a, const std::vector<int>& index);
Eigen::VectorXd subvector(const Eigen::VectorXd& v, const std::vector<int>& index);
// Scatters v (one value per index) into a zero vector of size m.
Eigen::VectorXd scatter(const Eigen::VectorXd& v, const std::vector<int>& index, int m);

// C = D^-1 G D^-1 on tasks with positive norms, symmetrised, with an exact unit diagonal.
Eigen::MatrixXd cosine_matrix(const Eigen::MatrixXd& gram, const Eigen::VectorXd& norms);

// Pseudo-inverse of a symmetric positive semi-definite matrix: eigenvalues at or below
// rcond * lambda_max (and every non-positive one) are dropped. `rank` receives the kept count.
struct SymmetricPinv {
  Eigen::MatrixXd inverse;
  int rank = 0;
};
SymmetricPinv symmetric_pinv(const Eigen::MatrixXd& a, double rcond);

// min 1/2 x^T H x + f^T x  subject to x >= lower, with H symmetric positive semi-definite and the
// problem bounded below. Primal active-set method (Lawson-Hanson style): exact up to rounding,
// finite. Free sub-systems are solved by LDL^T, with a least-squares fallback when singular.
struct QpResult {
  Eigen::VectorXd x;
  int iterations = 0;
  bool converged = false;
};
QpResult solve_bounded_qp(const Eigen::MatrixXd& h, const Eigen::VectorXd& f,
                          const Eigen::VectorXd& lower, int max_iterations = 0);

// A small deterministic generator (SplitMix64) so that every rank and every platform draws the
// same permutations from the same seed; std::shuffle's algorithm is implementation-defined.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  // Uniform integer in [0, n), n >= 1, without modulo bias.
  std::uint64_t below(std::uint64_t n);
  std::uint64_t state() const { return state_; }
  void set_state(std::uint64_t state) { state_ = state; }

 private:
  std::uint64_t state_;
};

// A uniformly random permutation of 0..n-1 (Fisher-Yates).
std::vector<int> random_permutation(int n, SplitMix64& rng);

// Reads the options of one method: rejects unknown keys, fills defaults from the specs, and
// validates values with messages that name the option ("--<method>.<key>: ...").
class OptionReader {
 public:
  OptionReader(std::string method, const Parameters& params, std::vector<ParameterSpec> specs);
  // A real number in [lo, hi].
  double real(const std::string& key, double lo, double hi) const;
  // A real number in the open-closed interval (lo, hi].
  double positive(const std::string& key, double hi) const;
  long integer(const std::string& key, long lo, long hi) const;
  std::string choice(const std::string& key, const std::vector<std::string>& allowed) const;
  std::string option(const std::string& key) const { return "--" + method_ + "." + key; }

 private:
  std::string method_;
  Parameters values_;
};

// True (and remembers it) when the support {i : x_i > 0} differs from the last one tried, so an
// exact face solve that failed is not repeated on the same face.
bool support_changed(const Eigen::VectorXd& x, std::vector<bool>& last);

}  // namespace hrgrad::aggregate::detail
