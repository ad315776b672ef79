#include "hrgrad/core/stop_signal.hpp"

#include <csignal>
#include <cstdio>

namespace hrgrad {
namespace {

volatile std::sig_atomic_t received_signal = 0;
constexpr int kSignals[] = {SIGTERM, SIGUSR1};
struct sigaction previous[2];

extern "C" void record_signal(int signal) { received_signal = signal; }

}  // namespace

StopSignals::StopSignals() {
  received_signal = 0;
  struct sigaction action {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int i = 0; i < 2; ++i) sigaction(kSignals[i], &action, &previous[i]);
}

StopSignals::~StopSignals() {
  for (int i = 0; i < 2; ++i) sigaction(kSignals[i], &previous[i], nullptr);
}

int StopSignals::received() { return received_signal; }

const char* signal_name(int signal) {
  if (signal == SIGTERM) return "SIGTERM";
  if (signal == SIGUSR1) return "SIGUSR1";
  static char text[32];
  std::snprintf(text, sizeof text, "signal %d", signal);
  return text;
}

}  // namespace hrgrad
