// Audio file I/O on libsndfile (decoding/encoding) and libsoxr (via StreamResampler).
#include <fcntl.h>
#include <sndfile.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "audio/audio_input.h"
#include "audio/stream_resampler.h"
#include "nwave/audio.h"
#include "nwave/error.h"
#include "util/atomic_file.h"

namespace nwave {

namespace {


// Distinguishes "cannot open" (kIo: missing, unreadable, a directory) from "opened but not audio" (kBadAudio),
// which libsndfile reports the same way.
void require_readable_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw Error(ErrorCode::kIo, "cannot open '" + path + "': is a directory");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(ErrorCode::kIo, "cannot open '" + path + "': " + std::strerror(errno));
  std::fclose(f);
}

// libmpg123 (libsndfile's MP3 decoder) prints "Note: ..." and "error: ..." lines straight to stderr for damaged
// MP3 data, which would break the CLI's one-line error contract. While one of these is alive, file descriptor 2
// points at /dev/null; libsndfile reports the error itself through sf_error, which we turn into one message.
// Only used around sf_open and around decoding calls on MPEG files; a mutex keeps nested/parallel use consistent.
class ScopedStderrSilence {
 public:
  explicit ScopedStderrSilence(bool active) {
    // NWAVE_DEBUG_DECODERS=1 keeps the decoders' own messages (and sanitizer reports from inside them) visible.
    if (!active || std::getenv("NWAVE_DEBUG_DECODERS") != nullptr) return;
    lock_ = std::unique_lock<std::mutex>(mutex());
    std::fflush(stderr);
    saved_ = ::dup(2);
    const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved_ < 0 || null_fd < 0 || ::dup2(null_fd, 2) < 0) {
      if (null_fd >= 0) ::close(null_fd);
      if (saved_ >= 0) ::close(saved_);
      saved_ = -1;
      return;
    }
    ::close(null_fd);
  }
  ~ScopedStderrSilence() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
  }
  ScopedStderrSilence(const ScopedStderrSilence&) = delete;
  ScopedStderrSilence& operator=(const ScopedStderrSilence&) = delete;

 private:
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  std::unique_lock<std::mutex> lock_;
  int saved_ = -1;
};

