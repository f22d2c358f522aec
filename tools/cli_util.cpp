#include "cli_util.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "nwave/error.h"
#include "nwave/tokens.h"

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

namespace {

// Up to the first 4 bytes of the file (none if it cannot be read): enough for every magic number checked here.
std::vector<uint8_t> file_magic(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return {};
  std::vector<uint8_t> magic(4);
  magic.resize(std::fread(magic.data(), 1, magic.size(), f));
  std::fclose(f);
  return magic;
}

}  // namespace

bool file_starts_with_nwv_magic(const std::string& path) {
  const std::vector<uint8_t> magic = file_magic(path);
  return LooksLikeNwv(magic.data(), magic.size());
}

bool file_starts_with_tokens_magic(const std::string& path) {
  const std::vector<uint8_t> magic = file_magic(path);
  return LooksLikeTokens(magic.data(), magic.size());
}

std::shared_ptr<const Model> load_cli_model(const std::string& path) {
  return Model::LoadOrThrow(path.empty() ? default_model_path() : path);
}

}  // namespace nwave::cli
