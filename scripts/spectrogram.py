#!/usr/bin/env python3
"""Renders the spectrogram of a 16 kHz mono WAV as a binary PPM image (scripts/spectrograms.sh stacks and labels them).

Log magnitude of a 1024-point Hann STFT (64 ms, so the harmonics of a voice are resolved), hop 32, 0 to MAX_HZ from
bottom to top, 70 dB range below the loudest bin of the *reference* file so that panels share one colour scale.
Usage: spectrogram.py IN.wav OUT.ppm REFERENCE.wav [MAX_HZ] [WIDTH] [HEIGHT]
"""
import sys
import wave

import numpy as np

N_FFT, HOP, RANGE_DB = 1024, 32, 70.0


def read(path):
    with wave.open(path) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2, path
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64) / 32768.0, w.getframerate()


def log_spectrogram(x):
    x = np.concatenate([x, np.zeros(N_FFT)])
    frames = np.lib.stride_tricks.sliding_window_view(x, N_FFT)[::HOP] * np.hanning(N_FFT)
    return 20.0 * np.log10(np.abs(np.fft.rfft(frames, axis=1)) + 1e-9).T  # [bins, frames]


def colour(level):
    """level in [0, 1] -> RGB, a black-blue-red-yellow-white ramp."""
    stops = np.array([[0, 0, 0], [40, 0, 120], [200, 20, 60], [255, 170, 0], [255, 255, 220]], dtype=np.float64)
    pos = level * (len(stops) - 1)
    i = np.clip(pos.astype(int), 0, len(stops) - 2)
    t = (pos - i)[..., None]
    return ((1 - t) * stops[i] + t * stops[i + 1]).astype(np.uint8)


def main():
    src, dst, ref = sys.argv[1:4]
    max_hz = float(sys.argv[4]) if len(sys.argv) > 4 else 8000.0
    width = int(sys.argv[5]) if len(sys.argv) > 5 else 1000
    height = int(sys.argv[6]) if len(sys.argv) > 6 else 300
    x, rate = read(src)
    r, _ = read(ref)
    top = log_spectrogram(r).max()
    spec = log_spectrogram(x)
    bins = int(max_hz / (rate / 2) * (N_FFT // 2))
    spec = spec[:bins]
    # Resample to the picture: nearest column per pixel, bins averaged per row (bottom row = 0 Hz).
    cols = np.minimum((np.arange(width) * spec.shape[1] / width).astype(int), spec.shape[1] - 1)
    rows = np.array_split(np.arange(bins), height)
    picture = np.stack([spec[rr][:, cols].max(axis=0) for rr in rows])[::-1]
    level = np.clip((picture - (top - RANGE_DB)) / RANGE_DB, 0.0, 1.0)
    with open(dst, "wb") as f:
        f.write(b"P6 %d %d 255\n" % (width, height))
        f.write(colour(level).tobytes())


if __name__ == "__main__":
    main()
