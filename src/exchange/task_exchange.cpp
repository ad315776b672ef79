#include "hrgrad/core/error.hpp"
#include "hrgrad/core/log.hpp"
#include "hrgrad/exchange/exchange.hpp"

namespace hrgrad::exchange {

TaskExchange::TaskExchange(comm::Communicator& comm, const comm::Topology& topology,
                           aggregate::Aggregator& aggregator, int scalars_per_task,
                           comm::Communicator* data)
    : comm_(comm),
      data_(data ? *data : comm),
      topology_(topology),
      aggregator_(aggregator),
      scalars_per_task_(scalars_per_task) {
  if (topology_.ranks() != comm_.size()) {
    throw Error(log::format("exchange: topology for ", topology_.ranks(),
                            " ranks on a communicator of ", comm_.size()));
  }
  if (data_.size() != comm_.size() || data_.rank() != comm_.rank()) {
    throw Error("exchange: the data communicator does not match the host communicator");
  }
}

}  // namespace hrgrad::exchange
