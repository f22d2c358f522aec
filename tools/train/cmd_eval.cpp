#include "audio/audio_files.h"
#include "train_commands.h"
#include "eval/evaluator.h"
#include "util/atomic_file.h"
#include "nwave/codec.h"
#include "nwave/error.h"
#include "util/progress_bar.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

namespace nwave::cli {

void add_eval_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("eval", "Quality report on folders of audio: STOI, log-mel distance, SI-SDR, pitch and "
                                         "voicing errors and actual kbps per bitrate, over all files and per subfolder, "
                                         "optionally beside libopus at 6, 8 and 12 kbps");
  struct Options {
    std::vector<std::string> data;
    std::vector<double> kbps = {1.25, 2.5, 3.75, 5.0, 6.25, 7.5, 8.75, 10.0};
    std::string model, json, plot, plot_group;
    bool opus = false;
    int threads = 1;
    int group_depth = 1;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--data", o->data, "Folder of audio files (recursive); repeat for more")->required();
  cmd->add_option("--bitrate", o->kbps, "Bitrates in kbps (each selects floor(KBPS / 1.25) codebooks)")->capture_default_str();
  cmd->add_option("--model", o->model, "Model file (default: the shipped model)");
  cmd->add_flag("--opus", o->opus, "Also run libopus (wideband, 20 ms frames) at 6, 8 and 12 kbps on the same files");
  cmd->add_option("--json", o->json, "Write the full report (per file too) as JSON");
  cmd->add_option("--plot", o->plot, "Write a quality-versus-bitrate PNG");
  cmd->add_option("--plot-group", o->plot_group, "Plot this group's rows instead of all files'");
  cmd->add_option("--group-depth", o->group_depth,
                  "Folder levels below each --data folder that name a file's group (1: data/valid/unseen/de/x.wav is in "
                  "'unseen', 2: in 'unseen/de', 0: no per-group tables)")
      ->check(CLI::Range(0, 16))->capture_default_str();
  cmd->add_option("--threads", o->threads, "CPU threads")->check(CLI::Range(1, 1024))->capture_default_str();
  cmd->callback([o] {
    torch::set_num_threads(o->threads);  // the metrics and the training-side references run on LibTorch
    std::shared_ptr<const Model> model = Model::LoadOrThrow(o->model.empty() ? default_model_path() : o->model);
    std::vector<eval::EvalFile> files;
    for (const auto& dir : o->data)
      for (auto& f : audio::list_audio_files(dir)) {
        std::string group = o->group_depth > 0 ? audio::group_of(dir, f, o->group_depth) : "";
        files.push_back({std::move(f), std::move(group)});
      }
    if (!o->plot_group.empty() &&
        std::none_of(files.begin(), files.end(), [&](const eval::EvalFile& f) { return f.group == o->plot_group; }))
      throw Error(ErrorCode::kBadArgument, "--plot-group: no file is in a group named '" + o->plot_group + "'");
    auto encoder = Encoder::Create(model);
    auto decoder = Decoder::Create(model);
    // The codec under test goes through the real bitstream: the bytes counted are the bytes of a .nwv file.
    eval::CodecFn codec = [&](const std::vector<float>& x, double kbps) {
      if (!encoder->set_bitrate(kbps)) throw Error(ErrorCode::kBadArgument, "invalid bitrate " + std::to_string(kbps));
      const auto bytes = encoder->Encode(x.data(), x.size());
      return eval::CodecOutput{decoder->Decode(bytes), bytes.size()};
    };
    std::unique_ptr<ProgressBar> bar;
    auto progress = [&bar](size_t done, size_t total) {
      if (!bar) bar = std::make_unique<ProgressBar>("evaluating", static_cast<int64_t>(total));
      bar->update(static_cast<int64_t>(done));
    };
    const auto report = eval::evaluate(files, o->kbps, codec, o->opus, progress);
    bar.reset();
    std::cout << "model " << model->fingerprint_hex() << ", " << report.files_evaluated << " files scored ("
              << report.skipped_files.size() << " skipped), " << report.total_seconds << " s of audio\n"
              << "GPE: gross pitch error, F0 cents: fine pitch error, VDE: voicing decision error (pitch.cpp)\n"
              << eval::format_table(report);
    if (!o->json.empty()) {
      auto json = eval::to_json(report);
      json["model_fingerprint"] = model->fingerprint_hex();
      const std::string text = json.dump(2) + "\n";
      AtomicFile out(o->json);
      out.write(text.data(), text.size());
      out.commit();
    }
    if (!o->plot.empty()) {
      if (o->plot_group.empty()) {
        eval::plot_report(report.rows, o->plot, "Quality vs bitrate");
      } else {
        auto group = std::find_if(report.groups.begin(), report.groups.end(),
                                  [&](const eval::EvalGroup& g) { return g.name == o->plot_group; });
        if (group == report.groups.end()) throw Error(ErrorCode::kBadArgument, "--plot-group: no group named '" + o->plot_group + "'");
        eval::plot_report(group->rows, o->plot, "Quality vs bitrate: " + o->plot_group);
      }
    }
  });
}

}  // namespace nwave::cli
