// Samples -> codes on several threads in parallel blocks (api/parallel_blocks.h), bit-identical to one continuous
// engine::EncoderState fed the same samples, for any thread count, block size and chunking of the input.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "api/parallel_blocks.h"
#include "engine/engine.h"

namespace nwave {

class BlockParallelEncoder {
 public:
  // threads >= 1 (resolve_threads()); with 1 the blocks run in turn on one continuous state, on the calling thread.
  // block_frames >= 1: frames per block (parallel_block_frames()).
  BlockParallelEncoder(const engine::EngineModel& engine, int num_codebooks, int threads, int64_t block_frames);
  ~BlockParallelEncoder();

  // Takes any number of samples (finite, at the model's rate) and appends to codes, frame-major, the codes of
  // every block finished so far, in order.
  void push(const float* samples, size_t n, std::vector<uint16_t>& codes);
  // Ends the stream: the last partial frame is zero-padded, every block is finished and its codes appended.
  void finish(std::vector<uint16_t>& codes);

 private:
  void start_block(int64_t frames, std::vector<uint16_t>& codes);

  const engine::EngineModel& engine_;
  int num_codebooks_;
  int hop_;
  int64_t history_;       // warm-up frames a fresh state needs (engine::ReceptiveField::encoder_history)
  int64_t block_frames_;
  std::vector<float> buffer_;  // the warm-up frames before the next block, then the block's samples so far
  int64_t warmup_frames_ = 0;  // frames at the front of buffer_ that only warm up (fewer at the stream's start)
  std::unique_ptr<engine::EncoderState> continuous_;  // one thread: the state that runs through every block
  OrderedJobs<std::vector<uint16_t>> jobs_;
};

}  // namespace nwave
