// IMTL-G (Liu et al., ICLR 2021): the weights, summing to one, whose update has equal
// projections g.u_i on every unit task gradient. With C invertible this is TorchJD's Gram form
// w = G^+ d / 1^T G^+ d, since G^-1 d = D^-1 C^-1 1. The pseudo-inverse is taken on the
// scale-free cosine matrix, so a singular or badly scaled G gives a result that does not depend
// on the task norms (TorchJD takes pinv(G), whose cutoff does).
#include <cmath>
#include <sstream>

#include "factories.hpp"
#include "hrgrad/aggregate/methods.hpp"
#include "linalg.hpp"

namespace hrgrad::aggregate {

Result imtlg_aggregate(const Eigen::MatrixXd& gram, const ImtlgOptions& options) {
  Result result;
  if (!detail::prepare(gram, result)) return result;
  const int m = static_cast<int>(gram.rows());
  auto& notes = result.diagnostics.notes;
  const Eigen::VectorXd norms = detail::task_norms(gram);
  const std::vector<int> kept = detail::nonzero_tasks(norms);
  detail::note_dropped(m, kept, notes);
  Eigen::VectorXd w = Eigen::VectorXd::Zero(m);
  if (!kept.empty()) {
    const Eigen::VectorXd n = detail::subvector(norms, kept);
    const Eigen::MatrixXd c = detail::cosine_matrix(detail::submatrix(gram, kept), n);
    const detail::SymmetricPinv pinv = detail::symmetric_pinv(c, options.rcond);
    if (pinv.rank < static_cast<int>(kept.size())) {
      std::ostringstream msg;
      msg << "cosine matrix has rank " << pinv.rank << " < " << kept.size()
          << " after the rcond cutoff";
      notes.push_back(msg.str());
    }
    const Eigen::VectorXd v = (pinv.inverse * Eigen::VectorXd::Ones(n.size())).cwiseQuotient(n);
    const double total = v.sum();
    if (!(std::abs(total) > 1e-12 * v.cwiseAbs().sum())) {
      notes.push_back("the equal-projection weights sum to zero; zero update");
    } else {
      if (total < 0.0)
        notes.push_back(
            "the equal-projection weights sum to a negative number: every task ascends "
            "(IMTL-G's known failure)");
      w = detail::scatter(v / total, kept, m);
    }
  }
  result.weights = w;
  std::vector<std::string> saved = std::move(notes);
  result.diagnostics = diagnose(gram, w);
  result.diagnostics.notes = std::move(saved);
  return result;
}

namespace detail {

namespace {

class ImtlgAggregator final : public Aggregator {
 public:
  explicit ImtlgAggregator(ImtlgOptions options) : options_(options) {}
  std::string name() const override { return "imtl-g"; }
  Result aggregate(const Eigen::MatrixXd& gram) override { return imtlg_aggregate(gram, options_); }

 private:
  ImtlgOptions options_;
};

}  // namespace

std::vector<ParameterSpec> imtlg_specs() {
  return {{"rcond", shortest_text(ImtlgOptions{}.rcond),
           "relative eigenvalue cutoff of the cosine-matrix pseudo-inverse, in [0, 1]"}};
}

std::unique_ptr<Aggregator> make_imtlg(const Parameters& params, std::uint64_t) {
  const OptionReader reader("imtl-g", params, imtlg_specs());
  ImtlgOptions options;
  options.rcond = reader.real("rcond", 0.0, 1.0);
  return std::make_unique<ImtlgAggregator>(options);
}

}  // namespace detail

}  // namespace hrgrad::aggregate
