#include "eval/quality_plot.h"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>

#include "nwave/error.h"
#include "util/atomic_file.h"

namespace nwave::eval {

namespace {

// Figure geometry in pixels.
constexpr int kPanelWidth = 480, kPanelHeight = 380;
constexpr int kTitleHeight = 40, kLegendHeight = 40;
constexpr double kMarginLeft = 70, kMarginRight = 20, kMarginTop = 36, kMarginBottom = 52;

struct Rgb {
  double r, g, b;
};
// Distinguishable colours (Tableau 10), assigned to codecs in order of first appearance.
constexpr Rgb kPalette[] = {{0.12, 0.47, 0.71}, {1.00, 0.50, 0.05}, {0.17, 0.63, 0.17}, {0.84, 0.15, 0.16},
                            {0.58, 0.40, 0.74}, {0.55, 0.34, 0.29}, {0.89, 0.47, 0.76}, {0.50, 0.50, 0.50}};

struct Range {
  double lo, hi, step;
};

// Axis range covering [lo, hi] with about five "nice" ticks (1, 2, 2.5 or 5 times a power of ten).
Range nice_range(double lo, double hi) {
  if (!(hi > lo)) {  // a single value (or none): open a window around it
    const double pad = lo == 0.0 || !std::isfinite(lo) ? 1.0 : std::abs(lo) * 0.1;
    lo = std::isfinite(lo) ? lo - pad : 0.0;
    hi = std::isfinite(hi) ? hi + pad : 1.0;
  }
  const double raw = (hi - lo) / 5.0;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10.0 * mag;
  for (double m : {1.0, 2.0, 2.5, 5.0})
    if (raw <= m * mag) {
      step = m * mag;
      break;
    }
  return {std::floor(lo / step) * step, std::ceil(hi / step) * step, step};
}

std::string tick_label(double v, double step) {
  // Enough decimals to tell neighbouring ticks apart (2.5 x 10^k steps need one more than the power suggests).
  int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  if (std::abs(step / std::pow(10.0, std::floor(std::log10(step) + 1e-9)) - 2.5) < 1e-6) ++decimals;
  if (std::abs(v) < step * 1e-6) v = 0.0;  // no "-0.0"
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

void show_text(cairo_t* cr, const std::string& text, double x, double y, double align_x, double align_y) {
  cairo_text_extents_t ext;
  cairo_text_extents(cr, text.c_str(), &ext);
  cairo_move_to(cr, x - ext.width * align_x - ext.x_bearing, y - ext.height * align_y - ext.y_bearing);
  cairo_show_text(cr, text.c_str());
}

void draw_panel(cairo_t* cr, const PlotPanel& panel, double x0, double y0, const std::map<std::string, Rgb>& colours) {
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  for (const auto& s : panel.series)
    for (size_t i = 0; i < s.kbps.size(); ++i)
      if (std::isfinite(s.kbps[i]) && std::isfinite(s.value[i])) {
        xmin = std::min(xmin, s.kbps[i]);
        xmax = std::max(xmax, s.kbps[i]);
        ymin = std::min(ymin, s.value[i]);
        ymax = std::max(ymax, s.value[i]);
      }
  // A little room around the data so markers at the extremes are not cut in half by the frame.
  auto padded = [](double lo, double hi) {
    const double pad = 0.04 * (hi - lo);
    return nice_range(lo - pad, hi + pad);
  };
  const Range xr = padded(xmin, xmax), yr = padded(ymin, ymax);
  const double left = x0 + kMarginLeft, right = x0 + kPanelWidth - kMarginRight;
  const double top = y0 + kMarginTop, bottom = y0 + kPanelHeight - kMarginBottom;
  auto px = [&](double v) { return left + (v - xr.lo) / (xr.hi - xr.lo) * (right - left); };
  auto py = [&](double v) { return bottom - (v - yr.lo) / (yr.hi - yr.lo) * (bottom - top); };

  // Grid and ticks.
  cairo_set_font_size(cr, 12);
  cairo_set_line_width(cr, 1.0);
  for (int axis = 0; axis < 2; ++axis) {
    const Range& r = axis == 0 ? xr : yr;
    for (double v = r.lo; v <= r.hi + r.step * 1e-6; v += r.step) {
      cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
      if (axis == 0) {
        cairo_move_to(cr, px(v), top);
        cairo_line_to(cr, px(v), bottom);
      } else {
        cairo_move_to(cr, left, py(v));
        cairo_line_to(cr, right, py(v));
      }
      cairo_stroke(cr);
      cairo_set_source_rgb(cr, 0.0, 0.0, 0.0);
      if (axis == 0) {
        cairo_move_to(cr, px(v), bottom);
        cairo_line_to(cr, px(v), bottom + 5);
        cairo_stroke(cr);
        show_text(cr, tick_label(v, r.step), px(v), bottom + 8, 0.5, 0.0);
      } else {
        cairo_move_to(cr, left - 5, py(v));
        cairo_line_to(cr, left, py(v));
        cairo_stroke(cr);
        show_text(cr, tick_label(v, r.step), left - 8, py(v), 1.0, 0.5);
      }
    }
  }
  cairo_set_source_rgb(cr, 0.0, 0.0, 0.0);
  cairo_rectangle(cr, left, top, right - left, bottom - top);
  cairo_stroke(cr);

  // Titles and axis labels.
  cairo_set_font_size(cr, 14);
  show_text(cr, panel.metric_name, (left + right) / 2, y0 + 10, 0.5, 0.0);
  cairo_set_font_size(cr, 12);
  show_text(cr, "bitrate (kbps)", (left + right) / 2, y0 + kPanelHeight - 18, 0.5, 0.0);
  cairo_save(cr);
  cairo_translate(cr, x0 + 16, (top + bottom) / 2);
  cairo_rotate(cr, -M_PI / 2);
  show_text(cr, panel.metric_name, 0, 0, 0.5, 0.5);
  cairo_restore(cr);

  // Curves: lines through the points in bitrate order, a filled circle on each measurement.
  cairo_save(cr);
  cairo_rectangle(cr, left, top, right - left, bottom - top);
  cairo_clip(cr);
  for (const auto& s : panel.series) {
    std::vector<std::pair<double, double>> pts;
    for (size_t i = 0; i < s.kbps.size(); ++i)
      if (std::isfinite(s.kbps[i]) && std::isfinite(s.value[i])) pts.emplace_back(s.kbps[i], s.value[i]);
    std::sort(pts.begin(), pts.end());
    const Rgb c = colours.at(s.name);
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_set_line_width(cr, 2.0);
    for (size_t i = 0; i < pts.size(); ++i) {
      if (i == 0) cairo_move_to(cr, px(pts[i].first), py(pts[i].second));
      else cairo_line_to(cr, px(pts[i].first), py(pts[i].second));
    }
    cairo_stroke(cr);
    for (const auto& [x, y] : pts) {
      cairo_arc(cr, px(x), py(y), 4.0, 0, 2 * M_PI);
      cairo_fill(cr);
    }
  }
  cairo_restore(cr);
}

}  // namespace

void plot_quality_panels(const std::string& png_path, const std::string& title, const std::vector<PlotPanel>& panels) {
  if (panels.empty()) throw Error(ErrorCode::kBadArgument, "plot: nothing to plot");
  std::map<std::string, Rgb> colours;
  std::vector<std::string> legend;  // codec names in order of first appearance
  for (const auto& p : panels)
    for (const auto& s : p.series) {
      if (s.kbps.size() != s.value.size())
        throw Error(ErrorCode::kBadArgument, "plot: series '" + s.name + "' has mismatched kbps and value counts");
      if (!colours.count(s.name)) {
        colours[s.name] = kPalette[legend.size() % std::size(kPalette)];
        legend.push_back(s.name);
      }
    }

  const int width = kPanelWidth * static_cast<int>(panels.size());
  const int height = kTitleHeight + kPanelHeight + kLegendHeight;
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height), cairo_surface_destroy);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr_owner(cairo_create(surface.get()), cairo_destroy);
  cairo_t* cr = cr_owner.get();
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);

  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_font_size(cr, 16);
  show_text(cr, title, width / 2.0, kTitleHeight / 2.0, 0.5, 0.5);
  for (size_t i = 0; i < panels.size(); ++i) draw_panel(cr, panels[i], kPanelWidth * static_cast<double>(i), kTitleHeight, colours);

  // Shared legend centred below the panels: a line-and-marker swatch and the codec name for each.
  cairo_set_font_size(cr, 13);
  double total = 0.0;
  std::vector<double> text_widths;
  for (const auto& name : legend) {
    cairo_text_extents_t ext;
    cairo_text_extents(cr, name.c_str(), &ext);
    text_widths.push_back(ext.x_advance);
    total += 30 + ext.x_advance + 24;
  }
  double x = (width - total) / 2.0;
  const double y = kTitleHeight + kPanelHeight + kLegendHeight / 2.0;
  for (size_t i = 0; i < legend.size(); ++i) {
    const Rgb c = colours.at(legend[i]);
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_set_line_width(cr, 2.0);
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x + 24, y);
    cairo_stroke(cr);
    cairo_arc(cr, x + 12, y, 4.0, 0, 2 * M_PI);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    show_text(cr, legend[i], x + 30, y, 0.0, 0.5);
    x += 30 + text_widths[i] + 24;
  }

  cairo_surface_flush(surface.get());
  const std::string tmp = util::temp_path_for(png_path);
  const cairo_status_t status = cairo_surface_write_to_png(surface.get(), tmp.c_str());
  if (status != CAIRO_STATUS_SUCCESS) {
    util::discard_temp_file(png_path);
    throw Error(ErrorCode::kIo, "cannot write '" + png_path + "': " + cairo_status_to_string(status));
  }
  util::commit_temp_file(png_path);
}

void plot_quality(const std::string& png_path, const std::string& metric_name, const std::vector<PlotSeries>& series) {
  plot_quality_panels(png_path, metric_name + " vs bitrate", {PlotPanel{metric_name, series}});
}

}  // namespace nwave::eval
