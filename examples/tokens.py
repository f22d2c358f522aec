#!/usr/bin/env python3
"""A folder of audio -> token arrays -> back to audio, with the nwave Python module (docs/PYTHON.md).

Usage: examples/tokens.py IN_DIR OUT_DIR [--kbps KBPS] [--model FILE]

For every 16-bit PCM .wav in IN_DIR (any rate, any channel count; Python's wave module reads them), writes
OUT_DIR/NAME.npz (the tokens: "codes" [codebooks, frames] plus "length", "fingerprint" and "sample_rate", the
layout `nwave tokens OUT.npz` writes and `nwave decode` reads) and OUT_DIR/NAME.decoded.wav (16 kHz mono), and
prints the token shape and a quality number: the log-spectral distance between the input (at 16 kHz, mono) and
the decoded audio, in dB (lower is better; 0 is identical).
"""
import argparse
import os
import sys
import wave

import numpy as np

import nwave


def read_wav16(path):
    """(int16 samples [channels, samples], rate), or None for a WAV that is not 16-bit PCM."""
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            return None
        frames = np.frombuffer(w.readframes(w.getnframes()), "<i2")
        return frames.reshape(-1, w.getnchannels()).T, w.getframerate()


def write_wav16(path, audio, rate):
    pcm = np.rint(np.clip(audio, -1, 1) * 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def log_spectral_distance(reference, decoded, n_fft=512, hop=128):
    """Root-mean-square difference of the log power spectra, in dB, over frames where the reference is not silent."""
    def power(x):
        if len(x) < n_fft:
            x = np.pad(x, (0, n_fft - len(x)))
        frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop] * np.hanning(n_fft)
        return np.abs(np.fft.rfft(frames, axis=1)) ** 2 + 1e-10

    a, b = power(reference), power(decoded)
    loud = 10 * np.log10(a.sum(axis=1)) > 10 * np.log10(a.sum(axis=1).max()) - 50
    diff = 10 * np.log10(a[loud]) - 10 * np.log10(b[loud])
    return float(np.mean(np.sqrt(np.mean(diff ** 2, axis=1))))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("in_dir")
    parser.add_argument("out_dir")
    parser.add_argument("--kbps", type=float, default=None, help="1.25 to 10 (default 6.25)")
    parser.add_argument("--model", default=None, help="a .safetensors model (default: the shipped one)")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    model = nwave.Model(args.model)
    print(f"model {model.fingerprint:016x}: {model.frame_rate:g} frames/s, codebooks of {model.codebook_size}")
    names = sorted(n for n in os.listdir(args.in_dir) if n.lower().endswith(".wav"))
    for name in names:
        loaded = read_wav16(os.path.join(args.in_dir, name))
        if loaded is None:
            print(f"{name}: skipped (not 16-bit PCM)")
            continue
        audio, rate = loaded
        codes = model.tokens(audio, sample_rate=rate, kbps=args.kbps)
        reference = model.prepare(audio, sample_rate=rate)  # the 16 kHz mono signal the tokens describe
        stem = os.path.splitext(name)[0]
        np.savez(os.path.join(args.out_dir, stem + ".npz"), codes=codes, length=np.int64(len(reference)),
                 fingerprint=np.uint64(model.fingerprint), sample_rate=np.int64(model.sample_rate))
        decoded = model.detokenize(codes, length=len(reference))
        write_wav16(os.path.join(args.out_dir, stem + ".decoded.wav"), decoded, model.sample_rate)
        print(f"{name}: {audio.shape[0]} ch at {rate} Hz, {len(reference) / model.sample_rate:.2f} s -> tokens "
              f"{codes.dtype}{list(codes.shape)} -> {len(decoded)} samples; "
              f"log-spectral distance {log_spectral_distance(reference, decoded):.2f} dB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
