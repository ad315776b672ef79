#include <cmath>

#include "detail.hpp"
#include "hrgrad/core/error.hpp"
#include "hrgrad/core/log.hpp"
#include "hrgrad/exchange/exchange.hpp"

namespace hrgrad::exchange {
using detail::data_type;
using detail::scaled;

StepResult GatherExchange::step(const torch::Tensor& local_gradients,
                                const std::vector<double>& local_scalars) {
  const int m = topology_.tasks();
  const std::int64_t p = local_gradients.size(1);
  const bool root = comm_.rank() == 0;
  const auto type = data_type(local_gradients);
  const torch::Tensor local = detail::staged(local_gradients, data_);
  const auto row_tasks = topology_.row_tasks();
  const auto rows = static_cast<std::int64_t>(row_tasks.size());

  torch::Tensor all = root ? torch::empty({rows, p}, local.options()) : torch::Tensor();
  data_.gatherv(local.data_ptr(), root ? all.data_ptr() : nullptr, scaled(topology_.counts(), p),
                type, 0);
  StepResult result;
  std::vector<double> row_scalars(static_cast<std::size_t>(rows) * scalars_per_task_);
  comm_.gatherv(local_scalars.data(), row_scalars.data(),
                scaled(topology_.counts(), scalars_per_task_), comm::DataType::kFloat64, 0);
  result.scalars = detail::sum_by_task(std::move(row_scalars), row_tasks, m);

  // Rank 0 aggregates; the packet [skip, G, w, scalars] then goes to every rank.
  std::vector<double> packet(1 + m * m + m + result.scalars.size(), 0.0);
  torch::Tensor update = torch::zeros({p}, local.options());
  if (root) {
    const torch::Tensor jacobian = detail::sum_by_task(all, row_tasks, m);
    const torch::Tensor gram = detail::gram_in_double(jacobian).to(torch::kCPU).contiguous();
    Eigen::MatrixXd g =
        Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            gram.data_ptr<double>(), m, m);
    const auto aggregated = aggregator_.aggregate(g);
    for (const auto& note : aggregated.diagnostics.notes) log::info("aggregator: " + note);
    packet[0] = aggregated.skip ? 1.0 : 0.0;
    Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        packet.data() + 1, m, m) = g;
    if (!aggregated.skip) {
      Eigen::Map<Eigen::VectorXd>(packet.data() + 1 + m * m, m) = aggregated.weights;
      const torch::Tensor w = torch::from_blob(packet.data() + 1 + m * m, {m},
                                               torch::TensorOptions().dtype(torch::kFloat64));
      update = detail::combine_in_double(w, jacobian);
    }
    std::copy(result.scalars.begin(), result.scalars.end(), packet.begin() + 1 + m * m + m);
  }
  comm_.broadcast(packet.data(), packet.size(), comm::DataType::kFloat64, 0);
  data_.broadcast(update.data_ptr(), p, type, 0);
  result.update = update.to(local_gradients.device());

  // Payload bytes: the two gathers to rank 0, then the two broadcasts from it.
  const std::int64_t element = static_cast<std::int64_t>(comm::size_of(type));
  const std::int64_t others = comm_.size() - 1;
  const std::int64_t own_rows = topology_.task_count(comm_.rank());
  const std::int64_t gathered = (own_rows * p) * element + own_rows * scalars_per_task_ * 8;
  const std::int64_t broadcast = static_cast<std::int64_t>(packet.size()) * 8 + p * element;
  if (root) {
    result.bytes_received = (rows - own_rows) * (p * element + scalars_per_task_ * 8);
    result.bytes_sent = others * broadcast;
  } else {
    result.bytes_sent = gathered;
    result.bytes_received = broadcast;
  }

  result.skipped = packet[0] != 0.0;
  result.gram = Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      packet.data() + 1, m, m);
  result.weights = Eigen::Map<Eigen::VectorXd>(packet.data() + 1 + m * m, m);
  result.scalars.assign(packet.begin() + 1 + m * m + m, packet.end());
  if (!result.skipped) result.diagnostics = aggregate::diagnose(result.gram, result.weights);
  return result;
}

std::unique_ptr<Exchange> make_exchange(const std::string& name, comm::Communicator& comm,
                                        const comm::Topology& topology,
                                        aggregate::Aggregator& aggregator, int scalars_per_task,
                                        comm::Communicator* data) {
  if (name == "gather") {
    return std::make_unique<GatherExchange>(comm, topology, aggregator, scalars_per_task, data);
  }
  if (name == "sharded") {
    return std::make_unique<ShardedExchange>(comm, topology, aggregator, scalars_per_task, data);
  }
  throw InputError("--exchange: unknown exchange '" + name + "' (choose from gather, sharded)");
}

}  // namespace hrgrad::exchange
