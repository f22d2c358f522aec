"""nwave.StreamingEncoder and nwave.StreamingDecoder: audio and codes in chunks of any size, bit-identical to the
whole-signal Model.tokens / Model.detokenize (the library's guarantee), over the C API's streaming handles."""
import ctypes

import numpy as np

from ._native import check, lib, pointer
from .arrays import bad_argument, codebook_major, frame_major_codes, mono_audio


class StreamingEncoder:
    """Mono audio at the model's rate (16 kHz; resample with Model.prepare first) to codes, frame by frame.
    push(chunk) returns the codes [codebooks, frames] of every frame the chunk completes; flush() ends the stream
    with the zero-padded partial frame (and makes the encoder ready for a new one). One thread at a time."""

    def __init__(self, model, kbps=None):
        self.model = model  # kept alive: the handle needs it
        handle = ctypes.c_void_p()
        check(lib.nwave_encoder_create(model.handle, model.kbps_argument(kbps), ctypes.byref(handle)))
        self._handle = handle
        self.num_codebooks = lib.nwave_encoder_codebooks(handle)

    def push(self, audio):
        samples = mono_audio(audio)
        max_frames = lib.nwave_encoder_max_frames(self._handle, samples.size)
        codes = np.empty((max_frames, self.num_codebooks), np.uint16)
        frames = ctypes.c_size_t()
        check(lib.nwave_encoder_push(self._handle, pointer(samples, ctypes.c_float), samples.size,
                                     pointer(codes, ctypes.c_uint16), max_frames, ctypes.byref(frames)))
        return codebook_major(codes[: frames.value], self.num_codebooks, self.model.codebook_size)

    def flush(self):
        codes = np.empty((1, self.num_codebooks), np.uint16)
        frames = ctypes.c_size_t()
        check(lib.nwave_encoder_flush(self._handle, pointer(codes, ctypes.c_uint16), 1, ctypes.byref(frames)))
        return codebook_major(codes[: frames.value], self.num_codebooks, self.model.codebook_size)

    def close(self):
        if getattr(self, "_handle", None):
            lib.nwave_encoder_destroy(self._handle)
            self._handle = None

    def __del__(self):
        self.close()


class StreamingDecoder:
    """Codes [codebooks, frames] to 16 kHz float32 audio: hop samples per frame, delay_frames frames late (the
    spectral model's synthesis overlaps the next frame); flush() returns the samples held back and resets. kbps says
    how many codebooks each pushed frame has (None: the default, 5). One thread at a time."""

    def __init__(self, model, kbps=None):
        self.model = model
        handle = ctypes.c_void_p()
        check(lib.nwave_decoder_create(model.handle, model.kbps_argument(kbps), ctypes.byref(handle)))
        self._handle = handle
        self.num_codebooks = lib.nwave_decoder_codebooks(handle)
        self.delay_frames = lib.nwave_decoder_delay_frames(handle)

    def push(self, codes):
        frame_major = frame_major_codes(codes)
        frames, n = frame_major.shape
        if frames and n != self.num_codebooks:
            raise bad_argument(f"this decoder takes {self.num_codebooks} codebooks per frame (its bitrate); "
                               f"the codes have {n}")
        out = np.empty(frames * self.model.hop, np.float32)
        got = ctypes.c_size_t()
        check(lib.nwave_decoder_push(self._handle, pointer(frame_major, ctypes.c_uint16), frames,
                                     pointer(out, ctypes.c_float), out.size, ctypes.byref(got)))
        return out[: got.value]

    def flush(self):
        out = np.empty(max(self.delay_frames, 0) * self.model.hop, np.float32)
        got = ctypes.c_size_t()
        check(lib.nwave_decoder_flush(self._handle, pointer(out, ctypes.c_float), out.size, ctypes.byref(got)))
        return out[: got.value]

    def close(self):
        if getattr(self, "_handle", None):
            lib.nwave_decoder_destroy(self._handle)
            self._handle = None

    def __del__(self):
        self.close()

