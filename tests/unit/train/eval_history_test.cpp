// EvalHistory (--eval-every): rows keep every field's error at every test ε, NaN where a field
// has no reference; they survive an HDF5 round trip; the summary line names them.
#include "hrgrad/train/eval_history.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "hrgrad/core/error.hpp"

namespace {

using namespace hrgrad;

physics::Evaluation evaluation(double eps, double rho_error, double e_error, bool e_reference) {
  physics::Evaluation e;
  e.eps = eps;
  physics::Field rho{"rho", {1.0}, {1.0}, rho_error};
  physics::Field energy{"E", {1.0}, {}, -1};
  if (e_reference) energy = {"E", {1.0}, {2.0}, e_error};
  e.fields = {rho, energy};
  return e;
}

TEST(EvalHistory, RowsAreEpsMajorWithNanWithoutReference) {
  train::EvalHistory history({1.0, 1e-3});
  history.add(100, 2.5, {evaluation(1.0, 0.5, 0.25, true), evaluation(1e-3, 0.125, 0, false)});
  ASSERT_EQ(history.rows().size(), 1u);
  EXPECT_EQ(history.fields(), (std::vector<std::string>{"rho", "E"}));
  const auto& row = history.rows()[0];
  EXPECT_EQ(row.step, 100);
  EXPECT_EQ(row.wall_time, 2.5);
  ASSERT_EQ(row.relative_l2.size(), 4u);
  EXPECT_EQ(row.relative_l2[0], 0.5);
  EXPECT_EQ(row.relative_l2[1], 0.25);
  EXPECT_EQ(row.relative_l2[2], 0.125);
  EXPECT_TRUE(std::isnan(row.relative_l2[3]));
  EXPECT_EQ(history.summary(row),
            "eval at step 100 (2 s): rho 5.00e-01 1.25e-01; E 2.50e-01 nan at eps 1 0.001");
}

TEST(EvalHistory, RefusesEvaluationsThatDoNotFitTheTestEps) {
  train::EvalHistory history({1.0, 1e-3});
  EXPECT_THROW(history.add(1, 0, {evaluation(1.0, 0.5, 0.25, true)}), Error);
}

TEST(EvalHistory, SurvivesAnHdf5RoundTrip) {
  const auto path = (std::filesystem::temp_directory_path() / "hrgrad_eval_history_test.h5");
  train::EvalHistory history({1.0, 1e-3});
  history.add(10, 1.0, {evaluation(1.0, 0.5, 0.25, true), evaluation(1e-3, 0.125, 0, false)});
  history.add(20, 2.0, {evaluation(1.0, 0.4, 0.2, true), evaluation(1e-3, 0.1, 0.05, true)});
  {
    io::File file(path.string(), io::File::Mode::kCreate);
    history.write(file, "/evals");
  }
  train::EvalHistory back;
  back.read(io::File(path.string(), io::File::Mode::kRead), "/evals");
  std::filesystem::remove(path);
  EXPECT_EQ(back.eps(), history.eps());
  EXPECT_EQ(back.fields(), history.fields());
  ASSERT_EQ(back.rows().size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(back.rows()[i].step, history.rows()[i].step);
    EXPECT_EQ(back.rows()[i].wall_time, history.rows()[i].wall_time);
    for (std::size_t k = 0; k < 4; ++k) {
      const double a = back.rows()[i].relative_l2[k], b = history.rows()[i].relative_l2[k];
      EXPECT_TRUE(a == b || (std::isnan(a) && std::isnan(b))) << "row " << i << " value " << k;
    }
  }
}

}  // namespace
