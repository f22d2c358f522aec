#include "eval/evaluator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "eval/metrics.h"
#include "eval/opus_codec.h"
#include "eval/quality_plot.h"
#include "nwave/audio.h"
#include "nwave/error.h"

namespace nwave::eval {

namespace {

// A 16-bit file whose every sample rounds to zero is silence: no metric says anything about it.
constexpr float kSilencePeak = 0.5f / 32768.0f;

FileScore score_file(const EvalFile& file, const std::vector<float>& x, const std::vector<float>& decoded,
                     size_t encoded_bytes) {
  FileScore s;
  s.file = file.path;
  s.group = file.group;
  s.seconds = static_cast<double>(x.size()) / kSampleRate;
  s.actual_kbps = encoded_bytes * 8.0 / s.seconds / 1000.0;
  s.stoi = stoi(x, decoded, kSampleRate);
  s.log_mel_distance = log_mel_distance(x, decoded);
  s.si_sdr_db = si_sdr(x, decoded);
  s.pitch = pitch_counts(x, decoded);
  return s;
}

// Why a file cannot be scored, or "" when it can.
std::string unscorable_reason(const std::vector<float>& x) {
  if (x.empty()) return "no samples";
  float peak = 0.0f;
  for (float v : x) peak = std::max(peak, std::abs(v));
  if (peak < kSilencePeak) return "silent";
  if (!stoi_defined(x, kSampleRate)) return "too short to score (under 30 non-silent STOI frames, about 0.4 s)";
  return "";
}

// Means over files (bits and seconds summed, so long files weigh in proportion to their length for the bitrate;
// pitch frames pooled). `keep` picks the files.
EvalRow summarize(const EvalRow& all, const std::function<bool(const FileScore&)>& keep) {
  EvalRow row;
  row.codec = all.codec;
  row.target_kbps = all.target_kbps;
  double bits = 0.0;
  size_t n = 0;
  PitchCounts pitch;
  for (const auto& s : all.per_file) {
    if (!keep(s)) continue;
    ++n;
    row.seconds += s.seconds;
    bits += s.actual_kbps * 1000.0 * s.seconds;
    row.stoi += s.stoi;
    row.log_mel_distance += s.log_mel_distance;
    row.si_sdr_db += s.si_sdr_db;
    pitch += s.pitch;
  }
  if (n == 0) return row;
  row.stoi /= n;
  row.log_mel_distance /= n;
  row.si_sdr_db /= n;
  row.actual_kbps = bits / row.seconds / 1000.0;
  row.gross_pitch_error = pitch.gross_pitch_error();
  row.fine_pitch_error_cents = pitch.fine_pitch_error_cents();
  row.voicing_error = pitch.voicing_error();
  row.voicing_lost_share = pitch.voicing_lost_share();
  return row;
}

nlohmann::json row_json(const EvalRow& row, size_t files) {
  return {{"codec", row.codec},
          {"target_kbps", row.target_kbps},
          {"actual_kbps", row.actual_kbps},
          {"stoi", row.stoi},
          {"log_mel_distance", row.log_mel_distance},
          {"si_sdr_db", row.si_sdr_db},
          {"gross_pitch_error", row.gross_pitch_error},
          {"fine_pitch_error_cents", row.fine_pitch_error_cents},
          {"voicing_error", row.voicing_error},
          {"voicing_lost_share", row.voicing_lost_share},
          {"files", files}};
}

std::string rows_table(const std::vector<EvalRow>& rows, size_t files) {
  const char* header_fmt = "%-8s %11s %11s %7s %8s %10s %7s %9s %7s %6s\n";
  const char* row_fmt = "%-8s %11.2f %11.2f %7.3f %8.3f %10.2f %7.1f %9.1f %7.1f %6zu\n";
  char line[256];
  std::snprintf(line, sizeof line, header_fmt, "codec", "target kbps", "actual kbps", "STOI", "log-mel", "SI-SDR dB",
                "GPE %", "F0 cents", "VDE %", "files");
  std::string out = line;
  for (const auto& row : rows) {
    std::snprintf(line, sizeof line, row_fmt, row.codec.c_str(), row.target_kbps, row.actual_kbps, row.stoi,
                  row.log_mel_distance, row.si_sdr_db, 100.0 * row.gross_pitch_error, row.fine_pitch_error_cents,
                  100.0 * row.voicing_error, files);
    out += line;
  }
  return out;
}

}  // namespace

EvalReport evaluate(const std::vector<EvalFile>& files, const std::vector<double>& kbps_list, const CodecFn& codec,
                    bool with_opus, const ProgressFn& progress, const std::string& codec_name) {
  if (files.empty()) throw Error(ErrorCode::kBadArgument, "eval: no audio files to evaluate");
  if (kbps_list.empty() && !with_opus) throw Error(ErrorCode::kBadArgument, "eval: no bitrates to evaluate");
  for (double kbps : kbps_list)
    if (!(kbps > 0.0)) throw Error(ErrorCode::kBadArgument, "eval: bitrate must be positive (got " + std::to_string(kbps) + ")");
  if (!kbps_list.empty() && !codec) throw Error(ErrorCode::kBadArgument, "eval: no codec given");

  EvalReport report;
  auto add_row = [&report](const std::string& codec_under_test, double kbps) {
    report.rows.emplace_back();
    report.rows.back().codec = codec_under_test;
    report.rows.back().target_kbps = kbps;
  };
  for (double kbps : kbps_list) add_row(codec_name, kbps);
  if (with_opus)
    for (double kbps : kOpusKbps) add_row("opus", kbps);

  const size_t total_steps = files.size() * report.rows.size();
  size_t done = 0;
  for (const auto& file : files) {
    // One file in memory at a time: the data set may be far larger than RAM.
    std::vector<float> x;
    std::string skip_reason;
    try {
      x = read_audio(file.path).samples;
      skip_reason = unscorable_reason(x);
    } catch (const Error& e) {
      skip_reason = std::string("unreadable: ") + e.what();
    }
    if (!skip_reason.empty()) {
      report.skipped_files.push_back({file.path, skip_reason});
      done += report.rows.size();
      if (progress) progress(done, total_steps);
      continue;
    }
    ++report.files_evaluated;
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
        throw Error(ErrorCode::kBadArgument, "eval: " + row.codec + " returned no samples for '" + file.path + "'");
      row.per_file.push_back(score_file(file, x, decoded, bytes));
      if (progress) progress(++done, total_steps);
    }
  }
  if (report.files_evaluated == 0)
    throw Error(ErrorCode::kBadArgument, "eval: none of the " + std::to_string(files.size()) +
                                             " files could be scored (first: " + report.skipped_files.front().file +
                                             ": " + report.skipped_files.front().reason + ")");

