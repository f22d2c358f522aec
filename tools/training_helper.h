// `nwave train`, `nwave eval` and the LibTorch part of `nwave info --system` run in a separate program, nwave-train
// (tools/train/), so that the nwave command itself never loads LibTorch: encode and decode start in milliseconds.
#pragma once
#include <CLI/CLI.hpp>

namespace nwave::cli {

// True when argv asks for a command the helper runs (train, eval).
bool is_training_command(int argc, char** argv);

// Replaces this process with nwave-train and the same arguments; returns only on failure (a message on stderr,
// exit code 1 to return).
int exec_training_helper(int argc, char** argv);

// Runs `nwave-train <args>` and waits; returns its exit code, or -1 (with nothing printed) when it is not installed.
int run_training_helper(const std::vector<std::string>& args);

// Lists train and eval in `nwave --help` (they never run here: main() hands them over before parsing).
void add_training_commands(CLI::App& app);

}  // namespace nwave::cli
