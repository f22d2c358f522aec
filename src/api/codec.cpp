// The public codec API (include/nwave/codec.h) over the inference engine and the .nwv container.
#include "nwave/codec.h"

#include <cmath>
#include <cstring>
#include <sstream>

#include "api/block_parallel_decoder.h"
#include "api/block_parallel_encoder.h"
#include "api/model_impl.h"
#include "api/parallel_blocks.h"
#include "bitstream/nwv_format.h"
#include "io/safetensors_reader.h"
#include "model/model_file.h"
#include "nwave/error.h"

namespace nwave {

// ---------------------------------------------------------------------------------------------------- Model

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::~Model() = default;

std::unique_ptr<Model> Model::LoadOrThrow(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  // Straight from the file into the engine's float buffers: peak memory is the packed weights plus one tensor.
  SafetensorsReader file(path);
  impl->config = read_model_config(file);
  impl->engine = std::make_unique<engine::EngineModel>(impl->config, file);
  impl->fingerprint = model_fingerprint(impl->config, file);
  impl->metadata = file.metadata();
  for (const auto& [name, entry] : file.entries())
    if (!is_training_statistic(name)) impl->num_weights += static_cast<uint64_t>(entry.numel());
  return std::unique_ptr<Model>(new Model(std::move(impl)));
}

std::unique_ptr<Model> Model::Load(const std::string& path, std::string* error) {
  try {
    return LoadOrThrow(path);
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return nullptr;
  }
}

uint64_t Model::fingerprint() const { return impl_->fingerprint; }
std::string Model::fingerprint_hex() const { return nwave::fingerprint_hex(impl_->fingerprint); }
int Model::sample_rate() const { return impl_->config.sample_rate; }
int Model::hop() const { return impl_->config.hop; }
int Model::num_codebooks() const { return impl_->config.num_codebooks; }
int Model::codebook_bits() const { return impl_->config.codebook_bits(); }
double Model::kbps_per_codebook() const { return impl_->config.kbps_per_codebook(); }

int Model::codebook_size() const { return impl_->config.codebook_size; }
std::string Model::family() const { return impl_->config.family; }
uint64_t Model::num_weights() const { return impl_->num_weights; }

std::string Model::metadata(const std::string& key) const {
  auto it = impl_->metadata.find(key);
  return it == impl_->metadata.end() ? std::string() : it->second;
}

double Model::default_bitrate_kbps() const {
  return std::min(kDefaultBitrateKbps, num_codebooks() * kbps_per_codebook());
}

int Model::codebooks_for_bitrate(double kbps, std::string* error) const {
  return nwave::codebooks_for_bitrate(kbps, kbps_per_codebook(), num_codebooks(), error);
}

// ---------------------------------------------------------------------------------------------------- streams

double StreamInfo::kbps() const {
  return hop > 0 ? static_cast<double>(num_codebooks) * codebook_bits * sample_rate / hop / 1000.0 : 0.0;
}

double StreamInfo::actual_kbps() const {
  const double seconds = duration_seconds();
  return seconds > 0 ? static_cast<double>(file_bytes) * 8.0 / seconds / 1000.0 : 0.0;
}

double StreamInfo::duration_seconds() const {
  return sample_rate > 0 ? static_cast<double>(original_samples) / sample_rate : 0.0;
}

bool LooksLikeNwv(const uint8_t* bytes, size_t size) {
  return size >= 4 && std::memcmp(bytes, bitstream::kNwvMagic, 4) == 0;
}

StreamInfo stream_info(const bitstream::StreamHeader& h) {
  StreamInfo info;
  info.sample_rate = static_cast<int>(h.sample_rate);
  info.hop = static_cast<int>(h.hop);
  info.codebook_bits = static_cast<int>(h.codebook_bits);
  info.num_codebooks = static_cast<int>(h.num_codebooks);
  info.frames = h.frame_count;
  info.original_samples = h.original_samples;
  info.original_rate = static_cast<int>(h.original_sample_rate);
  info.original_channels = static_cast<int>(h.original_channels);
  info.model_fingerprint = h.model_fingerprint;
  info.format_version = static_cast<int>(h.format_version);
  info.entropy_coded = h.entropy_coded;
  info.fixed_width_bytes = bitstream::expected_file_size(h);
  return info;
}

NwvContents ParseNwv(const std::vector<uint8_t>& nwv) {
  if (nwv.empty()) throw Error(ErrorCode::kCorruptStream, "corrupt .nwv: empty file");
  std::istringstream in(std::string(reinterpret_cast<const char*>(nwv.data()), nwv.size()), std::ios::binary);
  bitstream::NwvReader reader(in);
  const bitstream::StreamHeader& h = reader.header();
  NwvContents out;
  out.info = stream_info(h);
  out.info.file_bytes = nwv.size();
  // For fixed width the reader has checked the file size against the header, so this allocation is backed by
  // real bytes. Entropy-coded packets can be tiny (a silent packet costs a few bytes), so there the codes grow
  // only as packets actually decode: at most ~3000 codes per byte of file, however the header lies.
  if (!h.entropy_coded) out.codes.reserve(static_cast<size_t>(h.frame_count) * h.num_codebooks);
  std::vector<uint16_t> packet;
  size_t frames = 0;
  while (reader.next_packet(packet, frames)) out.codes.insert(out.codes.end(), packet.begin(), packet.end());
  return out;
}

// ---------------------------------------------------------------------------------------------------- Encoder

Encoder::Encoder(std::shared_ptr<const Model> model, int num_codebooks)
    : model_(std::move(model)), num_codebooks_(num_codebooks) {}
Encoder::~Encoder() = default;

void check_finite_samples(const float* samples, size_t n, uint64_t offset) {
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(samples[i]))
      throw Error(ErrorCode::kBadArgument, "input sample " + std::to_string(offset + i) + " is NaN or infinite");
}

