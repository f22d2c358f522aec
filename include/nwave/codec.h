// The NeuralWave-RVQ codec API: load a model, encode 16 kHz mono samples to codes or to a complete .nwv byte
// string, decode them back. No LibTorch types appear here (the model lives behind a pimpl), so a program that
// only encodes and decodes needs nothing but this header, nwave/error.h and the library.
//
// Conventions, in the spirit of Lyra and libopus:
// - Factories (Model::Load, Encoder::Create, Decoder::Create) validate their arguments and return nullptr with a
//   one-line message in *error (when error is not null) instead of throwing.
// - Work on data (EncodeCodes, Encode, DecodeCodes, Decode, ParseNwv) throws nwave::Error with an ErrorCode
//   (kBadArgument, kCorruptStream, kModelMismatch, ...) and a one-line message meant for a user.
// - Codes are frame-major: codes[f * num_codebooks + c] is codebook c (0 = coarsest) of frame f.
// - Encoding is deterministic: the same samples, model and bitrate give the same codes and bytes, whatever the
//   thread count (set_threads(), EncodeFileOptions::threads); decoding gives the same samples whatever it.
// - Bitrates follow one rule everywhere (encoders, decoders, the C API, the nwave command): codebooks_for_bitrate().
// - A Model may be shared (std::shared_ptr<const Model>) by several Encoders and Decoders; one Encoder or Decoder
//   must not be used from two threads at once.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nwave/export.h"

namespace nwave {

// "0.1.0": the library's version (the shared library's SONAME carries the major number).
NWAVE_EXPORT const char* version_string();

// Default encoding bitrate: 6.25 kbps (5 codebooks of 10 bits at 125 frames/s), or a model's highest bitrate when
// that is lower (Model::default_bitrate_kbps()). Encoders take kbps = 0 to mean it.
constexpr double kDefaultBitrateKbps = 6.25;

// The bitrate rule: the number of codebooks for kbps when there are kbps_per_codebook kbps per codebook and at most
// available codebooks (a model's, or a stream's when decoding it): floor(kbps / kbps_per_codebook + 1e-9), for kbps
// from kbps_per_codebook to available * kbps_per_codebook. Anything else (not a finite number, below one codebook,
// above the highest bitrate: 11 kbps when 10 is the most) is refused:
// returns 0 and sets *error (when not null) to a one-line reason naming the accepted range, e.g. "bitrate 11 kbps is
// outside 1.25 to 10 kbps". A bitrate between two steps uses the lower one (7 kbps -> 6.25 kbps, 5 codebooks).
NWAVE_EXPORT int codebooks_for_bitrate(double kbps, double kbps_per_codebook, int available,
                                       std::string* error = nullptr);

// Keeps the first (coarsest) `keep` of `have` codebooks of frame-major codes: frames * keep codes.
NWAVE_EXPORT std::vector<uint16_t> keep_codebooks(const uint16_t* codes, size_t frames, int have, int keep);

// The shipped default model, searched in this order:
//   1. the file named by the environment variable NWAVE_MODEL (an error if it names a missing file);
//   2. <directory of the running executable>/../models/nwave-16k.safetensors  (build tree: build/nwave -> models/);
//   3. <directory of the running executable>/../share/nwave/models/nwave-16k.safetensors  (after cmake --install);
//   4. <directory of libnwave.so>/../share/nwave/models/nwave-16k.safetensors  (any program linked to an installed
//      library), then <install prefix>/share/nwave/models/nwave-16k.safetensors (recorded at configure time);
//   5. the source tree's models/nwave-16k.safetensors (recorded at configure time).
// Throws Error(kBadModel) "no default model found ...; pass --model FILE" when none exists.
NWAVE_EXPORT std::string default_model_path();

// A trained codec model (weights + architecture), read from a .safetensors file written by `nwave train`.
class NWAVE_EXPORT Model {
 public:
  // Returns nullptr and sets *error (if not null) when the file is missing, unreadable or not an nwave model.
  static std::unique_ptr<Model> Load(const std::string& path, std::string* error = nullptr);
  // As Load, but throws nwave::Error (kIo, kBadModel).
  static std::unique_ptr<Model> LoadOrThrow(const std::string& path);

  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  uint64_t fingerprint() const;         // identifies the weights; copied into every .nwv this model writes
  std::string fingerprint_hex() const;  // 16 lowercase hex digits
  int sample_rate() const;              // 16000 so far
  int hop() const;                      // samples per frame (128: 125 frames/s)
  int num_codebooks() const;            // the most codebooks a stream can use
  int codebook_bits() const;            // bits per code
  double kbps_per_codebook() const;     // codebook_bits * sample_rate / hop / 1000 (1.25 for 10-bit codebooks)
  int codebook_size() const;            // entries per codebook: every code is below it
  std::string family() const;           // "spectral" or "seanet"
  uint64_t num_weights() const;         // elements of the inference tensors
  // A metadata entry of the model file ("steps", "nwave_config", ...); empty when absent.
  std::string metadata(const std::string& key) const;

  // min(kDefaultBitrateKbps, num_codebooks() * kbps_per_codebook()): what encoders use when given kbps = 0.
  double default_bitrate_kbps() const;
  // nwave::codebooks_for_bitrate(kbps, kbps_per_codebook(), num_codebooks(), error).
  int codebooks_for_bitrate(double kbps, std::string* error = nullptr) const;

  struct Impl;

