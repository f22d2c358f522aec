#include "util/atomic_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "nwave/error.h"

namespace nwave::util {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int err) {
  throw Error(ErrorCode::kIo, "cannot " + what + " '" + path + "': " + std::strerror(err));
}

}  // namespace

OutputTarget resolve_output(const std::string& path) {
  if (path == "-") return {"/dev/stdout", true};
  check_output_path(path);
  struct stat link {};
  if (::lstat(path.c_str(), &link) != 0) return {path, false};  // a new file
  if (S_ISREG(link.st_mode)) return {path, false};
  if (!S_ISLNK(link.st_mode)) return {path, true};  // a device, FIFO or socket
  struct stat target {};
  if (::stat(path.c_str(), &target) == 0 && !S_ISREG(target.st_mode)) {
    if (S_ISDIR(target.st_mode)) fail("write", path, EISDIR);
    return {path, true};  // a link to a device or FIFO (/dev/stdout on a terminal or a pipe)
  }
  // A link to a regular file, or a dangling one: rename over its final target, so the link itself survives.
  std::error_code ec;
  const auto resolved = std::filesystem::weakly_canonical(path, ec);
  if (ec || resolved.empty()) return {path, true};
  struct stat parent {};
  if (::stat(resolved.parent_path().c_str(), &parent) != 0 || !S_ISDIR(parent.st_mode)) return {path, true};
  return {resolved.string(), false};
}

void refuse_same_file(const std::string& input, const std::string& output) {
  if (input == "-" || output == "-") return;  // a pipe or terminal is never the other end's file
  struct stat in {}, out {};
  if (::stat(input.c_str(), &in) != 0 || ::stat(output.c_str(), &out) != 0) return;
  if (in.st_dev == out.st_dev && in.st_ino == out.st_ino)
    throw Error(ErrorCode::kBadArgument, "output '" + output + "' is the input file; choose another output name");
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

AtomicFile::AtomicFile(const std::string& path) : path_(path) {
  const util::OutputTarget target = util::resolve_output(path_);
  target_ = target.path;
  direct_ = target.direct;
  temp_path_ = util::temp_path_for(target_);
  file_ = std::fopen(direct_ ? target_.c_str() : temp_path_.c_str(), "wb");
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
  util::commit_temp_file(target_);
}

}  // namespace nwave
