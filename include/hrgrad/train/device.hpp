// Where a rank computes: the CPU, or with --device cuda the GPU numbered by its node-local rank
// modulo the node's GPUs, so the ranks of a node spread over its GPUs.
#pragma once

#include <torch/torch.h>

#include <string>

#include "hrgrad/comm/communicator.hpp"

namespace hrgrad::train {

// Throws InputError when cuda is asked for and LibTorch sees no GPU.
torch::Device select_device(const std::string& name, const comm::Communicator& comm);

}  // namespace hrgrad::train
