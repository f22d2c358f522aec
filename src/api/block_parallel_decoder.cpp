#include "api/block_parallel_decoder.h"

#include <algorithm>

namespace nwave {

namespace {

// From a fresh state fed `frames` frames of codes: the output blocks of the frames after the first `warmup`, up to
// the last frame pushed less the decoder's delay, or, when `last`, to the end of the stream.
std::vector<float> decode_block(const engine::EngineModel& engine, const std::vector<uint16_t>& codes,
                                int64_t warmup, int64_t frames, int num_codebooks, bool last) {
  engine::DecoderState state(engine);
  std::vector<float> samples;
  state.push(codes.data(), frames, num_codebooks, samples);
  if (last) state.flush(samples);
  samples.erase(samples.begin(), samples.begin() + warmup * engine.config().hop);
  return samples;
}

}  // namespace

BlockParallelDecoder::BlockParallelDecoder(const engine::EngineModel& engine, int num_codebooks, int threads,
                                           int64_t block_frames)
    : engine_(engine),
      num_codebooks_(num_codebooks),
      hop_(engine.config().hop),
      history_(engine.receptive_field().decoder_history),
      delay_(engine.receptive_field().decoder_delay),
      block_frames_(block_frames),
      jobs_(threads) {
  if (threads == 1) continuous_ = std::make_unique<engine::DecoderState>(engine);
}

BlockParallelDecoder::~BlockParallelDecoder() = default;

void BlockParallelDecoder::push(const uint16_t* codes, size_t frames, std::vector<float>& out) {
  const size_t n = static_cast<size_t>(num_codebooks_);
  while (frames > 0) {
    // A block can start once the frames its last output block overlaps with have arrived too.
    const size_t needed = static_cast<size_t>(warmup_frames_ + block_frames_ + (continuous_ ? 0 : delay_)) * n;
    const size_t take = std::min(frames, (needed - buffer_.size()) / n);
    buffer_.insert(buffer_.end(), codes, codes + take * n);
    codes += take * n;
    frames -= take;
    if (buffer_.size() == needed) start_block(block_frames_, false, out);
  }
}

void BlockParallelDecoder::finish(std::vector<float>& out) {
  const int64_t frames = static_cast<int64_t>(buffer_.size()) / num_codebooks_ - warmup_frames_;
  if (frames > 0 || continuous_) start_block(frames, true, out);  // (a continuous state may still hold samples)
  jobs_.drain(append_to(out));
}

// Decodes the output blocks of the `frames` frames after the warm-up in buffer_ (with the delay_ frames after them
// unless `last`), and keeps the frames the next block needs: its warm-up and what has arrived of it already.
void BlockParallelDecoder::start_block(int64_t frames, bool last, std::vector<float>& out) {
  const int64_t n = num_codebooks_;
  if (continuous_) {  // one thread: no warm-up, the state carries the history and holds the delay back
    continuous_->push(buffer_.data(), frames, num_codebooks_, out);
    if (last) continuous_->flush(out);
    buffer_.clear();
    return;
  }
  const int64_t pushed = static_cast<int64_t>(buffer_.size()) / n;
  const int64_t end = warmup_frames_ + frames;  // the next block starts here
  const int64_t keep = std::min(history_, end);
  std::vector<uint16_t> next(buffer_.begin() + (end - keep) * n, buffer_.end());
  jobs_.submit(
      [&engine = engine_, codes = std::move(buffer_), warmup = warmup_frames_, pushed, codebooks = num_codebooks_,
       last] { return decode_block(engine, codes, warmup, pushed, codebooks, last); },
      append_to(out));
  buffer_ = std::move(next);
  warmup_frames_ = keep;
}

}  // namespace nwave
