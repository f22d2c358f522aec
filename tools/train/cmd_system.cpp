// `nwave-train system` (what `nwave info --system` shows after the runtime's line): LibTorch, BLAS, threads, CUDA.
#include <iostream>

#include "train_commands.h"
#include "util/system_info.h"

namespace nwave::cli {

void add_system_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("system", "Print LibTorch's version, the BLAS in use, threads and CUDA");
  cmd->callback([] { std::cout << system_report(); });
}

}  // namespace nwave::cli
