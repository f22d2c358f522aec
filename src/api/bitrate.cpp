// The one bitrate rule (include/nwave/codec.h): encoders, decoders, the C API and the nwave command all call it.
#include <cmath>
#include <cstdio>
#include <string>

#include "nwave/codec.h"
#include "nwave/error.h"

namespace nwave {

namespace {

std::string kbps_text(double kbps) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", kbps);
  return text;
}

}  // namespace

int codebooks_for_bitrate(double kbps, double kbps_per_codebook, int available, std::string* error) {
  if (std::isfinite(kbps) && kbps_per_codebook > 0 && available >= 1) {
    // 1e-9: "1.5" typed by a user may land a hair off a whole codebook.
    const double codebooks = kbps / kbps_per_codebook;
    const double n = std::floor(codebooks + 1e-9);
    if (n >= 1 && codebooks <= available + 1e-9) return static_cast<int>(n);
  }
  if (error)
    *error = "bitrate " + kbps_text(kbps) + " kbps is outside " + kbps_text(kbps_per_codebook) + " to " +
             kbps_text(available * kbps_per_codebook) + " kbps (1 to " + std::to_string(available) + " codebooks of " +
             kbps_text(kbps_per_codebook) + " kbps)";
  return 0;
}

std::vector<uint16_t> keep_codebooks(const uint16_t* codes, size_t frames, int have, int keep) {
  if (keep < 1 || keep > have)
    throw Error(ErrorCode::kBadArgument, "cannot keep " + std::to_string(keep) + " of " + std::to_string(have) + " codebooks");
  std::vector<uint16_t> out(frames * static_cast<size_t>(keep));
  for (size_t f = 0; f < frames; ++f)
    for (int c = 0; c < keep; ++c) out[f * keep + c] = codes[f * have + c];
  return out;
}

}  // namespace nwave
