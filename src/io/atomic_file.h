// An output file that appears at its path only when complete: bytes go to "<path>.tmp", commit() flushes and renames.
// Destroyed without commit() (an exception, Ctrl-C unwinding), it removes the temporary and leaves the old file alone.
#pragma once
#include <cstdio>
#include <string>

namespace nwave {

class AtomicFile {
 public:
  explicit AtomicFile(const std::string& path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t bytes);  // throws nwave::Error(kIo), e.g. on a full disk
  void commit();
  const std::string& temp_path() const { return temp_path_; }

 private:
  std::string path_, temp_path_;
  std::FILE* file_ = nullptr;
};

}  // namespace nwave
