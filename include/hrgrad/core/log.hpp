// Logging: informational lines go to stdout on rank 0 only; warnings and errors from any rank go
// to stderr prefixed with the rank. The communicator layer tells this unit which rank it is.
#pragma once

#include <sstream>
#include <string>

namespace hrgrad::log {

void set_rank(int rank, int size);
int rank();
// Silences info() (for tests and --quiet); warnings still print.
void set_quiet(bool quiet);

void info(const std::string& message);     // rank 0 only, stdout
void warning(const std::string& message);  // any rank, stderr, "[hrgrad rank r] warning: ..."
void error(const std::string& message);    // any rank, stderr, "[hrgrad rank r] error: ..."

// Joins its arguments with operator<< into one string.
template <typename... Args>
std::string format(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

}  // namespace hrgrad::log
