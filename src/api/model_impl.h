// Model::Impl, shared by the offline (codec.cpp) and streaming (streaming.cpp) halves of the public API.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "bitstream/nwv_format.h"
#include "engine/engine.h"
#include "nwave/codec.h"

namespace nwave {

struct Model::Impl {
  ModelConfig config;
  uint64_t fingerprint = 0;
  uint64_t num_weights = 0;                     // elements of the inference tensors
  std::map<std::string, std::string> metadata;  // the file's
  // The float32 inference engine: every encode and decode, offline or streaming, runs on it.
  std::unique_ptr<engine::EngineModel> engine;
};

// The rest of the library's way to a Model's internals (files.cpp; the classes are friends of Model by name).
struct ModelInternals {
  static const Model::Impl& of(const Model& model) { return *model.impl_; }
};

// The input checks every encode and decode path shares. Error(kBadArgument) for the first NaN or infinite sample
// (numbered from `offset`), or for the first code that is not below the model's codebook size.
void check_finite_samples(const float* samples, size_t n, uint64_t offset);
void check_codes(const Model& model, const uint16_t* codes, size_t frames, int num_codebooks);

// The factories' shared checks (Encoder, Decoder, StreamingEncoder, StreamingDecoder::Create): false, with *error
// set when given, if there is no model.
bool check_model(const Model* model, std::string* error);
// The encoders': the number of codebooks for kbps (0: the model's default), or 0 with *error set (no model, a
// bitrate the model cannot code).
int encoder_codebooks(const Model* model, double kbps, std::string* error);
// The decoders' (Decoder::Decode, DecodeFile): checks that the model can decode the stream (Error(kModelMismatch)
// naming both fingerprints unless force, and always for a layout the model cannot synthesise) and returns the
// codebooks to decode: all of the stream's for kbps == 0, else codebooks_for_bitrate() within the stream's
// (Error(kBadArgument) when the stream cannot give kbps).
int decoding_codebooks(const Model& model, const StreamInfo& stream, double kbps, bool force);

// What a .nwv header says, in the public form.
StreamInfo stream_info(const bitstream::StreamHeader& header);

}  // namespace nwave
