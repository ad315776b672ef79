#include "linalg.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "hrgrad/core/error.hpp"

namespace hrgrad::aggregate::detail {

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out;
}

}  // namespace

bool prepare(const Eigen::MatrixXd& gram, Result& result) {
  if (gram.rows() != gram.cols()) {
    std::ostringstream msg;
    msg << "aggregate: the Gram matrix must be square, got " << gram.rows() << " x " << gram.cols();
    throw Error(msg.str());
  }
  const auto m = gram.rows();
  result = Result{};
  result.weights = Eigen::VectorXd::Zero(m);
  if (m == 0) return false;
  if (!gram.allFinite()) {
    result.skip = true;
    result.diagnostics.cosines = Eigen::MatrixXd::Zero(m, m);
    result.diagnostics.update_cosines = Eigen::VectorXd::Zero(m);
    result.diagnostics.notes.push_back("Gram matrix is not finite (NaN or Inf); step skipped");
    return false;
  }
  const double scale = gram.diagonal().cwiseAbs().maxCoeff();
  for (Eigen::Index i = 0; i < m; ++i) {
    // A Gram diagonal is a squared norm; beyond rounding a negative one means corrupted input.
    if (gram(i, i) < -64.0 * kEps * scale) {
      result.skip = true;
      result.diagnostics.cosines = Eigen::MatrixXd::Zero(m, m);
      result.diagnostics.update_cosines = Eigen::VectorXd::Zero(m);
      std::ostringstream msg;
      msg << "Gram matrix has a negative diagonal entry G(" << i << "," << i << ") = " << gram(i, i)
          << "; step skipped";
      result.diagnostics.notes.push_back(msg.str());
      return false;
    }
  }
  return true;
}

Eigen::VectorXd task_norms(const Eigen::MatrixXd& gram) {
  return gram.diagonal().cwiseMax(0.0).cwiseSqrt();
}

std::vector<int> nonzero_tasks(const Eigen::VectorXd& norms) {
  std::vector<int> kept;
  if (norms.size() == 0) return kept;
  const double cutoff = kZeroNormRatio * norms.maxCoeff();
  for (Eigen::Index i = 0; i < norms.size(); ++i)
    if (norms(i) > cutoff && norms(i) > 0.0) kept.push_back(static_cast<int>(i));
  return kept;
}

void note_dropped(int m, const std::vector<int>& kept, std::vector<std::string>& notes) {
  std::size_t next = 0;
  for (int i = 0; i < m; ++i) {
    if (next < kept.size() && kept[next] == i) {
      ++next;
      continue;
    }
    notes.push_back("task " + std::to_string(i) + " has a zero gradient; dropped");
  }
}

Eigen::MatrixXd submatrix(const Eigen::MatrixXd& a, const std::vector<int>& index) {
  const auto k = static_cast<Eigen::Index>(index.size());
  Eigen::MatrixXd out(k, k);
  for (Eigen::Index i = 0; i < k; ++i)
    for (Eigen::Index j = 0; j < k; ++j) out(i, j) = a(index[i], index[j]);
  return out;
}

Eigen::VectorXd subvector(const Eigen::VectorXd& v, const std::vector<int>& index) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(index.size()));
  for (std::size_t i = 0; i < index.size(); ++i) out(i) = v(index[i]);
  return out;
}

Eigen::VectorXd scatter(const Eigen::VectorXd& v, const std::vector<int>& index, int m) {
  Eigen::VectorXd out = Eigen::VectorXd::Zero(m);
  for (std::size_t i = 0; i < index.size(); ++i) out(index[i]) = v(i);
  return out;
}

Eigen::MatrixXd cosine_matrix(const Eigen::MatrixXd& gram, const Eigen::VectorXd& norms) {
  const auto m = gram.rows();
  Eigen::MatrixXd c = Eigen::MatrixXd::Zero(m, m);
  for (Eigen::Index i = 0; i < m; ++i) {
    if (norms(i) <= 0.0) continue;
    c(i, i) = 1.0;
    for (Eigen::Index j = 0; j < i; ++j) {
      if (norms(j) <= 0.0) continue;
      const double v = 0.5 * (gram(i, j) + gram(j, i)) / (norms(i) * norms(j));
      c(i, j) = v;
      c(j, i) = v;
    }
  }
  return c;
}

SymmetricPinv symmetric_pinv(const Eigen::MatrixXd& a, double rcond) {
  SymmetricPinv out;
  const auto n = a.rows();
  out.inverse = Eigen::MatrixXd::Zero(n, n);
  if (n == 0) return out;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(0.5 * (a + a.transpose()));
  const Eigen::VectorXd& lambda = eig.eigenvalues();
  const double lambda_max = lambda.maxCoeff();
  if (!(lambda_max > 0.0)) return out;
  const double cutoff = rcond * lambda_max;
  const Eigen::MatrixXd& v = eig.eigenvectors();
  for (Eigen::Index k = 0; k < n; ++k) {
    if (lambda(k) <= cutoff || lambda(k) <= 0.0) continue;
    out.inverse.noalias() += (1.0 / lambda(k)) * v.col(k) * v.col(k).transpose();
    ++out.rank;
  }
  return out;
}

