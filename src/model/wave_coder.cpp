#include "model/wave_coder.h"

#include "model/seanet_coder.h"
#include "model/spectral_coder.h"

namespace nwave {

std::shared_ptr<WaveEncoder> make_wave_encoder(const ModelConfig& config) {
  if (config.family == "seanet") return std::make_shared<SeanetEncoderImpl>(config);
  return std::make_shared<SpectralEncoderImpl>(config);
}

std::shared_ptr<WaveDecoder> make_wave_decoder(const ModelConfig& config) {
  if (config.family == "seanet") return std::make_shared<SeanetDecoderImpl>(config);
  return std::make_shared<SpectralDecoderImpl>(config);
}

}  // namespace nwave
