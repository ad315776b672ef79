// The process-wide parallel environment (RAII): initialises MPI when the process was started by
// a launcher (mpirun, srun) and finalises it on exit; otherwise runs serially without MPI. Owns
// the framework's world communicator.
#pragma once

#include <functional>
#include <memory>

#include "hrgrad/comm/communicator.hpp"

namespace hrgrad::comm {

class Environment {
 public:
  Environment(int& argc, char**& argv);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  Communicator& world() { return *world_; }
  bool mpi_initialised() const { return mpi_initialised_; }

  // True when a launcher's environment variables say this process is one of an MPI job.
  static bool launched_by_mpi();

 private:
  bool mpi_initialised_ = false;
  std::unique_ptr<Communicator> world_;
};

// Runs an application in two phases. setup() parses and validates input: an InputError there
// on any rank ends every rank cleanly with the first failing rank's one-line message and exit
// status 2. work() runs the job: an exception on any rank prints its message and aborts the
// whole job (no rank is left waiting in a collective). Returns the process exit status.
int guarded_main(Environment& env, const std::function<void()>& setup,
                 const std::function<int()>& work);

}  // namespace hrgrad::comm
