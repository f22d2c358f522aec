// `nwave encode`, `nwave decode` and `nwave tokens`: thin layers over the public API (include/nwave/files.h,
// codec.h). Bitrates follow the library's one rule (nwave::codebooks_for_bitrate); when the bitrate used differs
// from the one asked for (between two steps), a note on stderr says which was used.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_util.h"
#include "commands.h"
#include "nwave/audio.h"
#include "nwave/codec.h"
#include "nwave/error.h"
#include "nwave/files.h"
#include "nwave/tokens.h"

namespace nwave::cli {

namespace {

struct CodecOptions {
  std::string input, output, model;
  double bitrate = 0;  // 0: not given
  bool original_rate = false;
  bool force = false;
  bool no_entropy = false;  // encode: fixed-width packets
  bool conceal = false;     // decode: conceal damaged packets instead of failing
  int chunk = 0;  // 0: the default block size
  int threads = 1;
};

// --bitrate: a finite positive number (CLI::PositiveNumber's message prints DBL_MAX); the range is the library's.
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

void add_bitrate_option(CLI::App* cmd, CodecOptions& o, const std::string& help) {
  cmd->add_option("--bitrate", o.bitrate, help)->check(positive_kbps());
}

void add_model_option(CLI::App* cmd, CodecOptions& o) {
  cmd->add_option("--model", o.model, "Model file (.safetensors); default: the shipped model (see NWAVE_MODEL)");
}

void add_threads_option(CLI::App* cmd, CodecOptions& o) {
  cmd->add_option("--threads", o.threads,
                  "Threads: blocks of the file coded at once, the same output for any count; 0: every core")
      ->check(CLI::Range(0, 256))
      ->default_val(1);
}

void note_bitrate_used(double asked, double kbps_per_codebook, int codebooks) {
  const double kbps = codebooks * kbps_per_codebook;
  if (asked > 0 && std::fabs(asked - kbps) > 1e-9)
    std::fprintf(stderr, "nwave: %g kbps is between two steps; used %g kbps (%d codebook%s)\n", asked, kbps, codebooks,
                 codebooks == 1 ? "" : "s");
}

}  // namespace

void add_encode_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("encode", "Compress audio (any rate and channel count) to a .nwv file");
  auto o = std::make_shared<CodecOptions>();
  cmd->add_option("IN", o->input, "Audio file: wav, flac, ogg, mp3, ...")->required();
  cmd->add_option("OUT", o->output, "Output .nwv file")->required();
  add_bitrate_option(cmd, *o, "kbps, 1.25 to 10 in steps of 1.25 (between two steps: the lower) [default: 6.25, or the model's highest]");
  add_model_option(cmd, *o);
  cmd->add_option("--chunk", o->chunk, "Feed the encoder SAMPLES samples (16 kHz) at a time; the output is the same")
      ->check(CLI::Range(1, 1 << 24));
  cmd->add_flag("--no-entropy", o->no_entropy,
                "Write fixed-width packets (codes at 10 bits each) instead of range-coded ones; same decoded audio");
  add_threads_option(cmd, *o);
  cmd->callback([o] {
    auto model = load_cli_model(o->model);
    EncodeFileOptions options;
    options.kbps = o->bitrate;
    options.chunk_samples = static_cast<size_t>(o->chunk);
    options.entropy_coding = !o->no_entropy;
    options.threads = o->threads;
    const StreamInfo info = EncodeFile(model, o->input, o->output, options);
    note_bitrate_used(o->bitrate, model->kbps_per_codebook(), info.num_codebooks);
  });
}

void add_decode_command(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("decode", "Decode a .nwv file, or tokens (.npy/.npz from nwave tokens), to a 16-bit WAV file");
  auto o = std::make_shared<CodecOptions>();
  cmd->add_option("IN", o->input, "A .nwv file, or a token array [codebooks, frames] (.npy, or .npz with its length)")
      ->required();
  cmd->add_option("OUT", o->output, "Output .wav file")->required();
  add_bitrate_option(cmd, *o, "kbps, 1.25 up to the file's, in steps of 1.25 (fewer codebooks); default: the file's");
  add_model_option(cmd, *o);
  cmd->add_flag("--original-rate", o->original_rate, "Resample to the input's original sample rate (from the header)");
  cmd->add_flag("--force", o->force, "Decode even if the file was written by another model");
  cmd->add_flag("--conceal", o->conceal,
                "Decode past damaged or missing packets, concealing them (the output keeps its length); "
                "reports how many on stderr");
  cmd->add_option("--chunk", o->chunk, "Feed the decoder FRAMES frames at a time; the output is the same")
      ->check(CLI::Range(1, 1 << 20));
  add_threads_option(cmd, *o);
  cmd->callback([o] {
    auto model = load_cli_model(o->model);
    DecodeFileOptions options;
    options.kbps = o->bitrate;
    options.force = o->force;
    options.original_rate = o->original_rate;
    options.chunk_frames = static_cast<size_t>(o->chunk);
    options.conceal = o->conceal;
    options.threads = o->threads;
    try {
      const DecodeFileReport report = file_starts_with_tokens_magic(o->input)
                                          ? DecodeTokensFile(model, o->input, o->output, options)
                                          : DecodeFile(model, o->input, o->output, options);
      const StreamInfo& info = report.info;
      if (o->conceal)
        std::fprintf(stderr, "nwave: %s: concealed %llu of %llu packets (damaged or missing)\n", o->input.c_str(),
                     static_cast<unsigned long long>(report.concealed_packets),
                     static_cast<unsigned long long>(report.packets));
      if (o->bitrate > 0)
        note_bitrate_used(o->bitrate, info.kbps() / info.num_codebooks,
                          codebooks_for_bitrate(o->bitrate, info.kbps() / info.num_codebooks, info.num_codebooks));
    } catch (const Error& e) {
      if (e.code() == ErrorCode::kModelMismatch && !o->force)
        throw Error(e.code(), o->input + ": " + e.what() + " (pass --force to decode anyway)");
      throw Error(e.code(), o->input + ": " + e.what());
    }
  });
}

