#include "cli_util.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "nwave/error.h"

namespace nwave::cli {

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(ErrorCode::kIo, "cannot open '" + path + "': " + std::strerror(errno));
  std::vector<uint8_t> bytes;
  uint8_t buffer[1 << 16];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, f)) > 0) bytes.insert(bytes.end(), buffer, buffer + got);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw Error(ErrorCode::kIo, "cannot read '" + path + "'");
  return bytes;
}

bool file_starts_with_nwv_magic(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  uint8_t magic[4];
  const size_t got = std::fread(magic, 1, sizeof magic, f);
  std::fclose(f);
  return LooksLikeNwv(magic, got);
}

std::shared_ptr<const Model> load_cli_model(const std::string& path) {
  return Model::LoadOrThrow(path.empty() ? default_model_path() : path);
}

}  // namespace nwave::cli
