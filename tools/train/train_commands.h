// The subcommands of nwave-train, the LibTorch half of the nwave command (train, eval, system): `nwave train` and
// `nwave eval` run it (tools/training_helper.h). It is built on the private training library (src/), which has no
// public API; the runtime commands in tools/ use the public one only.
#pragma once
#include <CLI/CLI.hpp>

namespace nwave::cli {

void add_train_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_system_command(CLI::App& app);

}  // namespace nwave::cli
