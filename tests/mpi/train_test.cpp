// A 30-step training on all ranks gives the same loss history as the same training in one
// process: samples come from streams keyed by regime and step, never by rank. With m = 4
// regimes the rank counts 1, 2 and 4 give blocks of regimes per rank, and 8 gives task groups
// of 2 ranks that split each regime's points. A run checkpointed halfway and resumed gives the
// history of the uninterrupted run, at the same rank count and at another one, evaluations
// during training (--eval-every) included, and those on the parameters' moving average
// (--ema-decay), which changes no loss.
#include <gtest/gtest.h>

#include <filesystem>

#include "hrgrad/comm/communicator.hpp"
#include "hrgrad/config/parse.hpp"
#include "hrgrad/core/log.hpp"
#include "hrgrad/train/checkpoint.hpp"
#include "hrgrad/train/trainer.hpp"
#include "mpi_test_env.hpp"
#include "small_training.hpp"

namespace {

using namespace hrgrad;

// The output and the checkpoints that a run leaves beside it.
void remove_run_files(const std::string& output) {
  for (const auto& path :
       {output, train::checkpoint_path(output), train::previous_checkpoint_path(output)})
    std::filesystem::remove(path);
}

void check_rank_count_invariance(const std::string& dtype, double tolerance,
                                 const std::string& exchange = "gather") {
  auto& world = test::world();
  log::set_quiet(true);
  const auto dir = std::filesystem::temp_directory_path();
  const auto parallel_out =
      (dir / ("hrgrad_train_mpi_" + std::to_string(world.size()) + ".h5")).string();
  const auto serial_out = (dir / ("hrgrad_train_serial_" + std::to_string(world.size()) + "_" +
                                  std::to_string(world.rank()) + ".h5"))
                              .string();

  constexpr int kSteps = 30;
  train::Trainer parallel(test::small_training(parallel_out, dtype, exchange, kSteps), world);
  parallel.run();
  comm::SerialCommunicator self;
  train::Trainer serial(test::small_training(serial_out, dtype, exchange, kSteps), self);
  serial.run();
  log::set_rank(world.rank(), world.size());

  const auto& a = parallel.history().rows();
  const auto& b = serial.history().rows();
  ASSERT_EQ(a.size(), static_cast<std::size_t>(kSteps));
  ASSERT_EQ(b.size(), static_cast<std::size_t>(kSteps));
  for (std::size_t s = 0; s < a.size(); ++s) {
    ASSERT_EQ(a[s].losses.size(), 4u);
    for (int t = 0; t < 4; ++t) {
      EXPECT_NEAR(a[s].losses[t], b[s].losses[t], tolerance * std::abs(b[s].losses[t]))
          << "step " << s << " regime " << t << " at " << world.size() << " ranks";
    }
  }
  // The loss moved: the comparison is not between two untouched initialisations.
  EXPECT_LT(a.back().losses[0], a.front().losses[0]);
  remove_run_files(serial_out);
  world.barrier();
  if (world.rank() == 0) remove_run_files(parallel_out);
}

TEST(TrainRankCount, SameLossHistoryFloat32) { check_rank_count_invariance("float32", 1e-5); }
TEST(TrainRankCount, SameLossHistoryFloat64) { check_rank_count_invariance("float64", 1e-10); }
// The sharded exchange sums the Gram matrix in slices, so only rounding may differ.
TEST(TrainRankCount, ShardedSameLossHistoryFloat32) {
  check_rank_count_invariance("float32", 1e-4, "sharded");
}
TEST(TrainRankCount, ShardedSameLossHistoryFloat64) {
  check_rank_count_invariance("float64", 1e-10, "sharded");
}

std::string temp_output(const std::string& name, int rank = -1) {
  auto& world = test::world();
  std::string file = "hrgrad_resume_" + name + "_np" + std::to_string(world.size());
  if (rank >= 0) file += "_r" + std::to_string(rank);
  return (std::filesystem::temp_directory_path() / (file + ".h5")).string();
}

std::vector<train::HistoryRow> train_rows(comm::Communicator& comm, const config::Options& o) {
  train::Trainer trainer(o, comm);
  trainer.run();
  return trainer.history().rows();
}

config::Options resume_run(const std::string& output, const std::string& dtype, int steps,
                           const std::string& resume = "") {
  auto o = test::small_training(output, dtype);
  // nash-mtl carries state across steps (a warm start, and a counter: with update_every 3 the
  // resumed step 20 reuses the weights of step 18), which the checkpoint must restore.
  o.aggregator = "nash-mtl";
  o.aggregator_params["nash-mtl"]["update_every"] = "3";
  o.train.steps = steps;
  o.train.lr_decay_every = 7;  // the schedule moves within each half
  o.checkpoint_every = 8;      // a periodic checkpoint before the final one
  o.resume = resume;
  config::validate(o);
  return o;
}

// tolerance 0 asks for equality.
void expect_same_losses(const std::vector<train::HistoryRow>& a,
                        const std::vector<train::HistoryRow>& b, double tolerance,
                        const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t s = 0; s < a.size(); ++s) {
    EXPECT_EQ(a[s].step, b[s].step) << what;
    ASSERT_EQ(a[s].losses.size(), b[s].losses.size()) << what;
    for (std::size_t t = 0; t < a[s].losses.size(); ++t) {
      if (tolerance == 0) {
        EXPECT_EQ(a[s].losses[t], b[s].losses[t]) << what << ": step " << s << " regime " << t;
      } else {
        EXPECT_NEAR(a[s].losses[t], b[s].losses[t], tolerance * std::abs(a[s].losses[t]))
            << what << ": step " << s << " regime " << t;
      }
    }
  }
}

