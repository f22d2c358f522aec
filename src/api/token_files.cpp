// Token files (include/nwave/tokens.h): .npy and .npz code matrices written, parsed and decoded to audio.
#include "nwave/tokens.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "api/model_impl.h"
#include "bitstream/npy_reader.h"
#include "bitstream/npy_writer.h"
#include "bitstream/zip_archive.h"
#include "nwave/audio.h"
#include "nwave/error.h"
#include "nwave/streaming.h"
#include "util/atomic_file.h"
#include "util/error_line.h"

namespace nwave {

namespace {

// The most codes a token file may hold: 2^25, 9 hours of 8 codebooks at 125 frames/s (longer audio: several
// files). Bounds the memory a hostile file can ask for, and the inflation of a compressed member.
constexpr size_t kMaxTokenValues = size_t{1} << 25;
constexpr size_t kMaxMemberBytes = kMaxTokenValues * 8 + 4096;  // int64 values and a header
constexpr size_t kDefaultDecodeChunk = 256;  // frames per decoder call, as DecodeFile

[[noreturn]] void not_tokens(const std::string& what, const std::string& reason) {
  throw Error(ErrorCode::kCorruptStream, what + ": not a token array (" + reason + ")");
}

// The codes of a [codebooks, frames] array, frame-major.
void take_codes(const bitstream::NpyArray& array, const std::string& what, TokenArray& tokens) {
  if (array.shape.size() != 2)
    not_tokens(what, "a " + std::to_string(array.shape.size()) + "-d array; tokens are [codebooks, frames]");
  const size_t codebooks = array.shape[0], frames = array.shape[1];
  if (codebooks < 1 || codebooks > 1024) not_tokens(what, std::to_string(codebooks) + " codebooks");
  tokens.num_codebooks = static_cast<int>(codebooks);
  tokens.frames = frames;
  tokens.codes.resize(codebooks * frames);
  for (size_t c = 0; c < codebooks; ++c)
    for (size_t f = 0; f < frames; ++f) {
      const int64_t v = array.values[c * frames + f];
      if (v < 0 || v > 65535)
        not_tokens(what, "code " + std::to_string(v) + " at codebook " + std::to_string(c) + ", frame " +
                             std::to_string(f) + " is not a codebook index");
      tokens.codes[f * codebooks + c] = static_cast<uint16_t>(v);
    }
}

int64_t scalar(const bitstream::NpyArray& array, const std::string& what, const std::string& name) {
  if (!array.shape.empty() || array.values.size() != 1) not_tokens(what, "'" + name + "' is not a single number");
  return array.values[0];
}

// The whole file, refused (kCorruptStream) above max_bytes before it is read.
std::vector<uint8_t> read_bytes(const std::string& path, uint64_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, "cannot open '" + path + "': " + std::strerror(errno));
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (!ec && size > max_bytes)
    not_tokens(path, std::to_string(size) + " bytes, more than the " + std::to_string(max_bytes) + " accepted");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(ErrorCode::kIo, "cannot read '" + path + "'");
  return bytes;
}

}  // namespace

std::vector<uint8_t> TokensNpzBytes(const TokenArray& tokens, int codebook_bits) {
  const size_t n = static_cast<size_t>(std::max(tokens.num_codebooks, 0));
  if (n < 1 || tokens.codes.size() != tokens.frames * n)
    throw Error(ErrorCode::kBadArgument, "TokensNpzBytes: codes do not hold frames x codebooks values");
  std::vector<int64_t> matrix(tokens.codes.size());  // [codebooks, frames], C order
  for (size_t f = 0; f < tokens.frames; ++f)
    for (size_t c = 0; c < n; ++c) matrix[c * tokens.frames + f] = tokens.codes[f * n + c];
  using bitstream::NpyDtype;
  std::vector<bitstream::ZipMember> members = {
      {"codes.npy", bitstream::npy_bytes(matrix, {n, tokens.frames}, codebook_bits <= 15 ? NpyDtype::kInt16 : NpyDtype::kInt32)}};
  if (tokens.has_metadata) {
    members.push_back({"length.npy", bitstream::npy_bytes({static_cast<int64_t>(tokens.length)}, {}, NpyDtype::kInt64)});
    members.push_back(
        {"fingerprint.npy", bitstream::npy_bytes({static_cast<int64_t>(tokens.fingerprint)}, {}, NpyDtype::kUInt64)});
    members.push_back({"sample_rate.npy", bitstream::npy_bytes({tokens.sample_rate}, {}, NpyDtype::kInt64)});
  }
  return bitstream::write_zip(members);
}

void WriteTokensNpz(const std::string& path, const TokenArray& tokens, int codebook_bits) {
  const std::vector<uint8_t> zip = TokensNpzBytes(tokens, codebook_bits);
  AtomicFile out(path);
  out.write(zip.data(), zip.size());
  out.commit();
}

