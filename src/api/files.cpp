// Whole-file encode, decode and token export (include/nwave/files.h): what the nwave command runs.
#include "nwave/files.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <iostream>
#include <sstream>
#include <vector>

#include "api/block_parallel_decoder.h"
#include "api/block_parallel_encoder.h"
#include "api/model_impl.h"
#include "api/parallel_blocks.h"
#include "audio/stream_resampler.h"
#include "bitstream/npy_writer.h"
#include "bitstream/nwv_format.h"
#include "bitstream/nwv_loss_tolerant_reader.h"
#include "nwave/audio.h"
#include "nwave/error.h"
#include "nwave/streaming.h"
#include "util/atomic_file.h"

namespace nwave {

namespace {

// Default block sizes: memory stays bounded whatever the duration.
constexpr size_t kDefaultEncodeChunk = 32768;  // samples
constexpr size_t kDefaultDecodeChunk = 256;    // frames

// The packets of a .nwv file in order: verified strictly, packet by packet from the stream (any damage is an
// error), or, when concealing, from memory past damaged and missing packets, which come back marked lost.
class PacketSource {
 public:
  PacketSource(const std::string& input, bool conceal) {
    std::ifstream file;
    if (input != "-") {
      file.open(input, std::ios::binary);
      if (!file) throw Error(ErrorCode::kIo, "cannot open '" + input + "': " + std::strerror(errno));
    }
    std::istream& in = input == "-" ? std::cin : file;  // the strict reader needs no seeking: a pipe is fine
    if (in.peek() == std::istream::traits_type::eof()) throw Error(ErrorCode::kCorruptStream, "corrupt .nwv: empty file");
    if (conceal) {
      bytes_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      tolerant_ = std::make_unique<bitstream::NwvLossTolerantReader>(bytes_.data(), bytes_.size());
      return;
    }
    in_ = input == "-" ? nullptr : std::make_unique<std::ifstream>(std::move(file));
    strict_ = std::make_unique<bitstream::NwvReader>(in_ ? *in_ : std::cin);
  }
  const bitstream::StreamHeader& header() const { return strict_ ? strict_->header() : tolerant_->header(); }
  bool next(std::vector<uint16_t>& codes, size_t& frames, bool& lost) {
    lost = false;
    return strict_ ? strict_->next_packet(codes, frames) : tolerant_->next_packet(codes, frames, lost);
  }
  uint64_t lost_packets() const { return tolerant_ ? tolerant_->lost_packets() : 0; }
  uint64_t total_packets() const { return strict_ ? strict_->total_packets() : tolerant_->total_packets(); }