QpResult solve_bounded_qp(const Eigen::MatrixXd& h, const Eigen::VectorXd& f,
                          const Eigen::VectorXd& lower, int max_iterations) {
  const auto n = h.rows();
  QpResult out;
  // Diagonal scaling to a unit-diagonal Hessian makes the tolerances below scale-free: task
  // norms that differ by 1e4 give diagonals that differ by 1e8.
  Eigen::VectorXd s(n);
  for (Eigen::Index i = 0; i < n; ++i) s(i) = h(i, i) > 0.0 ? std::sqrt(h(i, i)) : 1.0;
  Eigen::MatrixXd hs = s.cwiseInverse().asDiagonal() * h * s.cwiseInverse().asDiagonal();
  hs = 0.5 * (hs + hs.transpose());
  const Eigen::VectorXd fs = f.cwiseQuotient(s);
  const Eigen::VectorXd ls = lower.cwiseProduct(s);
  const Eigen::MatrixXd habs = hs.cwiseAbs();
  if (max_iterations <= 0) max_iterations = static_cast<int>(10 * n + 100);

  Eigen::VectorXd y = ls;
  std::vector<bool> is_free(static_cast<std::size_t>(n), false);
  std::vector<int> free_list;  // order of the rows of the Cholesky factor
  // Lower Cholesky factor of hs on the free set, grown by one row per added variable (O(k^2))
  // and rebuilt when variables leave (rare). Invalid when the free block is (nearly) singular;
  // the subproblem then falls back to a minimum-norm least-squares solve.
  Eigen::MatrixXd chol = Eigen::MatrixXd::Zero(n, n);
  bool chol_ok = true;
  constexpr double kPivot = 1e-12;  // on the unit-diagonal scale
  auto grow = [&](int j) {
    const auto k = static_cast<Eigen::Index>(free_list.size());
    Eigen::VectorXd col(k);
    for (Eigen::Index a = 0; a < k; ++a) col(a) = hs(free_list[a], j);
    const Eigen::VectorXd l = chol.topLeftCorner(k, k).triangularView<Eigen::Lower>().solve(col);
    const double d2 = hs(j, j) - l.squaredNorm();
    free_list.push_back(j);
    if (!chol_ok || !(d2 > kPivot)) {
      chol_ok = false;
      return;
    }
    chol.block(k, 0, 1, k) = l.transpose();
    chol(k, k) = std::sqrt(d2);
  };
  auto rebuild = [&]() {
    std::vector<int> order = std::move(free_list);
    free_list.clear();
    chol_ok = true;
    for (int j : order) grow(j);
  };
  // Minimiser of the objective with the bound variables fixed at their bounds.
  auto subproblem = [&]() {
    Eigen::VectorXd z = ls;
    const auto k = static_cast<Eigen::Index>(free_list.size());
    if (k == 0) return z;
    Eigen::VectorXd rhs(k);
    for (Eigen::Index a = 0; a < k; ++a) {
      double r = -fs(free_list[a]);
      for (Eigen::Index j = 0; j < n; ++j)
        if (!is_free[j] && ls(j) != 0.0) r -= hs(free_list[a], j) * ls(j);
      rhs(a) = r;
    }
    Eigen::VectorXd zp;
    if (chol_ok) {
      const auto l = chol.topLeftCorner(k, k).triangularView<Eigen::Lower>();
      zp = l.transpose().solve(l.solve(rhs));
    } else {
      Eigen::MatrixXd hpp(k, k);
      for (Eigen::Index a = 0; a < k; ++a)
        for (Eigen::Index b = 0; b < k; ++b) hpp(a, b) = hs(free_list[a], free_list[b]);
      zp = hpp.completeOrthogonalDecomposition().solve(rhs);
    }
    for (Eigen::Index a = 0; a < k; ++a) z(free_list[a]) = zp(a);
    return z;
  };

  for (out.iterations = 0; out.iterations < max_iterations; ++out.iterations) {
    // Multipliers hs y + f over the nonzeros of y only (the free set and nonzero bounds); one
    // counts as negative only beyond the rounding of its own terms.
    Eigen::VectorXd mu = fs;
    Eigen::VectorXd tol = fs.cwiseAbs();
    for (Eigen::Index i = 0; i < n; ++i) {
      if (y(i) == 0.0) continue;
      mu += y(i) * hs.col(i);
      tol += std::abs(y(i)) * habs.col(i);
    }
    tol *= 256.0 * kEps;
    Eigen::Index best = -1;
    double best_value = 0.0;
    for (Eigen::Index j = 0; j < n; ++j) {
      if (is_free[j]) continue;
      if (mu(j) < -tol(j) && mu(j) < best_value) {
        best_value = mu(j);
        best = j;
      }
    }
    if (best < 0) {
      out.converged = true;
      break;
    }
    is_free[best] = true;
    grow(static_cast<int>(best));
    // Inner loop: move towards the subproblem minimiser, dropping variables that hit a bound.
    for (Eigen::Index inner = 0; inner <= n; ++inner) {
      const Eigen::VectorXd z = subproblem();
      double step = 1.0;
      Eigen::Index blocking = -1;
      for (int i : free_list) {
        if (z(i) > ls(i)) continue;
        const double denom = y(i) - z(i);
        const double t = denom > 0.0 ? (y(i) - ls(i)) / denom : 0.0;
        if (t < step) {
          step = t;
          blocking = i;
        }
      }
      if (blocking < 0) {
        y = z;
        break;
      }
      y += step * (z - y);
      std::vector<int> kept;
      for (int i : free_list) {
        if (y(i) <= ls(i) || i == blocking) {
          is_free[i] = false;
          y(i) = ls(i);
        } else {
          kept.push_back(i);
        }
      }
      free_list = std::move(kept);
      rebuild();
    }
  }
  out.x = y.cwiseQuotient(s);
  return out;
}

