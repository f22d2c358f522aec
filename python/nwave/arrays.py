"""NumPy arrays in, checked and converted to what the C API takes: float32 audio, uint16 frame-major codes."""
import numpy as np

from .errors import Error

BAD_ARG = -1  # NWAVE_BAD_ARG


def bad_argument(message):
    return Error(BAD_ARG, "bad argument", message)


def audio_channels(audio):
    """A signal as a C-contiguous float32 array [channels, samples].

    Accepts float32, float64 (rounded to float32, as libsndfile reads a double WAV) and int16 (divided by 32768, as
    libsndfile reads a 16-bit WAV), 1-d (mono) or 2-d [channels, samples].
    """
    a = np.asarray(audio)
    if a.dtype == np.int16:
        a = a.astype(np.float32) * np.float32(1.0 / 32768.0)
    elif a.dtype in (np.float32, np.float64):
        a = a.astype(np.float32, copy=False)
    else:
        raise bad_argument(f"audio must be float32, float64 or int16 (got {a.dtype})")
    if a.ndim == 1:
        a = a[np.newaxis, :]
    elif a.ndim != 2:
        raise bad_argument(f"audio must be 1-d (mono) or 2-d [channels, samples] (got shape {a.shape})")
    return np.ascontiguousarray(a)


def mono_audio(audio):
    """A mono signal at the model's rate as a contiguous float32 1-d array (the streaming classes' input)."""
    a = audio_channels(audio)
    if a.shape[0] != 1:
        raise bad_argument(f"streaming takes mono audio at the model's rate (got shape {np.shape(audio)})")
    return a[0]


def frame_major_codes(codes, what="codes"):
    """Codes [codebooks, frames] (any integer dtype) as a C-contiguous uint16 array [frames, codebooks]."""
    c = np.asarray(codes)
    if c.ndim != 2:
        raise bad_argument(f"{what} must be 2-d [codebooks, frames] (got shape {c.shape})")
    if not np.issubdtype(c.dtype, np.integer):
        raise bad_argument(f"{what} must be integers (got {c.dtype})")
    if c.size and (c.min() < 0 or c.max() > 65535):
        bad = int(c.min()) if c.min() < 0 else int(c.max())
        raise bad_argument(f"{what}: {bad} is not a codebook index")
    return np.ascontiguousarray(c.T, dtype=np.uint16)


def codebook_major(frame_major, num_codebooks, codebook_size):
    """Frame-major uint16 codes as [codebooks, frames]: int16, or int32 above 2^15 entries (as `nwave tokens`)."""
    dtype = np.int16 if codebook_size <= 32768 else np.int32
    return np.ascontiguousarray(frame_major.reshape(-1, num_codebooks).T.astype(dtype))


def is_batch(value):
    """Batches are Python lists or tuples of arrays; one signal is an array."""
    return isinstance(value, (list, tuple))
