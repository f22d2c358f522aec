#include "adversarial/discriminators.h"

#include "nwave/error.h"

namespace nwave {

namespace F = torch::nn::functional;

void DiscriminatorConfig::validate() const {
  auto require = [](bool ok, const char* what) {
    if (!ok) throw Error(ErrorCode::kBadArgument, std::string("invalid discriminator configuration: ") + what);
  };
  require(!stft_ffts.empty() || !periods.empty(), "no discriminators");
  for (int n : stft_ffts) require(n >= 16 && n <= 8192 && n % 4 == 0, "STFT sizes must be multiples of 4 in 16..8192");
  for (int p : periods) require(p >= 1 && p <= 64, "periods must be 1..64");
  require(stft_ffts.empty() || (stft_channels >= 1 && stft_channels <= 1024), "stft_channels out of range");
  require(periods.empty() || !period_channels.empty(), "period_channels is empty");
  for (int c : period_channels) require(c >= 1 && c <= 2048, "period_channels out of range");
}

void to_json(nlohmann::json& j, const DiscriminatorConfig& c) {
  j = {{"stft_ffts", c.stft_ffts}, {"stft_channels", c.stft_channels}, {"periods", c.periods}, {"period_channels", c.period_channels}};
}

void from_json(const nlohmann::json& j, DiscriminatorConfig& c) {
  c = DiscriminatorConfig{};
  if (j.contains("stft_ffts")) j.at("stft_ffts").get_to(c.stft_ffts);
  if (j.contains("stft_channels")) j.at("stft_channels").get_to(c.stft_channels);
  if (j.contains("periods")) j.at("periods").get_to(c.periods);
  if (j.contains("period_channels")) j.at("period_channels").get_to(c.period_channels);
}

namespace {

torch::nn::Conv2d conv2d(int in, int out, std::array<int64_t, 2> kernel, std::array<int64_t, 2> stride = {1, 1},
                         std::array<int64_t, 2> dilation = {1, 1}) {
  // "Same" padding along both axes (before striding): (kernel - 1) * dilation / 2.
  const std::array<int64_t, 2> padding = {(kernel[0] - 1) * dilation[0] / 2, (kernel[1] - 1) * dilation[1] / 2};
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, {kernel[0], kernel[1]})
                               .stride({stride[0], stride[1]})
                               .dilation({dilation[0], dilation[1]})
                               .padding({padding[0], padding[1]}));
}

Judgement run(std::vector<torch::nn::Conv2d>& layers, torch::nn::Conv2d& post, torch::Tensor h, double slope) {
  Judgement j;
  for (auto& layer : layers) {
    h = F::leaky_relu(layer(h), F::LeakyReLUFuncOptions().negative_slope(slope));
    j.features.push_back(h);
  }
  j.logits = post(h);
  return j;
}

}  // namespace

StftDiscriminatorImpl::StftDiscriminatorImpl(int n_fft, int channels) : n_fft_(n_fft) {
  // EnCodec's layout: a (3, 9) input conv, three (3, 9) convs dilated 1, 2, 4 in time and strided 2 in frequency,
  // a (3, 3) conv, and a (3, 3) conv to one score per (frame, band).
  layers_.push_back(conv2d(2, channels, {3, 9}));
  for (int64_t dilation : {1, 2, 4}) layers_.push_back(conv2d(channels, channels, {3, 9}, {1, 2}, {dilation, 1}));
  layers_.push_back(conv2d(channels, channels, {3, 3}));
  for (size_t i = 0; i < layers_.size(); ++i) register_module("conv" + std::to_string(i), layers_[i]);
  post_ = register_module("post", conv2d(channels, 1, {3, 3}));
}

Judgement StftDiscriminatorImpl::forward(const torch::Tensor& wave) {
  auto window = torch::hann_window(n_fft_, torch::TensorOptions().dtype(wave.dtype()).device(wave.device()));
  auto spec = torch::stft(wave, n_fft_, n_fft_ / 4, n_fft_, window, /*center=*/false, /*pad_mode=*/"reflect",
                          /*normalized=*/true, /*onesided=*/true, /*return_complex=*/true);  // [B, bins, frames]
  // Magnitudes compressed to |X|^0.3 (phase kept): what gives a decoder away is often 30-40 dB below the harmonic
  // peaks (noise between smeared harmonics), which a linear spectrum hides from a small network for thousands of
  // steps. Smoothed near zero so that the gradient stays bounded.
  spec = spec * torch::pow(torch::abs(spec).pow(2) + 1e-10, -0.35);
  auto input = torch::stack({torch::real(spec), torch::imag(spec)}, 1).transpose(2, 3);  // [B, 2, frames, bins]
  return run(layers_, post_, input, 0.2);
}

PeriodDiscriminatorImpl::PeriodDiscriminatorImpl(int period, const std::vector<int>& channels) : period_(period) {
  // HiFi-GAN's layout: (5, 1) convs strided 3 in time, then one unstrided, then a (3, 1) conv to the scores.
  int in = 1;
  for (int c : channels) {
    layers_.push_back(conv2d(in, c, {5, 1}, {3, 1}));
    in = c;
  }
  layers_.push_back(conv2d(in, in, {5, 1}));
  for (size_t i = 0; i < layers_.size(); ++i) register_module("conv" + std::to_string(i), layers_[i]);
  post_ = register_module("post", conv2d(in, 1, {3, 1}));
}

Judgement PeriodDiscriminatorImpl::forward(const torch::Tensor& wave) {
  // Each stretch scaled to unit RMS (the scale itself carries no gradient): speech sits around -25 dBFS, where a
  // freshly initialised network is nearly linear and cannot tell a voice from its decoded copy for a long time.
  auto x = wave / (wave.pow(2).mean(-1, /*keepdim=*/true).sqrt().detach() + 1e-4);
  const int64_t rest = x.size(-1) % period_;
  if (rest != 0) x = F::pad(x.unsqueeze(1), F::PadFuncOptions({0, period_ - rest}).mode(torch::kReflect)).squeeze(1);
  return run(layers_, post_, x.reshape({x.size(0), 1, x.size(-1) / period_, period_}), 0.1);
}

DiscriminatorsImpl::DiscriminatorsImpl(const DiscriminatorConfig& config) : config_(config) {
  config_.validate();
  for (int n : config_.stft_ffts) stft_.push_back(register_module("stft" + std::to_string(n), StftDiscriminator(n, config_.stft_channels)));
  for (int p : config_.periods)
    period_.push_back(register_module("period" + std::to_string(p), PeriodDiscriminator(p, config_.period_channels)));
}

std::vector<Judgement> DiscriminatorsImpl::forward(const torch::Tensor& wave) {
  std::vector<Judgement> out;
  for (auto& d : stft_) out.push_back(d->forward(wave));
  for (auto& d : period_) out.push_back(d->forward(wave));
  return out;
}

}  // namespace nwave
