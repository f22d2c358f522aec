#include "util/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "nwave/error.h"

namespace nwave::util {

std::string temp_path_for(const std::string& path) { return path + ".tmp"; }

void commit_temp_file(const std::string& path) {
  const std::string tmp = temp_path_for(path);
  // std::rename replaces an existing destination atomically on POSIX file systems.
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    discard_temp_file(path);
    throw Error(ErrorCode::kIo, "cannot write '" + path + "': " + reason);
  }
}

void discard_temp_file(const std::string& path) noexcept { std::remove(temp_path_for(path).c_str()); }

}  // namespace nwave::util
