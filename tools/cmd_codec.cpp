// `nwave encode`, `nwave decode` and `nwave tokens`: thin layers over the codec API (include/nwave/codec.h).
#include "cli_util.h"
#include "commands.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <string>
#include <vector>

#include <fstream>
#include <sstream>

#include "audio/stream_resampler.h"
#include "bitstream/npy_writer.h"
#include "bitstream/nwv_format.h"
#include "bitstream/nwv_loss_tolerant_reader.h"
#include "nwave/audio.h"
#include "nwave/codec.h"
#include "nwave/error.h"
#include "nwave/streaming.h"
#include "util/atomic_file.h"

namespace nwave::cli {

namespace {

struct CodecOptions {
  std::string input, output, model;
  double bitrate = 0;  // 0: not given
  int threads = 0;     // 0: LibTorch's default
  bool original_rate = false;
  bool force = false;
  bool no_entropy = false;  // encode: fixed-width packets
  bool conceal = false;     // decode: conceal damaged packets instead of failing
  int chunk = 0;  // 0: the default block size
};

// Default block sizes of the streaming file paths: memory stays bounded whatever the duration.
constexpr int kDefaultEncodeChunk = 32768;  // samples
constexpr int kDefaultDecodeChunk = 256;    // frames

// Removes PATH.tmp unless committed.
struct TempGuard {
  std::string path;
  bool committed = false;
  ~TempGuard() {
    if (!committed) util::discard_temp_file(path);
  }
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


namespace {

std::string hex16(uint64_t v) {
  char text[24];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(v));
  return text;
}

std::string kbps_text(double kbps) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", kbps);
  return text;
}

// The packets of a .nwv file in order: verified strictly, packet by packet from disk (any damage is an error), or,
// with --conceal, from memory past damaged and missing packets, which come back marked lost.
class PacketSource {
 public:
  explicit PacketSource(const CodecOptions& o) {
    if (o.conceal) {
      bytes_ = read_file_bytes(o.input);
      if (bytes_.empty()) throw Error(ErrorCode::kCorruptStream, "corrupt .nwv: empty file");
      tolerant_ = std::make_unique<bitstream::NwvLossTolerantReader>(bytes_.data(), bytes_.size());
      return;
    }
    in_.open(o.input, std::ios::binary);
    if (!in_) throw Error(ErrorCode::kIo, std::string("cannot open: ") + std::strerror(errno));
    if (in_.peek() == std::ifstream::traits_type::eof()) throw Error(ErrorCode::kCorruptStream, "corrupt .nwv: empty file");
    strict_ = std::make_unique<bitstream::NwvReader>(in_);
  }
  const bitstream::StreamHeader& header() const { return strict_ ? strict_->header() : tolerant_->header(); }
  bool next(std::vector<uint16_t>& codes, size_t& frames, bool& lost) {
    lost = false;
    return strict_ ? strict_->next_packet(codes, frames) : tolerant_->next_packet(codes, frames, lost);
  }
  uint64_t lost_packets() const { return tolerant_ ? tolerant_->lost_packets() : 0; }
  uint64_t total_packets() const { return strict_ ? strict_->total_packets() : tolerant_->total_packets(); }

