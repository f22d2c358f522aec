#include "cli_util.h"
#include "commands.h"
#include "model/model_io.h"
#include "nwave/codec.h"
#include "nwave/error.h"
#include "util/system_info.h"

#include <cstdio>
#include <iostream>

namespace nwave::cli {

namespace {

void print_model_info(const std::string& path) {
  const LoadedModel loaded = load_model(path);
  const ModelConfig& c = loaded.model->config();
  int64_t parameters = 0;
  for (const auto& p : loaded.model->parameters()) parameters += p.numel();
  std::printf("model: %s\n", path.c_str());
  std::printf("fingerprint: %s\n", fingerprint_hex(loaded.fingerprint).c_str());
  std::printf("family: %s\n", c.family.c_str());
  std::printf("sample rate: %d Hz\nhop: %d samples (%.0f frames/s)\n", c.sample_rate, c.hop, static_cast<double>(c.sample_rate) / c.hop);
  std::printf("codebooks: %d x %d entries (%d bits)\n", c.num_codebooks, c.codebook_size, c.codebook_bits());
  std::printf("bitrates: %.2f to %.2f kbps in steps of %.2f\n", c.kbps_per_codebook(), c.num_codebooks * c.kbps_per_codebook(), c.kbps_per_codebook());
  std::printf("latency: %d samples (%.1f ms)\n", c.latency_samples(), 1000.0 * c.latency_samples() / c.sample_rate);
  std::printf("parameters: %lld\n", static_cast<long long>(parameters));
  if (auto it = loaded.metadata.find("steps"); it != loaded.metadata.end()) std::printf("training steps: %s\n", it->second.c_str());
}

void print_nwv_info(const std::string& path) {
  NwvContents contents;
  try {
    contents = ParseNwv(read_file_bytes(path));  // verifies every packet, so "ok" below means the file is intact
  } catch (const Error& e) {
    throw Error(e.code(), path + ": " + e.what());
  }
  const StreamInfo& s = contents.info;
  std::printf("stream: %s\n", path.c_str());
  std::printf("sample rate: %d Hz\n", s.sample_rate);
  std::printf("format: version %d, %s\n", s.format_version,
              s.entropy_coded ? "entropy-coded packets" : "fixed-width packets");
  std::printf("bitrate: %.2f kbps nominal, %.2f kbps actual (%llu bytes)\n", s.kbps(), s.actual_kbps(),
              static_cast<unsigned long long>(s.file_bytes));
  if (s.entropy_coded && s.fixed_width_bytes > 0)
    std::printf("entropy coding: %.1f %% of the fixed-width size (%llu bytes), saving %.1f %%\n",
                100.0 * s.file_bytes / s.fixed_width_bytes, static_cast<unsigned long long>(s.fixed_width_bytes),
                100.0 - 100.0 * s.file_bytes / s.fixed_width_bytes);
  std::printf("codebooks: %d (%d bits each)\n", s.num_codebooks, s.codebook_bits);
  std::printf("frames: %llu (hop %d samples)\n", static_cast<unsigned long long>(s.frames), s.hop);
  std::printf("duration: %.3f s (%llu samples)\n", s.duration_seconds(), static_cast<unsigned long long>(s.original_samples));
  std::printf("original: %d Hz, %d channel%s\n", s.original_rate, s.original_channels, s.original_channels == 1 ? "" : "s");
  std::printf("model fingerprint: %s\n", fingerprint_hex(s.model_fingerprint).c_str());
  std::printf("integrity: ok (header and every packet CRC)\n");
}

}  // namespace

void add_info_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("info", "Describe a .nwv file or a model file; --system shows the numeric stack");
  auto file = std::make_shared<std::string>();
  auto system = std::make_shared<bool>(false);
  cmd->add_option("FILE", *file, "A .nwv file or a model (.safetensors)");
  cmd->add_flag("--system", *system, "Print LibTorch version, the BLAS in use, threads and CUDA");
  cmd->callback([file, system] {
    if (*system) std::cout << system_report();
    if (!file->empty()) {
      if (file_starts_with_nwv_magic(*file))  // by content, not by extension
        print_nwv_info(*file);
      else
        try {
          print_model_info(*file);
        } catch (const Error& e) {
          if (e.code() != ErrorCode::kBadModel) throw;
          throw Error(e.code(), std::string(e.what()) + "; nor is it a .nwv stream (no \"NWVQ\" magic)");
        }
    }
    if (!*system && file->empty()) throw CLI::RequiredError("FILE or --system");
  });
}

}  // namespace nwave::cli
