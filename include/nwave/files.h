// Whole files in, whole files out: what `nwave encode`, `nwave decode` and `nwave tokens` do, for any program.
// Memory stays bounded whatever the duration: audio is read and decoded block by block (with threads, at most one
// block per thread in flight); only the .nwv bytes (about 2.8 MB per hour at 6.25 kbps) are held in memory.
//
// Outputs appear only when complete (a temporary file renamed into place), are never renamed over a device, a FIFO
// or a symbolic link (a link to a regular file has its target replaced; devices and FIFOs such as /dev/stdout are
// written in place), and an output that names the input file is refused with Error(kBadArgument).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "nwave/codec.h"
#include "nwave/export.h"

namespace nwave {

struct EncodeFileOptions {
  double kbps = 0;           // codebooks_for_bitrate() decides; 0: the model's default_bitrate_kbps()
  size_t chunk_samples = 0;  // 16 kHz samples fed to the encoder at a time (0: 32768); the output is the same
  bool entropy_coding = true;  // range-coded packets (.nwv v2); false: fixed width, the same decoded audio
  int threads = 1;             // 1 to 256, 0: every core; blocks of up to 1,024 frames (8 s) run at once; same bytes
};

// Encodes an audio file (any format libsndfile reads, any rate and channel count; "-": standard input) to a .nwv
// file ("-": standard output). Returns the header written. Throws Error (kIo, kBadAudio, kBadArgument for a
// bitrate the model cannot code).
NWAVE_EXPORT StreamInfo EncodeFile(const std::shared_ptr<const Model>& model, const std::string& input,
                                   const std::string& output, const EncodeFileOptions& options = {});

struct DecodeFileOptions {
  double kbps = 0;             // 0: the file's bitrate; lower drops the finest codebooks (codebooks_for_bitrate())
  bool force = false;          // decode a file written by another model (the layout must still fit)
  bool original_rate = false;  // resample to the rate of the audio the file was encoded from
  size_t chunk_frames = 0;     // frames fed to the decoder at a time (0: 256); the output does not depend on it
  bool conceal = false;        // decode past damaged or missing packets, concealing them (the length is kept)
  int threads = 1;             // as EncodeFileOptions::threads: the same samples for any count (conceal: one thread)
};

struct DecodeFileReport {
  StreamInfo info;                 // the file's header
  uint64_t packets = 0;            // packets in the file
  uint64_t concealed_packets = 0;  // damaged or missing ones concealed (only with conceal)
};

// Decodes a .nwv file ("-": standard input) to a 16-bit PCM mono WAV file ("-": standard output; into a pipe the
// header is written first), info.original_samples samples long. Returns the file's header.
// Throws as Decoder::Decode does, plus Error(kIo) for the files.
NWAVE_EXPORT DecodeFileReport DecodeFile(const std::shared_ptr<const Model>& model, const std::string& input,
                                         const std::string& output, const DecodeFileOptions& options = {});

// Writes frame-major codes [frames][num_codebooks] as a NumPy .npy array [num_codebooks, frames] (codebook-major, as
// generative models take tokens): int16 when codebook_bits <= 15, else int32. Atomic as the other outputs.
NWAVE_EXPORT void WriteTokensNpy(const std::string& path, const uint16_t* codes, size_t frames, int num_codebooks,
                                 int codebook_bits);

}  // namespace nwave
