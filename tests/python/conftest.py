"""Shared fixtures of the Python module's tests: the nwave command, the default (shipped) model, short WAV files.

Run by ctest (test python_module), which sets PYTHONPATH to build/python, NWAVE_BINARY and NWAVE_SOURCE_DIR."""
import os
import subprocess
import wave

import numpy as np
import pytest

import nwave

SOURCE_DIR = os.environ.get("NWAVE_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def write_wav(path, samples, rate):
    """int16 samples, 1-d (mono) or [channels, samples], as a 16-bit PCM WAV."""
    data = np.atleast_2d(np.asarray(samples, np.int16))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(data.shape[0])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.ascontiguousarray(data.T).tobytes())


def read_wav(path):
    """(int16 samples [channels, samples] or 1-d for mono, rate) of a 16-bit PCM WAV."""
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, w.getnchannels()).T
        return (data[0] if data.shape[0] == 1 else data), w.getframerate()


def as_wav16(x):
    """Float samples quantised as `nwave decode` writes them: clipped to [-1, 1], times 32767 in float32, rounded to
    nearest (ties to even, as lrintf), to int16."""
    return np.rint(np.clip(np.asarray(x, np.float32), -1, 1) * np.float32(32767)).astype(np.int16)


@pytest.fixture(scope="session")
def nwave_cli():
    binary = os.environ.get("NWAVE_BINARY", "nwave")

    def run(*args, check=True):
        result = subprocess.run([binary, *map(str, args)], capture_output=True, text=True)
        if check:
            assert result.returncode == 0, result.stderr
        return result

    return run


@pytest.fixture(scope="session")
def model():
    with nwave.Model() as m:
        yield m


@pytest.fixture(scope="session")
def speech():
    """0.7 s of real speech from samples/, int16 at 16 kHz (an odd length: the last frame is partial)."""
    x, rate = read_wav(os.path.join(SOURCE_DIR, "samples", "speech-en.wav"))
    assert rate == 16000
    return x[16000 : 16000 + 11203].copy()


@pytest.fixture(scope="session")
def wav_files(tmp_path_factory, speech):
    """{name: (path, int16 samples as the file holds them, rate)}: 16 kHz mono, and 44.1 kHz stereo (resampled and
    mixed down by the library)."""
    d = tmp_path_factory.mktemp("wav")
    t = np.arange(int(len(speech) * 44100 / 16000))
    left = np.interp(t * 16000 / 44100, np.arange(len(speech)), speech.astype(np.float64))
    right = 0.5 * left + 2000 * np.sin(2 * np.pi * 440 * t / 44100)
    stereo = np.stack([left, right]).round().astype(np.int16)
    files = {"mono16k": (d / "mono16k.wav", speech, 16000), "stereo44k": (d / "stereo44k.wav", stereo, 44100)}
    for path, samples, rate in files.values():
        write_wav(path, samples, rate)
    return files
