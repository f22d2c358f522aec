// default_model_path(): where the shipped model is looked for (include/nwave/codec.h lists the order).
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
const char* source_models_dir();  // generated at configure time (cmake/build_paths.cpp.in)
}  // namespace detail

namespace {

constexpr const char* kModelFileName = "nwave-16k.safetensors";

std::filesystem::path executable_dir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
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
  candidates.push_back(std::filesystem::path(detail::source_models_dir()) / kModelFileName);
  std::string searched;
  std::vector<std::filesystem::path> seen;
  for (const auto& c : candidates) {
    const auto p = c.lexically_normal();
    if (is_file(p)) return p.string();
    if (std::find(seen.begin(), seen.end(), p) != seen.end()) continue;  // the build tree's models/ is the source's
    seen.push_back(p);
    searched += (searched.empty() ? "" : ", ") + p.string();
  }
  throw Error(ErrorCode::kBadModel, "no default model found (NWAVE_MODEL is not set; looked for " + searched +
                                        "); pass --model FILE");
}

}  // namespace nwave