 private:
  std::unique_ptr<std::ifstream> in_;
  std::vector<uint8_t> bytes_;
  std::unique_ptr<bitstream::NwvReader> strict_;
  std::unique_ptr<bitstream::NwvLossTolerantReader> tolerant_;
};

}  // namespace

StreamInfo EncodeFile(const std::shared_ptr<const Model>& model, const std::string& input, const std::string& output,
                      const EncodeFileOptions& options) {
  std::string error;
  const int num_codebooks = encoder_codebooks(model.get(), options.kbps, &error);
  if (num_codebooks == 0) throw Error(ErrorCode::kBadArgument, error);
  const int threads = resolve_threads(options.threads);
  util::refuse_same_file(input, output);
  auto reader = AudioReader::open(input);
  AtomicFile out(output);  // before the work: a bad output path is reported first
  bitstream::StreamHeader header;
  header.sample_rate = static_cast<uint32_t>(model->sample_rate());
  header.hop = static_cast<uint32_t>(model->hop());
  header.codebook_bits = static_cast<uint32_t>(model->codebook_bits());
  header.num_codebooks = static_cast<uint32_t>(num_codebooks);
  header.original_sample_rate = static_cast<uint32_t>(reader->original_rate());
  header.original_channels = static_cast<uint32_t>(std::min(reader->original_channels(), 65535));
  header.model_fingerprint = model->fingerprint();
  header.entropy_coded = options.entropy_coding;
  // The writer seeks back to patch the header, so the .nwv is assembled in memory (a .nwv is small: 4.5 MB for an
  // hour at 10 kbps) and then written out; the audio itself streams through in blocks.
  std::stringstream memory;
  bitstream::NwvWriter writer(memory, header);
  // Blocks sized on the length the header announces (from a pipe: unknown, so the largest blocks).
  const engine::EngineModel& engine = *ModelInternals::of(*model).engine;
  const int64_t announced_frames = static_cast<int64_t>(reader->announced_samples() / header.hop);
  const int64_t block_frames =
      parallel_block_frames(announced_frames, threads, engine.receptive_field().encoder_history);
  BlockParallelEncoder encoder(engine, num_codebooks, threads, block_frames);
  const size_t chunk = options.chunk_samples > 0 ? options.chunk_samples : kDefaultEncodeChunk;
  std::vector<float> block(chunk);
  std::vector<uint16_t> codes;
  auto write_codes = [&] {
    writer.write_frames(codes.data(), codes.size() / static_cast<size_t>(num_codebooks));
    codes.clear();
  };
  uint64_t total = 0;
  while (const size_t got = reader->read(block.data(), chunk)) {
    encoder.push(block.data(), got, codes);
    write_codes();
    total += got;
  }
  encoder.finish(codes);
  write_codes();
  writer.finish(total);
  const std::string bytes = memory.str();
  out.write(bytes.data(), bytes.size());
  out.commit();
  return stream_info(writer.header());
}

DecodeFileReport DecodeFile(const std::shared_ptr<const Model>& model, const std::string& input,
                            const std::string& output, const DecodeFileOptions& options) {
  if (!model) throw Error(ErrorCode::kBadArgument, "no model");
  util::refuse_same_file(input, output);
  PacketSource reader(input, options.conceal);
  const StreamInfo info = stream_info(reader.header());
  const int have = info.num_codebooks;
  const int use = decoding_codebooks(*model, info, options.kbps, options.force);
  const int threads = resolve_threads(options.threads);
  // Concealment needs the streaming decoder (its fade follows the losses frame by frame): one thread. Otherwise
  // blocks, one per thread when the file is short, run at once.
  const engine::EngineModel& engine = *ModelInternals::of(*model).engine;
  std::unique_ptr<StreamingDecoder> concealing = options.conceal ? StreamingDecoder::Create(model) : nullptr;
  std::unique_ptr<BlockParallelDecoder> blocks;
  if (!concealing)
    blocks = std::make_unique<BlockParallelDecoder>(
        engine, use, threads,
        parallel_block_frames(static_cast<int64_t>(std::min<uint64_t>(info.frames, uint64_t{1} << 40)), threads,
                              engine.receptive_field().decoder_history));
  int rate = model->sample_rate();
  std::unique_ptr<audio::StreamResampler> resampler;
  if (options.original_rate && info.original_rate != rate) {
    resampler = std::make_unique<audio::StreamResampler>(rate, info.original_rate);
    rate = info.original_rate;
  }
  // A pipe gets the header first: the length is known, unless resampling makes it approximate.
  WavWriter wav(output, rate, resampler ? 0 : info.original_samples);
  uint64_t remaining = info.original_samples;  // the decoded length; the last frame's padding is dropped
  std::vector<float> resampled;
  auto emit = [&](const std::vector<float>& pcm) {
    const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining, pcm.size()));
    remaining -= take;
    if (!resampler) return wav.write(pcm.data(), take);
    resampled.clear();
    resampler->process(pcm.data(), take, resampled);
    wav.write(resampled);
  };
  const size_t chunk = options.chunk_frames > 0 ? options.chunk_frames : kDefaultDecodeChunk;
  std::vector<uint16_t> packet, selected;
  std::vector<float> pcm;
  size_t frames = 0;
  bool lost = false;
  while (reader.next(packet, frames, lost)) {
    if (lost) {  // (only when concealing) the decoder conceals the gap: the output keeps its length
      emit(concealing->push_lost(frames));
      continue;
    }
    const uint16_t* codes = packet.data();
    if (use != have) {
      selected = keep_codebooks(codes, frames, have, use);
      codes = selected.data();
    }
    for (size_t done = 0; done < frames; done += chunk) {
      const size_t count = std::min(chunk, frames - done);
      try {
        if (concealing) {
          emit(concealing->push(codes + done * use, count, use));
        } else {
          check_codes(*model, codes + done * use, count, use);
          pcm.clear();
          blocks->push(codes + done * use, count, pcm);
          emit(pcm);
        }
      } catch (const Error& e) {
        if (e.code() == ErrorCode::kBadArgument) throw Error(ErrorCode::kCorruptStream, std::string("corrupt .nwv: ") + e.what());
        throw;
      }
    }
  }
  if (concealing) {
    emit(concealing->flush());
  } else {
    pcm.clear();
    blocks->finish(pcm);
    emit(pcm);
  }
  if (resampler) {
    resampled.clear();
    resampler->flush(resampled);
    wav.write(resampled);
  }
  wav.commit();
  return {info, reader.total_packets(), reader.lost_packets()};
}

void WriteTokensNpy(const std::string& path, const uint16_t* codes, size_t frames, int num_codebooks,
                    int codebook_bits) {
  if (num_codebooks < 1) throw Error(ErrorCode::kBadArgument, "tokens need at least 1 codebook");
  if (codes == nullptr && frames > 0) throw Error(ErrorCode::kBadArgument, "WriteTokensNpy: codes is null");
  std::vector<int32_t> matrix(frames * static_cast<size_t>(num_codebooks));  // [codebooks, frames], C order
  for (size_t f = 0; f < frames; ++f)
    for (int c = 0; c < num_codebooks; ++c) matrix[c * frames + f] = codes[f * num_codebooks + c];
  bitstream::write_npy(path, matrix.data(), static_cast<size_t>(num_codebooks), frames,
                       codebook_bits <= 15 ? bitstream::NpyDtype::kInt16 : bitstream::NpyDtype::kInt32);
}

}  // namespace nwave