void check_codes(const Model& model, const uint16_t* codes, size_t frames, int num_codebooks) {
  const int size = model.codebook_size();
  const size_t count = frames * static_cast<size_t>(num_codebooks);
  for (size_t i = 0; i < count; ++i)
    if (codes[i] >= size)
      throw Error(ErrorCode::kBadArgument, "code " + std::to_string(codes[i]) + " at frame " +
                                               std::to_string(i / num_codebooks) + " is outside the codebook (" +
                                               std::to_string(size) + " entries)");
}

namespace {

// Encoder's and Decoder's set_threads(): stores the count resolve_threads() gives, or keeps the old one and returns
// false.
bool assign_thread_count(int threads, int& field) {
  try {
    field = resolve_threads(threads);
    return true;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

bool check_model(const Model* model, std::string* error) {
  if (!model && error) *error = "no model";
  return model != nullptr;
}

int encoder_codebooks(const Model* model, double kbps, std::string* error) {
  if (!check_model(model, error)) return 0;
  return model->codebooks_for_bitrate(kbps == 0 ? model->default_bitrate_kbps() : kbps, error);
}

std::unique_ptr<Encoder> Encoder::Create(std::shared_ptr<const Model> model, double kbps, std::string* error) {
  const int n = encoder_codebooks(model.get(), kbps, error);
  return n ? std::unique_ptr<Encoder>(new Encoder(std::move(model), n)) : nullptr;
}

bool Encoder::set_bitrate(double kbps) {
  const int n = model_->codebooks_for_bitrate(kbps);
  if (n == 0) return false;
  num_codebooks_ = n;
  return true;
}

int Encoder::num_codebooks() const { return num_codebooks_; }
double Encoder::bitrate_kbps() const { return num_codebooks_ * model_->kbps_per_codebook(); }
const Model& Encoder::model() const { return *model_; }

bool Encoder::set_threads(int threads) { return assign_thread_count(threads, threads_); }

std::vector<uint16_t> Encoder::EncodeCodes(const float* samples, size_t n) {
  if (n == 0) return {};
  if (samples == nullptr) throw Error(ErrorCode::kBadArgument, "EncodeCodes: samples is null");
  check_finite_samples(samples, n, 0);
  // The inference engine fed the whole signal (in blocks, on threads_ threads): exactly what a StreamingEncoder
  // produces for any chunking. The last frame is zero-padded.
  const size_t hop = static_cast<size_t>(model_->hop());
  const engine::EngineModel& engine = *model_->impl_->engine;
  const int64_t frames = static_cast<int64_t>((n + hop - 1) / hop);
  BlockParallelEncoder encoder(engine, num_codebooks_, threads_,
                               parallel_block_frames(frames, threads_, engine.receptive_field().encoder_history));
  std::vector<uint16_t> out;
  out.reserve(static_cast<size_t>(frames) * static_cast<size_t>(num_codebooks_));
  encoder.push(samples, n, out);
  encoder.finish(out);
  return out;
}

std::vector<uint8_t> Encoder::Encode(const float* samples, size_t n, int original_rate, int original_channels) {
  if (original_rate < 1 || original_rate > 1000000)
    throw Error(ErrorCode::kBadArgument, "original rate must be 1 to 1000000 Hz (got " + std::to_string(original_rate) + ")");
  if (original_channels < 1 || original_channels > 65535)
    throw Error(ErrorCode::kBadArgument, "original channel count must be 1 to 65535 (got " +
                                             std::to_string(original_channels) + ")");
  const std::vector<uint16_t> codes = EncodeCodes(samples, n);
  bitstream::StreamHeader header;
  header.sample_rate = static_cast<uint32_t>(model_->sample_rate());
  header.hop = static_cast<uint32_t>(model_->hop());
  header.codebook_bits = static_cast<uint32_t>(model_->codebook_bits());
  header.num_codebooks = static_cast<uint32_t>(num_codebooks_);
  header.original_sample_rate = static_cast<uint32_t>(original_rate);
  header.original_channels = static_cast<uint32_t>(original_channels);
  header.model_fingerprint = model_->fingerprint();
  header.entropy_coded = entropy_coding_;
  std::ostringstream out(std::ios::binary);
  bitstream::NwvWriter writer(out, header);
  writer.write_frames(codes.data(), codes.size() / static_cast<size_t>(num_codebooks_));
  writer.finish(n);
  const std::string bytes = out.str();
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

// ---------------------------------------------------------------------------------------------------- Decoder

Decoder::Decoder(std::shared_ptr<const Model> model) : model_(std::move(model)) {}
Decoder::~Decoder() = default;

std::unique_ptr<Decoder> Decoder::Create(std::shared_ptr<const Model> model, std::string* error) {
  return check_model(model.get(), error) ? std::unique_ptr<Decoder>(new Decoder(std::move(model))) : nullptr;
}

const Model& Decoder::model() const { return *model_; }

bool Decoder::set_threads(int threads) { return assign_thread_count(threads, threads_); }

std::vector<float> Decoder::DecodeCodes(const uint16_t* codes, size_t frames, int num_codebooks) {
  if (num_codebooks < 1 || num_codebooks > model_->num_codebooks())
    throw Error(ErrorCode::kBadArgument, "cannot decode " + std::to_string(num_codebooks) +
                                             " codebooks: the model has 1 to " +
                                             std::to_string(model_->num_codebooks()));
  if (frames == 0) return {};
  if (codes == nullptr) throw Error(ErrorCode::kBadArgument, "DecodeCodes: codes is null");
  check_codes(*model_, codes, frames, num_codebooks);
  const engine::EngineModel& engine = *model_->impl_->engine;
  BlockParallelDecoder decoder(engine, num_codebooks, threads_,
                               parallel_block_frames(static_cast<int64_t>(frames), threads_,
                                                     engine.receptive_field().decoder_history));
  std::vector<float> audio;
  audio.reserve(frames * static_cast<size_t>(model_->hop()));
  decoder.push(codes, frames, audio);
  decoder.finish(audio);
  return audio;
}

int decoding_codebooks(const Model& model, const StreamInfo& s, double kbps, bool force) {
  if (s.model_fingerprint != model.fingerprint() && !force)
    throw Error(ErrorCode::kModelMismatch, "model mismatch: the stream was written by model " +
                                               fingerprint_hex(s.model_fingerprint) + ", this model is " +
                                               model.fingerprint_hex());
  // Even when forced, the stream's layout has to be one this model can synthesise.
  if (s.sample_rate != model.sample_rate() || s.hop != model.hop() || s.codebook_bits != model.codebook_bits())
    throw Error(ErrorCode::kModelMismatch,
                "model mismatch: the stream has " + std::to_string(s.sample_rate) + " Hz, hop " +
                    std::to_string(s.hop) + ", " + std::to_string(s.codebook_bits) + "-bit codes; model " +
                    model.fingerprint_hex() + " has " + std::to_string(model.sample_rate()) + " Hz, hop " +
                    std::to_string(model.hop()) + ", " + std::to_string(model.codebook_bits()) + "-bit codes");
  int use = s.num_codebooks;
  if (kbps != 0) {
    std::string error;
    use = codebooks_for_bitrate(kbps, model.kbps_per_codebook(), s.num_codebooks, &error);
    if (use == 0) throw Error(ErrorCode::kBadArgument, "cannot decode at this bitrate: " + error + " in this stream");
  }
  if (use > model.num_codebooks())
    throw Error(ErrorCode::kModelMismatch, "model mismatch: the stream has " + std::to_string(s.num_codebooks) +
                                               " codebooks, model " + model.fingerprint_hex() + " only " +
                                               std::to_string(model.num_codebooks()));
  return use;
}

std::vector<float> Decoder::Decode(const std::vector<uint8_t>& nwv, double kbps, bool force, StreamInfo* info) {
  NwvContents contents = ParseNwv(nwv);
  const StreamInfo& s = contents.info;
  if (info) *info = s;
  const int use = decoding_codebooks(*model_, s, kbps, force);
  const size_t frames = static_cast<size_t>(s.frames);
  std::vector<uint16_t> selected;
  const uint16_t* codes = contents.codes.data();
  if (use != s.num_codebooks) {
    selected = keep_codebooks(codes, frames, s.num_codebooks, use);
    codes = selected.data();
  }
  std::vector<float> audio;
  try {
    audio = DecodeCodes(codes, frames, use);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kBadArgument) throw Error(ErrorCode::kCorruptStream, std::string("corrupt .nwv: ") + e.what());
    throw;
  }
  audio.resize(static_cast<size_t>(s.original_samples));
  return audio;
}

}  // namespace nwave
