// The streaming half of the public API (include/nwave/streaming.h) over the inference engine.
#include "nwave/streaming.h"

#include "api/loss_concealment.h"
#include "api/model_impl.h"
#include "engine/engine.h"
#include "nwave/error.h"

namespace nwave {

int latency_samples(const Model& model) { return model.impl_->config.latency_samples(); }

// ---------------------------------------------------------------------------------------------------- encoder

struct StreamingEncoder::Impl {
  std::shared_ptr<const Model> model;
  int num_codebooks;
  engine::EncoderState state;
  std::vector<float> pending;  // less than one frame
  uint64_t pushed = 0;
  Impl(std::shared_ptr<const Model> m, int n, const engine::EngineModel& e)
      : model(std::move(m)), num_codebooks(n), state(e) {}
};

StreamingEncoder::StreamingEncoder(std::shared_ptr<const Model> model, int num_codebooks) {
  const engine::EngineModel& e = *model->impl_->engine;
  impl_ = std::make_unique<Impl>(std::move(model), num_codebooks, e);
}
StreamingEncoder::~StreamingEncoder() = default;

std::unique_ptr<StreamingEncoder> StreamingEncoder::Create(std::shared_ptr<const Model> model, double kbps,
                                                           std::string* error) {
  const int n = encoder_codebooks(model.get(), kbps, error);
  return n ? std::unique_ptr<StreamingEncoder>(new StreamingEncoder(std::move(model), n)) : nullptr;
}

std::vector<uint16_t> StreamingEncoder::push(const float* samples, size_t n) {
  std::vector<uint16_t> codes;
  if (n == 0) return codes;
  if (samples == nullptr) throw Error(ErrorCode::kBadArgument, "StreamingEncoder::push: samples is null");
  check_finite_samples(samples, n, impl_->pushed);
  const size_t hop = static_cast<size_t>(impl_->model->hop());
  impl_->pushed += n;
  auto& pending = impl_->pending;
  if (!pending.empty()) {  // complete the pending frame first
    const size_t take = std::min(n, hop - pending.size());
    pending.insert(pending.end(), samples, samples + take);
    samples += take;
    n -= take;
    if (pending.size() < hop) return codes;
    impl_->state.push(pending.data(), 1, impl_->num_codebooks, codes);
    pending.clear();
  }
  const size_t whole = n / hop;
  impl_->state.push(samples, static_cast<int64_t>(whole), impl_->num_codebooks, codes);
  pending.assign(samples + whole * hop, samples + n);
  return codes;
}

std::vector<uint16_t> StreamingEncoder::flush() {
  std::vector<uint16_t> codes;
  if (!impl_->pending.empty()) {
    impl_->pending.resize(static_cast<size_t>(impl_->model->hop()), 0.0f);
    impl_->state.push(impl_->pending.data(), 1, impl_->num_codebooks, codes);
  }
  reset();
  return codes;
}

void StreamingEncoder::reset() {
  impl_->state.reset();
  impl_->pending.clear();
  impl_->pushed = 0;
}

bool StreamingEncoder::set_bitrate(double kbps) {
  const int n = impl_->model->codebooks_for_bitrate(kbps);
  if (n == 0) return false;
  impl_->num_codebooks = n;
  return true;
}

int StreamingEncoder::num_codebooks() const { return impl_->num_codebooks; }
double StreamingEncoder::bitrate_kbps() const { return impl_->num_codebooks * impl_->model->kbps_per_codebook(); }
int StreamingEncoder::frame_samples() const { return impl_->model->hop(); }
uint64_t StreamingEncoder::samples_pushed() const { return impl_->pushed; }
const Model& StreamingEncoder::model() const { return *impl_->model; }

// ---------------------------------------------------------------------------------------------------- decoder

struct StreamingDecoder::Impl {
  std::shared_ptr<const Model> model;
  engine::DecoderState state;
  LossConcealment concealment;
  Impl(std::shared_ptr<const Model> m, const engine::EngineModel& e)
      : model(std::move(m)), state(e), concealment(static_cast<size_t>(model->hop())) {}
};

StreamingDecoder::StreamingDecoder(std::shared_ptr<const Model> model) {
  const engine::EngineModel& e = *model->impl_->engine;
  impl_ = std::make_unique<Impl>(std::move(model), e);
}
StreamingDecoder::~StreamingDecoder() = default;

std::unique_ptr<StreamingDecoder> StreamingDecoder::Create(std::shared_ptr<const Model> model, std::string* error) {
  return check_model(model.get(), error) ? std::unique_ptr<StreamingDecoder>(new StreamingDecoder(std::move(model)))
                                         : nullptr;
}

std::vector<float> StreamingDecoder::push(const uint16_t* codes, size_t frames, int num_codebooks) {
  const Model& model = *impl_->model;
  if (num_codebooks < 1 || num_codebooks > model.num_codebooks())
    throw Error(ErrorCode::kBadArgument, "cannot decode " + std::to_string(num_codebooks) +
                                             " codebooks: the model has 1 to " + std::to_string(model.num_codebooks()));
  std::vector<float> out;
  if (frames == 0) return out;
  if (codes == nullptr) throw Error(ErrorCode::kBadArgument, "StreamingDecoder::push: codes is null");
  check_codes(model, codes, frames, num_codebooks);
  out.reserve(frames * static_cast<size_t>(model.hop()));
  impl_->state.push(codes, static_cast<int64_t>(frames), num_codebooks, out);
  impl_->concealment.observe_good(codes, frames, num_codebooks);
  impl_->concealment.shape_good(out);
  return out;
}

std::vector<float> StreamingDecoder::push_lost(size_t frames) {
  std::vector<float> out, one;
  LossConcealment& concealment = impl_->concealment;
  out.reserve(frames * static_cast<size_t>(impl_->model->hop()));
  for (size_t f = 0; f < frames; ++f) {  // frame by frame: the fade advances one step per lost frame
    one.clear();
    impl_->state.push(concealment.predicted_codes().data(), 1, concealment.predicted_codebooks(), one);
    concealment.shape_lost(one, 1);
    out.insert(out.end(), one.begin(), one.end());
  }
  return out;
}

std::vector<float> StreamingDecoder::flush() {
  std::vector<float> out;
  impl_->state.flush(out);
  impl_->concealment.shape_good(out);
  impl_->concealment.reset();
  return out;
}

void StreamingDecoder::reset() {
  impl_->state.reset();
  impl_->concealment.reset();
}
int StreamingDecoder::delay_frames() const { return impl_->state.delay_frames(); }
const Model& StreamingDecoder::model() const { return *impl_->model; }

}  // namespace nwave
