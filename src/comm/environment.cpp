#include "hrgrad/comm/environment.hpp"

#include <mpi.h>

#include <cstdlib>
#include <exception>

#include "hrgrad/comm/mpi_communicator.hpp"
#include "hrgrad/core/error.hpp"
#include "hrgrad/core/log.hpp"

namespace hrgrad::comm {

bool Environment::launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE",
                           "MPI_LOCALNRANKS", "MV2_COMM_WORLD_SIZE"}) {
    if (std::getenv(name)) return true;
  }
  return false;
}

Environment::Environment(int& argc, char**& argv) {
  if (launched_by_mpi()) {
    int provided = 0;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
      throw CommError("MPI_Init_thread failed");
    }
    mpi_initialised_ = true;
    world_ = std::make_unique<MpiCommunicator>(MPI_COMM_WORLD);
  } else {
    world_ = std::make_unique<SerialCommunicator>();
  }
  log::set_rank(world_->rank(), world_->size());
}

Environment::~Environment() {
  world_.reset();  // frees the duplicated communicator before MPI_Finalize
  if (mpi_initialised_) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
  }
}

int guarded_main(Environment& env, const std::function<void()>& setup,
                 const std::function<int()>& work) {
  Communicator& world = env.world();
  std::string setup_error;
  int setup_status = kExitBadInput;
  try {
    setup();
  } catch (const Error& e) {
    setup_error = e.what();
    setup_status = e.exit_status();
  } catch (const std::exception& e) {
    setup_error = e.what();
    setup_status = kExitFailure;
  }
  // Agree on success; the lowest failing rank prints its message, so one line reaches the user.
  std::int64_t first_failing = setup_error.empty() ? -world.size() : -world.rank();
  world.allreduce_max(&first_failing, 1, DataType::kInt64);
  if (first_failing != -world.size()) {
    std::int64_t status = setup_error.empty() ? 0 : setup_status;
    world.allreduce_max(&status, 1, DataType::kInt64);
    if (-first_failing == world.rank()) log::error(setup_error);
    return static_cast<int>(status);
  }
  try {
    return work();
  } catch (const Error& e) {
    world.abort(e.what(), e.exit_status());
  } catch (const std::exception& e) {
    world.abort(e.what(), kExitFailure);
  }
  std::abort();  // not reached; GCC 13 does not carry [[noreturn]] through a virtual call
}

}  // namespace hrgrad::comm
