// The common frame of the nwave command and its nwave-train helper: parse, run, and turn failures into exit codes
// (0 success, 1 bad input or runtime failure with a one-line "nwave: error: ..." on stderr, 2 usage error).
#pragma once
#include <CLI/CLI.hpp>

namespace nwave::cli {

int run_app(CLI::App& app, int argc, char** argv);

}  // namespace nwave::cli
