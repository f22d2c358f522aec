#include "audio/audio_files.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "nwave/error.h"

namespace nwave::audio {

bool has_audio_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".wav" || ext == ".flac" || ext == ".ogg" || ext == ".mp3";
}

std::vector<std::string> list_audio_files(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(ErrorCode::kIo, "'" + dir + "' is not a directory");
  std::vector<std::string> files;
  fs::recursive_directory_iterator it(dir, fs::directory_options::follow_directory_symlink, ec), end;
  if (ec) throw Error(ErrorCode::kIo, "cannot read directory '" + dir + "': " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) throw Error(ErrorCode::kIo, "cannot read directory '" + dir + "': " + ec.message());
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && has_audio_extension(it->path().string())) files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string group_of(const std::string& dir, const std::string& file, int depth) {
  namespace fs = std::filesystem;
  const fs::path relative = fs::path(file).lexically_relative(dir).parent_path();
  std::string group;
  int levels = 0;
  for (const auto& part : relative) {
    if (levels++ == depth || part == "." || part.empty()) break;
    group += (group.empty() ? "" : "/") + part.string();
  }
  if (!group.empty()) return group;
  fs::path own = fs::path(dir).lexically_normal();
  if (!own.has_filename()) own = own.parent_path();  // "data/valid/" names "valid" too
  return own.filename().string();
}

}  // namespace nwave::audio