 private:
  std::ifstream in_;
  std::vector<uint8_t> bytes_;
  std::unique_ptr<bitstream::NwvReader> strict_;
  std::unique_ptr<bitstream::NwvLossTolerantReader> tolerant_;
};

struct PacketCount {
  uint64_t lost = 0, total = 0;
};

// Streams a .nwv file to a WAV file packet by packet (the same checks and output as Decoder::Decode). Returns how
// many packets were concealed (none without --conceal) of how many.
PacketCount decode_file(const CodecOptions& o, const std::shared_ptr<const Model>& model) {
  PacketSource reader(o);
  const bitstream::StreamHeader& h = reader.header();
  if (h.model_fingerprint != model->fingerprint() && !o.force)
    throw Error(ErrorCode::kModelMismatch, "model mismatch: the stream was written by model " +
                                               hex16(h.model_fingerprint) + ", this model is " +
                                               model->fingerprint_hex());
  if (static_cast<int>(h.sample_rate) != model->sample_rate() || static_cast<int>(h.hop) != model->hop() ||
      static_cast<int>(h.codebook_bits) != model->codebook_bits())
    throw Error(ErrorCode::kModelMismatch, "model mismatch: the stream's layout (" + std::to_string(h.sample_rate) +
                                               " Hz, hop " + std::to_string(h.hop) + ", " +
                                               std::to_string(h.codebook_bits) + "-bit codes) does not fit model " +
                                               model->fingerprint_hex());
  const int have = static_cast<int>(h.num_codebooks);
  int use = have;
  if (o.bitrate > 0) {
    use = std::max(1, static_cast<int>(std::floor(o.bitrate / model->kbps_per_codebook() + 1e-9)));
    if (use > have)
      throw Error(ErrorCode::kBadArgument, "cannot decode at " + kbps_text(o.bitrate) +
                                               " kbps: the stream has only " +
                                               kbps_text(static_cast<double>(have) * h.codebook_bits * h.sample_rate / h.hop / 1000.0) +
                                               " kbps (" + std::to_string(have) + " codebooks)");
  }
  if (use > model->num_codebooks())
    throw Error(ErrorCode::kModelMismatch, "model mismatch: the stream has " + std::to_string(have) +
                                               " codebooks, model " + model->fingerprint_hex() + " only " +
                                               std::to_string(model->num_codebooks()));
  auto decoder = StreamingDecoder::Create(model);
  int rate = model->sample_rate();
  std::unique_ptr<audio::StreamResampler> resampler;
  if (o.original_rate && static_cast<int>(h.original_sample_rate) != rate) {
    resampler = std::make_unique<audio::StreamResampler>(rate, static_cast<int>(h.original_sample_rate));
    rate = static_cast<int>(h.original_sample_rate);
  }
  WavWriter wav(o.output, rate);
  uint64_t remaining = h.original_samples;  // the decoded length; the last frame's padding is dropped
  std::vector<float> resampled;
  auto emit = [&](const std::vector<float>& pcm) {
    const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining, pcm.size()));
    remaining -= take;
    if (!resampler) return wav.write(pcm.data(), take);
    resampled.clear();
    resampler->process(pcm.data(), take, resampled);
    wav.write(resampled);
  };
  const size_t chunk = static_cast<size_t>(o.chunk > 0 ? o.chunk : kDefaultDecodeChunk);
  std::vector<uint16_t> packet, selected;
  size_t frames = 0;
  bool lost = false;
  while (reader.next(packet, frames, lost)) {
    if (lost) {  // the decoder conceals the gap: the output keeps its length
      emit(decoder->push_lost(frames));
      continue;
    }
    const uint16_t* codes = packet.data();
    if (use != have) {
      selected.resize(frames * static_cast<size_t>(use));
      for (size_t f = 0; f < frames; ++f)
        for (int c = 0; c < use; ++c) selected[f * use + c] = packet[f * have + c];
      codes = selected.data();
    }
    for (size_t done = 0; done < frames; done += chunk) {
      const size_t count = std::min(chunk, frames - done);
      try {
        emit(decoder->push(codes + done * use, count, use));
      } catch (const Error& e) {
        if (e.code() == ErrorCode::kBadArgument) throw Error(ErrorCode::kCorruptStream, std::string("corrupt .nwv: ") + e.what());
        throw;
      }
    }
  }
  emit(decoder->flush());
  if (resampler) {
    resampled.clear();
    resampler->flush(resampled);
    wav.write(resampled);
  }
  wav.commit();
  return {reader.lost_packets(), reader.total_packets()};
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
  cmd->add_option("--chunk", o->chunk, "Feed the encoder SAMPLES samples (16 kHz) at a time; the output is the same")
      ->check(CLI::Range(1, 1 << 24));
  cmd->add_flag("--no-entropy", o->no_entropy,
                "Write fixed-width packets (codes at 10 bits each) instead of range-coded ones; same decoded audio");
  cmd->callback([o] {
    if (o->threads > 0) set_num_threads(o->threads);
    // Streams from disk: the reader yields 16 kHz blocks, the encoder returns the codes of completed frames, the
    // writer emits full packets and patches the header at the end. Memory does not grow with duration.
    auto reader = AudioReader::open(o->input);
    auto model = load_cli_model(o->model);
    std::string error;
    auto encoder = StreamingEncoder::Create(model, o->bitrate > 0 ? o->bitrate : kDefaultBitrateKbps, &error);
    if (!encoder) throw Error(ErrorCode::kBadArgument, error);
    bitstream::StreamHeader header;
    header.sample_rate = static_cast<uint32_t>(model->sample_rate());
    header.hop = static_cast<uint32_t>(model->hop());
    header.codebook_bits = static_cast<uint32_t>(model->codebook_bits());
    header.num_codebooks = static_cast<uint32_t>(encoder->num_codebooks());
    header.original_sample_rate = static_cast<uint32_t>(reader->original_rate());
    header.original_channels = static_cast<uint32_t>(std::min(reader->original_channels(), 65535));
    header.model_fingerprint = model->fingerprint();
    header.entropy_coded = !o->no_entropy;
    // The writer seeks back to patch the header, so it needs a seekable stream: a file beside the output, or
    // memory when the output is a device or FIFO (a .nwv is small: 4.5 MB for an hour at 10 kbps).
    util::check_output_path(o->output);
    const bool to_device = util::is_special_file(o->output);
    TempGuard guard{o->output};
    std::ofstream file;
    std::stringstream memory;
    if (!to_device) {
      file.open(util::temp_path_for(o->output), std::ios::binary | std::ios::trunc);
      if (!file) throw Error(ErrorCode::kIo, "cannot write '" + o->output + "': " + std::strerror(errno));
    }
    std::ostream& out = to_device ? static_cast<std::ostream&>(memory) : file;
    bitstream::NwvWriter writer(out, header);
    const size_t n = static_cast<size_t>(encoder->num_codebooks());
    const size_t chunk = static_cast<size_t>(o->chunk > 0 ? o->chunk : kDefaultEncodeChunk);
    std::vector<float> block(chunk);
    uint64_t total = 0;
    size_t got = 0;
    while ((got = reader->read(block.data(), chunk)) > 0) {
      const std::vector<uint16_t> codes = encoder->push(block.data(), got);
      writer.write_frames(codes.data(), codes.size() / n);
      total += got;
    }
    const std::vector<uint16_t> codes = encoder->flush();
    writer.write_frames(codes.data(), codes.size() / n);
    writer.finish(total);
    if (to_device) {
      const std::string bytes = memory.str();
      AtomicFile device(o->output);
      device.write(bytes.data(), bytes.size());
      device.commit();
      guard.committed = true;
      return;
    }
    file.close();
    if (!file) throw Error(ErrorCode::kIo, "cannot write '" + o->output + "' (disk full?)");
    util::commit_temp_file(o->output);
    guard.committed = true;
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
  cmd->add_flag("--conceal", o->conceal,
                "Decode past damaged or missing packets, concealing them (the output keeps its length); "
                "reports how many on stderr");
  cmd->add_option("--chunk", o->chunk, "Feed the decoder FRAMES frames at a time; the output is the same")
      ->check(CLI::Range(1, 1 << 20));
  cmd->callback([o] {
    if (o->threads > 0) set_num_threads(o->threads);
    auto model = load_cli_model(o->model);
    try {
      const PacketCount packets = decode_file(*o, model);
      if (o->conceal)
        std::fprintf(stderr, "nwave: %s: concealed %llu of %llu packets (damaged or missing)\n", o->input.c_str(),
                     static_cast<unsigned long long>(packets.lost), static_cast<unsigned long long>(packets.total));
    } catch (const Error& e) {
      if (e.code() == ErrorCode::kModelMismatch && !o->force)
        throw Error(e.code(), o->input + ": " + e.what() + " (pass --force to decode anyway)");
      throw Error(e.code(), o->input + ": " + e.what());
    }
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
