#include "hrgrad/reference/solution.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "detail.hpp"
#include "hrgrad/core/error.hpp"

namespace hrgrad::reference {

std::vector<double> interpolate_linear(const std::vector<double>& x, const std::vector<double>& y,
                                       const std::vector<double>& xq) {
  if (x.size() != y.size() || x.empty()) {
    throw std::invalid_argument("interpolate_linear: x and y need the same non-zero size");
  }
  std::vector<double> out(xq.size());
  for (std::size_t q = 0; q < xq.size(); ++q) {
    const double t = xq[q];
    if (t <= x.front()) {
      out[q] = y.front();
    } else if (t >= x.back()) {
      out[q] = y.back();
    } else {
      const std::size_t i = std::upper_bound(x.begin(), x.end(), t) - x.begin();  // x[i-1] <= t
      const double s = (t - x[i - 1]) / (x[i] - x[i - 1]);
      out[q] = (1.0 - s) * y[i - 1] + s * y[i];
    }
  }
  return out;
}

double relative_l2(const std::vector<double>& approx, const std::vector<double>& ref) {
  if (approx.size() != ref.size() || ref.empty()) {
    throw std::invalid_argument("relative_l2: sizes differ or are zero");
  }
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    num += (approx[i] - ref[i]) * (approx[i] - ref[i]);
    den += ref[i] * ref[i];
  }
  return std::sqrt(num / den);
}

namespace detail {

std::string fmt(double v) {
  char buf[32];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string fmt_short(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string fmt(const std::vector<double>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + fmt(v[i]);
  return s;
}

std::vector<double> output_times(double t_final, const std::vector<double>& times) {
  require(std::isfinite(t_final) && t_final > 0.0, "--t-final", "must be > 0, got " + fmt(t_final));
  std::vector<double> out = times;
  for (double t : out) {
    require(std::isfinite(t) && t > 0.0, "--times", "each time must be > 0, got " + fmt(t));
    require(t <= t_final * (1.0 + 1e-12), "--times",
            fmt(t) + " lies after --t-final " + fmt(t_final));
  }
  out.push_back(t_final);
  std::sort(out.begin(), out.end());
  std::vector<double> unique;
  for (double t : out) {
    if (!unique.empty() && t - unique.back() <= 1e-12 * t) {
      unique.back() = t;  // keep the larger, so t_final itself survives
    } else {
      unique.push_back(t);
    }
  }
  return unique;
}

std::vector<Segment> time_plan(const std::vector<double>& outputs, double dt_max) {
  std::vector<Segment> plan;
  double t = 0.0;
  for (double target : outputs) {
    const double length = target - t;
    // 1e-9: a length that is a whole number of dt_max up to rounding takes exactly that many.
    const auto n = std::max<std::int64_t>(1, std::int64_t(std::ceil(length / dt_max - 1e-9)));
    plan.push_back({n, length / double(n)});
    t = target;
  }
  return plan;
}

}  // namespace detail
}  // namespace hrgrad::reference
