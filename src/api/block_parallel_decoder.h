// Codes -> samples on several threads in parallel blocks (api/parallel_blocks.h), bit-identical to one continuous
// engine::DecoderState fed the same codes and flushed, for any thread count, block size and chunking of the input.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "api/parallel_blocks.h"
#include "engine/engine.h"

namespace nwave {

class BlockParallelDecoder {
 public:
  // threads >= 1 (resolve_threads()); with 1 the blocks run in turn on one continuous state, on the calling thread.
  // block_frames >= 1: frames per block (parallel_block_frames()). Every pushed frame has num_codebooks codes.
  BlockParallelDecoder(const engine::EngineModel& engine, int num_codebooks, int threads, int64_t block_frames);
  ~BlockParallelDecoder();

  // Takes frames of frame-major codes (already checked against the codebook size) and appends the samples of
  // every block finished so far, in order.
  void push(const uint16_t* codes, size_t frames, std::vector<float>& out);
  // Ends the stream: finishes every block and appends the rest of the samples, the decoder's held-back delay
  // included (hop samples per frame pushed in all).
  void finish(std::vector<float>& out);

 private:
  void start_block(int64_t frames, bool last, std::vector<float>& out);

  const engine::EngineModel& engine_;
  int num_codebooks_;
  int hop_;
  int64_t history_;  // warm-up frames a fresh state needs (engine::ReceptiveField::decoder_history)
  int64_t delay_;    // frames after a block whose codes its last output block needs (decoder_delay)
  int64_t block_frames_;
  std::vector<uint16_t> buffer_;  // warm-up frames, then the next block's frames and those after it so far
  int64_t warmup_frames_ = 0;     // frames at the front of buffer_ that only warm up (fewer at the stream's start)
  std::unique_ptr<engine::DecoderState> continuous_;  // one thread: the state that runs through every block
  OrderedJobs<std::vector<float>> jobs_;
};

}  // namespace nwave
