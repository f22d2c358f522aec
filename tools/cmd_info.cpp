// `nwave info`: what a .nwv file or a model file holds; --system: the versions and the numeric stack.
#include <cstdio>
#include <iostream>

#include "cli_util.h"
#include "commands.h"
#include "nwave/codec.h"
#include "nwave/error.h"
#include "nwave/streaming.h"
#include "training_helper.h"

namespace nwave::cli {

namespace {

std::string hex16(uint64_t v) {
  char text[24];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(v));
  return text;
}

void print_model_info(const std::string& path) {
  const auto model = Model::LoadOrThrow(path);
  std::printf("model: %s\n", path.c_str());
  std::printf("fingerprint: %s\n", model->fingerprint_hex().c_str());
  std::printf("family: %s\n", model->family().c_str());
  std::printf("sample rate: %d Hz\nhop: %d samples (%.0f frames/s)\n", model->sample_rate(), model->hop(),
              static_cast<double>(model->sample_rate()) / model->hop());
  std::printf("codebooks: %d x %d entries (%d bits)\n", model->num_codebooks(), model->codebook_size(),
              model->codebook_bits());
  std::printf("bitrates: %.2f to %.2f kbps in steps of %.2f\n", model->kbps_per_codebook(),
              model->num_codebooks() * model->kbps_per_codebook(), model->kbps_per_codebook());
  const int latency = latency_samples(*model);
  std::printf("latency: %d samples (%.1f ms)\n", latency, 1000.0 * latency / model->sample_rate());
  std::printf("weights: %llu\n", static_cast<unsigned long long>(model->num_weights()));
  if (const std::string steps = model->metadata("steps"); !steps.empty()) std::printf("training steps: %s\n", steps.c_str());
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
  std::printf("model fingerprint: %s\n", hex16(s.model_fingerprint).c_str());
  std::printf("integrity: ok (header and every packet CRC)\n");
}

// The runtime's part here; LibTorch, BLAS and CUDA are the training helper's (it has them loaded).
void print_system_info() {
  std::printf("nwave: %s (runtime library without LibTorch; float32 engine, one thread)\n", version_string());
  std::fflush(stdout);
  if (run_training_helper({"system"}) < 0) std::printf("training: nwave-train not installed (train and eval unavailable)\n");
}

}  // namespace

void add_info_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("info", "Describe a .nwv file or a model file; --system shows versions and the numeric stack");
  auto file = std::make_shared<std::string>();
  auto system = std::make_shared<bool>(false);
  cmd->add_option("FILE", *file, "A .nwv file or a model (.safetensors)");
  cmd->add_flag("--system", *system, "Print the library version, and LibTorch's, the BLAS in use, threads and CUDA");
  cmd->callback([file, system] {
    if (*system) print_system_info();
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
