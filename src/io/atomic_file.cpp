#include "io/atomic_file.h"

#include "nwave/error.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace nwave {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw Error(ErrorCode::kIo, "cannot " + what + " '" + path + "': " + std::strerror(errno));
}

}  // namespace

AtomicFile::AtomicFile(const std::string& path) : path_(path), temp_path_(path + ".tmp") {
  file_ = std::fopen(temp_path_.c_str(), "wb");
  if (!file_) fail("write", path_);
}

AtomicFile::~AtomicFile() {
  if (file_) {
    std::fclose(file_);
    std::remove(temp_path_.c_str());
  }
}

void AtomicFile::write(const void* data, size_t bytes) {
  if (bytes > 0 && std::fwrite(data, 1, bytes, file_) != bytes) fail("write", path_);
}

void AtomicFile::commit() {
  // fsync before rename: after a crash the path holds either the old file or the complete new one.
  if (std::fflush(file_) != 0 || fsync(fileno(file_)) != 0) fail("write", path_);
  const int closed = std::fclose(file_);
  file_ = nullptr;
  if (closed != 0) {
    std::remove(temp_path_.c_str());
    fail("write", path_);
  }
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    std::remove(temp_path_.c_str());
    fail("rename a temporary file to", path_);
  }
}

}  // namespace nwave