 private:
  friend class Encoder;
  friend class Decoder;
  friend class StreamingEncoder;  // include/nwave/streaming.h
  friend class StreamingDecoder;
  friend NWAVE_EXPORT int latency_samples(const Model& model);
  friend struct ModelInternals;  // the library's own file functions (src/api/model_impl.h)
  explicit Model(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// What a .nwv header says (docs/FORMAT.md).
struct NWAVE_EXPORT StreamInfo {
  int sample_rate = 0;
  int hop = 0;
  int codebook_bits = 0;
  int num_codebooks = 0;
  uint64_t frames = 0;
  uint64_t original_samples = 0;  // samples at sample_rate; the decoded length
  int original_rate = 0;          // of the input before resampling (informational)
  int original_channels = 0;      // of the input before downmixing (informational)
  uint64_t model_fingerprint = 0;
  int format_version = 0;           // 1 or 2
  bool entropy_coded = false;       // version 2 with range-coded packets
  uint64_t file_bytes = 0;          // size of the file parsed (ParseNwv), header included
  uint64_t fixed_width_bytes = 0;   // size of the same stream without entropy coding

  double kbps() const;              // num_codebooks * codebook_bits * sample_rate / hop / 1000: the nominal bitrate
  double actual_kbps() const;       // file_bytes * 8 / duration / 1000: what the file really costs (0 when empty)
  double duration_seconds() const;  // original_samples / sample_rate
};

// A parsed and fully verified .nwv byte string (header, size, every packet CRC and padding).
struct NwvContents {
  StreamInfo info;
  std::vector<uint16_t> codes;  // frame-major [frames][info.num_codebooks]
};

// True when the bytes start with the .nwv magic "NWVQ" (nothing else is checked).
NWAVE_EXPORT bool LooksLikeNwv(const uint8_t* bytes, size_t size);

// Parses and verifies a complete .nwv file held in memory. Throws Error(kCorruptStream) with a one-line message for
// anything truncated, damaged or foreign.
NWAVE_EXPORT NwvContents ParseNwv(const std::vector<uint8_t>& nwv);

class NWAVE_EXPORT Encoder {
 public:
  // Returns nullptr (and a message in *error) for a null model or a bitrate the model cannot code
  // (codebooks_for_bitrate()). kbps = 0: the model's default_bitrate_kbps().
  static std::unique_ptr<Encoder> Create(std::shared_ptr<const Model> model, double kbps = 0,
                                         std::string* error = nullptr);
  ~Encoder();

  // Changes the bitrate for later calls. Returns false (and changes nothing) for an invalid bitrate.
  bool set_bitrate(double kbps);
  int num_codebooks() const;
  double bitrate_kbps() const;  // num_codebooks() * kbps_per_codebook: the bitrate actually coded
  const Model& model() const;

  // Encode() writes format version 2 with range-coded packets by default (docs/FORMAT.md); false writes the
  // fixed-width layout (version 2, entropy flag clear). The codes, and so the decoded audio, are the same.
  void set_entropy_coding(bool on) { entropy_coding_ = on; }
  bool entropy_coding() const { return entropy_coding_; }

  // Threads for EncodeCodes() and Encode(): 1 (the default) to 256, or 0 for every core. The signal is split into
  // blocks coded at once (docs/API.md, "Threads"); the codes are the same for any count. Returns false (and
  // changes nothing) for another value. threads() is the count in use (0 became the number of cores).
  bool set_threads(int threads);
  int threads() const { return threads_; }

  // Codes for n samples at the model's rate, in [-1, 1]: ceil(n / hop) frames (the last one zero-padded),
  // frame-major [frames][num_codebooks()]. Bit-identical to a StreamingEncoder fed the same samples in any
  // chunks (include/nwave/streaming.h): both run the same inference engine. Throws
  // Error(kBadArgument) for NaN/Inf samples or samples == nullptr with n > 0.
  std::vector<uint16_t> EncodeCodes(const float* samples, size_t n);

  // A complete .nwv file for n samples. original_rate / original_channels describe the input before it was
  // resampled and downmixed; they are stored for `nwave decode --original-rate` and `nwave info`.
  std::vector<uint8_t> Encode(const float* samples, size_t n, int original_rate = 16000, int original_channels = 1);

 private:
  Encoder(std::shared_ptr<const Model> model, int num_codebooks);
  std::shared_ptr<const Model> model_;
  int num_codebooks_;
  bool entropy_coding_ = true;
  int threads_ = 1;
};

class NWAVE_EXPORT Decoder {
 public:
  // Returns nullptr (and a message in *error) for a null model.
  static std::unique_ptr<Decoder> Create(std::shared_ptr<const Model> model, std::string* error = nullptr);
  ~Decoder();

  const Model& model() const;

  // Threads for DecodeCodes() and Decode(), as Encoder::set_threads(): the samples are the same for any count.
  bool set_threads(int threads);
  int threads() const { return threads_; }

  // Audio for `frames` frames of frame-major codes [frames][num_codebooks]: frames * hop samples.
  // 1 <= num_codebooks <= model's; every code must be < the codebook size (Error(kBadArgument) otherwise).
  std::vector<float> DecodeCodes(const uint16_t* codes, size_t frames, int num_codebooks);

  // Decodes a complete .nwv file to info.original_samples samples at the model's rate.
  // kbps = 0 decodes at the file's bitrate; a lower bitrate drops the finest codebooks. A bitrate the stream
  // cannot give (codebooks_for_bitrate() with the stream's codebooks) throws Error(kBadArgument). A file written by another model throws
  // Error(kModelMismatch) naming both fingerprints, unless force is true (the layout must still fit the model).
  // Corrupt input throws Error(kCorruptStream). If info is not null it receives the file's header.
  std::vector<float> Decode(const std::vector<uint8_t>& nwv, double kbps = 0, bool force = false,
                            StreamInfo* info = nullptr);

 private:
  explicit Decoder(std::shared_ptr<const Model> model);
  std::shared_ptr<const Model> model_;
  int threads_ = 1;
};

}  // namespace nwave
