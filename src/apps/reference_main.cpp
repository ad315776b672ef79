// hrgrad-reference: runs a classical reference solver (linear transport or BGK) and writes x and
// rho (and m, E for BGK) at the requested times to HDF5, with the resolved settings as attributes.
#include <boost/program_options.hpp>
#include <cstdio>
#include <functional>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "hrgrad/core/error.hpp"
#include "hrgrad/core/log.hpp"
#include "hrgrad/core/number_list.hpp"
#include "hrgrad/io/hdf5_file.hpp"
#include "hrgrad/reference/bgk.hpp"
#include "hrgrad/reference/transport.hpp"

namespace po = boost::program_options;
namespace ref = hrgrad::reference;

namespace {

std::string num(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

ref::MacroState parse_state(const std::string& text, const std::string& option) {
  const std::vector<double> v = hrgrad::parse_number_list(text, option);
  hrgrad::require(v.size() == 3, option, "expected rho,u,T, got '" + text + "'");
  return {v[0], v[1], v[2]};
}

po::options_description describe() {
  const ref::TransportSettings t;
  const ref::BgkSettings b;
  po::options_description common("Options");
  common.add_options()("help", "print this help and exit")(
      "problem", po::value<std::string>()->default_value("transport"), "transport or bgk")(
      "eps", po::value<double>(),
      "Knudsen number eps (> 0); default 1e-3 for transport, 1 for bgk")(
      "t-final", po::value<double>()->default_value(t.t_final, "0.1"), "final time (> 0)")(
      "times", po::value<std::string>()->default_value(""),
      "extra output times in (0, t-final], comma-separated (t-final is always written)")(
      "out", po::value<std::string>()->default_value("reference.h5"), "output HDF5 file")(
      "cells", po::value<int>(),
      "cells (>= 2); default automatic from eps for transport, 400 for bgk")(
      "dt", po::value<double>()->default_value(0.0, "0"),
      "largest time step; 0 = automatic (transport: from eps; bgk: dx / v-max)")(
      "quiet", "print nothing but warnings and errors");
  po::options_description transport("Linear transport (--problem transport)");
  transport.add_options()("half-nodes", po::value<int>()->default_value(0, "0"),
                          "Gauss-Legendre nodes per half range (>= 2); 0 = automatic from eps")(
      "sigma-s", po::value<double>()->default_value(t.sigma_s, "1"), "scattering sigma_s (>= 0)")(
      "sigma-a", po::value<double>()->default_value(t.sigma_a, "0"), "absorption sigma_a (>= 0)")(
      "source", po::value<double>()->default_value(t.source, "0"), "source Q")(
      "inflow-left", po::value<double>()->default_value(t.inflow_left, "1"),
      "inflow f(t, 0, v > 0)")("inflow-right",
                               po::value<double>()->default_value(t.inflow_right, "0"),
                               "inflow f(t, 1, v < 0)")(
      "initial", po::value<double>()->default_value(t.initial, "0"), "initial f0");
  po::options_description bgk("BGK (--problem bgk)");
  bgk.add_options()(
      "profile", po::value<std::string>()->default_value(b.profile),
      "initial profile: sin (I), sin37 (II), tanh10 (III), tanh20 (IV), step (V), linear")(
      "velocities", po::value<int>()->default_value(b.velocities),
      "Gauss-Legendre velocities on [-v-max, v-max] (>= 2)")(
      "v-max", po::value<double>()->default_value(b.v_max, "10"), "velocity cut-off (> 0)")(
      "left", po::value<std::string>()->default_value("1.5,0,1.5"), "left state rho,u,T")(
      "right", po::value<std::string>()->default_value("0.625,0,0.75"), "right state rho,u,T");
  po::options_description all;
  all.add(common).add(transport).add(bgk);
  return all;
}

// Options of the other problem, given explicitly, are a mistake worth reporting.
void reject_foreign(const po::variables_map& vm, const std::vector<std::string>& names,
                    const std::string& problem) {
  for (const std::string& name : names) {
    hrgrad::require(vm[name].defaulted(), "--" + name, "does not apply to --problem " + problem);
  }
}

void write_solution(hrgrad::io::File& file, const ref::Solution& sol) {
  const std::size_t nt = sol.times.size(), nx = sol.x.size();
  auto flatten = [&](const std::vector<std::vector<double>>& rows) {
    std::vector<double> flat;
    flat.reserve(nt * nx);
    for (const auto& row : rows) flat.insert(flat.end(), row.begin(), row.end());
    return flat;
  };
  file.write("/x", sol.x);
  file.write("/t", sol.times);
  file.write("/rho", flatten(sol.rho), {nt, nx});
  if (!sol.m.empty()) {
    file.write("/m", flatten(sol.m), {nt, nx});
    file.write("/E", flatten(sol.E), {nt, nx});
  }
  for (const ref::Attribute& a : sol.attributes) {
    std::visit([&](const auto& v) { file.write_attribute("/", a.name, v); }, a.value);
  }
  std::string notes;
  for (const std::string& n : sol.notes) notes += (notes.empty() ? "" : "; ") + n;
  file.write_attribute("/", "notes", notes);
}

int run(int argc, char** argv) {
  const po::options_description options = describe();
  po::variables_map vm;
  try {
    // No short options, so that "--eps -1" reads -1 as a value, not as an option.
    const auto style = po::command_line_style::unix_style ^ po::command_line_style::allow_short;
    po::store(po::command_line_parser(argc, argv).options(options).style(style).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw hrgrad::InputError(e.what());
  }
  if (vm.count("help")) {
    std::cout << "Usage: hrgrad-reference --problem transport|bgk --eps 1e-3 --t-final 0.1 "
                 "--out ref.h5 [options]\n"
              << options;
    return 0;
  }
  hrgrad::log::set_quiet(vm.count("quiet") > 0);
  const std::string problem = vm["problem"].as<std::string>();
  const std::string out = vm["out"].as<std::string>();
  const std::vector<double> times = hrgrad::parse_number_list(vm["times"].as<std::string>(), "--times");
  hrgrad::require(!out.empty(), "--out", "must name a file");

  std::string key, summary;
  std::function<ref::Solution()> solve;
  if (problem == "transport") {
    reject_foreign(vm, {"profile", "velocities", "v-max", "left", "right"}, problem);
    ref::TransportSettings s;
    if (vm.count("eps")) s.eps = vm["eps"].as<double>();
    s.t_final = vm["t-final"].as<double>();
    s.times = times;
    if (vm.count("cells")) s.cells = vm["cells"].as<int>();
    hrgrad::require(!vm.count("cells") || s.cells >= 2, "--cells",
                    "must be >= 2, got " + std::to_string(s.cells));
    s.half_nodes = vm["half-nodes"].as<int>();
    s.dt = vm["dt"].as<double>();
    s.sigma_s = vm["sigma-s"].as<double>();
    s.sigma_a = vm["sigma-a"].as<double>();
    s.source = vm["source"].as<double>();
    s.inflow_left = vm["inflow-left"].as<double>();
    s.inflow_right = vm["inflow-right"].as<double>();
    s.initial = vm["initial"].as<double>();
    const ref::TransportSettings r = ref::resolve_transport(s);  // validates before any work
    summary = "transport eps=" + num(r.eps) + " N=" + std::to_string(r.cells) +
              " K=" + std::to_string(r.half_nodes);
    solve = [r] { return ref::solve_transport(r); };
  } else if (problem == "bgk") {
    reject_foreign(
        vm,
        {"half-nodes", "sigma-s", "sigma-a", "source", "inflow-left", "inflow-right", "initial"},
        problem);
    ref::BgkSettings s;
    if (vm.count("eps")) s.kn = vm["eps"].as<double>();
    s.t_final = vm["t-final"].as<double>();
    s.times = times;
    if (vm.count("cells")) s.cells = vm["cells"].as<int>();
    s.dt = vm["dt"].as<double>();
    s.profile = vm["profile"].as<std::string>();
    s.velocities = vm["velocities"].as<int>();
    s.v_max = vm["v-max"].as<double>();
    s.left = parse_state(vm["left"].as<std::string>(), "--left");
    s.right = parse_state(vm["right"].as<std::string>(), "--right");
    const ref::BgkSettings r = ref::resolve_bgk(s);  // validates before any work
    summary = "bgk kn=" + num(r.kn) + " profile=" + r.profile + " Nx=" + std::to_string(r.cells) +
              " Nv=" + std::to_string(r.velocities);
    solve = [s] { return ref::solve_bgk(s); };
  } else {
    throw hrgrad::InputError("--problem: must be transport or bgk, got '" + problem + "'");
  }

  // Open (create) the output before the solve, so an unwritable path fails at once.
  std::optional<hrgrad::io::File> file;
  try {
    file.emplace(out, hrgrad::io::File::Mode::kCreate);
  } catch (const hrgrad::IoError& e) {
    throw hrgrad::InputError(std::string("--out: ") + e.what());
  }
  try {
    const ref::Solution sol = solve();
    for (const std::string& note : sol.notes) hrgrad::log::warning(note);
    write_solution(*file, sol);
    file->flush();
    hrgrad::log::info(summary + ": " + std::to_string(sol.steps) + " steps in " + num(sol.seconds) +
                      " s -> " + out);
  } catch (...) {
    file.reset();
    std::remove(out.c_str());  // no half-written result
    throw;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const hrgrad::Error& e) {
    hrgrad::log::error(e.what());
    return e.exit_status();
  } catch (const std::exception& e) {
    hrgrad::log::error(e.what());
    return hrgrad::kExitFailure;
  }
}
