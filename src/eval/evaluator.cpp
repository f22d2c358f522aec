#include "eval/evaluator.h"

#include <cstdio>
#include <string>

#include "eval/metrics.h"
#include "eval/opus_codec.h"
#include "eval/quality_plot.h"
#include "nwave/audio.h"
#include "nwave/error.h"

namespace nwave::eval {

namespace {

// Bits and seconds are summed, not averaged per file, so long files weigh in proportion to their length.
struct RowTotals {
  double bits = 0.0, seconds = 0.0;
};

FileScore score_file(const std::string& file, const std::vector<float>& x, const std::vector<float>& decoded,
                     size_t encoded_bytes) {
  FileScore s;
  s.file = file;
  s.seconds = static_cast<double>(x.size()) / kSampleRate;
  s.actual_kbps = encoded_bytes * 8.0 / s.seconds / 1000.0;
  s.stoi = stoi(x, decoded, kSampleRate);
  s.log_mel_distance = log_mel_distance(x, decoded);
  s.si_sdr_db = si_sdr(x, decoded);
  return s;
}

}  // namespace

EvalReport evaluate(const std::vector<std::string>& files, const std::vector<double>& kbps_list, const CodecFn& codec,
                    bool with_opus, const ProgressFn& progress, const std::string& codec_name) {
  if (files.empty()) throw Error(ErrorCode::kBadArgument, "eval: no audio files to evaluate");
  if (kbps_list.empty() && !with_opus) throw Error(ErrorCode::kBadArgument, "eval: no bitrates to evaluate");
  for (double kbps : kbps_list)
    if (!(kbps > 0.0)) throw Error(ErrorCode::kBadArgument, "eval: bitrate must be positive (got " + std::to_string(kbps) + ")");
  if (!kbps_list.empty() && !codec) throw Error(ErrorCode::kBadArgument, "eval: no codec given");

  EvalReport report;
  for (double kbps : kbps_list) report.rows.push_back({codec_name, kbps});
  if (with_opus)
    for (double kbps : kOpusKbps) report.rows.push_back({"opus", kbps});
  std::vector<RowTotals> totals(report.rows.size());

  const size_t total_steps = files.size() * report.rows.size();
  size_t done = 0;
  for (const auto& file : files) {
    // One file in memory at a time: the data set may be far larger than RAM.
    const std::vector<float> x = read_audio(file).samples;
    if (x.empty()) {
      report.skipped_files.push_back(file);
      done += report.rows.size();
      if (progress) progress(done, total_steps);
      continue;
    }
    report.total_seconds += static_cast<double>(x.size()) / kSampleRate;
    for (size_t r = 0; r < report.rows.size(); ++r) {
      EvalRow& row = report.rows[r];
      std::vector<float> decoded;
      size_t bytes = 0;
      if (r < kbps_list.size()) {
        CodecOutput out = codec(x, row.target_kbps);
        decoded = std::move(out.decoded);
        bytes = out.encoded_bytes;
      } else {
        OpusResult out = opus_roundtrip(x, static_cast<int>(row.target_kbps * 1000.0));
        decoded = std::move(out.decoded);
        bytes = out.encoded_bytes;
      }
      if (decoded.empty())
        throw Error(ErrorCode::kBadArgument, "eval: " + row.codec + " returned no samples for '" + file + "'");
      row.per_file.push_back(score_file(file, x, decoded, bytes));
      totals[r].bits += bytes * 8.0;
      totals[r].seconds += row.per_file.back().seconds;
      if (progress) progress(++done, total_steps);
    }
  }

  for (size_t r = 0; r < report.rows.size(); ++r) {
    EvalRow& row = report.rows[r];
    const size_t n = row.per_file.size();
    if (n == 0) continue;
    for (const auto& s : row.per_file) {
      row.stoi += s.stoi / n;
      row.log_mel_distance += s.log_mel_distance / n;
      row.si_sdr_db += s.si_sdr_db / n;
    }
    row.actual_kbps = totals[r].bits / totals[r].seconds / 1000.0;
  }
  return report;
}

std::string format_table(const EvalReport& report) {
  const char* header_fmt = "%-8s %11s %11s %7s %8s %10s %6s\n";
  const char* row_fmt = "%-8s %11.2f %11.2f %7.3f %8.3f %10.2f %6zu\n";
  char line[256];
  std::snprintf(line, sizeof line, header_fmt, "codec", "target kbps", "actual kbps", "STOI", "log-mel", "SI-SDR dB",
                "files");
  std::string out = line;
  for (const auto& row : report.rows) {
    std::snprintf(line, sizeof line, row_fmt, row.codec.c_str(), row.target_kbps, row.actual_kbps, row.stoi,
                  row.log_mel_distance, row.si_sdr_db, row.per_file.size());
    out += line;
  }
  return out;
}

nlohmann::json to_json(const EvalReport& report) {
  nlohmann::json results = nlohmann::json::array();
  for (const auto& row : report.rows) {
    nlohmann::json per_file = nlohmann::json::array();
    for (const auto& s : row.per_file)
      per_file.push_back({{"file", s.file}, {"seconds", s.seconds}, {"actual_kbps", s.actual_kbps}, {"stoi", s.stoi},
                          {"log_mel_distance", s.log_mel_distance}, {"si_sdr_db", s.si_sdr_db}});
    results.push_back({{"codec", row.codec}, {"target_kbps", row.target_kbps}, {"actual_kbps", row.actual_kbps},
                       {"stoi", row.stoi}, {"log_mel_distance", row.log_mel_distance}, {"si_sdr_db", row.si_sdr_db},
                       {"files", row.per_file.size()}, {"per_file", per_file}});
  }
  return {{"total_seconds", report.total_seconds}, {"skipped_files", report.skipped_files}, {"results", results}};
}

void plot_report(const EvalReport& report, const std::string& png_path) {
  std::vector<PlotPanel> panels = {{"STOI", {}}, {"log-mel distance", {}}, {"SI-SDR (dB)", {}}};
  for (const auto& row : report.rows) {
    if (row.per_file.empty()) continue;
    const double values[] = {row.stoi, row.log_mel_distance, row.si_sdr_db};
    for (size_t p = 0; p < panels.size(); ++p) {
      auto& series = panels[p].series;
      auto it = std::find_if(series.begin(), series.end(), [&](const PlotSeries& s) { return s.name == row.codec; });
      if (it == series.end()) it = series.insert(series.end(), PlotSeries{row.codec, {}, {}});
      it->kbps.push_back(row.actual_kbps);  // actual, not target: what the bits really cost
      it->value.push_back(values[p]);
    }
  }
  plot_quality_panels(png_path, "Quality vs bitrate", panels);
}

}  // namespace nwave::eval
