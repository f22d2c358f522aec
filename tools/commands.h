// The runtime subcommands of the `nwave` tool; each file tools/cmd_*.cpp registers one on the CLI11 app.
#pragma once
#include <CLI/CLI.hpp>

namespace nwave::cli {

void add_info_command(CLI::App& app);
void add_encode_command(CLI::App& app);
void add_decode_command(CLI::App& app);
void add_tokens_command(CLI::App& app);

}  // namespace nwave::cli
