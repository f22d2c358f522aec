#include "api/block_parallel_encoder.h"

#include <algorithm>

namespace nwave {

namespace {

// The codes of `frames` frames of samples from a fresh state, but for the first `warmup` frames: those only warm
// the layers up, so they are pushed with no codebook to search (the quantizer keeps no history).
std::vector<uint16_t> encode_block(const engine::EngineModel& engine, const std::vector<float>& samples,
                                   int64_t warmup, int64_t frames, int num_codebooks) {
  engine::EncoderState state(engine);
  std::vector<uint16_t> codes;
  state.push(samples.data(), warmup, 0, codes);
  state.push(samples.data() + warmup * engine.config().hop, frames - warmup, num_codebooks, codes);
  return codes;
}

}  // namespace

BlockParallelEncoder::BlockParallelEncoder(const engine::EngineModel& engine, int num_codebooks, int threads,
                                           int64_t block_frames)
    : engine_(engine),
      num_codebooks_(num_codebooks),
      hop_(engine.config().hop),
      history_(engine.receptive_field().encoder_history),
      block_frames_(block_frames),
      jobs_(threads) {
  if (threads == 1) continuous_ = std::make_unique<engine::EncoderState>(engine);
}

BlockParallelEncoder::~BlockParallelEncoder() = default;

void BlockParallelEncoder::push(const float* samples, size_t n, std::vector<uint16_t>& codes) {
  while (n > 0) {
    const size_t block_samples = static_cast<size_t>((warmup_frames_ + block_frames_) * hop_);
    const size_t take = std::min(n, block_samples - buffer_.size());
    buffer_.insert(buffer_.end(), samples, samples + take);
    samples += take;
    n -= take;
    if (buffer_.size() == block_samples) start_block(block_frames_, codes);
  }
}

void BlockParallelEncoder::finish(std::vector<uint16_t>& codes) {
  const int64_t frames = (static_cast<int64_t>(buffer_.size()) + hop_ - 1) / hop_ - warmup_frames_;
  if (frames > 0) {
    buffer_.resize(static_cast<size_t>((warmup_frames_ + frames) * hop_), 0.0f);
    start_block(frames, codes);
  }
  jobs_.drain(append_to(codes));
}

// Encodes the `frames` frames after the warm-up in buffer_, and keeps the frames the next block warms up on.
void BlockParallelEncoder::start_block(int64_t frames, std::vector<uint16_t>& codes) {
  if (continuous_) {  // one thread: no warm-up, the state carries the history
    continuous_->push(buffer_.data(), frames, num_codebooks_, codes);
    buffer_.clear();
    return;
  }
  const int64_t total = warmup_frames_ + frames;
  const int64_t keep = std::min(history_, total);
  std::vector<float> next(buffer_.end() - keep * hop_, buffer_.end());
  jobs_.submit(
      [&engine = engine_, samples = std::move(buffer_), warmup = warmup_frames_, total, codebooks = num_codebooks_] {
        return encode_block(engine, samples, warmup, total, codebooks);
      },
      append_to(codes));
  buffer_ = std::move(next);
  warmup_frames_ = keep;
}

}  // namespace nwave
