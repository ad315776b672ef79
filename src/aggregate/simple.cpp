// Linear scalarisation: the sum and the mean of the task gradients.
#include "factories.hpp"
#include "hrgrad/aggregate/methods.hpp"
#include "linalg.hpp"

namespace hrgrad::aggregate {

namespace {

Result constant_weights(const Eigen::MatrixXd& gram, double value) {
  Result result;
  if (!detail::prepare(gram, result)) return result;
  result.weights = Eigen::VectorXd::Constant(gram.rows(), value);
  result.diagnostics = diagnose(gram, result.weights);
  return result;
}

}  // namespace

Result sum_aggregate(const Eigen::MatrixXd& gram) { return constant_weights(gram, 1.0); }

Result mean_aggregate(const Eigen::MatrixXd& gram) {
  return constant_weights(gram, gram.rows() > 0 ? 1.0 / static_cast<double>(gram.rows()) : 0.0);
}

namespace detail {

namespace {

class FunctionAggregator final : public Aggregator {
 public:
  using Function = Result (*)(const Eigen::MatrixXd&);
  FunctionAggregator(std::string name, Function function)
      : name_(std::move(name)), function_(function) {}
  std::string name() const override { return name_; }
  Result aggregate(const Eigen::MatrixXd& gram) override { return function_(gram); }

 private:
  std::string name_;
  Function function_;
};

}  // namespace

std::vector<ParameterSpec> sum_specs() { return {}; }
std::vector<ParameterSpec> mean_specs() { return {}; }

std::unique_ptr<Aggregator> make_sum(const Parameters& params, std::uint64_t) {
  const OptionReader reader("sum", params, sum_specs());
  return std::make_unique<FunctionAggregator>("sum", &sum_aggregate);
}

std::unique_ptr<Aggregator> make_mean(const Parameters& params, std::uint64_t) {
  const OptionReader reader("mean", params, mean_specs());
  return std::make_unique<FunctionAggregator>("mean", &mean_aggregate);
}

}  // namespace detail

}  // namespace hrgrad::aggregate
