"""nwave.Model: a codec model and the whole-signal operations (tokens, detokenize, encode, decode)."""
import ctypes
import math

import numpy as np

from . import _native
from ._native import check, lib, pointer
from .arrays import audio_channels, bad_argument, codebook_major, frame_major_codes, is_batch
from .threads import map_batch, thread_count


class Model:
    """A NeuralWave-RVQ model: Model() opens the default one (NWAVE_MODEL, then the installed or source tree's
    nwave-16k.safetensors), Model(path) another. Immutable and safe to share between threads; every method that
    encodes or decodes releases the GIL while the library works. Close it with close() or a with-block (or let the
    garbage collector do it)."""

    def __init__(self, path=None):
        handle = ctypes.c_void_p()
        rc = lib.nwave_model_open(None if path is None else str(path).encode(), ctypes.byref(handle))
        if rc < 0:
            error = _native.error_for(rc)
            if path is None:  # the library's advice is the command line's
                error.args = (str(error).replace("pass --model FILE", "pass nwave.Model(path) or set NWAVE_MODEL"),)
            raise error
        self._handle = handle
        self.path = path

    def close(self):
        if getattr(self, "_handle", None):
            lib.nwave_model_close(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    @property
    def handle(self):
        if not self._handle:
            raise bad_argument("the model is closed")
        return self._handle

    # ---- facts

    @property
    def sample_rate(self):
        """16000: the rate of decoded audio (and of what the streaming classes take)."""
        return lib.nwave_model_sample_rate(self.handle)

    @property
    def hop(self):
        """Samples per frame: 128."""
        return lib.nwave_model_hop(self.handle)

    @property
    def frame_rate(self):
        """Frames (token columns) per second: 125."""
        return self.sample_rate / self.hop

    @property
    def num_codebooks(self):
        """The most codebooks (token rows) a bitrate can use: 8."""
        return lib.nwave_model_num_codebooks(self.handle)

    @property
    def codebook_size(self):
        """Entries per codebook (token vocabulary): every code is below it. 1024."""
        return lib.nwave_model_codebook_size(self.handle)

    @property
    def kbps_per_codebook(self):
        return lib.nwave_model_kbps_per_codebook(self.handle)

    @property
    def latency_samples(self):
        """Streaming encoder + decoder latency: 256 samples (16 ms)."""
        return lib.nwave_model_latency_samples(self.handle)

    @property
    def fingerprint(self):
        """The number identifying the weights (in every .nwv, and in .npz token files)."""
        return lib.nwave_model_fingerprint(self.handle)

    def codebooks_for_bitrate(self, kbps):
        """floor(kbps / kbps_per_codebook) codebooks; Error for a bitrate the model cannot code."""
        n = ctypes.c_int()
        check(lib.nwave_model_codebooks_for_bitrate(self.handle, float(kbps), ctypes.byref(n)))
        return n.value

    def kbps_argument(self, kbps):
        """kbps for the C API: None is the default (0 there); anything given must be a bitrate the model codes."""
        if kbps is None:
            return 0.0
        self.codebooks_for_bitrate(kbps)
        return float(kbps)

    def codebooks_at(self, kbps):
        """The codebooks an encoder uses at kbps (None: the default bitrate)."""
        encoder = ctypes.c_void_p()
        check(lib.nwave_encoder_create(self.handle, self.kbps_argument(kbps), ctypes.byref(encoder)))
        try:
            return lib.nwave_encoder_codebooks(encoder)
        finally:
            lib.nwave_encoder_destroy(encoder)

    # ---- audio in

    def prepare(self, audio, sample_rate):
        """Audio (see tokens) as the encoder takes it: float32 mono at the model's rate, mixed down and resampled
        exactly as `nwave encode` reads a file."""
        return self._prepare(audio_channels(audio), sample_rate)

    def _prepare(self, channels, sample_rate):
        if not isinstance(sample_rate, (int, np.integer)) or isinstance(sample_rate, bool):
            raise bad_argument(f"sample_rate must be an integer number of Hz (got {sample_rate!r})")
        frames = channels.shape[1]
        out = np.empty(lib.nwave_audio_prepared_length(self.handle, frames, int(sample_rate)), np.float32)
        written = ctypes.c_size_t()
        check(lib.nwave_audio_prepare(self.handle, pointer(channels, ctypes.c_float), frames, channels.shape[0],
                                      int(sample_rate), pointer(out, ctypes.c_float), out.size, ctypes.byref(written)))
        return out[: written.value]

    def tokens(self, audio, sample_rate, kbps=None, threads=1):
        """Codes of a signal: np.int16 [codebooks, frames], codebook 0 the coarsest, 125 frames per second; equal to
        the .npy `nwave tokens` writes for the same audio in a file.

        audio: a NumPy array, float32/float64 in [-1, 1] or int16; 1-d (mono) or 2-d [channels, samples] (averaged to
        mono); at sample_rate Hz (resampled to 16 kHz as the command does). kbps: None for the default (6.25 kbps,
        5 codebooks), else 1.25 to 10 in steps of 1.25 (between two steps: the lower). A list of arrays gives a list.
        threads: 1 to 256, or 0 for every core; one signal is coded in blocks on that many threads, a list's signals
        on that many threads at once (each on one). The result is the same for every thread count.
        """
        if is_batch(audio):
            return map_batch(lambda a: self.tokens(a, sample_rate, kbps), audio, threads)
        threads = thread_count(threads)
        n = self.codebooks_at(kbps)
        samples = self.prepare(audio, sample_rate)
        frames = -(-samples.size // self.hop)
        codes = np.empty((frames, n), np.uint16)
        got = ctypes.c_size_t()
        check(lib.nwave_codes_encode_threads(self.handle, self.kbps_argument(kbps), pointer(samples, ctypes.c_float),
                                             samples.size, pointer(codes, ctypes.c_uint16), frames, ctypes.byref(got),
                                             threads))
        return codebook_major(codes[: got.value], n, self.codebook_size)

    def encode(self, audio, sample_rate, kbps=None, threads=1):
        """A complete .nwv file as bytes, equal to the file `nwave encode` writes for the same audio (the header
        records sample_rate and the channel count as the original format). Arguments as tokens()."""
        if is_batch(audio):
            return map_batch(lambda a: self.encode(a, sample_rate, kbps), audio, threads)
        threads = thread_count(threads)
        channels = audio_channels(audio)
        samples = self._prepare(channels, sample_rate)
        frames = -(-samples.size // self.hop)
        capacity = 4096 + frames * (2 * self.num_codebooks + 16)  # more than any packet layout needs
        for _ in range(2):
            out = np.empty(capacity, np.uint8)
            size = ctypes.c_size_t()
            rc = lib.nwave_nwv_encode_with_origin_threads(self.handle, self.kbps_argument(kbps),
                                                          pointer(samples, ctypes.c_float), samples.size,
                                                          int(sample_rate), channels.shape[0],
                                                          pointer(out, ctypes.c_uint8), out.size, ctypes.byref(size),
                                                          threads)
            if rc != _native.BUFFER_TOO_SMALL:
                check(rc)
                return out[: size.value].tobytes()
            capacity = size.value
        raise bad_argument("nwave_nwv_encode_with_origin_threads: the size needed changed")

    # ---- audio out

    def detokenize(self, codes, length=None, threads=1):
        """Audio (np.float32 at 16 kHz) of codes [codebooks, frames] as tokens() returns them: frames * hop samples,
        or the first `length` (the original length: round(samples * 16000 / rate) of the input). Decoding the .nwv
        of the same audio gives exactly the same samples. A list of arrays gives a list (length then a list too).
        threads as for tokens()."""
        if is_batch(codes):
            lengths = length if is_batch(length) else [length] * len(codes)
            if len(lengths) != len(codes):
                raise bad_argument(f"length is a list of {len(lengths)} for a batch of {len(codes)} token arrays")
            return map_batch(lambda item: self.detokenize(*item), list(zip(codes, lengths)), threads)
        threads = thread_count(threads)
        frame_major = frame_major_codes(codes)
        frames, n = frame_major.shape
        out = np.empty(frames * self.hop, np.float32)
        got = ctypes.c_size_t()
        check(lib.nwave_codes_decode_threads(self.handle, pointer(frame_major, ctypes.c_uint16), frames, n,
                                             pointer(out, ctypes.c_float), out.size, ctypes.byref(got), threads))
        if length is None:
            return out[: got.value]
        if not isinstance(length, (int, np.integer)) or not 0 <= length <= got.value:
            raise bad_argument(f"length must be an integer from 0 to {got.value} for {frames} frames (got {length!r})")
        return out[: int(length)]

    def decode(self, blob, kbps=None, threads=1):
        """Audio (np.float32 at 16 kHz, the original length) of a .nwv byte string (bytes, bytearray, memoryview or a
        uint8 array); equal to what `nwave decode` writes before the WAV's 16-bit rounding. kbps: None for the
        file's bitrate, lower to drop the finest codebooks. A list of byte strings gives a list. threads as for
        tokens()."""
        if is_batch(blob):
            return map_batch(lambda b: self.decode(b, kbps), blob, threads)
        threads = thread_count(threads)
        data = as_bytes(blob)
        samples = stream_info(data)["samples"]
        out = np.empty(samples, np.float32)
        got = ctypes.c_size_t()
        check(lib.nwave_nwv_decode_threads(self.handle, pointer(data, ctypes.c_uint8), data.size,
                                           self.kbps_argument(kbps), pointer(out, ctypes.c_float), out.size,
                                           ctypes.byref(got), threads))
        return out[: got.value]


def as_bytes(blob):
    """A byte string as a uint8 array (no copy where possible)."""
    if isinstance(blob, np.ndarray):
        if blob.dtype != np.uint8 or blob.ndim != 1:
            raise bad_argument(f"a .nwv array must be 1-d uint8 (got {blob.dtype}, shape {blob.shape})")
        return np.ascontiguousarray(blob)
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise bad_argument(f"a .nwv must be bytes (got {type(blob).__name__})")
    return np.frombuffer(blob, np.uint8)


def stream_info(blob):
    """What a .nwv byte string's header says, after checking every CRC: a dict with sample_rate, hop,
    codebook_bits, num_codebooks, frames, samples (the decoded length), original_rate, original_channels,
    model_fingerprint, kbps and duration (seconds)."""
    data = as_bytes(blob)
    info = _native.StreamInfo()
    check(lib.nwave_nwv_info(pointer(data, ctypes.c_uint8), data.size, ctypes.byref(info)))
    result = {name: getattr(info, name) for name, _ in _native.StreamInfo._fields_}
    result["duration"] = info.samples / info.sample_rate if info.sample_rate else math.nan
    return result