// 20 steps, a resume from their checkpoint up to 40, against 40 straight steps, all on every rank.
void check_resume_same_ranks(const std::string& dtype, double tolerance) {
  auto& world = test::world();
  log::set_quiet(true);
  const auto straight = train_rows(world, resume_run(temp_output("straight"), dtype, 40));
  const auto half = temp_output("half");
  train_rows(world, resume_run(half, dtype, 20));
  const auto resumed = train_rows(
      world, resume_run(temp_output("resumed"), dtype, 40, train::checkpoint_path(half)));
  log::set_rank(world.rank(), world.size());
  expect_same_losses(straight, resumed, tolerance, dtype + " resume at the same rank count");
  EXPECT_LT(straight.back().losses[0], straight[20].losses[0]);  // the second half trained
  world.barrier();
  if (world.rank() == 0)
    for (const auto& name : {"straight", "half", "resumed"}) remove_run_files(temp_output(name));
}

// Nothing is recomputed differently after a resume, so equality holds in float32 too.
TEST(TrainResume, SameRanksFloat64Exactly) { check_resume_same_ranks("float64", 0); }
TEST(TrainResume, SameRanksFloat32Exactly) { check_resume_same_ranks("float32", 0); }

// A checkpoint written by every rank resumes on one, and one written by one rank resumes on
// every rank; only the summation order changes, as in TrainRankCount.
TEST(TrainResume, AcrossRankCounts) {
  auto& world = test::world();
  comm::SerialCommunicator self;
  log::set_quiet(true);
  const auto straight = train_rows(world, resume_run(temp_output("x_straight"), "float64", 40));

  const auto by_all = temp_output("x_by_all");
  train_rows(world, resume_run(by_all, "float64", 20));
  const auto on_one = train_rows(self, resume_run(temp_output("x_on_one", world.rank()), "float64",
                                                  40, train::checkpoint_path(by_all)));
  expect_same_losses(straight, on_one, 1e-10, "written by all ranks, resumed on one");

  const auto by_one = temp_output("x_by_one");
  if (world.rank() == 0) train_rows(self, resume_run(by_one, "float64", 20));
  world.barrier();
  const auto on_all = train_rows(
      world, resume_run(temp_output("x_on_all"), "float64", 40, train::checkpoint_path(by_one)));
  log::set_rank(world.rank(), world.size());
  expect_same_losses(straight, on_all, 1e-10, "written by one rank, resumed on all");
  remove_run_files(temp_output("x_on_one", world.rank()));
  world.barrier();
  if (world.rank() == 0)
    for (const auto& name : {"x_straight", "x_by_all", "x_by_one", "x_on_all"})
      remove_run_files(temp_output(name));
}

