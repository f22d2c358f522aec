// Small file helpers shared by the nwave subcommands.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nwave/codec.h"

namespace nwave::cli {

// The whole file; throws Error(kIo) if it cannot be opened or read.
std::vector<uint8_t> read_file_bytes(const std::string& path);

// True when the file exists and starts with the .nwv magic "NWVQ" (detection by content, not by extension).
bool file_starts_with_nwv_magic(const std::string& path);
// True when the file exists and starts as a token file does (.npy or .npz: nwave/tokens.h), by content too.
bool file_starts_with_tokens_magic(const std::string& path);

// The model at `path`, or the default model (default_model_path()) when path is empty.
std::shared_ptr<const Model> load_cli_model(const std::string& path);

}  // namespace nwave::cli