uint32_t le32(const unsigned char* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

// libsndfile 1.2 spins for minutes in sf_open on a RIFF/WAVE file whose LIST chunk holds a sub-chunk claiming more
// bytes than the LIST has (found by fuzz_audio: a 77-byte file, no system calls, ~4e9 loop iterations). Such a file
// is damaged, so it is refused before libsndfile sees it: every LIST chunk's sub-chunks must fit inside it, and the
// LIST inside the file. Other chunks are left to libsndfile (a data chunk running past the end is a common and
// harmless kind of truncation).
void screen_riff_wave(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return;  // require_readable_file() has reported what it can
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(f, std::fclose);
  unsigned char head[12];
  if (std::fread(head, 1, 12, f) != 12 || std::memcmp(head, "RIFF", 4) != 0 || std::memcmp(head + 8, "WAVE", 4) != 0)
    return;
  if (std::fseek(f, 0, SEEK_END) != 0) return;
  const long end = std::ftell(f);
  long pos = 12;
  auto damaged = [&](const std::string& what) {
    throw Error(ErrorCode::kBadAudio, "cannot decode '" + path + "': damaged WAV file (" + what + ")");
  };
  for (int chunks = 0; pos + 8 <= end && chunks < 100000; ++chunks) {
    unsigned char chunk[8];
    if (std::fseek(f, pos, SEEK_SET) != 0 || std::fread(chunk, 1, 8, f) != 8) return;
    const uint64_t size = le32(chunk + 4);
    const long body = pos + 8;
    if (std::memcmp(chunk, "LIST", 4) == 0) {
      if (size > static_cast<uint64_t>(end - body)) damaged("LIST chunk runs past the end of the file");
      if (size > (64u << 20)) damaged("LIST chunk larger than 64 MiB");
      std::vector<unsigned char> list(static_cast<size_t>(size));
      if (size > 0 && std::fread(list.data(), 1, list.size(), f) != list.size()) return;
      size_t at = 4;  // after the list type ("INFO", "adtl", ...)
      while (at + 8 <= list.size()) {
        const uint64_t sub = le32(list.data() + at + 4);
        if (sub > list.size() - at - 8) damaged("a LIST sub-chunk runs past the end of its LIST chunk");
        const size_t unpadded = at + 8 + static_cast<size_t>(sub);
        at = unpadded + (sub & 1);
        // Some writers omit the pad byte after an odd-sized sub-chunk: follow whichever position holds a chunk id.
        auto id_at = [&](size_t i) {
          if (i + 4 > list.size()) return false;
          for (size_t k = 0; k < 4; ++k)
            if (list[i + k] < 0x20 || list[i + k] > 0x7e) return false;
          return true;
        };
        if ((sub & 1) && !id_at(at) && id_at(unpadded)) at = unpadded;
      }
    }
    pos = body + static_cast<long>(std::min<uint64_t>(size + (size & 1), static_cast<uint64_t>(end)));
  }
}

bool is_mpeg(const SF_INFO& info) { return (info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG; }

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// AudioReader

struct AudioReader::Impl {
  std::string path;
  SNDFILE* file = nullptr;
  SF_INFO info{};
  std::unique_ptr<audio::StreamResampler> resampler;
  std::vector<float> interleaved;  // one decoded block, all channels
  std::vector<float> mono;         // the same block averaged to mono
  std::vector<float> pending;      // resampled samples not yet handed to the caller
  size_t pending_pos = 0;
  bool finished = false;  // end of file reached and the resampler flushed

  ~Impl() {
    if (file) sf_close(file);
  }

  // Decodes the next block into `pending`; sets `finished` at the end of the file.
  void refill() {
    pending.clear();
    pending_pos = 0;
    const int channels = info.channels;
    interleaved.resize(audio::kMixBlockFrames * channels);
    sf_count_t frames = 0;
    {
      ScopedStderrSilence quiet(is_mpeg(info));
      frames = sf_readf_float(file, interleaved.data(), audio::kMixBlockFrames);
    }
    if (frames < 0 || sf_error(file) != SF_ERR_NO_ERROR)
      throw Error(ErrorCode::kBadAudio, "cannot decode '" + path + "': " + sf_strerror(file));
    if (frames == 0) {
      resampler->flush(pending);
      finished = true;
      return;
    }
    mono.resize(static_cast<size_t>(frames));
    for (sf_count_t i = 0; i < frames; ++i)
      if (!audio::mix_to_mono(&interleaved[static_cast<size_t>(i) * channels], channels, 1, &mono[static_cast<size_t>(i)]))
        throw Error(ErrorCode::kBadAudio, "'" + path + "' contains NaN or infinite samples");
    resampler->process(mono.data(), mono.size(), pending);
  }
};

AudioReader::AudioReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AudioReader::~AudioReader() = default;

std::unique_ptr<AudioReader> AudioReader::open(const std::string& path) {
  const bool from_stdin = path == "-";
  if (!from_stdin) {
    require_readable_file(path);
    screen_riff_wave(path);
  }
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  {
    ScopedStderrSilence quiet(true);
    impl->file = from_stdin ? sf_open_fd(STDIN_FILENO, SFM_READ, &impl->info, SF_FALSE)
                            : sf_open(path.c_str(), SFM_READ, &impl->info);
  }
  if (!impl->file) throw Error(ErrorCode::kBadAudio, "cannot decode '" + path + "': " + sf_strerror(nullptr));
  // Bounded both ways (audio/audio_input.h).
  if (impl->info.samplerate < audio::kMinInputRate || impl->info.samplerate > audio::kMaxInputRate)
    throw Error(ErrorCode::kBadAudio, "'" + path + "' has an unsupported sample rate (" +
                                          std::to_string(impl->info.samplerate) + " Hz; " +
                                          std::to_string(audio::kMinInputRate) + " to " + std::to_string(audio::kMaxInputRate) +
                                          " Hz are accepted)");
  if (impl->info.channels <= 0 || impl->info.channels > audio::kMaxInputChannels)
    throw Error(ErrorCode::kBadAudio, "'" + path + "' has an unsupported channel count (" +
                                          std::to_string(impl->info.channels) + ", at most " +
                                          std::to_string(audio::kMaxInputChannels) + ")");
  // Integer formats are scaled to [-1, 1]; libsndfile's default, but made explicit because everything relies on it.
  sf_command(impl->file, SFC_SET_NORM_FLOAT, nullptr, SF_TRUE);
  try {
    impl->resampler = std::make_unique<audio::StreamResampler>(impl->info.samplerate, kSampleRate);
  } catch (const Error& e) {
    throw Error(ErrorCode::kBadAudio, "'" + path + "': " + e.what());
  }
  return std::unique_ptr<AudioReader>(new AudioReader(std::move(impl)));
}

size_t AudioReader::read(float* out16k, size_t max_samples) {
  size_t written = 0;
  while (written < max_samples) {
    if (impl_->pending_pos == impl_->pending.size()) {
      if (impl_->finished) break;
      impl_->refill();
      continue;
    }
    const size_t n = std::min(max_samples - written, impl_->pending.size() - impl_->pending_pos);
    std::copy_n(impl_->pending.data() + impl_->pending_pos, n, out16k + written);
    impl_->pending_pos += n;
    written += n;
  }
  return written;
}

int AudioReader::original_rate() const { return impl_->info.samplerate; }
int AudioReader::original_channels() const { return impl_->info.channels; }

uint64_t AudioReader::announced_samples() const {
  const SF_INFO& info = impl_->info;
  // From a pipe libsndfile reports no length, or the largest one a header can hold.
  if (info.frames <= 0 || info.frames >= (sf_count_t{1} << 40) || !info.seekable) return 0;
  return static_cast<uint64_t>(static_cast<double>(info.frames) * kSampleRate / info.samplerate);
}

// ---------------------------------------------------------------------------------------------------------------
// WavWriter

struct WavWriter::Impl {
  std::string path;    // as given, for messages
  std::string target;  // util::resolve_output(path).path: where the temporary is renamed to
  SNDFILE* file = nullptr;
  std::vector<float> clipped;
  bool committed = false;
  bool direct = false;  // a device or FIFO, written in place (util::resolve_output)
  // A pipe: libsndfile cannot write WAV there (it seeks back to patch the sizes), so the header goes first.
  int pipe_fd = -1;
  uint64_t expected = 0, written = 0;
  std::vector<uint8_t> pcm16;

  void write_all(const void* data, size_t bytes) {
    const auto* p = static_cast<const uint8_t*>(data);
    while (bytes > 0) {
      const ssize_t n = ::write(pipe_fd, p, bytes);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw Error(ErrorCode::kIo, "cannot write '" + path + "': " + std::strerror(errno));
      p += n;
      bytes -= static_cast<size_t>(n);
    }
  }

  // The canonical 44-byte RIFF/WAVE header of 16-bit PCM mono; sizes 0xFFFFFFFF when the length is unknown.
  void write_pipe_header(int rate) {
    const uint64_t data_bytes = 2 * expected;
    const uint32_t data_size = expected && data_bytes <= 0xFFFFFFFFull - 36 ? static_cast<uint32_t>(data_bytes) : 0xFFFFFFFFu;
    const uint32_t riff_size = data_size == 0xFFFFFFFFu ? 0xFFFFFFFFu : data_size + 36;
    uint8_t h[44];
    auto put32 = [&](int at, uint32_t v) { for (int i = 0; i < 4; ++i) h[at + i] = static_cast<uint8_t>(v >> (8 * i)); };
    auto put16 = [&](int at, uint16_t v) { h[at] = static_cast<uint8_t>(v); h[at + 1] = static_cast<uint8_t>(v >> 8); };
    std::memcpy(h, "RIFF", 4);
    put32(4, riff_size);
    std::memcpy(h + 8, "WAVEfmt ", 8);
    put32(16, 16);
    put16(20, 1);  // PCM
    put16(22, 1);  // mono
    put32(24, static_cast<uint32_t>(rate));
    put32(28, static_cast<uint32_t>(rate) * 2);
    put16(32, 2);
    put16(34, 16);
    std::memcpy(h + 36, "data", 4);
    put32(40, data_size);
    write_all(h, sizeof h);
  }
};

WavWriter::WavWriter(const std::string& path, int rate, uint64_t expected_samples) : impl_(std::make_unique<Impl>()) {
  if (rate <= 0) throw Error(ErrorCode::kBadArgument, "sample rate must be positive (got " + std::to_string(rate) + ")");
  impl_->path = path;
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  const util::OutputTarget target = util::resolve_output(path);
  impl_->target = target.path;
  impl_->direct = target.direct;
  if (impl_->direct) {
    const int fd = path == "-" ? ::dup(STDOUT_FILENO) : ::open(target.path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw Error(ErrorCode::kIo, "cannot write '" + path + "': " + std::strerror(errno));
    if (::lseek(fd, 0, SEEK_CUR) < 0 && errno == ESPIPE) {
      impl_->pipe_fd = fd;
      impl_->expected = expected_samples;
      impl_->write_pipe_header(rate);
      return;
    }
    ::close(fd);
  }
  const std::string tmp = impl_->direct ? target.path : util::temp_path_for(target.path);
  impl_->file = sf_open(tmp.c_str(), SFM_WRITE, &info);
  if (!impl_->file) throw Error(ErrorCode::kIo, "cannot write '" + path + "': " + sf_strerror(nullptr));
}

WavWriter::~WavWriter() {
  if (impl_->pipe_fd >= 0) ::close(impl_->pipe_fd);
  if (impl_->committed) return;
  if (impl_->file) sf_close(impl_->file);
  if (!impl_->direct) util::discard_temp_file(impl_->target);
}

void WavWriter::write(const float* samples, size_t n) {
  if (impl_->committed) throw Error(ErrorCode::kBadArgument, "write after commit to '" + impl_->path + "'");
  impl_->clipped.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(samples[i]))
      throw Error(ErrorCode::kBadArgument, "refusing to write NaN or infinite samples to '" + impl_->path + "'");
    impl_->clipped[i] = std::clamp(samples[i], -1.0f, 1.0f);
  }
  if (impl_->pipe_fd >= 0) {
    impl_->pcm16.resize(2 * n);
    for (size_t i = 0; i < n; ++i) {  // as libsndfile converts normalised floats to 16 bits
      const auto v = static_cast<uint16_t>(static_cast<int16_t>(std::lrintf(impl_->clipped[i] * 32767.0f)));
      impl_->pcm16[2 * i] = static_cast<uint8_t>(v);
      impl_->pcm16[2 * i + 1] = static_cast<uint8_t>(v >> 8);
    }
    impl_->write_all(impl_->pcm16.data(), impl_->pcm16.size());
    impl_->written += n;
    return;
  }
  if (sf_writef_float(impl_->file, impl_->clipped.data(), static_cast<sf_count_t>(n)) != static_cast<sf_count_t>(n))
    throw Error(ErrorCode::kIo, "cannot write '" + impl_->path + "': " + sf_strerror(impl_->file));
}

void WavWriter::commit() {
  if (impl_->committed) return;
  if (impl_->pipe_fd >= 0) {
    if (impl_->expected != 0 && impl_->written != impl_->expected)
      throw Error(ErrorCode::kIo, "cannot write '" + impl_->path + "': the header announced " +
                                      std::to_string(impl_->expected) + " samples, " + std::to_string(impl_->written) +
                                      " were written");
    impl_->committed = true;
    return;
  }
  // sf_close writes the final header sizes; its failure (e.g. disk full) must not be renamed into place.
  const int close_err = sf_close(impl_->file);
  impl_->file = nullptr;
  if (close_err != 0) {
    if (!impl_->direct) util::discard_temp_file(impl_->target);
    throw Error(ErrorCode::kIo, "cannot write '" + impl_->path + "': " + sf_error_number(close_err));
  }
  if (!impl_->direct) util::commit_temp_file(impl_->target);
  impl_->committed = true;
}

// ---------------------------------------------------------------------------------------------------------------
// One-shot helpers, built on the streaming classes so there is a single code path.

Audio read_audio(const std::string& path) {
  auto reader = AudioReader::open(path);
  Audio audio;
  audio.original_rate = reader->original_rate();
  audio.original_channels = reader->original_channels();
  std::vector<float> block(1 << 16);
  while (const size_t n = reader->read(block.data(), block.size()))
    audio.samples.insert(audio.samples.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(n));
  return audio;
}

std::vector<float> resample(const std::vector<float>& x, int from_rate, int to_rate) {
  audio::StreamResampler resampler(from_rate, to_rate);
  if (from_rate == to_rate) return x;
  std::vector<float> out;
  out.reserve(static_cast<size_t>(audio::StreamResampler::output_length(x.size(), from_rate, to_rate)));
  resampler.process(x.data(), x.size(), out);
  resampler.flush(out);
  return out;
}

void write_wav16(const std::string& path, const std::vector<float>& samples, int rate) {
  WavWriter writer(path, rate);
  writer.write(samples);
  writer.commit();
}

}  // namespace nwave
