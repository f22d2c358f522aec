// Inference speed of the codec beside libopus on the same signal in the same run (docs/PERFORMANCE.md):
// real-time factor of encode, decode and both (offline = the engine fed the whole signal; streaming = one frame
// per call), the old LibTorch CodecModel path for comparison, GFLOP/s achieved against a one-thread sgemm peak
// measured through torch::mm, and peak RSS.
//
//   codec_speed [--model FILE] [--preset default] [--seconds 600] [--threads 1] [--bitrate 6.25] [--wall]
//               [--save-model FILE]   (keeps the random model, e.g. for `nwave encode --model FILE`)
//               [--kernels avx512f|avx2+fma|generic]   (a narrower kernel set than the CPU's best, for comparison)
//
// Without --model a randomly initialised model of the preset is used: speed does not depend on the weights.
#include <sys/resource.h>
#include <unistd.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bitstream/nwv_format.h"
#include "engine/engine.h"
#include "engine/kernels.h"
#include "eval/opus_codec.h"
#include "model/model_io.h"
#include "nwave/codec.h"
#include "nwave/streaming.h"

namespace {

// Process CPU time, not wall time: on a shared machine (load above the core count) wall time measures the other
// jobs too. With one thread the two agree on a quiet machine; --wall switches to wall-clock time.
bool g_wall = false;
double now() {
  if (g_wall) return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

double loadavg() {
  double l = 0;
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &l) != 1) l = 0;
    std::fclose(f);
  }
  return l;
}

