// libFuzzer target for the C API entry points that take bytes from a caller (include/nwave/nwave.h):
//   first byte 0: the rest is a .nwv byte string -> nwave_nwv_info, nwave_nwv_decode (a too-small buffer first);
//   first byte 1: the rest is frame-major codes (second byte: bitrate step) -> nwave_decoder_push / flush;
//   first byte 2: the rest is float32 samples, any bit pattern (NaN, Inf) -> nwave_encoder_push / flush.
// Oracle beyond "no crash": every call returns NWAVE_OK or one of the documented negative codes, with a one-line
// nwave_last_error(). Model: NWAVE_MODEL, else the default model (the shipped one). Torch-free: the runtime sources.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "nwave/nwave.h"

namespace {

nwave_model* model = nullptr;

void check(int rc) {
  if (rc == NWAVE_OK) return;
  if (rc != NWAVE_BAD_ARG && rc != NWAVE_CORRUPT_STREAM && rc != NWAVE_MODEL_MISMATCH && rc != NWAVE_BUFFER_TOO_SMALL)
    std::abort();
  if (std::strchr(nwave_last_error(), '\n') != nullptr || nwave_last_error()[0] == '\0') std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (nwave_model_open(nullptr, &model) != NWAVE_OK) std::abort();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t mode = data[0];
  data += 1;
  size -= 1;
  const size_t hop = static_cast<size_t>(nwave_model_hop(model));
  if (mode == 0) {
    nwave_stream_info info;
    check(nwave_nwv_info(data, size, &info));
    size_t samples = 0;
    float one = 0;
    const int rc = nwave_nwv_decode(model, data, size, 0, &one, 1, &samples);
    check(rc);
    if (rc == NWAVE_BUFFER_TOO_SMALL && samples <= (1u << 22)) {
      std::vector<float> pcm(samples);
      check(nwave_nwv_decode(model, data, size, 0, pcm.data(), pcm.size(), &samples));
    }
  } else if (mode == 1) {
    const double kbps = (1 + data[0] % 8) * nwave_model_kbps_per_codebook(model);
    nwave_decoder* dec = nullptr;
    if (nwave_decoder_create(model, kbps, &dec) != NWAVE_OK) return 0;
    const size_t nc = static_cast<size_t>(nwave_decoder_codebooks(dec));
    std::vector<uint16_t> codes((size - 1) / 2);
    if (!codes.empty()) std::memcpy(codes.data(), data + 1, codes.size() * 2);  // memcpy from/to null is UB
    const size_t frames = codes.size() / nc;
    std::vector<float> pcm((frames + 2) * hop);
    size_t samples = 0;
    check(nwave_decoder_push(dec, codes.data(), frames, pcm.data(), pcm.size(), &samples));
    check(nwave_decoder_flush(dec, pcm.data(), pcm.size(), &samples));
    nwave_decoder_destroy(dec);
  } else if (mode == 2) {
    nwave_encoder* enc = nullptr;
    if (nwave_encoder_create(model, 0, &enc) != NWAVE_OK) std::abort();
    std::vector<float> pcm(size / 4);
    if (!pcm.empty()) std::memcpy(pcm.data(), data, pcm.size() * 4);
    const size_t nc = static_cast<size_t>(nwave_encoder_codebooks(enc));
    std::vector<uint16_t> codes((pcm.size() / hop + 1) * nc);
    size_t frames = 0;
    check(nwave_encoder_push(enc, pcm.data(), pcm.size(), codes.data(), codes.size() / nc, &frames));
    check(nwave_encoder_flush(enc, codes.data(), codes.size() / nc, &frames));
    nwave_encoder_destroy(enc);
  }
  return 0;
}