bool LooksLikeTokens(const uint8_t* bytes, size_t size) {
  return bytes != nullptr && size >= 4 &&
         (std::memcmp(bytes, "\x93NUM", 4) == 0 || std::memcmp(bytes, "PK\x03\x04", 4) == 0);
}

TokenArray ParseTokens(const uint8_t* bytes, size_t size, const std::string& what) {
  if (bytes == nullptr || !LooksLikeTokens(bytes, size)) not_tokens(what, "neither a .npy nor a .npz file");
  TokenArray tokens;
  if (bytes[0] != 'P') {
    take_codes(bitstream::parse_npy(bytes, size, what, kMaxTokenValues), what, tokens);
    return tokens;
  }
  bool have_codes = false;
  int extras = 0;
  int64_t length = 0, fingerprint = 0, rate = 0;
  for (const bitstream::ZipMember& m : bitstream::read_zip(bytes, size, what, kMaxMemberBytes)) {
    const std::string name = m.name.size() > 4 && m.name.compare(m.name.size() - 4, 4, ".npy") == 0
                                 ? m.name.substr(0, m.name.size() - 4)
                                 : m.name;
    const std::string member = what + ": " + quoted_excerpt(m.name);
    if (name == "codes") {
      take_codes(bitstream::parse_npy(m.data.data(), m.data.size(), member, kMaxTokenValues), member, tokens);
      have_codes = true;
    } else if (name == "length" || name == "fingerprint" || name == "sample_rate") {
      const int64_t v = scalar(bitstream::parse_npy(m.data.data(), m.data.size(), member, kMaxTokenValues), what, name);
      (name == "length" ? length : name == "fingerprint" ? fingerprint : rate) = v;
      ++extras;
    }  // other members are someone else's business
  }
  if (!have_codes) not_tokens(what, "no 'codes' array in the archive");
  if (extras == 0) return tokens;
  if (extras != 3) not_tokens(what, "'length', 'fingerprint' and 'sample_rate' go together");
  if (rate < 1 || rate > 1000000) not_tokens(what, "sample_rate " + std::to_string(rate));
  if (length < 0) not_tokens(what, "length " + std::to_string(length));
  tokens.has_metadata = true;
  tokens.length = static_cast<uint64_t>(length);
  tokens.fingerprint = static_cast<uint64_t>(fingerprint);
  tokens.sample_rate = static_cast<int>(rate);
  return tokens;
}

DecodeFileReport DecodeTokensFile(const std::shared_ptr<const Model>& model, const std::string& input,
                                  const std::string& output, const DecodeFileOptions& options) {
  if (!model) throw Error(ErrorCode::kBadArgument, "no model");
  if (options.original_rate) throw Error(ErrorCode::kBadArgument, "token files do not record an original rate");
  if (options.conceal) throw Error(ErrorCode::kBadArgument, "token files have no packets to conceal");
  util::refuse_same_file(input, output);
  const std::vector<uint8_t> bytes = read_bytes(input, kMaxMemberBytes);
  const TokenArray tokens = ParseTokens(bytes.data(), bytes.size(), input);
  const uint64_t hop = static_cast<uint64_t>(model->hop());
  StreamInfo info;
  info.sample_rate = tokens.has_metadata ? tokens.sample_rate : model->sample_rate();
  info.hop = model->hop();
  info.codebook_bits = model->codebook_bits();
  info.num_codebooks = tokens.num_codebooks;
  info.frames = tokens.frames;
  info.original_samples = tokens.has_metadata ? tokens.length : tokens.frames * hop;
  info.original_rate = info.sample_rate;
  info.original_channels = 1;
  info.model_fingerprint = tokens.has_metadata ? tokens.fingerprint : model->fingerprint();
  if (info.original_samples > tokens.frames * hop)
    throw Error(ErrorCode::kCorruptStream, input + ": length " + std::to_string(info.original_samples) + " is more than " +
                                               std::to_string(tokens.frames) + " frames give");
  const int use = decoding_codebooks(*model, info, options.kbps, options.force);
  std::vector<uint16_t> codes = use == tokens.num_codebooks
                                    ? tokens.codes
                                    : keep_codebooks(tokens.codes.data(), tokens.frames, tokens.num_codebooks, use);
  auto decoder = StreamingDecoder::Create(model);
  WavWriter wav(output, model->sample_rate(), info.original_samples);
  uint64_t remaining = info.original_samples;
  auto emit = [&](const std::vector<float>& pcm) {
    const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining, pcm.size()));
    remaining -= take;
    wav.write(pcm.data(), take);
  };
  const size_t chunk = options.chunk_frames > 0 ? options.chunk_frames : kDefaultDecodeChunk;
  for (size_t done = 0; done < tokens.frames; done += chunk)
    emit(decoder->push(codes.data() + done * static_cast<size_t>(use), std::min(chunk, tokens.frames - done), use));
  emit(decoder->flush());
  wav.commit();
  return {info, 0, 0};
}

}  // namespace nwave