std::uint64_t SplitMix64::next() {
  state_ += 0x9e3779b97f4a7c15ULL;
  std::uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t SplitMix64::below(std::uint64_t n) {
  // Rejection sampling: drop the top partial block so every residue is equally likely.
  const std::uint64_t limit =
      std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % n;
  std::uint64_t x;
  do {
    x = next();
  } while (x >= limit);
  return x % n;
}

std::vector<int> random_permutation(int n, SplitMix64& rng) {
  std::vector<int> p(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) p[i] = i;
  for (int i = n - 1; i > 0; --i) {
    const auto j = static_cast<int>(rng.below(static_cast<std::uint64_t>(i) + 1));
    std::swap(p[i], p[j]);
  }
  return p;
}

OptionReader::OptionReader(std::string method, const Parameters& params,
                           std::vector<ParameterSpec> specs)
    : method_(std::move(method)) {
  std::vector<std::string> keys;
  for (const auto& spec : specs) {
    keys.push_back(spec.key);
    values_[spec.key] = spec.default_value;
  }
  for (const auto& [key, value] : params) {
    if (values_.count(key) == 0) {
      throw InputError("--" + method_ + "." + key + ": unknown option" +
                       (keys.empty() ? std::string(" (this method has no options)")
                                     : " (choose from " + join(keys) + ")"));
    }
    values_[key] = value;
  }
}

double OptionReader::real(const std::string& key, double lo, double hi) const {
  const std::string& text = values_.at(key);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  const bool parsed = !text.empty() && end != nullptr && *end == '\0' && errno == 0;
  if (!parsed || !std::isfinite(v)) {
    throw InputError(option(key) + ": expected a number, got '" + text + "'");
  }
  if (v < lo || v > hi) {
    std::ostringstream msg;
    msg << option(key) << ": must be in [" << lo << ", " << hi << "], got " << text;
    throw InputError(msg.str());
  }
  return v;
}

double OptionReader::positive(const std::string& key, double hi) const {
  const double v = real(key, -std::numeric_limits<double>::max(), hi);
  if (!(v > 0.0)) {
    std::ostringstream msg;
    msg << option(key) << ": must be in (0, " << hi << "], got " << values_.at(key);
    throw InputError(msg.str());
  }
  return v;
}

long OptionReader::integer(const std::string& key, long lo, long hi) const {
  const std::string& text = values_.at(key);
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || end == nullptr || *end != '\0' || errno != 0) {
    throw InputError(option(key) + ": expected an integer, got '" + text + "'");
  }
  if (v < lo || v > hi) {
    std::ostringstream msg;
    msg << option(key) << ": must be in [" << lo << ", " << hi << "], got " << text;
    throw InputError(msg.str());
  }
  return v;
}

std::string OptionReader::choice(const std::string& key,
                                 const std::vector<std::string>& allowed) const {
  const std::string& text = values_.at(key);
  if (std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
    throw InputError(option(key) + ": unknown value '" + text + "' (choose from " + join(allowed) +
                     ")");
  }
  return text;
}

bool support_changed(const Eigen::VectorXd& x, std::vector<bool>& last) {
  std::vector<bool> now(static_cast<std::size_t>(x.size()));
  for (Eigen::Index i = 0; i < x.size(); ++i) now[i] = x(i) > 0.0;
  if (now == last) return false;
  last = std::move(now);
  return true;
}

}  // namespace hrgrad::aggregate::detail