  std::vector<std::string> group_names;
  for (const auto& s : report.rows.front().per_file)
    if (!s.group.empty() && std::find(group_names.begin(), group_names.end(), s.group) == group_names.end())
      group_names.push_back(s.group);
  std::sort(group_names.begin(), group_names.end());
  for (const auto& name : group_names) {
    EvalGroup group;
    group.name = name;
    for (const auto& row : report.rows) group.rows.push_back(summarize(row, [&](const FileScore& s) { return s.group == name; }));
    for (const auto& s : report.rows.front().per_file) group.files += s.group == name;
    group.seconds = group.rows.front().seconds;
    report.groups.push_back(std::move(group));
  }
  for (auto& row : report.rows) {
    EvalRow summary = summarize(row, [](const FileScore&) { return true; });
    summary.per_file = std::move(row.per_file);
    row = std::move(summary);
  }
  return report;
}

std::string format_table(const EvalReport& report) {
  std::string out = rows_table(report.rows, report.files_evaluated);
  for (const auto& group : report.groups) {
    char title[512];
    std::snprintf(title, sizeof title, "\n-- %s: %zu files, %.1f s\n", group.name.c_str(), group.files, group.seconds);
    out += title + rows_table(group.rows, group.files);
  }
  if (!report.skipped_files.empty()) {
    out += "\nskipped (left out of every mean): " + std::to_string(report.skipped_files.size()) + " files\n";
    for (const auto& s : report.skipped_files) out += "  " + s.file + ": " + s.reason + "\n";
  }
  return out;
}

nlohmann::json to_json(const EvalReport& report) {
  nlohmann::json results = nlohmann::json::array();
  for (const auto& row : report.rows) {
    nlohmann::json per_file = nlohmann::json::array();
    for (const auto& s : row.per_file)
      per_file.push_back({{"file", s.file}, {"group", s.group}, {"seconds", s.seconds}, {"actual_kbps", s.actual_kbps},
                          {"stoi", s.stoi}, {"log_mel_distance", s.log_mel_distance}, {"si_sdr_db", s.si_sdr_db},
                          {"gross_pitch_error", s.pitch.gross_pitch_error()},
                          {"fine_pitch_error_cents", s.pitch.fine_pitch_error_cents()},
                          {"voicing_error", s.pitch.voicing_error()}, {"active_frames", s.pitch.active_frames}});
    auto j = row_json(row, report.files_evaluated);
    j["per_file"] = std::move(per_file);
    results.push_back(std::move(j));
  }
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& group : report.groups) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& row : group.rows) rows.push_back(row_json(row, group.files));
    groups.push_back({{"group", group.name}, {"files", group.files}, {"seconds", group.seconds}, {"results", rows}});
  }
  nlohmann::json skipped = nlohmann::json::array();
  for (const auto& s : report.skipped_files) skipped.push_back({{"file", s.file}, {"reason", s.reason}});
  return {{"files_evaluated", report.files_evaluated}, {"total_seconds", report.total_seconds},
          {"skipped_files", skipped}, {"results", results}, {"groups", groups}};
}

void plot_report(const std::vector<EvalRow>& rows, const std::string& png_path, const std::string& title) {
  std::vector<PlotPanel> panels = {{"STOI", {}}, {"log-mel distance", {}}, {"SI-SDR (dB)", {}}, {"voicing error (%)", {}}};
  for (const auto& row : rows) {
    if (row.seconds <= 0.0) continue;
    const double values[] = {row.stoi, row.log_mel_distance, row.si_sdr_db, 100.0 * row.voicing_error};
    for (size_t p = 0; p < panels.size(); ++p) {
      auto& series = panels[p].series;
      auto it = std::find_if(series.begin(), series.end(), [&](const PlotSeries& s) { return s.name == row.codec; });
      if (it == series.end()) it = series.insert(series.end(), PlotSeries{row.codec, {}, {}});
      it->kbps.push_back(row.actual_kbps);  // actual, not target: what the bits really cost
      it->value.push_back(values[p]);
    }
  }
  plot_quality_panels(png_path, title, panels);
}

}  // namespace nwave::eval
