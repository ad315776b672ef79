// Writes what the PyTorch twin (tests/bench/pytorch_twin.py, mode 1) needs to recompute one
// training step of the default linear-transport problem on hrgrad's own weights and points:
// the initial parameters (named as in the module tree), the velocity nodes and weights, every
// regime's collocation points at one step, and hrgrad's results on them (each regime's loss,
// loss components and flat parameter gradient, and the HRGrad weights of the four gradients).
// tests/regression/twin_compare.sh runs it and the twin and compares the two.
//   usage: twin_dump OUT.h5 [step] [float32|float64]
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "hrgrad/aggregate/aggregator.hpp"
#include "hrgrad/io/hdf5_file.hpp"
#include "hrgrad/physics/collocation.hpp"
#include "hrgrad/physics/transport.hpp"

namespace {

using namespace hrgrad;

std::vector<std::size_t> shape_of(const torch::Tensor& t) {
  std::vector<std::size_t> dims;
  for (auto d : t.sizes()) dims.push_back(static_cast<std::size_t>(d));
  return dims;
}

void write_tensor(io::File& file, const std::string& name, const torch::Tensor& t) {
  file.write(name, physics::to_doubles(t), shape_of(t));
}

int usage(const char* why) {
  std::fprintf(stderr, "twin_dump: %s\nusage: twin_dump OUT.h5 [step] [float32|float64]\n", why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) return usage("expected 1 to 3 arguments");
  const std::string out = argv[1];
  char* end = nullptr;
  const long step = argc > 2 ? std::strtol(argv[2], &end, 10) : 0;
  if (argc > 2 && (*end != '\0' || step < 0)) return usage("step must be a non-negative integer");
  const std::string dtype = argc > 3 ? argv[3] : "float32";
  if (dtype != "float32" && dtype != "float64") return usage("dtype must be float32 or float64");
  torch::set_num_threads(1);

  // default.ini's networks, points and losses, without its ε margin and uncollided split (the
  // twin has no split; it adds a closed-form term and no network work).
  physics::TransportSettings s;
  s.dtype = dtype == "float64" ? torch::kFloat64 : torch::kFloat32;
  physics::TransportProblem problem(s);
  const auto regimes = physics::log_uniform_regimes(s.eps_min, s.eps_max, 4);

  io::File file(out, io::File::Mode::kCreate);
  file.create_group("/params");
  std::vector<std::string> names;
  for (const auto& item : problem.model()->named_parameters()) {
    write_tensor(file, "/params/" + item.key(), item.value());
    names.push_back(item.key());
  }
  std::string joined;
  for (const auto& n : names) joined += (joined.empty() ? "" : ",") + n;
  file.write_attribute("/params", "order", joined);
  write_tensor(file, "/nodes", problem.nodes());
  write_tensor(file, "/weights", problem.weights());
  file.write_attribute("/", "step", static_cast<std::int64_t>(step));
  file.write_attribute("/", "dtype", dtype);
  file.write_attribute("/", "eps_min", s.eps_min);
  file.write_attribute("/", "eps_max", s.eps_max);
  file.write_attribute("/", "t_final", s.t_final);
  file.write_attribute("/", "width", static_cast<std::int64_t>(s.width));
  file.write_attribute("/", "depth", static_cast<std::int64_t>(s.depth));
  file.write_attribute("/", "harmonics", static_cast<std::int64_t>(s.harmonics));
  file.write_attribute("/", "hidden_size", static_cast<std::int64_t>(s.hidden_size));
  file.write_attribute("/", "regimes", static_cast<std::int64_t>(regimes.size()));

  const auto params = problem.parameters();
  std::vector<torch::Tensor> rows;
  for (const auto& regime : regimes) {
    const std::string group = "/regime_" + std::to_string(regime.index);
    file.create_group(group);
    const auto p = problem.sample(regime, step);
    write_tensor(file, group + "/t_in", p.t_in);
    write_tensor(file, group + "/x_in", p.x_in);
    write_tensor(file, group + "/eps_in", p.eps_in);
    write_tensor(file, group + "/t_bd", p.t_bd);
    write_tensor(file, group + "/eps_bd", p.eps_bd);
    write_tensor(file, group + "/x_ic", p.x_ic);
    write_tensor(file, group + "/eps_ic", p.eps_ic);
    const auto loss = problem.loss_at(p);
    write_tensor(file, group + "/loss", loss.total.reshape({1}));
    write_tensor(file, group + "/components", torch::stack(loss.components));
    auto grads = torch::autograd::grad({loss.total}, params);
    std::vector<torch::Tensor> flat;
    for (const auto& g : grads) flat.push_back(g.reshape({-1}));
    rows.push_back(torch::cat(flat));
    write_tensor(file, group + "/gradient", rows.back());
  }
  // The HRGrad weights of this step's gradients, from the Gram matrix in double as the exchange
  // forms it.
  const torch::Tensor j = torch::stack(rows).to(torch::kFloat64);
  const torch::Tensor gram = torch::mm(j, j.t()).contiguous();
  const auto m = gram.size(0);
  const Eigen::MatrixXd g =
      Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          gram.data_ptr<double>(), m, m);
  auto aggregator = aggregate::make_aggregator("hrgrad", {}, 0);
  const auto result = aggregator->aggregate(g);
  file.write("/hrgrad_weights",
             std::vector<double>(result.weights.data(), result.weights.data() + m));
  std::printf("twin_dump: wrote %s (step %ld, %s, %lld parameters)\n", out.c_str(), step,
              dtype.c_str(), static_cast<long long>(j.size(1)));
  return 0;
}
