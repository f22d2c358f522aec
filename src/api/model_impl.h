// Model::Impl, shared by the offline (codec.cpp) and streaming (streaming.cpp) halves of the public API.
#pragma once
#include <cstdint>
#include <memory>

#include "engine/engine.h"
#include "nwave/codec.h"

namespace nwave {

struct Model::Impl {
  ModelConfig config;
  uint64_t fingerprint = 0;
  // The float32 inference engine: every encode and decode, offline or streaming, runs on it.
  std::unique_ptr<engine::EngineModel> engine;
};

}  // namespace nwave
