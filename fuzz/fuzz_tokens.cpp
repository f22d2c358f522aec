// libFuzzer target for token files (include/nwave/tokens.h): ParseTokens on .npy and .npz bytes (the NumPy header
// parser, the zip reader with stored and deflated members, zip64 size fields), as `nwave decode TOKENS` reads them.
// Oracle beyond "no crash": only Error(kCorruptStream) with a one-line message; accepted input holds frames x
// codebooks codes and writes back (TokensNpzBytes, parsed again) to the same tokens. Torch-free: the runtime
// sources.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "nwave/error.h"
#include "nwave/tokens.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nwave::TokenArray tokens;
  try {
    tokens = nwave::ParseTokens(data, size, "input");
  } catch (const nwave::Error& e) {
    if (e.code() != nwave::ErrorCode::kCorruptStream) std::abort();
    if (std::strchr(e.what(), '\n') != nullptr || e.what()[0] == '\0') std::abort();
    return 0;
  }
  if (tokens.num_codebooks < 1 || tokens.codes.size() != tokens.frames * static_cast<size_t>(tokens.num_codebooks))
    std::abort();
  if (tokens.has_metadata && tokens.sample_rate < 1) std::abort();
  const std::vector<uint8_t> again = nwave::TokensNpzBytes(tokens, 16);  // int32: any uint16 code fits
  const nwave::TokenArray back = nwave::ParseTokens(again.data(), again.size(), "rewritten");
  if (back.codes != tokens.codes || back.frames != tokens.frames || back.num_codebooks != tokens.num_codebooks ||
      back.has_metadata != tokens.has_metadata || back.length != tokens.length ||
      back.fingerprint != tokens.fingerprint || back.sample_rate != tokens.sample_rate)
    std::abort();
  return 0;
}
