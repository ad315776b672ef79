// Error types of hrgrad. Every message names its culprit (the option, the file, the rank) so a
// user can act on one line; each type maps to a process exit status.
#pragma once

#include <stdexcept>
#include <string>

namespace hrgrad {

// Exit statuses: 2 for bad input found before any work starts, 1 for a failure during work,
// 3 for a run stopped early by a signal after writing a checkpoint it can resume from.
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitStopped = 3;

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  virtual int exit_status() const { return kExitFailure; }
};

// A bad option value, a malformed config file, an unknown name: found before work starts.
class InputError : public Error {
 public:
  using Error::Error;
  int exit_status() const override { return kExitBadInput; }
};

// A failure of the file layer (HDF5), naming the file and the object.
class IoError : public Error {
 public:
  using Error::Error;
};

// A failure reported by MPI or by another rank.
class CommError : public Error {
 public:
  using Error::Error;
};

// Throws InputError("<option>: <what>") unless ok.
void require(bool ok, const std::string& option, const std::string& what);

}  // namespace hrgrad
