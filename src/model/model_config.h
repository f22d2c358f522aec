// The architecture of a codec model, complete enough to rebuild it from a weights file: it travels as JSON in the
// safetensors metadata ("nwave_config").
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace nwave {

struct ModelConfig {
  std::string family = "spectral";  // "spectral" (STFT front-end, ConvNeXt, iSTFT head) or "seanet" (waveform)
  int sample_rate = 16000;
  int hop = 128;         // samples per latent frame: 125 frames/s at 16 kHz
  int latent_dim = 128;  // channels of the latent the quantizer sees

  // Residual vector quantizer.
  int num_codebooks = 8;
  int codebook_size = 1024;
  int codebook_dim = 0;            // 0: look up in the latent space; > 0: factorized low-dim codes (DAC)
  std::string vq_update = "ema";   // "ema" (EMA updates, dead-code replacement) or "loss" (codebook loss)
  double ema_decay = 0.99;
  // A code whose EMA usage falls under this fraction of the mean usage is dead: restarted on a batch vector.
  double dead_code_threshold = 0.05;

  // Spectral family.
  int analysis_fft = 512;   // causal analysis window; it looks back only, so it adds no latency
  int synthesis_fft = 256;  // iSTFT window: the algorithmic latency in samples (256 = 16 ms)
  int channels = 192;
  int encoder_blocks = 6;
  int decoder_blocks = 6;
  int mlp_ratio = 3;
  int kernel_size = 7;

  // SEANet family.
  int seanet_channels = 16;
  std::vector<int> strides = {2, 4, 4, 4};
  std::vector<int> dilations = {1, 3, 9};

  int codebook_bits() const;       // bits per code: ceil(log2(codebook_size))
  double kbps_per_codebook() const;
  int latency_samples() const;     // algorithmic latency of encode + decode

  // Throws nwave::Error(kBadModel) when a field is out of range or inconsistent.
  void validate() const;

  static ModelConfig preset(const std::string& name);  // "tiny", "default", "seanet", "seanet-tiny"

  // This configuration with some fields changed by a JSON object of the same keys, e.g. {"synthesis_fft": 512}.
  // Throws Error(kBadArgument) for malformed JSON or an unknown key, Error(kBadModel) for an invalid result.
  ModelConfig with_changes(const std::string& json_object) const;
  static std::vector<std::string> preset_names();
};

void to_json(nlohmann::json& j, const ModelConfig& c);
void from_json(const nlohmann::json& j, ModelConfig& c);

}  // namespace nwave
