#include "util/atomic_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "nwave/error.h"

namespace nwave::util {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int err) {
  throw Error(ErrorCode::kIo, "cannot " + what + " '" + path + "': " + std::strerror(err));
}

}  // namespace

bool is_special_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode));
}

std::string temp_path_for(const std::string& path) { return path + ".tmp"; }

void check_output_path(const std::string& path) {
  if (path.empty()) throw Error(ErrorCode::kIo, "cannot write '': empty output path");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) fail("write", path, EISDIR);
  if (path.back() == '/') fail("write", path, EISDIR);
}

void commit_temp_file(const std::string& path) {
  const std::string tmp = temp_path_for(path);
  // std::rename replaces an existing destination atomically on POSIX file systems.
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    discard_temp_file(path);
    fail("write", path, err);
  }
}

void discard_temp_file(const std::string& path) noexcept { std::remove(temp_path_for(path).c_str()); }

}  // namespace nwave::util

namespace nwave {

AtomicFile::AtomicFile(const std::string& path) : path_(path), temp_path_(util::temp_path_for(path)) {
  util::check_output_path(path_);
  direct_ = util::is_special_file(path_);
  file_ = std::fopen(direct_ ? path_.c_str() : temp_path_.c_str(), "wb");
  if (!file_) util::fail("write", path_, errno);
}

AtomicFile::~AtomicFile() {
  if (file_) {
    std::fclose(file_);
    if (!direct_) std::remove(temp_path_.c_str());
  }
}

void AtomicFile::write(const void* data, size_t bytes) {
  if (!file_) throw Error(ErrorCode::kIo, "cannot write '" + path_ + "': already committed");
  if (bytes > 0 && std::fwrite(data, 1, bytes, file_) != bytes) util::fail("write", path_, errno);
}

void AtomicFile::commit() {
  if (!file_) throw Error(ErrorCode::kIo, "cannot write '" + path_ + "': already committed");
  // fsync before rename: after a crash the path holds either the old file or the complete new one.
  if (std::fflush(file_) != 0) util::fail("write", path_, errno);
  if (!direct_ && fsync(fileno(file_)) != 0) util::fail("write", path_, errno);
  const int closed = std::fclose(file_);
  const int err = errno;
  file_ = nullptr;
  if (direct_) {
    if (closed != 0) util::fail("write", path_, err);
    return;
  }
  if (closed != 0) {
    std::remove(temp_path_.c_str());
    util::fail("write", path_, err);
  }
  util::commit_temp_file(path_);
}

}  // namespace nwave
