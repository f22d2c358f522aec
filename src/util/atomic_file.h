// Atomic file replacement: writers produce PATH.tmp and rename it over PATH only once it is complete, so a failed or
// interrupted write never leaves a truncated file where a user (or a later pipeline step) expects a good one.
#pragma once
#include <string>

namespace nwave::util {

// The scratch name a writer uses before commit_temp_file(): PATH + ".tmp" (ignored by git, recognisable to users).
std::string temp_path_for(const std::string& path);

// Renames temp_path_for(path) to path. On failure removes the temporary file and throws Error(kIo).
void commit_temp_file(const std::string& path);

// Best-effort removal of temp_path_for(path), for error paths and destructors; never throws.
void discard_temp_file(const std::string& path) noexcept;

}  // namespace nwave::util
