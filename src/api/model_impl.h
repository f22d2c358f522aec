// Model::Impl, shared by the offline (codec.cpp) and streaming (streaming.cpp) halves of the public API.
#pragma once
#include <memory>

#include "engine/engine.h"
#include "model/model_io.h"
#include "nwave/codec.h"

namespace nwave {

struct Model::Impl {
  LoadedModel loaded;
  ModelConfig config;
  // The float32 inference engine over the same weights: every encode and decode, offline or streaming, runs on it.
  std::unique_ptr<engine::EngineModel> engine;
};

}  // namespace nwave