void add_tokens_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("tokens",
                                 "Write the codes of audio or of a .nwv file as a .npy array [codebooks, frames], or as "
                                 "a .npz with the length and model that `nwave decode` needs");
  auto o = std::make_shared<CodecOptions>();
  cmd->add_option("IN", o->input, "Audio file, or a .nwv file (its codes are copied; no model needed)")->required();
  cmd->add_option("OUT", o->output,
                  "Output .npy (int16, or int32 for codebooks above 2^15 entries), or .npz: 'codes' (the same "
                  "array), 'length', 'fingerprint', 'sample_rate'")
      ->required();
  add_bitrate_option(cmd, *o, "kbps [default: 6.25 for audio, the file's for .nwv]");
  add_model_option(cmd, *o);
  add_threads_option(cmd, *o);
  cmd->callback([o] {
    std::error_code ec;
    if (std::filesystem::equivalent(o->input, o->output, ec))
      throw Error(ErrorCode::kBadArgument, "output '" + o->output + "' is the input file; choose another output name");
    std::vector<uint16_t> codes;  // frame-major
    int num_codebooks = 0, bits = 0;
    TokenArray tokens;  // the .npz's length, fingerprint and sample rate
    tokens.has_metadata = true;
    if (file_starts_with_nwv_magic(o->input)) {
      NwvContents contents;
      try {
        contents = ParseNwv(read_file_bytes(o->input));
      } catch (const Error& e) {
        throw Error(e.code(), o->input + ": " + e.what());
      }
      const StreamInfo& s = contents.info;
      bits = s.codebook_bits;
      num_codebooks = s.num_codebooks;
      codes = std::move(contents.codes);
      tokens.length = s.original_samples;
      tokens.fingerprint = s.model_fingerprint;
      tokens.sample_rate = s.sample_rate;
      if (o->bitrate > 0) {
        std::string error;
        const int use = codebooks_for_bitrate(o->bitrate, s.kbps() / s.num_codebooks, s.num_codebooks, &error);
        if (use == 0) throw Error(ErrorCode::kBadArgument, o->input + ": " + error + " in this stream");
        codes = keep_codebooks(codes.data(), static_cast<size_t>(s.frames), num_codebooks, use);
        num_codebooks = use;
        note_bitrate_used(o->bitrate, s.kbps() / s.num_codebooks, use);
      }
    } else {
      auto model = load_cli_model(o->model);
      std::string error;
      auto encoder = Encoder::Create(model, o->bitrate, &error);
      if (!encoder) throw Error(ErrorCode::kBadArgument, error);
      encoder->set_threads(o->threads);
      const Audio audio = read_audio(o->input);
      codes = encoder->EncodeCodes(audio.samples.data(), audio.samples.size());
      num_codebooks = encoder->num_codebooks();
      bits = model->codebook_bits();
      tokens.length = audio.samples.size();
      tokens.fingerprint = model->fingerprint();
      tokens.sample_rate = model->sample_rate();
      note_bitrate_used(o->bitrate, model->kbps_per_codebook(), num_codebooks);
    }
    const size_t frames = codes.size() / static_cast<size_t>(num_codebooks);
    const std::string& out = o->output;
    if (out.size() >= 4 && out.compare(out.size() - 4, 4, ".npz") == 0) {
      tokens.codes = std::move(codes);
      tokens.frames = frames;
      tokens.num_codebooks = num_codebooks;
      WriteTokensNpz(out, tokens, bits);
    } else {
      WriteTokensNpy(out, codes.data(), frames, num_codebooks, bits);
    }
  });
}

}  // namespace nwave::cli
