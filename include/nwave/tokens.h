// Token files: code matrices as NumPy arrays, the form generative models take tokens in, and back to audio.
//
// - .npy (`nwave tokens IN OUT.npy`): one int16 (int32 above 15-bit codes) array [codebooks, frames], coarsest
//   codebook first. Nothing else: decoding it gives frames * hop samples and cannot check the model.
// - .npz (`nwave tokens IN OUT.npz`, or np.savez in Python): the same array as "codes" plus what a round trip
//   needs: "length" (int64, the decoded length in samples at the model's rate, as a .nwv's original_samples),
//   "fingerprint" (uint64, the model that made the codes) and "sample_rate" (int64). Stored, not compressed, as
//   np.savez writes it; np.savez_compressed archives are read as well.
// Reading treats files as untrusted (errors, never a crash): see ParseTokens.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nwave/codec.h"
#include "nwave/export.h"
#include "nwave/files.h"

namespace nwave {

struct TokenArray {
  std::vector<uint16_t> codes;  // frame-major [frames][num_codebooks] (the C and C++ APIs' order)
  size_t frames = 0;
  int num_codebooks = 0;
  // What a .npz adds (has_metadata); a .npy has neither and decodes to frames * hop samples.
  bool has_metadata = false;
  uint64_t length = 0;       // decoded samples at sample_rate, at most frames * hop
  uint64_t fingerprint = 0;  // Model::fingerprint() of the model that made the codes
  int sample_rate = 0;
};

// Tokens as a .npz archive in memory: codes as int16 (int32 when codebook_bits > 15) and, when has_metadata,
// length, fingerprint and sample_rate. Throws Error(kBadArgument) for inconsistent sizes.
NWAVE_EXPORT std::vector<uint8_t> TokensNpzBytes(const TokenArray& tokens, int codebook_bits);
// Writes TokensNpzBytes() to a file, atomically as the other outputs (include/nwave/files.h); Error(kIo) for the file.
NWAVE_EXPORT void WriteTokensNpz(const std::string& path, const TokenArray& tokens, int codebook_bits);

// True when the bytes start as a .npy ("\x93NUMPY") or a zip archive ("PK\3\4", hence .npz) does.
NWAVE_EXPORT bool LooksLikeTokens(const uint8_t* bytes, size_t size);

// Parses a .npy or .npz token file held in memory: a 2-D integer array [codebooks, frames] (any integer dtype,
// either byte order, C or Fortran order) with values 0 to 65535, and for a .npz the optional length, fingerprint and
// sample_rate (all or none; a .npz from np.savez(path, codes=...) alone decodes as a .npy). Throws
// Error(kCorruptStream) with a one-line reason for anything else; `what` names the input in messages.
NWAVE_EXPORT TokenArray ParseTokens(const uint8_t* bytes, size_t size, const std::string& what);

// Decodes a token file to a 16-bit PCM mono WAV, as DecodeFile does a .nwv: length samples (frames * hop for a
// .npy). Uses options.kbps (0: every codebook in the file; lower keeps the coarsest), options.force (decode tokens
// of another model, when the .npz names one) and options.chunk_frames; original_rate and conceal do not apply to
// tokens (Error(kBadArgument)). Throws Error(kModelMismatch) for tokens of another model or with more codebooks or
// another sample rate than the model's, Error(kBadArgument) for a code outside the codebook, as ParseTokens for bad
// files, Error(kIo) for the files. The returned report's info describes the tokens (fingerprint 0 for a .npy).
NWAVE_EXPORT DecodeFileReport DecodeTokensFile(const std::shared_ptr<const Model>& model, const std::string& input,
                                               const std::string& output, const DecodeFileOptions& options = {});

}  // namespace nwave
