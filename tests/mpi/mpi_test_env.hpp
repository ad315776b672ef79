// The world communicator of an MPI test binary (set up by mpi_main.cpp).
#pragma once

#include "hrgrad/comm/communicator.hpp"

namespace hrgrad::test {
comm::Communicator& world();
}  // namespace hrgrad::test
