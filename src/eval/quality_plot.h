// Quality-vs-bitrate figures (PNG, drawn with cairo) for `nwave eval` and docs/QUALITY.md.
#pragma once
#include <string>
#include <vector>

namespace nwave::eval {

// One codec's curve: value[i] measured at kbps[i]. Non-finite values are skipped.
struct PlotSeries {
  std::string name;
  std::vector<double> kbps;
  std::vector<double> value;
};

// One panel of a figure: a metric (its name is the panel title and y-axis label) and one curve per codec.
struct PlotPanel {
  std::string metric_name;
  std::vector<PlotSeries> series;
};

// Draws the panels side by side in one PNG, with axes, numbered ticks, axis labels, lines with markers and a shared
// legend; a codec keeps its colour across panels. Written atomically (png_path + ".tmp", then renamed).
// Throws Error(kBadArgument) for no panels or mismatched kbps/value lengths, Error(kIo) if the file cannot be written.
void plot_quality_panels(const std::string& png_path, const std::string& title, const std::vector<PlotPanel>& panels);

// Single-panel shorthand.
void plot_quality(const std::string& png_path, const std::string& metric_name, const std::vector<PlotSeries>& series);

}  // namespace nwave::eval
