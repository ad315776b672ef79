// A graceful stop on SIGTERM and SIGUSR1, the signals Slurm and mpirun send before a time limit:
// while a StopSignals object lives, those signals only set a flag (async-signal-safe), which the
// training loop reads at step boundaries; the previous handlers come back when it is destroyed.
#pragma once

namespace hrgrad {

class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // The number of the last stop signal received since construction, 0 if none.
  static int received();
};

// "SIGTERM", "SIGUSR1", or "signal <n>".
const char* signal_name(int signal);

}  // namespace hrgrad
