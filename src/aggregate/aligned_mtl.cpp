// Aligned-MTL (Senushkin et al., CVPR 2023), as the official ProcrustesSolver and TorchJD: with
// G = V L V^T restricted to the eigenvalues above lambda_max * m * rank_eps,
// B = sqrt(scale) V L^-1/2 V^T and w = B 1/m (TorchJD's default preference; the official code
// sums, i.e. m times this). scale is the smallest kept eigenvalue ("min"), the lower median
// ("median", as torch.median), or their mean ("rmse", as the official code).
#include <algorithm>
#include <cmath>

#include "factories.hpp"
#include "hrgrad/aggregate/methods.hpp"
#include "linalg.hpp"

namespace hrgrad::aggregate {

Result aligned_mtl_aggregate(const Eigen::MatrixXd& gram, const AlignedMtlOptions& options) {
  Result result;
  if (!detail::prepare(gram, result)) return result;
  const auto m = gram.rows();
  const Eigen::VectorXd pref = Eigen::VectorXd::Constant(m, 1.0 / static_cast<double>(m));
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(0.5 * (gram + gram.transpose()));
  const Eigen::VectorXd& lambda = eig.eigenvalues();  // ascending
  const double tol = lambda.maxCoeff() * static_cast<double>(m) * options.rank_eps;
  std::vector<Eigen::Index> kept;
  for (Eigen::Index k = m - 1; k >= 0; --k)
    if (lambda(k) > tol && lambda(k) > 0.0) kept.push_back(k);  // descending
  Eigen::VectorXd w = pref;
  if (kept.empty()) {
    result.diagnostics.notes.push_back("Gram matrix is zero; B = I (weights are the mean)");
  } else {
    const auto r = static_cast<Eigen::Index>(kept.size());
    if (r < m)
      result.diagnostics.notes.push_back("Gram matrix has rank " + std::to_string(r) + " < " +
                                         std::to_string(m));
    std::vector<double> values;
    for (auto k : kept) values.push_back(lambda(k));
    double scale = values.back();
    if (options.scale == AlignedScale::kMedian) {
      std::vector<double> sorted = values;
      std::sort(sorted.begin(), sorted.end());
      scale = sorted[(sorted.size() - 1) / 2];
    } else if (options.scale == AlignedScale::kRmse) {
      double total = 0.0;
      for (double v : values) total += v;
      scale = total / static_cast<double>(values.size());
    }
    w.setZero();
    for (auto k : kept) {
      const Eigen::VectorXd v = eig.eigenvectors().col(k);
      w += (std::sqrt(scale / lambda(k)) * v.dot(pref)) * v;
    }
  }
  result.weights = w;
  std::vector<std::string> saved = std::move(result.diagnostics.notes);
  result.diagnostics = diagnose(gram, w);
  result.diagnostics.notes = std::move(saved);
  return result;
}

namespace detail {

namespace {

class AlignedMtlAggregator final : public Aggregator {
 public:
  explicit AlignedMtlAggregator(AlignedMtlOptions options) : options_(options) {}
  std::string name() const override { return "aligned-mtl"; }
  Result aggregate(const Eigen::MatrixXd& gram) override {
    return aligned_mtl_aggregate(gram, options_);
  }

 private:
  AlignedMtlOptions options_;
};

}  // namespace

std::vector<ParameterSpec> aligned_mtl_specs() {
  return {
      {"scale_mode", "min",
       "eigenvalue that sets the length: min, median (lower median) or rmse (mean eigenvalue)"},
      {"rank_eps", shortest_text(AlignedMtlOptions{}.rank_eps),
       "eigenvalues at or below lambda_max * m * rank_eps are dropped"},
  };
}

std::unique_ptr<Aggregator> make_aligned_mtl(const Parameters& params, std::uint64_t) {
  const OptionReader reader("aligned-mtl", params, aligned_mtl_specs());
  AlignedMtlOptions options;
  const std::string mode = reader.choice("scale_mode", {"min", "median", "rmse"});
  options.scale = mode == "min"      ? AlignedScale::kMin
                  : mode == "median" ? AlignedScale::kMedian
                                     : AlignedScale::kRmse;
  options.rank_eps = reader.real("rank_eps", 0.0, 1.0);
  return std::make_unique<AlignedMtlAggregator>(options);
}

}  // namespace detail

}  // namespace hrgrad::aggregate
