// hrgrad-train: parses the options, then trains and evaluates (train::Trainer); exits with status
// 3 when a stop signal ended training early after a checkpoint.
#include <iostream>
#include <memory>
#include <optional>

#include "hrgrad/comm/environment.hpp"
#include "hrgrad/config/parse.hpp"
#include "hrgrad/core/error.hpp"
#include "hrgrad/core/log.hpp"
#include "hrgrad/train/trainer.hpp"

int main(int argc, char** argv) {
  hrgrad::comm::Environment env(argc, argv);
  std::optional<hrgrad::config::Options> options;
  std::unique_ptr<hrgrad::train::Trainer> trainer;
  bool help = false;
  return hrgrad::comm::guarded_main(
      env,
      [&] {
        options = hrgrad::config::parse(argc, argv);
        if (!options) {
          help = true;
          return;
        }
        hrgrad::log::set_quiet(options->quiet);
        trainer = std::make_unique<hrgrad::train::Trainer>(*options, env.world());
      },
      [&] {
        if (help) {
          if (env.world().rank() == 0) std::cout << hrgrad::config::help_text();
          return 0;
        }
        const auto result = trainer->run();
        if (result.stop_signal != 0) return hrgrad::kExitStopped;
        if (env.world().rank() == 0) {
          hrgrad::log::info(
              hrgrad::train::format_evaluation_table(result.evaluations, options->t_final));
          hrgrad::log::info("wrote " + options->output);
        }
        return 0;
      });
}
