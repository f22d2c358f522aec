// `nwave encode`, `nwave decode` and `nwave tokens`: thin layers over the codec API (include/nwave/codec.h).
#include "cli_util.h"
#include "commands.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "bitstream/npy_writer.h"
#include "nwave/audio.h"
#include "nwave/codec.h"
#include "nwave/error.h"

namespace nwave::cli {

namespace {

struct CodecOptions {
  std::string input, output, model;
  double bitrate = 0;  // 0: not given
  int threads = 0;     // 0: LibTorch's default
  bool original_rate = false;
  bool force = false;
};

// --bitrate: a finite positive number (CLI::PositiveNumber's message prints DBL_MAX).
CLI::Validator positive_kbps() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        try {
          size_t used = 0;
          const double v = std::stod(text, &used);
          if (used == text.size() && std::isfinite(v) && v > 0) return {};
        } catch (const std::exception&) {
        }
        return "must be a positive number of kbps (got '" + text + "')";
      },
      "KBPS > 0");
}

void add_model_options(CLI::App* cmd, CodecOptions& o) {
  cmd->add_option("--model", o.model, "Model file (.safetensors); default: the shipped model (see NWAVE_MODEL)");
  cmd->add_option("--threads", o.threads, "CPU threads (results do not depend on it)")->check(CLI::Range(1, 1024));
}

}  // namespace


void add_encode_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("encode", "Compress audio (any rate and channel count) to a .nwv file");
  auto o = std::make_shared<CodecOptions>();
  cmd->add_option("IN", o->input, "Audio file: wav, flac, ogg, mp3, ...")->required();
  cmd->add_option("OUT", o->output, "Output .nwv file")->required();
  cmd->add_option("--bitrate", o->bitrate, "kbps; floor(KBPS / kbps per codebook) codebooks, at least 1 [default: 6.25]")
      ->check(positive_kbps());
  add_model_options(cmd, *o);
  cmd->callback([o] {
    if (o->threads > 0) set_num_threads(o->threads);
    const Audio audio = read_audio(o->input);
    auto model = load_cli_model(o->model);
    std::string error;
    auto encoder = Encoder::Create(model, o->bitrate > 0 ? o->bitrate : kDefaultBitrateKbps, &error);
    if (!encoder) throw Error(ErrorCode::kBadArgument, error);
    const std::vector<uint8_t> nwv =
        encoder->Encode(audio.samples.data(), audio.samples.size(), audio.original_rate, audio.original_channels);
    write_file_atomic(o->output, nwv);
  });
}

void add_decode_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("decode", "Decode a .nwv file to a 16-bit WAV file");
  auto o = std::make_shared<CodecOptions>();
  cmd->add_option("IN", o->input, "A .nwv file")->required();
  cmd->add_option("OUT", o->output, "Output .wav file")->required();
  cmd->add_option("--bitrate", o->bitrate, "kbps, at most the file's (fewer codebooks); default: the file's")
      ->check(positive_kbps());
  add_model_options(cmd, *o);
  cmd->add_flag("--original-rate", o->original_rate, "Resample to the input's original sample rate (from the header)");
  cmd->add_flag("--force", o->force, "Decode even if the file was written by another model");
  cmd->callback([o] {
    if (o->threads > 0) set_num_threads(o->threads);
    const std::vector<uint8_t> nwv = read_file_bytes(o->input);
    auto model = load_cli_model(o->model);
    auto decoder = Decoder::Create(model);
    StreamInfo info;
    std::vector<float> audio;
    try {
      audio = decoder->Decode(nwv, o->bitrate, o->force, &info);
    } catch (const Error& e) {
      if (e.code() == ErrorCode::kModelMismatch && !o->force)
        throw Error(e.code(), o->input + ": " + e.what() + " (pass --force to decode anyway)");
      throw Error(e.code(), o->input + ": " + e.what());
    }
    int rate = model->sample_rate();
    if (o->original_rate && info.original_rate != rate) {
      audio = resample(audio, rate, info.original_rate);
      rate = info.original_rate;
    }
    write_wav16(o->output, audio, rate);
  });
}

void add_tokens_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("tokens", "Write the codes of audio or of a .nwv file as a .npy array [codebooks, frames]");
  auto o = std::make_shared<CodecOptions>();
  cmd->add_option("IN", o->input, "Audio file, or a .nwv file (its codes are copied; no model needed)")->required();
  cmd->add_option("OUT", o->output, "Output .npy file (int16, or int32 for codebooks above 2^15 entries)")->required();
  cmd->add_option("--bitrate", o->bitrate, "kbps [default: 6.25 for audio, the file's for .nwv]")->check(positive_kbps());
  add_model_options(cmd, *o);
  cmd->callback([o] {
    if (o->threads > 0) set_num_threads(o->threads);
    std::vector<uint16_t> codes;  // frame-major
    int num_codebooks = 0, bits = 0;
    if (file_starts_with_nwv_magic(o->input)) {
      NwvContents contents;
      try {
        contents = ParseNwv(read_file_bytes(o->input));
      } catch (const Error& e) {
        throw Error(e.code(), o->input + ": " + e.what());
      }
      const StreamInfo& s = contents.info;
      num_codebooks = s.num_codebooks;
      bits = s.codebook_bits;
      int use = num_codebooks;
      if (o->bitrate > 0) {
        const double per_codebook = static_cast<double>(s.codebook_bits) * s.sample_rate / s.hop / 1000.0;
        use = static_cast<int>(std::clamp(std::floor(o->bitrate / per_codebook + 1e-9), 1.0, 1e6));  // no int overflow
        if (use > num_codebooks)
          throw Error(ErrorCode::kBadArgument, o->input + ": cannot take " + std::to_string(use) +
                                                   " codebooks from a file that has " + std::to_string(num_codebooks));
      }
      codes.resize(static_cast<size_t>(s.frames) * use);
      for (size_t f = 0; f < s.frames; ++f)
        for (int c = 0; c < use; ++c) codes[f * use + c] = contents.codes[f * num_codebooks + c];
      num_codebooks = use;
    } else {
      const Audio audio = read_audio(o->input);
      auto model = load_cli_model(o->model);
      std::string error;
      auto encoder = Encoder::Create(model, o->bitrate > 0 ? o->bitrate : kDefaultBitrateKbps, &error);
      if (!encoder) throw Error(ErrorCode::kBadArgument, error);
      codes = encoder->EncodeCodes(audio.samples.data(), audio.samples.size());
      num_codebooks = encoder->num_codebooks();
      bits = model->codebook_bits();
    }
    const size_t frames = codes.size() / static_cast<size_t>(num_codebooks);
    std::vector<int32_t> matrix(codes.size());  // [codebooks, frames], C order
    for (size_t f = 0; f < frames; ++f)
      for (int c = 0; c < num_codebooks; ++c) matrix[c * frames + f] = codes[f * num_codebooks + c];
    bitstream::write_npy(o->output, matrix.data(), static_cast<size_t>(num_codebooks), frames,
                         bits <= 15 ? bitstream::NpyDtype::kInt16 : bitstream::NpyDtype::kInt32);
  });
}

}  // namespace nwave::cli
