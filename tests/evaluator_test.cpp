#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "eval/evaluator.h"
#include "nwave/audio.h"
#include "nwave/error.h"
#include "test_util.h"

namespace nwave::eval {
namespace {

// Two synthetic "speech" files (different lengths, one at 44.1 kHz stereo-free but resampled) and an empty one.
struct EvalFixture : ::testing::Test {
  test::TempDir dir{"eval"};
  std::vector<EvalFile> files;
  void SetUp() override {
    write_wav16(dir.file("a.wav"), test::speechlike(2 * kSampleRate, kSampleRate, 1), kSampleRate);
    write_wav16(dir.file("b.wav"), test::speechlike(3 * kSampleRate, kSampleRate, 2), kSampleRate);
    files = {{dir.file("a.wav"), ""}, {dir.file("b.wav"), ""}};
  }
};

// A "codec" that spends exactly kbps and returns its input: every metric at its best.
CodecOutput identity_codec(const std::vector<float>& x, double kbps) {
  return {x, static_cast<size_t>(std::llround(kbps * 1000.0 / 8.0 * x.size() / kSampleRate))};
}

// A codec whose noise shrinks as the bitrate grows, like a real one.
CodecOutput noisy_codec(const std::vector<float>& x, double kbps) {
  return {test::add(x, test::white_noise(0.1 / kbps, x.size(), 7)),
          static_cast<size_t>(std::llround(kbps * 1000.0 / 8.0 * x.size() / kSampleRate))};
}

TEST_F(EvalFixture, IdentityCodecScoresPerfectly) {
  size_t last_done = 0, last_total = 0, calls = 0;
  const EvalReport r = evaluate(files, {2.5, 5.0}, identity_codec, false, [&](size_t done, size_t total) {
    EXPECT_GT(done, last_done);
    last_done = done;
    last_total = total;
    ++calls;
  });
  EXPECT_EQ(calls, 4u);
  EXPECT_EQ(last_done, last_total);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_NEAR(r.total_seconds, 5.0, 1e-9);
  for (const auto& row : r.rows) {
    EXPECT_EQ(row.codec, "nwave");
    EXPECT_EQ(row.per_file.size(), 2u);
    EXPECT_GT(row.stoi, 0.99);
    EXPECT_NEAR(row.log_mel_distance, 0.0, 1e-9);
    EXPECT_GT(row.si_sdr_db, 80.0);
    EXPECT_NEAR(row.actual_kbps, row.target_kbps, 0.01);
    EXPECT_EQ(row.gross_pitch_error, 0.0);
    EXPECT_EQ(row.voicing_error, 0.0);
    EXPECT_EQ(row.fine_pitch_error_cents, 0.0);
  }
  EXPECT_GT(r.rows[0].per_file[0].pitch.both_voiced_frames, 50u);  // the tracker found the harmonic tone
  EXPECT_TRUE(r.groups.empty());
  EXPECT_EQ(r.files_evaluated, 2u);
}

TEST_F(EvalFixture, NoisyCodecImprovesWithBitrateAndAveragesPerFile) {
  const EvalReport r = evaluate(files, {1.25, 5.0}, noisy_codec, false, nullptr, "noisy");
  ASSERT_EQ(r.rows.size(), 2u);
  const EvalRow &low = r.rows[0], &high = r.rows[1];
  EXPECT_EQ(low.codec, "noisy");
  EXPECT_LT(low.stoi, high.stoi);
  EXPECT_GT(low.log_mel_distance, high.log_mel_distance);
  EXPECT_LT(low.si_sdr_db, high.si_sdr_db);
  EXPECT_LT(high.stoi, 0.99);
  EXPECT_GT(high.log_mel_distance, 0.0);
  // The row is the mean of its files.
  EXPECT_NEAR(low.stoi, (low.per_file[0].stoi + low.per_file[1].stoi) / 2, 1e-12);
  EXPECT_NEAR(low.si_sdr_db, (low.per_file[0].si_sdr_db + low.per_file[1].si_sdr_db) / 2, 1e-12);
  std::printf("noisy codec: STOI %.3f -> %.3f, log-mel %.3f -> %.3f, SI-SDR %.2f -> %.2f dB\n", low.stoi, high.stoi,
              low.log_mel_distance, high.log_mel_distance, low.si_sdr_db, high.si_sdr_db);
}

TEST_F(EvalFixture, ActualBitrateIsTotalBitsOverTotalDuration) {
  // A codec that spends a fixed 1000 bytes per file: 16000 bits over 5 s = 3.2 kbps, not the mean of 4 and 2.67.
  const EvalReport r = evaluate(files, {3.0}, [](const std::vector<float>& x, double) { return CodecOutput{x, 1000}; },
                                false);
  EXPECT_NEAR(r.rows[0].actual_kbps, 3.2, 1e-9);
  EXPECT_NEAR(r.rows[0].per_file[0].actual_kbps, 4.0, 1e-9);
}

TEST_F(EvalFixture, WithOpusAddsThreeRowsNearTheirBitrates) {
  const EvalReport r = evaluate(files, {6.25}, identity_codec, true);
  ASSERT_EQ(r.rows.size(), 4u);
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(r.rows[i].codec, "opus");
    EXPECT_EQ(r.rows[i].target_kbps, kOpusKbps[i - 1]);
    EXPECT_NEAR(r.rows[i].actual_kbps, r.rows[i].target_kbps, 0.15 * r.rows[i].target_kbps);
    EXPECT_GT(r.rows[i].stoi, 0.3);
    EXPECT_LT(r.rows[i].stoi, r.rows[0].stoi);
    std::printf("opus %.0f kbps on speech-like files: STOI %.3f, log-mel %.3f, SI-SDR %.2f dB, actual %.2f kbps\n",
                r.rows[i].target_kbps, r.rows[i].stoi, r.rows[i].log_mel_distance, r.rows[i].si_sdr_db,
                r.rows[i].actual_kbps);
  }
  EXPECT_GE(r.rows[3].stoi, r.rows[1].stoi);  // more bits, no worse

