#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "eval/quality_plot.h"
#include "nwave/error.h"
#include "test_util.h"

namespace nwave::eval {
namespace {

bool has_png_signature(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char sig[8] = {};
  f.read(sig, 8);
  return f.gcount() == 8 && std::string(sig, 8) == std::string("\x89PNG\r\n\x1a\n", 8);
}

TEST(QualityPlot, WritesAThreePanelPng) {
  test::TempDir dir("plot");
  const std::vector<PlotPanel> panels = {
      {"STOI", {{"nwave", {1.25, 2.5, 3.75, 6.25}, {0.7, 0.8, 0.85, 0.9}}, {"opus", {6, 8, 12}, {0.88, 0.91, 0.94}}}},
      {"log-mel distance", {{"nwave", {1.25, 2.5, 3.75, 6.25}, {0.4, 0.3, 0.2, 0.15}}, {"opus", {6, 8, 12}, {0.45, 0.4, 0.3}}}},
      {"SI-SDR (dB)", {{"nwave", {1.25, 2.5, 3.75, 6.25}, {-5, 0, 2.5, NAN}}, {"opus", {6, 8, 12}, {3, 5, 8}}}}};
  const std::string png = dir.file("quality.png");
  plot_quality_panels(png, "Quality vs bitrate", panels);
  ASSERT_TRUE(std::filesystem::exists(png));
  EXPECT_FALSE(std::filesystem::exists(png + ".tmp"));
  EXPECT_TRUE(has_png_signature(png));
  EXPECT_GT(std::filesystem::file_size(png), 10000u);  // axes, text and curves; a blank canvas compresses to ~2 kB
}

TEST(QualityPlot, SinglePanelAndDegenerateData) {
  test::TempDir dir("plot1");
  const std::string png = dir.file("one.png");
  plot_quality(png, "STOI", {{"only", {6.0}, {0.9}}});  // one point: the axis range must still be valid
  EXPECT_TRUE(has_png_signature(png));
  EXPECT_GT(std::filesystem::file_size(png), 3000u);
  EXPECT_THROW(plot_quality(png, "STOI", {{"bad", {1.0, 2.0}, {0.5}}}), Error);
  EXPECT_THROW(plot_quality(dir.file("missing/dir.png"), "STOI", {{"x", {1.0}, {1.0}}}), Error);
}

}  // namespace
}  // namespace nwave::eval
