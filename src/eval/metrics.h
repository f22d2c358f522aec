// Objective quality metrics used by `nwave eval`: reference first, codec output second. Signals of different
// lengths are compared on their common length (codecs may pad the end). All take 16 kHz mono unless told otherwise.
#pragma once
#include <cstddef>
#include <vector>

namespace nwave::eval {

// Scale-invariant signal-to-distortion ratio in dB (Le Roux et al., "SDR - half-baked or well done?", 2019):
// both signals made zero-mean, the estimate projected onto the reference, 10 log10(|target|^2 / |residual|^2).
// Higher is better; a perfect (or merely rescaled) estimate scores well above 100 dB.
// Throws Error(kBadArgument) if the common length is zero.
double si_sdr(const std::vector<float>& reference, const std::vector<float>& estimate);

// Short-Time Objective Intelligibility (Taal et al., 2011), the original (not extended) measure as pystoi computes
// it: 10 kHz, 256-sample Hann frames at 50 % overlap, silent frames (40 dB below the loudest) removed, 512-point
// FFT, 15 one-third-octave bands from 150 Hz, 30-frame segments, clipping at beta = -15 dB. In [about 0, 1],
// higher is better. Like pystoi, returns 1e-5 when fewer than 30 frames remain after silence removal.
// Throws Error(kBadArgument) for rate <= 0.
double stoi(const std::vector<float>& clean, const std::vector<float>& processed, int rate);

// False when STOI has nothing to measure on this reference (fewer than 30 frames left after silence removal, the
// case where stoi() returns 1e-5): such a file says nothing about a codec and is left out of reports.
bool stoi_defined(const std::vector<float>& clean, int rate);

// Multi-resolution log-mel distance: mean |log10 mel(ref) - log10 mel(est)| over 80 mel bins (0-8 kHz) at n_fft
// 512, 1024 and 2048 (hop n_fft/4), averaged over the three. 0 for identical signals, lower is better.
// Throws Error(kBadArgument) if the common length is zero.
double log_mel_distance(const std::vector<float>& reference, const std::vector<float>& estimate);

// Harmonic fidelity (pitch.cpp): both signals are pitch-tracked with YIN (10 ms frames, 25 ms window, 55-1000 Hz,
// threshold 0.15) on frames where the reference is within 40 dB of its loudest frame. Counts, not ratios, so that a
// report can pool frames over many files (short files then weigh by their length, as they should).
struct PitchCounts {
  size_t active_frames = 0;       // reference frames that are not silence
  size_t voicing_errors = 0;      // active frames voiced in one signal and unvoiced in the other
  size_t voicing_lost = 0;        // of those, voiced in the reference and unvoiced in the estimate
  size_t both_voiced_frames = 0;  // active frames voiced in both
  size_t gross_errors = 0;        // of those, |f0_est / f0_ref - 1| > 20 % (octave jumps, lost harmonics)
  double fine_error_cents_sum = 0.0;  // sum of |1200 log2(f0_est / f0_ref)| over the other both-voiced frames

  PitchCounts& operator+=(const PitchCounts& other);
  double voicing_error() const;           // voicing_errors / active_frames (VDE), 0 with no active frame
  double voicing_lost_share() const;      // voicing_lost / voicing_errors: how much of VDE is lost periodicity
  double gross_pitch_error() const;       // gross_errors / both_voiced_frames (GPE), 0 with none
  double fine_pitch_error_cents() const;  // mean cents over the non-gross both-voiced frames, 0 with none
};
PitchCounts pitch_counts(const std::vector<float>& reference, const std::vector<float>& estimate);

}  // namespace nwave::eval
