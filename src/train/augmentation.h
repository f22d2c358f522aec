// Training-data augmentation: random changes that turn the few voices and rooms of the corpus into many. Each
// crop may be played faster or slower (pitch and tempo together, by resampling with libsoxr: a child's voice from
// an adult's, a low voice from a high one), filtered by a random equaliser (a shelf or a peak: other microphones and
// rooms), and scaled by a random gain up to near full scale (real files peak at 0 dBFS).
#pragma once
#include <random>
#include <vector>

namespace nwave {

struct AugmentOptions {
  double pitch_probability = 0.0;  // share of crops whose speed (and pitch) changes
  double max_semitones = 3.0;      // speed factor 2^(u / 12), u uniform in [-max_semitones, max_semitones]
  double eq_probability = 0.0;     // share of crops filtered by one random biquad (low shelf, high shelf or peak)
  double max_eq_db = 8.0;          // the filter's gain, uniform in [-max_eq_db, max_eq_db]
  double min_gain_db = -12.0;      // random gain relative to the recording ...
  double max_gain_db = 6.0;        // ... capped so that the crop's peak stays at or under kMaxPeak

  static AugmentOptions none();      // gain only, in the range above (the original recipe)
  static AugmentOptions standard();  // what the default model trains with: measured in docs/QUALITY.md
};

constexpr float kMaxPeak = 0.995f;  // about -0.04 dBFS

class Augmenter {
 public:
  explicit Augmenter(const AugmentOptions& options) : o_(options) {}

  // Draws how a crop of `segment` samples is augmented: the input length it needs (longer than segment when it
  // is sped up, plus a margin that absorbs the filters' start-up) and the changes to apply.
  struct Draw {
    int input_length = 0;
    int margin = 0;        // input samples before and after the part that becomes the crop
    double speed = 1.0;    // > 1: faster and higher
    int eq_type = -1;      // -1: none; 0 low shelf, 1 high shelf, 2 peak
    double eq_hz = 0.0, eq_db = 0.0, eq_q = 0.0;
    double gain_db = 0.0;
  };
  Draw draw(int segment, std::mt19937_64& rng) const;

  // Applies a draw to draw.input_length samples, returning exactly `segment` samples.
  std::vector<float> apply(const Draw& draw, std::vector<float> input, int segment) const;

 private:
  AugmentOptions o_;
};

}  // namespace nwave
