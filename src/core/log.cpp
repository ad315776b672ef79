#include "hrgrad/core/log.hpp"

#include <cstdio>
#include <iostream>

namespace hrgrad::log {
namespace {
int g_rank = 0;
int g_size = 1;
bool g_quiet = false;

std::string prefix() {
  return g_size > 1 ? "[hrgrad rank " + std::to_string(g_rank) + "] " : "[hrgrad] ";
}
}  // namespace

void set_rank(int rank, int size) {
  g_rank = rank;
  g_size = size;
}
int rank() { return g_rank; }
void set_quiet(bool quiet) { g_quiet = quiet; }

void info(const std::string& message) {
  if (g_rank != 0 || g_quiet) return;
  std::cout << message << std::endl;
}

void warning(const std::string& message) {
  std::cerr << prefix() << "warning: " << message << std::endl;
}

void error(const std::string& message) {
  std::cerr << prefix() << "error: " << message << std::endl;
}

}  // namespace hrgrad::log