std::vector<float> test_signal(size_t n) {  // speech-like: a gliding harmonic tone, amplitude bursts, noise
  std::vector<float> x(n);
  std::mt19937 gen(7);
  std::normal_distribution<float> noise(0.0f, 0.01f);
  double phase = 0;
  for (size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / 16000.0;
    const double f0 = 120.0 + 40.0 * std::sin(2 * M_PI * 0.7 * t);
    phase += 2 * M_PI * f0 / 16000.0;
    double v = 0;
    for (int h = 1; h <= 8; ++h) v += std::sin(h * phase) / h;
    const double env = 0.5 + 0.5 * std::sin(2 * M_PI * 3.0 * t);
    x[i] = static_cast<float>(0.2 * env * v) + noise(gen);
  }
  return x;
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_path, preset = "default", save_model_path;
  double seconds = 600, kbps = 6.25;
  int threads = 1;
  std::string kernels;
  for (int i = 1; i < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--wall") {
      g_wall = true;
      --i;
      continue;
    }
    if (i + 1 >= argc) return 2;
    if (a == "--model") model_path = argv[i + 1];
    else if (a == "--preset") preset = argv[i + 1];
    else if (a == "--save-model") save_model_path = argv[i + 1];
    else if (a == "--seconds") seconds = std::stod(argv[i + 1]);
    else if (a == "--threads") threads = std::stoi(argv[i + 1]);
    else if (a == "--bitrate") kbps = std::stod(argv[i + 1]);
    else if (a == "--kernels") kernels = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: codec_speed [--model FILE] [--preset P] [--seconds S] [--threads N] [--bitrate K] [--wall] [--save-model FILE] [--kernels SET]\n");
      return 2;
    }
  }
  for (auto set : {nwave::engine::KernelSet::kGeneric, nwave::engine::KernelSet::kAvx2, nwave::engine::KernelSet::kAvx512})
    if (kernels == nwave::engine::kernel_set_name(set)) nwave::engine::use_kernels(set);
  if (!kernels.empty() && kernels != nwave::engine::kernel_set_name(nwave::engine::active_kernels())) {
    std::fprintf(stderr, "codec_speed: unknown kernel set '%s'\n", kernels.c_str());
    return 2;
  }
  torch::set_num_threads(threads);  // the LibTorch reference path; the engine runs on one thread
  std::string temp;
  if (model_path.empty()) {
    torch::manual_seed(1);
    nwave::CodecModel m(nwave::ModelConfig::preset(preset));
    temp = (std::filesystem::temp_directory_path() / ("codec_speed_" + std::to_string(getpid()) + ".safetensors")).string();
    nwave::save_model(temp, *m);
    if (!save_model_path.empty()) nwave::save_model(save_model_path, *m);  // for CLI measurements
    model_path = temp;
  }
  std::shared_ptr<const nwave::Model> model = nwave::Model::LoadOrThrow(model_path);
  nwave::LoadedModel loaded = nwave::load_model(model_path);  // for the LibTorch path
  nwave::SafetensorsReader model_file(model_path);           // for the FLOP count
  const nwave::engine::EngineModel engine(loaded.model->config(), model_file);
  if (!temp.empty()) std::filesystem::remove(temp);
  const nwave::ModelConfig config = loaded.model->config();
  const size_t n = static_cast<size_t>(seconds * 16000);
  const std::vector<float> x = test_signal(n);
  auto encoder = nwave::Encoder::Create(model, kbps);
  auto decoder = nwave::Decoder::Create(model);
  const int nc = encoder->num_codebooks();
  const double frames = std::ceil(static_cast<double>(n) / config.hop);
  int64_t params = 0;
  for (const auto& p : loaded.model->parameters()) params += p.numel();

  // Peak: a large sgemm through torch::mm on `threads` threads.
  double peak_gflops = 0;
  {
    c10::InferenceMode guard;
    auto a = torch::randn({2048, 2048}), b = torch::randn({2048, 2048});
    torch::mm(a, b);
    for (int rep = 0; rep < 3; ++rep) {
      const double t0 = now();
      auto c = torch::mm(a, b);
      peak_gflops = std::max(peak_gflops, 2.0 * 2048 * 2048 * 2048 / (now() - t0) / 1e9);
    }
  }

  // Are LibTorch's ops row-exact (one row computed alone == the same row inside a block)? If not, streaming
  // through them cannot be bit-identical to offline, which is why the engine has its own kernels.
  {
    c10::InferenceMode guard;
    torch::manual_seed(3);
    const int64_t rows = 256;
    auto x = torch::randn({rows, 192});
    auto w = torch::randn({576, 192}) * 0.05, b = torch::randn({576});
    auto frames = torch::randn({rows, 512});
    auto seq = torch::randn({1, 192, rows + 6});
    auto dw = torch::randn({192, 1, 7});
    auto check = [&](const char* name, const std::function<torch::Tensor(const torch::Tensor&)>& f,
                     const torch::Tensor& input, int64_t dim) {
      auto full = f(input);
      int64_t differ = 0;
      for (int64_t m : {1, 2, 3, 5, 7, 16, 33}) {
        auto part = f(input.narrow(dim, 0, m + (dim == 2 ? 6 : 0)));
        differ += !torch::equal(part, full.narrow(dim, 0, m));
      }
      std::printf("LibTorch row-exactness, %-34s: %s\n", name, differ ? "DIFFERS for some block sizes" : "identical");
    };
    check("linear 192->576 (sgemm)", [&](const torch::Tensor& t) { return torch::nn::functional::linear(t, w, b); }, x, 0);
    check("layer_norm 192", [&](const torch::Tensor& t) { return torch::layer_norm(t, {192}); }, x, 0);
    check("gelu", [&](const torch::Tensor& t) { return torch::gelu(t); }, x, 0);
    check("rfft 512", [&](const torch::Tensor& t) { return torch::view_as_real(torch::fft::rfft(t)); }, frames, 0);
    check("depthwise conv1d k=7", [&](const torch::Tensor& t) { return torch::conv1d(t, dw, torch::Tensor(), torch::IntArrayRef{1}, torch::IntArrayRef{0}, torch::IntArrayRef{1}, 192); }, seq, 2);
  }

  // Engine, offline.
  double t0 = now();
  const std::vector<uint16_t> codes = encoder->EncodeCodes(x.data(), n);
  const double t_enc = now() - t0;
  t0 = now();
  const std::vector<float> y = decoder->DecodeCodes(codes.data(), codes.size() / nc, nc);
  const double t_dec = now() - t0;

  // The .nwv container with entropy coding (version 2: range coder + context model) on the same codes: what
  // Encoder::Encode adds to EncodeCodes and Decoder::Decode (ParseNwv) to DecodeCodes.
  t0 = now();
  nwave::bitstream::StreamHeader header;
  header.codebook_bits = static_cast<uint32_t>(model->codebook_bits());
  header.num_codebooks = static_cast<uint32_t>(nc);
  header.entropy_coded = true;
  std::ostringstream nwv_out(std::ios::binary);
  nwave::bitstream::NwvWriter writer(nwv_out, header);
  writer.write_frames(codes.data(), codes.size() / nc);
  writer.finish(n);
  const std::string nwv_text = nwv_out.str();
  const double t_pack = now() - t0;
  t0 = now();
  const nwave::NwvContents parsed = nwave::ParseNwv(std::vector<uint8_t>(nwv_text.begin(), nwv_text.end()));
  const double t_unpack = now() - t0;
  const bool entropy_same = parsed.codes == codes;

  // Engine, streaming: one frame per call (the real-time case), on the first 60 s at most.
  const size_t ns = std::min(n, static_cast<size_t>(60 * 16000));
  auto se = nwave::StreamingEncoder::Create(model, kbps);
  auto sd = nwave::StreamingDecoder::Create(model);
  t0 = now();
  std::vector<uint16_t> scodes;
  for (size_t i = 0; i < ns; i += config.hop) {
    auto c = se->push(x.data() + i, std::min<size_t>(config.hop, ns - i));
    scodes.insert(scodes.end(), c.begin(), c.end());
  }
  auto tail = se->flush();
  scodes.insert(scodes.end(), tail.begin(), tail.end());
  const double t_senc = now() - t0;
  t0 = now();
  size_t decoded = 0;
  for (size_t f = 0; f < scodes.size() / nc; ++f) decoded += sd->push(scodes.data() + f * nc, 1, nc).size();
  decoded += sd->flush().size();
  const double t_sdec = now() - t0;
  const bool stream_same = std::equal(scodes.begin(), scodes.end(), codes.begin());

  // The LibTorch CodecModel path (what offline encode and decode ran before the engine), on the first 60 s.
  double t_tenc = 0, t_tdec = 0;
  {
    c10::InferenceMode guard;
    auto& m = loaded.model;
    auto wave = nwave::pad_to_frames(torch::from_blob(const_cast<float*>(x.data()), {1, static_cast<int64_t>(ns)}).clone(), config.hop);
    t0 = now();
    auto c = m->encode_codes(wave, nc);
    t_tenc = now() - t0;
    t0 = now();
    auto audio = m->decode_codes(c);
    t_tdec = now() - t0;
  }

  // libopus 6 kbps on the same signal.
  t0 = now();
  const auto opus = nwave::eval::opus_roundtrip(x, 6000);
  const double t_opus = now() - t0;

  const double enc_flop = 2.0 * engine.encoder_macs_per_frame(nc) * frames;
  const double dec_flop = 2.0 * engine.decoder_macs_per_frame() * frames;
  const double sec_s = static_cast<double>(ns) / 16000;
  std::printf("timing: %s; load average at the end: %.2f on %ld cores\n", g_wall ? "wall clock" : "process CPU time",
              loadavg(), sysconf(_SC_NPROCESSORS_ONLN));
  std::printf("model: %s preset, %.2f M parameters, %d codebooks (%.2f kbps); signal %.0f s; %d thread(s); kernels %s\n",
              config.family.c_str(), params / 1e6, nc, encoder->bitrate_kbps(), seconds, threads,
              nwave::engine::kernel_set_name(nwave::engine::active_kernels()));
  std::printf("FLOPs per frame: encode %.2f M (incl. quantizer search), decode %.2f M\n",
              enc_flop / frames / 1e6, dec_flop / frames / 1e6);
  std::printf("one-thread sgemm peak (torch::mm 2048^3): %.1f GFLOP/s\n\n", peak_gflops);
  std::printf("| path | encode RTF | decode RTF | encode+decode RTF | GFLOP/s (%% of sgemm peak) |\n|---|---|---|---|---|\n");
  std::printf("| nwave engine, offline | %.0fx | %.0fx | %.0fx | %.1f (%.0f %%) |\n", seconds / t_enc, seconds / t_dec,
              seconds / (t_enc + t_dec), (enc_flop + dec_flop) / (t_enc + t_dec) / 1e9,
              100 * (enc_flop + dec_flop) / (t_enc + t_dec) / 1e9 / peak_gflops);
  std::printf("| .nwv v2 entropy coding alone (codes to bytes, bytes to codes) | %.0fx | %.0fx | %.0fx | |\n",
              seconds / t_pack, seconds / t_unpack, seconds / (t_pack + t_unpack));
  std::printf("| nwave engine, offline, with entropy-coded .nwv | %.0fx | %.0fx | %.0fx | |\n",
              seconds / (t_enc + t_pack), seconds / (t_dec + t_unpack), seconds / (t_enc + t_pack + t_dec + t_unpack));
  std::printf("| nwave engine, streaming 1 frame/call (first %.0f s) | %.0fx | %.0fx | %.0fx | |\n", sec_s,
              sec_s / t_senc, sec_s / t_sdec, sec_s / (t_senc + t_sdec));
  std::printf("| LibTorch CodecModel, offline (first %.0f s) | %.0fx | %.0fx | %.0fx | |\n", sec_s, sec_s / t_tenc,
              sec_s / t_tdec, sec_s / (t_tenc + t_tdec));
  std::printf("| libopus 6 kbps (encode+decode) | | | %.0fx | |\n", seconds / t_opus);
  std::printf("\nstreaming codes identical to offline: %s; decoded %zu + %zu samples; opus %zu bytes\n",
              stream_same ? "yes" : "NO", y.size(), decoded, opus.encoded_bytes);
  std::printf("entropy-coded .nwv: %zu bytes, %.1f %% of fixed width (%llu bytes); codes identical after parsing: %s\n",
              nwv_text.size(), 100.0 * nwv_text.size() / parsed.info.fixed_width_bytes,
              static_cast<unsigned long long>(parsed.info.fixed_width_bytes), entropy_same ? "yes" : "NO");
  std::printf("algorithmic latency: %d samples (%.1f ms)\n", nwave::latency_samples(*model),
              1000.0 * nwave::latency_samples(*model) / config.sample_rate);
  // Which kernel sets compute the same bits: compare these checksums between runs with different --kernels.
  uint64_t code_sum = 1469598103934665603ull, sample_sum = code_sum;
  for (uint16_t c : codes) code_sum = (code_sum ^ c) * 1099511628211ull;
  for (float v : y) {
    uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    sample_sum = (sample_sum ^ bits) * 1099511628211ull;
  }
  std::printf("checksums (FNV-1a): codes %016llx, decoded samples %016llx\n", static_cast<unsigned long long>(code_sum),
              static_cast<unsigned long long>(sample_sum));
  std::printf("peak RSS: %.0f MB (whole signal, codes and decoded signal held in memory by this benchmark)\n",
              peak_rss_mb());
  return stream_same ? 0 : 1;
}