  const std::string table = format_table(r);
  std::printf("%s", table.c_str());
  std::istringstream lines(table);
  std::string line;
  size_t count = 0, width = 0;
  while (std::getline(lines, line)) {
    if (count++ == 0) width = line.size();
    EXPECT_EQ(line.size(), width) << "columns are aligned: " << line;
  }
  EXPECT_EQ(count, 5u);
  EXPECT_NE(table.find("opus"), std::string::npos);

  const nlohmann::json j = to_json(r);
  ASSERT_EQ(j["results"].size(), 4u);
  EXPECT_EQ(j["results"][1]["codec"], "opus");
  EXPECT_DOUBLE_EQ(j["results"][0]["stoi"].get<double>(), r.rows[0].stoi);
  EXPECT_EQ(j["results"][0]["files"], 2);
  EXPECT_EQ(j["results"][0]["per_file"].size(), 2u);

  const std::string png = dir.file("quality.png");
  plot_report(r.rows, png, "test");
  EXPECT_GT(std::filesystem::file_size(png), 10000u);
}

TEST_F(EvalFixture, UnscorableFilesAreSkippedWithAReasonAndTheRunGoesOn) {
  write_wav16(dir.file("empty.wav"), {}, kSampleRate);
  write_wav16(dir.file("silent.wav"), std::vector<float>(kSampleRate, 0.0f), kSampleRate);
  write_wav16(dir.file("blip.wav"), test::speechlike(kSampleRate / 5, kSampleRate, 3), kSampleRate);  // 0.2 s
  { std::ofstream(dir.file("broken.wav")) << "RIFF, but not really a WAV file"; }
  for (const char* name : {"empty.wav", "broken.wav", "silent.wav", "blip.wav", "missing.wav"})
    files.insert(files.begin() + 1, {dir.file(name), ""});
  size_t last_done = 0, last_total = 0;
  const EvalReport r = evaluate(files, {2.5}, identity_codec, false, [&](size_t done, size_t total) {
    last_done = done;
    last_total = total;
  });
  EXPECT_EQ(last_done, last_total);
  ASSERT_EQ(r.skipped_files.size(), 5u);
  EXPECT_EQ(r.files_evaluated, 2u);
  EXPECT_EQ(r.rows[0].per_file.size(), 2u);
  EXPECT_NEAR(r.total_seconds, 5.0, 1e-9);
  std::map<std::string, std::string> reasons;
  for (const auto& s : r.skipped_files) reasons[std::filesystem::path(s.file).filename().string()] = s.reason;
  EXPECT_EQ(reasons["empty.wav"], "no samples");
  EXPECT_EQ(reasons["silent.wav"], "silent");
  EXPECT_NE(reasons["blip.wav"].find("too short"), std::string::npos) << reasons["blip.wav"];
  EXPECT_EQ(reasons["broken.wav"].rfind("unreadable: ", 0), 0u) << reasons["broken.wav"];
  EXPECT_EQ(reasons["missing.wav"].rfind("unreadable: ", 0), 0u) << reasons["missing.wav"];
  const std::string table = format_table(r);
  EXPECT_NE(table.find("skipped (left out of every mean): 5 files"), std::string::npos) << table;
  const auto j = to_json(r);
  EXPECT_EQ(j["skipped_files"].size(), 5u);
  EXPECT_EQ(j["files_evaluated"], 2);
}

TEST_F(EvalFixture, BadInputsAreRejected) {
  EXPECT_THROW(evaluate({}, {2.5}, identity_codec, false), Error);
  EXPECT_THROW(evaluate(files, {}, identity_codec, false), Error);
  EXPECT_THROW(evaluate(files, {-1.0}, identity_codec, false), Error);
  EXPECT_THROW(evaluate({{dir.file("missing.wav"), ""}}, {2.5}, identity_codec, false), Error);  // nothing to score
  EXPECT_THROW(evaluate(files, {2.5}, [](const std::vector<float>&, double) { return CodecOutput{}; }, false), Error);
}

TEST_F(EvalFixture, GroupsAreReportedOnTheirOwnAndAddUpToTheWhole) {
  write_wav16(dir.file("c.wav"), test::speechlike(4 * kSampleRate, kSampleRate, 3), kSampleRate);
  files[0].group = "seen";
  files[1].group = "unseen";
  files.push_back({dir.file("c.wav"), "unseen"});
  const EvalReport r = evaluate(files, {1.25, 5.0}, noisy_codec, false);
  ASSERT_EQ(r.groups.size(), 2u);
  EXPECT_EQ(r.groups[0].name, "seen");
  EXPECT_EQ(r.groups[0].files, 1u);
  EXPECT_EQ(r.groups[1].files, 2u);
  EXPECT_NEAR(r.groups[1].seconds, 7.0, 1e-9);
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const EvalRow &all = r.rows[i], &seen = r.groups[0].rows[i], &unseen = r.groups[1].rows[i];
    EXPECT_NEAR(seen.stoi, all.per_file[0].stoi, 1e-12);
    EXPECT_NEAR(unseen.stoi, (all.per_file[1].stoi + all.per_file[2].stoi) / 2, 1e-12);
    EXPECT_NEAR(all.stoi, (seen.stoi + 2 * unseen.stoi) / 3, 1e-12);  // means over files, whatever the group
    EXPECT_NEAR(all.actual_kbps * 9.0, seen.actual_kbps * 2.0 + unseen.actual_kbps * 7.0, 1e-6);
  }
  const std::string table = format_table(r);
  EXPECT_NE(table.find("-- seen: 1 files, 2.0 s"), std::string::npos) << table;
  EXPECT_NE(table.find("-- unseen: 2 files, 7.0 s"), std::string::npos) << table;
  const auto j = to_json(r);
  ASSERT_EQ(j["groups"].size(), 2u);
  EXPECT_EQ(j["groups"][1]["group"], "unseen");
  EXPECT_EQ(j["groups"][1]["results"][0]["files"], 2);
  EXPECT_FALSE(j["groups"][1]["results"][0].contains("per_file"));
}

}  // namespace
}  // namespace nwave::eval
