// default_model_path(): where the shipped model is looked for (include/nwave/codec.h lists the order).
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "nwave/codec.h"
#include "nwave/error.h"

namespace nwave {

namespace detail {
// Generated at configure time (cmake/build_paths.cpp.in).
const char* source_models_dir();
const char* installed_models_dir();
}  // namespace detail

namespace {

constexpr const char* kModelFileName = "nwave-16k.safetensors";

std::filesystem::path executable_dir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}

// The directory of the object holding this code: libnwave.so's when linked dynamically, the program's when static.
std::filesystem::path library_dir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&default_model_path), &info) == 0 || info.dli_fname == nullptr) return {};
  std::error_code ec;
  const auto path = std::filesystem::canonical(info.dli_fname, ec);
  return ec ? std::filesystem::path() : path.parent_path();
}

bool is_file(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec);
}

}  // namespace

std::string default_model_path() {
  if (const char* env = std::getenv("NWAVE_MODEL"); env != nullptr && *env != '\0') {
    if (!is_file(env)) throw Error(ErrorCode::kBadModel, std::string("NWAVE_MODEL names '") + env + "', which is not a file");
    return env;
  }
  std::vector<std::filesystem::path> candidates;
  const auto exe_dir = executable_dir();
  if (!exe_dir.empty()) {
    candidates.push_back(exe_dir / ".." / "models" / kModelFileName);
    candidates.push_back(exe_dir / ".." / "share" / "nwave" / "models" / kModelFileName);
  }
  if (const auto lib_dir = library_dir(); !lib_dir.empty())
    candidates.push_back(lib_dir / ".." / "share" / "nwave" / "models" / kModelFileName);
  candidates.push_back(std::filesystem::path(detail::installed_models_dir()) / kModelFileName);
  candidates.push_back(std::filesystem::path(detail::source_models_dir()) / kModelFileName);
  std::string searched;
  std::vector<std::filesystem::path> seen;
  for (const auto& c : candidates) {
    const auto p = c.lexically_normal();
    if (is_file(p)) return p.string();
    if (std::find(seen.begin(), seen.end(), p) != seen.end()) continue;  // e.g. the build tree's models/ is the source's
    seen.push_back(p);
    searched += (searched.empty() ? "" : ", ") + p.string();
  }
  throw Error(ErrorCode::kBadModel, "no default model found (NWAVE_MODEL is not set; looked for " + searched +
                                        "); pass --model FILE");
}

}  // namespace nwave
