// Helpers shared by the tests: scratch directories and deterministic synthetic signals.
#pragma once
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace nwave::test {

// A fresh empty directory under the system temp dir, removed when the object goes out of scope.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("nwave_" + tag + "_" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline std::vector<float> sine(double freq, double amplitude, size_t n, int rate) {
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = static_cast<float>(amplitude * std::sin(2.0 * M_PI * freq * i / rate));
  return x;
}

inline std::vector<float> white_noise(double stddev, size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> dist(0.0, stddev);
  std::vector<float> x(n);
  for (auto& v : x) v = static_cast<float>(dist(gen));
  return x;
}

// Speech-like test signal: a harmonic tone whose pitch and loudness change over time, with pauses, so that STOI's
// silent-frame removal and band envelopes have something to work on. Deterministic. Without pauses the loudness
// still varies but never drops to silence.
inline std::vector<float> speechlike(size_t n, int rate, uint32_t seed = 1, bool with_pauses = true) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  std::vector<float> x(n, 0.0f);
  double phase = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / rate;
    const double f0 = 120.0 + 40.0 * std::sin(2.0 * M_PI * 0.7 * t);
    phase += 2.0 * M_PI * f0 / rate;
    const double wave = std::sin(2.0 * M_PI * 3.0 * t);  // ~3 syllables/s
    const double syllable = with_pauses ? std::max(0.0, wave) : 0.6 + 0.4 * wave;
    double v = 0.0;
    for (int h = 1; h <= 20; ++h) v += std::sin(h * phase) / h * (1.0 + 0.5 * std::sin(2.0 * M_PI * (0.5 + 0.3 * h) * t));
    x[i] = static_cast<float>(0.2 * syllable * v + 0.001 * (uni(gen) - 0.5));
  }
  return x;
}

inline std::vector<float> add(const std::vector<float>& a, const std::vector<float>& b) {
  std::vector<float> y(a.size());
  for (size_t i = 0; i < a.size(); ++i) y[i] = a[i] + b[i];
  return y;
}

}  // namespace nwave::test