// The evaluations of an uninterrupted 40-step run (straight) and of one resumed at step 20, and
// the final evaluation of the straight run (rank 0). A helper, so that a failed ASSERT leaves it
// and not the test, whose closing barrier every rank must reach.
void expect_same_evaluations(const train::EvalHistory& straight, const train::EvalHistory& resumed,
                             const std::vector<physics::Evaluation>& final_evaluations) {
  ASSERT_EQ(straight.rows().size(), 4u);
  ASSERT_EQ(resumed.rows().size(), 4u);
  EXPECT_EQ(straight.fields(), std::vector<std::string>{"rho"});
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(straight.rows()[i].step, static_cast<std::int64_t>(10 * (i + 1)));
    EXPECT_EQ(resumed.rows()[i].step, straight.rows()[i].step);
    ASSERT_EQ(straight.rows()[i].relative_l2.size(), 2u);
    for (std::size_t k = 0; k < 2; ++k)
      EXPECT_EQ(resumed.rows()[i].relative_l2[k], straight.rows()[i].relative_l2[k])
          << "evaluation " << i << " eps " << k;
    if (i > 0) {
      EXPECT_GE(straight.rows()[i].wall_time, straight.rows()[i - 1].wall_time);
    }
  }
  ASSERT_EQ(final_evaluations.size(), 2u);
  EXPECT_EQ(straight.rows()[3].relative_l2[0], final_evaluations[0].fields[0].relative_l2);
  EXPECT_EQ(straight.rows()[3].relative_l2[1], final_evaluations[1].fields[0].relative_l2);
  EXPECT_NE(straight.rows()[0].relative_l2[1], straight.rows()[3].relative_l2[1]);
}

struct EvaluatedRun {
  std::vector<train::HistoryRow> rows;
  train::EvalHistory evaluations;                 // rank 0
  std::vector<physics::Evaluation> final_errors;  // rank 0
};

// Evaluated every 10 steps at ε = 1 and 1e-2, evaluations on the moving average with ema > 0.
EvaluatedRun evaluated_run(const std::string& name, int steps, const std::string& resume,
                           double ema) {
  auto o = resume_run(temp_output(name), "float64", steps, resume);
  o.eval_every = 10;
  o.eval_eps = {1.0, 1e-2};
  o.train.ema_decay = ema;
  train::Trainer trainer(o, test::world());
  const auto result = trainer.run();
  return {trainer.history().rows(), trainer.eval_history(), result.evaluations};
}

// A run resumed at step 20 has the evaluations of the uninterrupted run (the one at step 20
// included), and the last row is the final evaluation; with --ema-decay, because the checkpoint
// keeps the average.
void check_evaluations_survive_a_resume(double ema) {
  auto& world = test::world();
  log::set_quiet(true);
  const auto straight = evaluated_run("e_straight", 40, "", ema);
  evaluated_run("e_half", 20, "", ema);
  const auto resumed =
      evaluated_run("e_resumed", 40, train::checkpoint_path(temp_output("e_half")), ema);
  log::set_rank(world.rank(), world.size());
  if (world.rank() == 0)
    expect_same_evaluations(straight.evaluations, resumed.evaluations, straight.final_errors);
  world.barrier();
  if (world.rank() == 0)
    for (const auto& name : {"e_straight", "e_half", "e_resumed"})
      remove_run_files(temp_output(name));
}

TEST(TrainEvalEvery, EvaluationsSurviveAResume) { check_evaluations_survive_a_resume(0); }
TEST(TrainEma, AveragedEvaluationsSurviveAResume) { check_evaluations_survive_a_resume(0.9); }

// The average changes what is evaluated, not the training: the same losses at every step, other
// errors at every evaluation.
TEST(TrainEma, SameTrainingOtherEvaluations) {
  auto& world = test::world();
  log::set_quiet(true);
  const auto plain = evaluated_run("a_plain", 40, "", 0);
  const auto averaged = evaluated_run("a_averaged", 40, "", 0.9);
  log::set_rank(world.rank(), world.size());
  expect_same_losses(plain.rows, averaged.rows, 0, "with and without --ema-decay");
  if (world.rank() == 0) {
    ASSERT_EQ(averaged.evaluations.rows().size(), plain.evaluations.rows().size());
    for (std::size_t i = 0; i < plain.evaluations.rows().size(); ++i)
      for (std::size_t k = 0; k < 2; ++k)
        EXPECT_NE(averaged.evaluations.rows()[i].relative_l2[k],
                  plain.evaluations.rows()[i].relative_l2[k])
            << "evaluation " << i << " eps " << k;
  }
  world.barrier();
  if (world.rank() == 0)
    for (const auto& name : {"a_plain", "a_averaged"}) remove_run_files(temp_output(name));
}

}  // namespace
