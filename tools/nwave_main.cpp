// nwave: the NeuralWave-RVQ command-line tool. Exit codes: 0 success, 1 bad input or runtime failure (message on
// stderr starting "nwave: error:"), 2 usage error.
#include "commands.h"
#include "nwave/error.h"

#include <cstdio>
#include <exception>

#include "util/error_line.h"

int main(int argc, char** argv) {
  CLI::App app{"NeuralWave-RVQ: a neural audio codec (16 kHz, 125 frames/s, 1.25-10 kbps)", "nwave"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "nwave 0.1.0");
  nwave::cli::add_encode_command(app);
  nwave::cli::add_decode_command(app);
  nwave::cli::add_tokens_command(app);
  nwave::cli::add_train_command(app);
  nwave::cli::add_info_command(app);
  nwave::cli::add_eval_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const nwave::Error& e) {
    std::fprintf(stderr, "nwave: error: %s\n", e.what());
    return 1;
  } catch (const c10::Error& e) {
    std::fprintf(stderr, "nwave: error: %s\n", nwave::torch_error_line(e).c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nwave: error: %s\n", nwave::first_line(e.what()).c_str());
    return 1;
  }
  return 0;
}
