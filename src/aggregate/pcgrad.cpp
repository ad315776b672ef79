// PCGrad (Yu et al., NeurIPS 2020) in weight form on G: task i carries a coefficient vector c
// (its projected gradient is J^T c); projecting against g_j when they conflict subtracts
// (G_j. c / G_jj) from c_j. The update is the sum over tasks, as in the official code.
#include "factories.hpp"
#include "hrgrad/aggregate/methods.hpp"
#include "hrgrad/core/error.hpp"
#include "hrgrad/core/rng.hpp"
#include "linalg.hpp"

namespace hrgrad::aggregate {

Result pcgrad_aggregate(const Eigen::MatrixXd& gram, const std::vector<std::vector<int>>& orders) {
  Result result;
  if (!detail::prepare(gram, result)) return result;
  const auto m = gram.rows();
  if (static_cast<Eigen::Index>(orders.size()) != m) {
    throw Error("pcgrad: expected " + std::to_string(m) + " projection orders, got " +
                std::to_string(orders.size()));
  }
  Eigen::VectorXd w = Eigen::VectorXd::Zero(m);
  Eigen::VectorXd c(m);
  for (Eigen::Index i = 0; i < m; ++i) {
    c.setZero();
    c(i) = 1.0;
    for (int j : orders[i]) {
      if (j == i || j < 0 || j >= m) continue;
      const double inner = gram.row(j).dot(c);
      if (inner < 0.0 && gram(j, j) > 0.0) c(j) -= inner / gram(j, j);
    }
    w += c;
  }
  result.weights = w;
  result.diagnostics = diagnose(gram, w);
  return result;
}

namespace detail {

namespace {

class PcgradAggregator final : public Aggregator {
 public:
  explicit PcgradAggregator(std::uint64_t seed) : rng_(hrgrad::mix64(seed ^ 0x70636772ULL)) {}
  std::string name() const override { return "pcgrad"; }
  Result aggregate(const Eigen::MatrixXd& gram) override {
    // One fresh permutation per task and step, drawn whatever G holds, so that the stream
    // advances identically on every rank.
    const int m = static_cast<int>(gram.rows());
    std::vector<std::vector<int>> orders(static_cast<std::size_t>(m));
    for (auto& order : orders) order = random_permutation(m, rng_);
    return pcgrad_aggregate(gram, orders);
  }
  State state() const override { return {{static_cast<std::int64_t>(rng_.state())}, {}}; }
  void restore(const State& state) override {
    if (state.integers.size() != 1 || !state.reals.empty()) refuse(state);
    rng_.set_state(static_cast<std::uint64_t>(state.integers[0]));
  }

 private:
  SplitMix64 rng_;
};

}  // namespace

std::vector<ParameterSpec> pcgrad_specs() { return {}; }

std::unique_ptr<Aggregator> make_pcgrad(const Parameters& params, std::uint64_t seed) {
  const OptionReader reader("pcgrad", params, pcgrad_specs());
  return std::make_unique<PcgradAggregator>(seed);
}

}  // namespace detail

}  // namespace hrgrad::aggregate
