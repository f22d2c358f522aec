// libFuzzer target for token files (include/nwave/tokens.h): ParseTokens on .npy and .npz bytes (the NumPy header
// parser, the zip reader with stored and deflated members, zip64 size fields), as `nwave decode TOKENS` reads them.
// Oracle beyond "no crash": only Error(kCorruptStream) with a one-line message; accepted input holds frames x
// codebooks codes and writes back (WriteTokensNpz's members, parsed again) to the same tokens. Torch-free: the runtime sources.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bitstream/npy_writer.h"
#include "bitstream/zip_archive.h"
#include "nwave/error.h"
#include "nwave/tokens.h"

namespace {

using nwave::TokenArray;

// The archive WriteTokensNpz writes, in memory (the file writer itself is exercised by the tests).
std::vector<uint8_t> npz_of(const TokenArray& t) {
  namespace b = nwave::bitstream;
  std::vector<int64_t> matrix(t.codes.size());
  const size_t n = static_cast<size_t>(t.num_codebooks);
  for (size_t f = 0; f < t.frames; ++f)
    for (size_t c = 0; c < n; ++c) matrix[c * t.frames + f] = t.codes[f * n + c];
  std::vector<b::ZipMember> members = {{"codes.npy", b::npy_bytes(matrix, {n, t.frames}, b::NpyDtype::kInt32)}};
  if (t.has_metadata) {
    members.push_back({"length.npy", b::npy_bytes({static_cast<int64_t>(t.length)}, {}, b::NpyDtype::kInt64)});
    members.push_back({"fingerprint.npy", b::npy_bytes({static_cast<int64_t>(t.fingerprint)}, {}, b::NpyDtype::kUInt64)});
    members.push_back({"sample_rate.npy", b::npy_bytes({t.sample_rate}, {}, b::NpyDtype::kInt64)});
  }
  return b::write_zip(members);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  TokenArray tokens;
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
  const std::vector<uint8_t> again = npz_of(tokens);
  const TokenArray back = nwave::ParseTokens(again.data(), again.size(), "rewritten");
  if (back.codes != tokens.codes || back.frames != tokens.frames || back.num_codebooks != tokens.num_codebooks ||
      back.has_metadata != tokens.has_metadata || back.length != tokens.length ||
      back.fingerprint != tokens.fingerprint || back.sample_rate != tokens.sample_rate)
    std::abort();
  return 0;
}
