#include "model/model_config.h"

#include "nwave/error.h"

#include <cmath>

namespace nwave {

namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw Error(ErrorCode::kBadModel, "invalid model configuration: " + what);
}

}  // namespace

int ModelConfig::codebook_bits() const {
  int bits = 0;
  while ((1 << bits) < codebook_size) ++bits;
  return bits;
}

double ModelConfig::kbps_per_codebook() const {
  return codebook_bits() * static_cast<double>(sample_rate) / hop / 1000.0;
}

int ModelConfig::latency_samples() const { return family == "spectral" ? synthesis_fft : hop; }

void ModelConfig::validate() const {
  require(family == "spectral" || family == "seanet", "family must be spectral or seanet, not '" + family + "'");
  require(sample_rate == 16000, "sample_rate must be 16000");
  require(hop > 0 && hop <= 4096, "hop out of range");
  require(latent_dim > 0 && latent_dim <= 4096, "latent_dim out of range");
  require(num_codebooks >= 1 && num_codebooks <= 32, "num_codebooks must be 1..32");
  require(codebook_size >= 2 && codebook_size <= 65536, "codebook_size must be 2..65536");
  require(codebook_dim >= 0 && codebook_dim <= latent_dim, "codebook_dim must be 0..latent_dim");
  require(vq_update == "ema" || vq_update == "loss", "vq_update must be ema or loss");
  require(codebook_dim == 0 || vq_update == "loss", "factorized codes (codebook_dim > 0) need vq_update = loss");
  require(ema_decay > 0.0 && ema_decay < 1.0, "ema_decay must be in (0, 1)");
  if (family == "spectral") {
    require(analysis_fft >= hop && analysis_fft % hop == 0 && analysis_fft <= 8192, "analysis_fft must be a multiple of hop");
    require(synthesis_fft >= hop && synthesis_fft % hop == 0 && synthesis_fft <= 8192, "synthesis_fft must be a multiple of hop");
    require(channels > 0 && channels <= 4096 && mlp_ratio > 0 && mlp_ratio <= 16, "channels/mlp_ratio out of range");
    require(encoder_blocks >= 0 && encoder_blocks <= 64 && decoder_blocks >= 0 && decoder_blocks <= 64, "block counts out of range");
    require(kernel_size >= 1 && kernel_size <= 63, "kernel_size out of range");
  } else {
    int product = 1;
    for (int s : strides) {
      require(s >= 1 && s <= 16, "strides out of range");
      product *= s;
    }
    require(!strides.empty() && strides.size() <= 8 && product == hop, "the product of strides must equal hop");
    require(seanet_channels > 0 && seanet_channels <= 512, "seanet_channels out of range");
    require(!dilations.empty() && dilations.size() <= 8, "dilations out of range");
    for (int d : dilations) require(d >= 1 && d <= 64, "dilations out of range");
  }
}

ModelConfig ModelConfig::preset(const std::string& name) {
  ModelConfig c;
  if (name == "default") return c;
  if (name == "tiny") {  // for tests: trains in seconds
    c.latent_dim = 32;
    c.num_codebooks = 4;
    c.codebook_size = 64;
    c.channels = 32;
    c.encoder_blocks = 1;
    c.decoder_blocks = 1;
    c.mlp_ratio = 2;
    return c;
  }
  if (name == "seanet" || name == "seanet-tiny") {
    c.family = "seanet";
    if (name == "seanet-tiny") {
      c.seanet_channels = 4;
      c.latent_dim = 32;
      c.num_codebooks = 4;
      c.codebook_size = 64;
      c.dilations = {1};
    }
    return c;
  }
  throw Error(ErrorCode::kBadArgument, "unknown preset '" + name + "' (known: tiny, default, seanet, seanet-tiny)");
}

ModelConfig ModelConfig::with_changes(const std::string& json_object) const {
  const auto changes = nlohmann::json::parse(json_object, nullptr, /*allow_exceptions=*/false);
  if (!changes.is_object()) throw Error(ErrorCode::kBadArgument, "model changes must be a JSON object, e.g. {\"latent_dim\": 64}");
  nlohmann::json merged = *this;
  for (const auto& [key, value] : changes.items()) {
    if (!merged.contains(key)) throw Error(ErrorCode::kBadArgument, "unknown model configuration key '" + key + "'");
    merged[key] = value;
  }
  ModelConfig result;
  try {
    result = merged.get<ModelConfig>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kBadArgument, std::string("model changes: wrong type: ") + e.what());
  }
  result.validate();
  return result;
}

std::vector<std::string> ModelConfig::preset_names() { return {"tiny", "default", "seanet", "seanet-tiny"}; }

void to_json(nlohmann::json& j, const ModelConfig& c) {
  j = nlohmann::json{{"family", c.family},
                     {"sample_rate", c.sample_rate},
                     {"hop", c.hop},
                     {"latent_dim", c.latent_dim},
                     {"num_codebooks", c.num_codebooks},
                     {"codebook_size", c.codebook_size},
                     {"codebook_dim", c.codebook_dim},
                     {"vq_update", c.vq_update},
                     {"ema_decay", c.ema_decay},
                     {"dead_code_threshold", c.dead_code_threshold},
                     {"analysis_fft", c.analysis_fft},
                     {"synthesis_fft", c.synthesis_fft},
                     {"channels", c.channels},
                     {"encoder_blocks", c.encoder_blocks},
                     {"decoder_blocks", c.decoder_blocks},
                     {"mlp_ratio", c.mlp_ratio},
                     {"kernel_size", c.kernel_size},
                     {"seanet_channels", c.seanet_channels},
                     {"strides", c.strides},
                     {"dilations", c.dilations}};
}

void from_json(const nlohmann::json& j, ModelConfig& c) {
  // Missing keys keep their defaults so that older files stay readable; wrong types throw.
  ModelConfig d;
  auto get = [&](const char* key, auto& field) {
    if (j.contains(key)) j.at(key).get_to(field);
  };
  c = d;
  get("family", c.family);
  get("sample_rate", c.sample_rate);
  get("hop", c.hop);
  get("latent_dim", c.latent_dim);
  get("num_codebooks", c.num_codebooks);
  get("codebook_size", c.codebook_size);
  get("codebook_dim", c.codebook_dim);
  get("vq_update", c.vq_update);
  get("ema_decay", c.ema_decay);
  get("dead_code_threshold", c.dead_code_threshold);
  get("analysis_fft", c.analysis_fft);
  get("synthesis_fft", c.synthesis_fft);
  get("channels", c.channels);
  get("encoder_blocks", c.encoder_blocks);
  get("decoder_blocks", c.decoder_blocks);
  get("mlp_ratio", c.mlp_ratio);
  get("kernel_size", c.kernel_size);
  get("seanet_channels", c.seanet_channels);
  get("strides", c.strides);
  get("dilations", c.dilations);
}

}  // namespace nwave
