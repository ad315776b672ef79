// Runs the hrgrad-reference executable and reads its HDF5 output back.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "hrgrad/io/hdf5_file.hpp"
#include "hrgrad/reference/bgk.hpp"
#include "hrgrad/reference/transport.hpp"

namespace hrgrad::reference {
namespace {

int run_app(const std::string& args) {
  const std::string command = std::string(HRGRAD_REFERENCE_APP) + " --quiet " + args;
  return std::system(command.c_str());
}

TEST(ReferenceApp, WritesTransportAtEveryOutputTime) {
  const std::string out = "reference_app_transport.h5";
  ASSERT_EQ(run_app("--problem transport --eps 1e-3 --t-final 0.05 --times 0.01,0.02 "
                    "--cells 40 --half-nodes 4 --dt 1e-4 --sigma-a 0.5 --out " +
                    out),
            0);
  io::File file(out, io::File::Mode::kRead);
  std::vector<std::size_t> dims;
  const std::vector<double> rho = file.read_doubles("/rho", &dims);
  ASSERT_EQ(dims, (std::vector<std::size_t>{3, 40}));
  EXPECT_EQ(file.read_doubles("/t"), (std::vector<double>{0.01, 0.02, 0.05}));
  EXPECT_EQ(file.read_doubles("/x").size(), 40u);
  EXPECT_FALSE(file.exists("/m"));
  TransportSettings s;
  s.eps = 1e-3;
  s.t_final = 0.05;
  s.times = {0.01, 0.02};
  s.cells = 40;
  s.half_nodes = 4;
  s.dt = 1e-4;
  s.sigma_a = 0.5;
  const Solution sol = solve_transport(s);
  EXPECT_EQ(std::vector<double>(rho.begin() + 80, rho.end()), sol.final_rho());
  EXPECT_EQ(file.read_attribute_string("/", "key"), transport_key(s));
  EXPECT_EQ(file.read_attribute_double("/", "sigma_a"), 0.5);
  EXPECT_EQ(file.read_attribute_int64("/", "half_nodes"), 4);
  EXPECT_EQ(file.read_attribute_int64("/", "steps"), 500);
  std::remove(out.c_str());
}

TEST(ReferenceApp, WritesBgkMomentsAndReportsTheCflReduction) {
  const std::string out = "reference_app_bgk.h5";
  ASSERT_EQ(run_app("--problem bgk --eps 1e-2 --profile III --cells 50 --velocities 20 "
                    "--dt 0.01 --t-final 0.02 --out " +
                    out + " 2> reference_app_bgk.err"),
            0);
  io::File file(out, io::File::Mode::kRead);
  std::vector<std::size_t> dims;
  file.read_doubles("/E", &dims);
  EXPECT_EQ(dims, (std::vector<std::size_t>{1, 50}));
  EXPECT_EQ(file.read_doubles("/m").size(), 50u);
  EXPECT_EQ(file.read_attribute_string("/", "profile"), "tanh10");
  EXPECT_NE(file.read_attribute_string("/", "notes").find("CFL"), std::string::npos);
  EXPECT_LT(file.read_attribute_double("/", "dt"), 0.01);
  std::FILE* err = std::fopen("reference_app_bgk.err", "r");
  ASSERT_NE(err, nullptr);
  char line[512] = {};
  ASSERT_NE(std::fgets(line, sizeof line, err), nullptr);
  std::fclose(err);
  EXPECT_NE(std::string(line).find("CFL"), std::string::npos) << line;
  std::remove(out.c_str());
  std::remove("reference_app_bgk.err");
}

TEST(ReferenceApp, HelpListsEveryOption) {
  EXPECT_EQ(run_app("--help > reference_app_help.txt"), 0);
  std::FILE* f = std::fopen("reference_app_help.txt", "r");
  ASSERT_NE(f, nullptr);
  std::string text;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  std::remove("reference_app_help.txt");
  for (const char* option :
       {"--problem",      "--eps",        "--t-final", "--times",      "--out",    "--cells",
        "--dt",           "--half-nodes", "--sigma-s", "--sigma-a",    "--source", "--inflow-left",
        "--inflow-right", "--initial",    "--profile", "--velocities", "--v-max",  "--left",
        "--right",        "(=tanh20)",    "(=100)"}) {
    EXPECT_NE(text.find(option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace hrgrad::reference
