// The driver behind `nwave eval`: runs a codec over a set of files at several bitrates, scores every decoded file
// against its original and averages per bitrate, over all files and per group of files (e.g. training-like prompts,
// unseen speakers, music), optionally beside libopus. The codec is a callback, so this file knows nothing about the
// model.
#pragma once
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eval/metrics.h"

namespace nwave::eval {

struct EvalFile {
  std::string path;
  std::string group;  // reported on its own when not empty (files of a folder: audio::group_of)
};

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
  std::string group;
  double seconds = 0.0;
  double actual_kbps = 0.0;  // encoded_bytes * 8 / seconds / 1000
  double stoi = 0.0;
  double log_mel_distance = 0.0;
  double si_sdr_db = 0.0;
  PitchCounts pitch;
};

// One codec at one target bitrate over a set of files. STOI, log-mel and SI-SDR are means over files; the pitch
// errors pool the frames of all files; actual_kbps is total bits / total duration.
struct EvalRow {
  std::string codec;
  double target_kbps = 0.0;
  double actual_kbps = 0.0;
  double seconds = 0.0;
  double stoi = 0.0;
  double log_mel_distance = 0.0;
  double si_sdr_db = 0.0;
  double gross_pitch_error = 0.0;       // fraction of frames voiced in both with F0 off by more than 20 %
  double fine_pitch_error_cents = 0.0;  // mean F0 error of the other frames voiced in both
  double voicing_error = 0.0;           // fraction of non-silent frames voiced in one signal only
  double voicing_lost_share = 0.0;      // share of those voiced in the original only (periodicity lost)
  std::vector<FileScore> per_file;      // kept in EvalReport::rows only
};

struct EvalGroup {
  std::string name;
  size_t files = 0;
  double seconds = 0.0;
  std::vector<EvalRow> rows;  // as EvalReport::rows, over the group's files
};

struct SkippedFile {
  std::string file;
  std::string reason;
};

struct EvalReport {
  std::vector<EvalRow> rows;               // all files: the codec's bitrates in the order asked, then Opus's
  std::vector<EvalGroup> groups;           // by group name, for files that have one
  std::vector<SkippedFile> skipped_files;  // unreadable, silent, or too short to score: left out of every mean
  size_t files_evaluated = 0;              // the files behind every row
  double total_seconds = 0.0;              // their audio (per codec and bitrate)
};

// Throws Error(kBadArgument) for no files, no bitrates (and no Opus), a non-positive bitrate, or when no file can be
// scored. A file that cannot be read, is silent, or is too short for STOI (under 30 non-silent 12.8 ms frames) is
// listed in skipped_files and the run goes on; codec errors propagate.
EvalReport evaluate(const std::vector<EvalFile>& files, const std::vector<double>& kbps_list, const CodecFn& codec,
                    bool with_opus, const ProgressFn& progress = nullptr, const std::string& codec_name = "nwave");

// Aligned plain-text tables: all files, then one per group, then the skipped files. Columns: codec, target kbps,
// actual kbps, STOI, log-mel, SI-SDR, gross pitch error %, fine pitch error (cents), voicing error %, files.
std::string format_table(const EvalReport& report);

// {"files_evaluated", "total_seconds", "skipped_files": [{"file", "reason"}], "results": [row...],
//  "groups": [{"group", "files", "seconds", "results": [row...]}]}; a row is {"codec", "target_kbps",
//  "actual_kbps", "stoi", "log_mel_distance", "si_sdr_db", "gross_pitch_error", "fine_pitch_error_cents",
//  "voicing_error", "voicing_lost_share", "files"}, and the top-level rows also have "per_file".
nlohmann::json to_json(const EvalReport& report);

// Four-panel PNG (STOI, log-mel distance, SI-SDR, voicing error against actual kbps), one curve per codec, of the
// rows of a report or of one of its groups.
void plot_report(const std::vector<EvalRow>& rows, const std::string& png_path, const std::string& title);

}  // namespace nwave::eval
