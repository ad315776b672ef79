#include "explicit.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hrgrad::aggregate::test {

namespace {

// Rows of J with a norm above 1e-12 times the largest (the module's zero-norm rule).
std::vector<int> nonzero_rows(const Eigen::MatrixXd& j) {
  const Eigen::VectorXd n = j.rowwise().norm();
  std::vector<int> kept;
  for (int i = 0; i < j.rows(); ++i)
    if (n(i) > 1e-12 * n.maxCoeff() && n(i) > 0.0) kept.push_back(i);
  return kept;
}

// x = U^+ b for U (k x p) by SVD, singular values with sigma^2 <= rcond sigma_max^2 dropped.
Eigen::VectorXd svd_pinv_apply(const Eigen::MatrixXd& u, const Eigen::VectorXd& b, double rcond) {
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(u, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::VectorXd& sigma = svd.singularValues();
  Eigen::VectorXd x = Eigen::VectorXd::Zero(u.cols());
  for (int k = 0; k < sigma.size(); ++k) {
    if (sigma(k) * sigma(k) <= rcond * sigma(0) * sigma(0) || sigma(k) <= 0.0) continue;
    x += svd.matrixV().col(k) * (svd.matrixU().col(k).dot(b) / sigma(k));
  }
  return x;
}

}  // namespace

Eigen::VectorXd explicit_sum(const Eigen::MatrixXd& j) { return j.colwise().sum().transpose(); }

Eigen::VectorXd explicit_mean(const Eigen::MatrixXd& j) { return j.colwise().mean().transpose(); }

double explicit_hrgrad_worst(const Eigen::MatrixXd& j, double theta, double rcond,
                             double* theta_e) {
  const Eigen::MatrixXd u = j.rowwise().normalized();
  const Eigen::VectorXd s_hat = u.colwise().sum().transpose().normalized();
  const Eigen::VectorXd e_hat =
      svd_pinv_apply(u, Eigen::VectorXd::Ones(j.rows()), rcond).normalized();
  Eigen::VectorXd q = e_hat - e_hat.dot(s_hat) * s_hat;
  if (theta_e) *theta_e = std::atan2(q.norm(), e_hat.dot(s_hat));
  q.normalize();
  return (u * (std::cos(theta) * s_hat + std::sin(theta) * q)).minCoeff();
}

Eigen::VectorXd explicit_hrgrad(const Eigen::MatrixXd& j, double rho, double rcond) {
  const std::vector<int> kept = nonzero_rows(j);
  const int k = static_cast<int>(kept.size());
  const auto p = j.cols();
  if (k == 0) return Eigen::VectorXd::Zero(p);
  Eigen::MatrixXd u(k, p);
  Eigen::VectorXd n(k);
  for (int a = 0; a < k; ++a) {
    n(a) = j.row(kept[a]).norm();
    u.row(a) = j.row(kept[a]) / n(a);
  }
  const double h = k / n.cwiseInverse().sum();
  if (k == 1) return h * u.row(0).transpose();
  const Eigen::VectorXd s = u.colwise().sum().transpose();
  const Eigen::VectorXd s_hat = s.normalized();
  // e solves U e = 1 in the least-squares, minimum-norm sense: equal projections on every u_i.
  const Eigen::VectorXd e_hat = svd_pinv_apply(u, Eigen::VectorXd::Ones(k), rcond).normalized();
  Eigen::VectorXd q = e_hat - e_hat.dot(s_hat) * s_hat;
  double theta_e = 0.0;
  if (q.norm() > 1e-12) {
    theta_e = std::atan2(q.norm(), e_hat.dot(s_hat));
    q.normalize();
  } else {
    q.setZero();
  }
  auto r = [&](double t) {
    Eigen::VectorXd v = std::cos(t) * s_hat + std::sin(t) * q;
    return v;
  };
  auto worst = [&](double t) { return (u * r(t)).minCoeff(); };
  double theta0 = 0.0;
  if (worst(0.0) < 0.0) {
    double lo = 0.0, hi = theta_e;  // worst(lo) < 0 <= worst(hi)
    for (int it = 0; it < 200; ++it) {
      const double mid = 0.5 * (lo + hi);
      if (mid <= lo || mid >= hi) break;
      (worst(mid) >= 0.0 ? hi : lo) = mid;
    }
    theta0 = hi;
  }
  const double theta = theta0 + rho * (theta_e - theta0);
  const Eigen::VectorXd dir = r(theta);
  const double length = h * (u * dir).sum();
  return length * dir;
}

}  // namespace hrgrad::aggregate::test

