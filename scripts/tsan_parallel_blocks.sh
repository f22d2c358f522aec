#!/usr/bin/env bash
# ThreadSanitizer check of the parallel blocks (src/api/parallel_blocks.h): builds the runtime's sources with
# -fsanitize=thread (GCC, no LibTorch needed) into build-tsan/ with a small driver that encodes and decodes 20 s on
# 1 and 3 threads (Encoder/Decoder) and a file on 4 threads (EncodeFile/DecodeFile), then runs it. Any data race
# is reported by TSan and fails the script (halt_on_error). Takes a few minutes to build on 2 cores.
# Usage: scripts/tsan_parallel_blocks.sh [MODEL=models/nwave-16k.safetensors]
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-models/nwave-16k.safetensors}
[[ -f build/generated/build_paths.cpp ]] || scripts/build.sh
mkdir -p build-tsan
cat >build-tsan/driver.cpp <<'CPP'
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "nwave/audio.h"
#include "nwave/codec.h"
#include "nwave/files.h"

int main(int argc, char** argv) {
  std::shared_ptr<const nwave::Model> model = nwave::Model::LoadOrThrow(argv[1]);
  const std::string dir = argv[2];
  std::vector<float> x(16000 * 20);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 0.3f * std::sin(i * 0.05f) * std::sin(i * 0.0007f);
  auto enc = nwave::Encoder::Create(model);
  auto dec = nwave::Decoder::Create(model);
  const int n = enc->num_codebooks();
  const auto codes1 = enc->EncodeCodes(x.data(), x.size());
  const auto audio1 = dec->DecodeCodes(codes1.data(), codes1.size() / n, n);
  enc->set_threads(3);
  dec->set_threads(3);
  const auto codes3 = enc->EncodeCodes(x.data(), x.size());
  const auto audio3 = dec->DecodeCodes(codes3.data(), codes3.size() / n, n);
  nwave::write_wav16(dir + "/in.wav", nwave::resample(x, 16000, 44100), 44100);
  nwave::EncodeFileOptions e;
  e.threads = 4;
  nwave::EncodeFile(model, dir + "/in.wav", dir + "/out.nwv", e);
  nwave::DecodeFileOptions d;
  d.threads = 4;
  nwave::DecodeFile(model, dir + "/out.nwv", dir + "/out.wav", d);
  const bool same = codes1 == codes3 && audio1.size() == audio3.size() &&
                    std::memcmp(audio1.data(), audio3.data(), audio1.size() * sizeof(float)) == 0;
  std::printf("1 and 3 threads: %s\n", same ? "identical" : "DIFFERENT");
  return same ? 0 : 1;
}
CPP
sources=(src/api/*.cpp src/audio/*.cpp src/bitstream/*.cpp src/engine/*.cpp src/error.cpp src/io/safetensors_reader.cpp
         src/model/model_config.cpp src/model/model_file.cpp src/util/atomic_file.cpp src/util/progress_bar.cpp
         build/generated/build_paths.cpp)
g++ -std=c++17 -O1 -g -fsanitize=thread -Iinclude -Isrc "${sources[@]}" build-tsan/driver.cpp -o build-tsan/driver \
  $(pkg-config --cflags --libs sndfile soxr zlib) -ldl -pthread
TSAN_OPTIONS=halt_on_error=1 build-tsan/driver "$model" build-tsan
echo "ThreadSanitizer: no data race reported"
