// libFuzzer target for the safetensors reader and the two model loaders (src/io/safetensors.cpp,
// src/model/model_io.cpp, and src/engine/engine.cpp through Model::Load, the path encode and decode take): the input
// is written to a temporary file, then load_safetensors(), load_model() and Model::Load() read it. Any input must load
// or throw nwave::Error (kBadModel / kIo) with a one-line message: never crash, hang or allocate without bound
// (run with -rss_limit_mb / -malloc_limit_mb). Links LibTorch (not instrumented); only nwave's code is.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <c10/util/Exception.h>

#include "io/safetensors.h"
#include "model/model_io.h"
#include "nwave/codec.h"
#include "nwave/error.h"

namespace {

void check_error(const nwave::Error& e) {
  if (e.code() != nwave::ErrorCode::kBadModel && e.code() != nwave::ErrorCode::kIo) std::abort();
  if (std::strchr(e.what(), '\n') != nullptr) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  torch::set_num_threads(1);
  // scripts/make_fuzz_corpus.sh: writes a complete micro model (a valid seed that reaches the tensor checks).
  if (const char* seed = std::getenv("NWAVE_FUZZ_WRITE_SEED")) {
    nwave::ModelConfig c;
    c.hop = 32;
    c.analysis_fft = 32;
    c.synthesis_fft = 32;
    c.channels = 4;
    c.latent_dim = 4;
    c.num_codebooks = 1;
    c.codebook_size = 2;
    c.encoder_blocks = 0;
    c.decoder_blocks = 1;
    c.mlp_ratio = 1;
    c.kernel_size = 1;
    nwave::CodecModel model(c);
    nwave::save_model(seed, *model);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* dir = std::getenv("TMPDIR");
  const std::string path = std::string(dir && *dir ? dir : "/tmp") + "/nwave_fuzz_model_" +
                           std::to_string(getpid()) + ".safetensors";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  try {
    (void)nwave::load_safetensors(path);
  } catch (const nwave::Error& e) {
    check_error(e);
  }
  try {
    nwave::LoadedModel m = nwave::load_model(path);
    if (!m.model) std::abort();
  } catch (const nwave::Error& e) {
    check_error(e);
  }
  try {
    if (!nwave::Model::LoadOrThrow(path)) std::abort();
  } catch (const nwave::Error& e) {
    check_error(e);
  }
  std::remove(path.c_str());
  return 0;
}
