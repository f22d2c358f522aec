// Model::Impl, shared by the offline (codec.cpp) and streaming (streaming.cpp) halves of the public API.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "engine/engine.h"
#include "nwave/codec.h"

namespace nwave {

struct Model::Impl {
  ModelConfig config;
  uint64_t fingerprint = 0;
  // The float32 inference engine: every encode and decode, offline or streaming, runs on it.
  std::unique_ptr<engine::EngineModel> engine;
};

// The factories' shared checks (Encoder, Decoder, StreamingEncoder, StreamingDecoder::Create): false, with *error
// set when given, if there is no model.
bool check_model(const Model* model, std::string* error);
// The encoders': the number of codebooks for kbps, or 0 with *error set (no model, bitrate not positive).
int encoder_codebooks(const Model* model, double kbps, std::string* error);

}  // namespace nwave
