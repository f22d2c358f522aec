// Atomic file replacement: writers produce PATH.tmp and rename it over PATH only once it is complete, so a failed or
// interrupted write never leaves a truncated file where a user (or a later pipeline step) expects a good one.
// Two interfaces over one implementation: the helpers below for writers that manage the temporary file themselves
// (libsndfile's WavWriter, cairo), and AtomicFile for byte-stream writers (.nwv, .npy, safetensors, JSON).
#pragma once
#include <cstdio>
#include <string>

namespace nwave::util {

// The scratch name a writer uses before commit_temp_file(): PATH + ".tmp" (ignored by git, recognisable to users).
std::string temp_path_for(const std::string& path);

// Throws Error(kIo) with a one-line reason if `path` cannot be an output file: it is a directory, or its parent
// directory does not exist. Writers call it before doing any work, so the error comes first, not after encoding.
void check_output_path(const std::string& path);

// Where an output named `path` is really written. A temporary renamed over a device (/dev/null), a FIFO or a
// symbolic link would replace that node: `nwave encode x.wav /dev/stdout > f.nwv` once turned the machine's
// /dev/stdout symlink into a regular file. So outputs are never renamed over anything but a regular file:
// - a symlink whose final target is a regular file (or does not exist yet in an existing directory) is resolved,
//   and the temporary is renamed over that target: the link stays a link;
// - a device, FIFO, socket, or a link to one, is written in place (direct);
// - anything else (a regular file, a new name) is replaced atomically;
// - "-" is standard output, written in place.
// Includes check_output_path()'s checks.
struct OutputTarget {
  std::string path;     // the name the temporary file is renamed to (or, when direct, the one opened)
  bool direct = false;  // written in place
};
OutputTarget resolve_output(const std::string& path);

// Throws Error(kBadArgument) when output names the same file as input (also through links): writing it would
// destroy the input before it is read.
void refuse_same_file(const std::string& input, const std::string& output);

// Renames temp_path_for(path) to path. On failure removes the temporary file and throws Error(kIo).
void commit_temp_file(const std::string& path);

// Best-effort removal of temp_path_for(path), for error paths and destructors; never throws.
void discard_temp_file(const std::string& path) noexcept;

}  // namespace nwave::util

namespace nwave {

// An output file that appears at its path only when complete: bytes go to "<path>.tmp", commit() flushes, fsyncs
// and renames. Destroyed without commit() (an exception, Ctrl-C unwinding), it removes the temporary and leaves the
// old file alone. Devices, FIFOs and symlinks are handled as util::resolve_output() says.
class AtomicFile {
 public:
  explicit AtomicFile(const std::string& path);  // throws Error(kIo)
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t bytes);  // throws nwave::Error(kIo), e.g. on a full disk
  void commit();                               // throws nwave::Error(kIo); afterwards the file is at path
  const std::string& temp_path() const { return temp_path_; }

 private:
  std::string path_;    // as given, for messages
  std::string target_;  // util::resolve_output(path).path
  std::string temp_path_;
  std::FILE* file_ = nullptr;
  bool direct_ = false;  // writing straight to a device or FIFO
};

}  // namespace nwave
