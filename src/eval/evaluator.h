// The driver behind `nwave eval`: runs a codec over a set of files at several bitrates, scores every decoded file
// against its original and averages per bitrate, optionally beside libopus. The codec is a callback, so this file
// knows nothing about the model.
#pragma once
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace nwave::eval {

struct CodecOutput {
  std::vector<float> decoded;  // 16 kHz mono; compared with the input on their common length
  size_t encoded_bytes = 0;    // size of everything a receiver needs, for the actual bitrate
};

// Encodes and decodes x16k at (about) kbps kilobits per second.
using CodecFn = std::function<CodecOutput(const std::vector<float>& x16k, double kbps)>;

// Called after each (file, codec, bitrate) run with the number done so far and the total.
using ProgressFn = std::function<void(size_t done, size_t total)>;

// The bitrates libopus is evaluated at with with_opus: 6 kbps is the bar the design asks us to clear first.
inline const std::vector<double> kOpusKbps = {6.0, 8.0, 12.0};

struct FileScore {
  std::string file;
  double seconds = 0.0;
  double actual_kbps = 0.0;  // encoded_bytes * 8 / seconds / 1000
  double stoi = 0.0;
  double log_mel_distance = 0.0;
  double si_sdr_db = 0.0;
};

// One codec at one target bitrate: metrics are means over files; actual_kbps is total bits / total duration.
struct EvalRow {
  std::string codec;
  double target_kbps = 0.0;
  double actual_kbps = 0.0;
  double stoi = 0.0;
  double log_mel_distance = 0.0;
  double si_sdr_db = 0.0;
  std::vector<FileScore> per_file;
};

struct EvalReport {
  std::vector<EvalRow> rows;               // the codec's bitrates in the order asked, then Opus's
  std::vector<std::string> skipped_files;  // files with no samples, which no metric is defined for
  double total_seconds = 0.0;              // audio evaluated (per codec and bitrate)
};

// Throws Error(kBadArgument) for no files, no bitrates (and no Opus) or a non-positive bitrate; read errors
// (Error(kIo)/Error(kBadAudio) naming the file) and codec errors propagate.
EvalReport evaluate(const std::vector<std::string>& files, const std::vector<double>& kbps_list, const CodecFn& codec,
                    bool with_opus, const ProgressFn& progress = nullptr, const std::string& codec_name = "nwave");

// Aligned plain-text table, one line per row: codec, target kbps, actual kbps, STOI, log-mel, SI-SDR, files.
std::string format_table(const EvalReport& report);

// {"total_seconds", "skipped_files", "results": [{"codec", "target_kbps", "actual_kbps", "stoi",
//  "log_mel_distance", "si_sdr_db", "files", "per_file": [...]}]}
nlohmann::json to_json(const EvalReport& report);

// Three-panel PNG (STOI, log-mel distance, SI-SDR against actual kbps), one curve per codec.
void plot_report(const EvalReport& report, const std::string& png_path);

}  // namespace nwave::eval
