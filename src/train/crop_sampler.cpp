#include "train/crop_sampler.h"

#include "nwave/error.h"

#include <cmath>

namespace nwave {

namespace {

constexpr double kSilenceRms = 0.003;  // about -50 dBFS: a crop this quiet teaches nothing
constexpr int kTriesBeforeAcceptingSilence = 10;

double rms(const std::vector<float>& x) {
  double sum = 0.0;
  for (float v : x) sum += static_cast<double>(v) * v;
  return x.empty() ? 0.0 : std::sqrt(sum / x.size());
}

}  // namespace

CropSampler::CropSampler(std::vector<std::vector<float>> clips, int segment, const AugmentOptions& augment)
    : segment_(segment), augmenter_(augment) {
  for (auto& clip : clips)
    if (!clip.empty()) clips_.push_back(std::move(clip));
  if (clips_.empty()) throw Error(ErrorCode::kTraining, "no training audio: every file is empty");
  if (segment <= 0) throw Error(ErrorCode::kBadArgument, "segment must be positive");
  for (const auto& clip : clips_) weights_.push_back(static_cast<double>(clip.size()));
}

double CropSampler::total_seconds() const {
  double samples = 0.0;
  for (double w : weights_) samples += w;
  return samples / 16000.0;
}

std::vector<float> CropSampler::crop(int length, std::mt19937_64& rng) const {
  std::discrete_distribution<size_t> pick_clip(weights_.begin(), weights_.end());
  const auto& clip = clips_[pick_clip(rng)];
  std::vector<float> out(length, 0.0f);
  const int64_t size = static_cast<int64_t>(clip.size());
  if (size >= length) {
    const int64_t start = std::uniform_int_distribution<int64_t>(0, size - length)(rng);
    std::copy(clip.begin() + start, clip.begin() + start + length, out.begin());
  } else {  // a short clip lands somewhere inside a silent segment
    const int64_t at = std::uniform_int_distribution<int64_t>(0, length - size)(rng);
    std::copy(clip.begin(), clip.end(), out.begin() + at);
  }
  return out;
}

torch::Tensor CropSampler::batch(int batch_size, std::mt19937_64& rng) const { return batch_slice(batch_size, 0, batch_size, rng); }

torch::Tensor CropSampler::batch_slice(int batch_size, int first, int count, std::mt19937_64& rng) const {
  if (first < 0 || count < 0 || first + count > batch_size) throw Error(ErrorCode::kBadArgument, "batch slice out of range");
  auto result = torch::empty({count, segment_});
  for (int b = 0; b < batch_size; ++b) {
    // Every example's crop is drawn (the silence retries depend on the audio), only the slice's is augmented.
    const Augmenter::Draw change = augmenter_.draw(segment_, rng);
    std::vector<float> x = crop(change.input_length, rng);
    for (int attempt = 1; attempt < kTriesBeforeAcceptingSilence && rms(x) < kSilenceRms; ++attempt)
      x = crop(change.input_length, rng);
    if (b < first || b >= first + count) continue;
    x = augmenter_.apply(change, std::move(x), segment_);
    std::copy(x.begin(), x.end(), result[b - first].data_ptr<float>());
  }
  return result;
}

}  // namespace nwave
