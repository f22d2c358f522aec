// libFuzzer target for the audio reader (src/audio/audio_io.cpp on libsndfile + libsoxr): the input is written to a
// temporary file and read with read_audio(). Any input must give samples or nwave::Error (kBadAudio / kIo) with a
// one-line message; every sample returned is finite. The first input byte picks the file-name extension, since
// libsndfile uses it as a hint for headerless formats. Torch-free: src/audio, src/util, src/error.cpp only.
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "nwave/audio.h"
#include "nwave/error.h"

namespace {

std::string temp_dir() {
  const char* dir = std::getenv("TMPDIR");
  return dir && *dir ? dir : "/tmp";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* kExtensions[] = {".wav", ".flac", ".ogg", ".mp3", ".aiff", ".raw", ".au", ".caf"};
  const std::string path = temp_dir() + "/nwave_fuzz_audio_" + std::to_string(getpid()) +
                           kExtensions[data[0] % (sizeof kExtensions / sizeof kExtensions[0])];
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size > 1 && std::fwrite(data + 1, 1, size - 1, f) != size - 1) std::abort();
  std::fclose(f);
  try {
    const nwave::Audio audio = nwave::read_audio(path);
    for (float v : audio.samples)
      if (!std::isfinite(v)) std::abort();
    if (audio.original_rate <= 0 || audio.original_channels <= 0) std::abort();
  } catch (const nwave::Error& e) {
    if (e.code() != nwave::ErrorCode::kBadAudio && e.code() != nwave::ErrorCode::kIo) std::abort();
    if (std::strchr(e.what(), '\n') != nullptr) std::abort();
  }
  std::remove(path.c_str());
  return 0;
}