namespace hrgrad::aggregate::test {

namespace {

// Orthonormal basis (columns) of the span of the columns of a, by column-pivoted QR.
Eigen::MatrixXd orthonormal_basis(const Eigen::MatrixXd& a, double tol) {
  if (a.cols() == 0) return Eigen::MatrixXd(a.rows(), 0);
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(a);
  qr.setThreshold(tol);
  const auto r = qr.rank();
  Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(a.rows(), r);
  return q;
}

}  // namespace

Eigen::VectorXd explicit_pcgrad(const Eigen::MatrixXd& j,
                                const std::vector<std::vector<int>>& orders) {
  Eigen::VectorXd total = Eigen::VectorXd::Zero(j.cols());
  for (int i = 0; i < j.rows(); ++i) {
    Eigen::VectorXd g = j.row(i).transpose();
    for (int k : orders[i]) {
      if (k == i) continue;
      const Eigen::VectorXd gk = j.row(k).transpose();
      const double dot = g.dot(gk);
      if (dot < 0.0 && gk.squaredNorm() > 0.0) g -= dot / gk.squaredNorm() * gk;
    }
    total += g;
  }
  return total;
}

Eigen::VectorXd explicit_mgda(const Eigen::MatrixXd& j) {
  const int m = static_cast<int>(j.rows());
  Eigen::VectorXd best = j.row(0).transpose();
  double best_norm = std::numeric_limits<double>::infinity();
  for (int mask = 1; mask < (1 << m); ++mask) {
    std::vector<int> s;
    for (int i = 0; i < m; ++i)
      if (mask & (1 << i)) s.push_back(i);
    // Min-norm point of the affine hull of {g_s}: g_last - P (g_last) where P projects onto the
    // span of the differences g_s - g_last.
    const Eigen::VectorXd base = j.row(s.back()).transpose();
    Eigen::MatrixXd diffs(j.cols(), static_cast<Eigen::Index>(s.size()) - 1);
    for (std::size_t a = 0; a + 1 < s.size(); ++a) diffs.col(a) = j.row(s[a]).transpose() - base;
    const Eigen::MatrixXd q = orthonormal_basis(diffs, 1e-12);
    const Eigen::VectorXd x = base - q * (q.transpose() * base);
    // Barycentric coordinates of x: least squares on [diffs] (x - base = diffs * c).
    Eigen::VectorXd coef(s.size());
    if (s.size() > 1) {
      const Eigen::VectorXd c = diffs.completeOrthogonalDecomposition().solve(x - base);
      coef.head(s.size() - 1) = c;
      coef(s.size() - 1) = 1.0 - c.sum();
    } else {
      coef(0) = 1.0;
    }
    if (coef.minCoeff() < -1e-12) continue;
    if (x.norm() < best_norm) {
      best_norm = x.norm();
      best = x;
    }
  }
  return best;
}

Eigen::VectorXd explicit_imtlg(const Eigen::MatrixXd& j) {
  const int m = static_cast<int>(j.rows());
  if (m == 1) return j.row(0).transpose();
  Eigen::MatrixXd u(m - 1, j.cols()), d(m - 1, j.cols());
  const Eigen::VectorXd g1 = j.row(0).transpose();
  const Eigen::VectorXd u1 = g1.normalized();
  for (int i = 1; i < m; ++i) {
    u.row(i - 1) = (u1 - j.row(i).transpose().normalized()).transpose();
    d.row(i - 1) = (g1 - j.row(i).transpose()).transpose();
  }
  // alpha_{2:m} = g_1 U^T (D U^T)^-1 (row vector form).
  const Eigen::RowVectorXd lhs = g1.transpose() * u.transpose();
  const Eigen::MatrixXd du = d * u.transpose();
  const Eigen::RowVectorXd tail = du.transpose().fullPivLu().solve(lhs.transpose()).transpose();
  Eigen::VectorXd alpha(m);
  alpha(0) = 1.0 - tail.sum();
  alpha.tail(m - 1) = tail.transpose();
  return j.transpose() * alpha;
}

Eigen::VectorXd explicit_config(const Eigen::MatrixXd& j, double rcond) {
  const Eigen::MatrixXd u = j.rowwise().normalized();
  const Eigen::VectorXd g_u = svd_pinv_apply(u, Eigen::VectorXd::Ones(j.rows()), rcond);
  const Eigen::VectorXd unit = g_u.normalized();
  return (j * unit).sum() * unit;
}

Eigen::VectorXd explicit_aligned_mtl(const Eigen::MatrixXd& j, int mode, double rank_eps) {
  const int m = static_cast<int>(j.rows());
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(j, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::VectorXd& sigma = svd.singularValues();  // descending
  const double tol = sigma(0) * sigma(0) * m * rank_eps;
  std::vector<int> kept;
  for (int k = 0; k < sigma.size(); ++k)
    if (sigma(k) * sigma(k) > tol) kept.push_back(k);
  if (kept.empty()) return j.colwise().mean().transpose();
  std::vector<double> lambda;
  for (int k : kept) lambda.push_back(sigma(k) * sigma(k));
  double scale = lambda.back();
  if (mode == 1) {
    std::vector<double> sorted = lambda;
    std::sort(sorted.begin(), sorted.end());
    scale = sorted[(sorted.size() - 1) / 2];
  } else if (mode == 2) {
    scale = 0.0;
    for (double l : lambda) scale += l;
    scale /= static_cast<double>(lambda.size());
  }
  Eigen::VectorXd update = Eigen::VectorXd::Zero(j.cols());
  const Eigen::VectorXd pref = Eigen::VectorXd::Constant(m, 1.0 / m);
  for (int k : kept)
    update += std::sqrt(scale) * svd.matrixV().col(k) * svd.matrixU().col(k).dot(pref);
  return update;
}

Eigen::VectorXd explicit_upgrad(const Eigen::MatrixXd& j) {
  const int m = static_cast<int>(j.rows());
  const double scale = j.rowwise().norm().maxCoeff();
  Eigen::VectorXd total = Eigen::VectorXd::Zero(j.cols());
  for (int i = 0; i < m; ++i) {
    const Eigen::VectorXd y = j.row(i).transpose() / m;
    Eigen::VectorXd best = y;
    double best_dist = std::numeric_limits<double>::infinity();
    for (int mask = 0; mask < (1 << m); ++mask) {
      std::vector<int> a;
      for (int k = 0; k < m; ++k)
        if (mask & (1 << k)) a.push_back(k);
      Eigen::MatrixXd ja_t(j.cols(), static_cast<Eigen::Index>(a.size()));
      for (std::size_t k = 0; k < a.size(); ++k) ja_t.col(k) = j.row(a[k]).transpose();
      const Eigen::MatrixXd q = orthonormal_basis(ja_t, 1e-12);
      const Eigen::VectorXd x = y - q * (q.transpose() * y);  // onto {J_A x = 0}
      // x = y + J_A^T mu: the multipliers must be >= 0, every constraint satisfied.
      Eigen::VectorXd mu = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(a.size()));
      if (!a.empty()) mu = ja_t.completeOrthogonalDecomposition().solve(x - y);
      const double tol = 1e-12 * scale * y.norm();
      if (!a.empty() && mu.minCoeff() * scale < -tol) continue;
      if ((j * x).minCoeff() < -tol) continue;
      const double dist = (x - y).norm();
      if (dist < best_dist) {
        best_dist = dist;
        best = x;
      }
    }
    total += best;
  }
  return total;
}

Eigen::VectorXd explicit_cagrad(const Eigen::MatrixXd& j, double c, int rescale) {
  // The primal max_d min_i g_i.d s.t. |d - g0| <= r, r = c |g0|, solved by its optimality
  // conditions: d = g0 + r u with u = g_w/|g_w|, w in the simplex supported on the set S of
  // tasks where g_i.d is smallest. For each S, u lies in span(g_S), makes the g_i.d equal on S
  // ((g_i - g_last).u = -(g_i - g_last).g0 / r) and has unit length: a particular solution plus
  // a multiple of the one free direction. A candidate that has w >= 0 and g_j.d >= t for every
  // j satisfies the KKT conditions of a convex problem, so it is optimal.
  const int m = static_cast<int>(j.rows());
  const Eigen::VectorXd g0 = j.colwise().mean().transpose();
  const double r = c * g0.norm();
  Eigen::VectorXd d = g0;
  const double scale = j.rowwise().norm().maxCoeff() * g0.norm() * (1.0 + c);
  if (r > 0.0) {
    bool found = false;
    for (int mask = 1; mask < (1 << m) && !found; ++mask) {
      std::vector<int> s;
      for (int i = 0; i < m; ++i)
        if (mask & (1 << i)) s.push_back(i);
      const int k = static_cast<int>(s.size());
      Eigen::MatrixXd js_t(j.cols(), k);
      for (int a = 0; a < k; ++a) js_t.col(a) = j.row(s[a]).transpose();
      Eigen::HouseholderQR<Eigen::MatrixXd> qr(js_t);
      const Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(j.cols(), k);
      const Eigen::MatrixXd rr = qr.matrixQR().topRows(k).triangularView<Eigen::Upper>();
      if ((rr.diagonal().cwiseAbs().array() < 1e-12 * scale / g0.norm()).any()) continue;
      Eigen::MatrixXd a(k - 1, k);
      Eigen::VectorXd rhs(k - 1);
      for (int i = 0; i + 1 < k; ++i) {
        const Eigen::VectorXd diff = js_t.col(i) - js_t.col(k - 1);
        a.row(i) = (q.transpose() * diff).transpose();
        rhs(i) = -diff.dot(g0) / r;
      }
      Eigen::VectorXd yp = Eigen::VectorXd::Zero(k);
      Eigen::VectorXd null = Eigen::VectorXd::Zero(k);
      if (k == 1) {
        null(0) = 1.0;
      } else {
        Eigen::JacobiSVD<Eigen::MatrixXd> svd(a, Eigen::ComputeFullU | Eigen::ComputeFullV);
        yp = svd.solve(rhs);
        null = svd.matrixV().col(k - 1);
      }
      const double rest = 1.0 - yp.squaredNorm();
      if (rest < 0.0) continue;
      for (double sign : {1.0, -1.0}) {
        const Eigen::VectorXd y = yp + sign * std::sqrt(rest) * null;
        const Eigen::VectorXd w = rr.triangularView<Eigen::Upper>().solve(y);
        if (w.minCoeff() < -1e-12 * w.cwiseAbs().maxCoeff()) continue;
        const Eigen::VectorXd cand = g0 + r * (q * y);
        const Eigen::VectorXd proj = j * cand;
        double t = 0.0;
        for (int i : s) t += proj(i) / k;
        if (proj.minCoeff() < t - 1e-11 * scale) continue;
        d = cand;
        found = true;
        break;
      }
    }
  }
  if (rescale == 1) d /= 1.0 + c * c;
  if (rescale == 2) d /= 1.0 + c;
  return d;
}

}  // namespace hrgrad::aggregate::test
