// nwave-train: the LibTorch half of the nwave command. Users run `nwave train` and `nwave eval`, which replace
// themselves with this program, so the runtime commands never load LibTorch. Same exit codes as nwave.
#include <string>

#include "nwave/codec.h"
#include "run_app.h"
#include "train_commands.h"

int main(int argc, char** argv) {
  CLI::App app{"NeuralWave-RVQ training and evaluation (run as `nwave train` / `nwave eval`)", "nwave"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("nwave ") + nwave::version_string());
  nwave::cli::add_train_command(app);
  nwave::cli::add_eval_command(app);
  nwave::cli::add_system_command(app);
  return nwave::cli::run_app(app, argc, argv);
}
