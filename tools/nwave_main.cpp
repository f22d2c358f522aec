// nwave: the NeuralWave-RVQ command-line tool. Exit codes: 0 success, 1 bad input or runtime failure (message on
// stderr starting "nwave: error:"), 2 usage error. Built on the public API (include/nwave/) and libnwave.so alone;
// train and eval are handed to nwave-train (training_helper.h).
#include <string>

#include "commands.h"
#include "nwave/codec.h"
#include "run_app.h"
#include "training_helper.h"

int main(int argc, char** argv) {
  if (nwave::cli::is_training_command(argc, argv)) return nwave::cli::exec_training_helper(argc, argv);
  CLI::App app{"NeuralWave-RVQ: a neural audio codec (16 kHz, 125 frames/s, 1.25-10 kbps)", "nwave"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("nwave ") + nwave::version_string());
  nwave::cli::add_encode_command(app);
  nwave::cli::add_decode_command(app);
  nwave::cli::add_tokens_command(app);
  nwave::cli::add_training_commands(app);
  nwave::cli::add_info_command(app);
  return nwave::cli::run_app(app, argc, argv);
}
