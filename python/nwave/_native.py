"""libnwave loaded with ctypes, its C API's signatures declared, and result codes turned into exceptions.

ctypes.CDLL releases the GIL for the whole of every foreign call, so encoding and decoding run while other Python
threads continue. The library is found from NWAVE_LIBRARY when set, else beside this package as _location.py says
(CMake writes it for the build tree and for the installed tree).
"""
import ctypes
import os

from . import _location
from .errors import Error

BUFFER_TOO_SMALL = -8

_c_size_p = ctypes.POINTER(ctypes.c_size_t)
_float_p = ctypes.POINTER(ctypes.c_float)
_u16_p = ctypes.POINTER(ctypes.c_uint16)
_u8_p = ctypes.POINTER(ctypes.c_uint8)


class StreamInfo(ctypes.Structure):
    """nwave_stream_info: what a .nwv header says."""

    _fields_ = [
        ("sample_rate", ctypes.c_int),
        ("hop", ctypes.c_int),
        ("codebook_bits", ctypes.c_int),
        ("num_codebooks", ctypes.c_int),
        ("frames", ctypes.c_uint64),
        ("samples", ctypes.c_uint64),
        ("original_rate", ctypes.c_int),
        ("original_channels", ctypes.c_int),
        ("model_fingerprint", ctypes.c_uint64),
        ("kbps", ctypes.c_double),
    ]


def library_path():
    """The libnwave file this module loads."""
    override = os.environ.get("NWAVE_LIBRARY")
    if override:
        return override
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, _location.LIBRARY_FROM_PACKAGE))


def _load():
    path = library_path()
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise ImportError(f"nwave: cannot load libnwave from {path} ({e}); set NWAVE_LIBRARY to its path") from e
    p, i, d, sz, u64 = ctypes.c_void_p, ctypes.c_int, ctypes.c_double, ctypes.c_size_t, ctypes.c_uint64
    signatures = {
        "nwave_version_string": (ctypes.c_char_p, []),
        "nwave_strerror": (ctypes.c_char_p, [i]),
        "nwave_last_error": (ctypes.c_char_p, []),
        "nwave_model_open": (i, [ctypes.c_char_p, ctypes.POINTER(p)]),
        "nwave_model_close": (None, [p]),
        "nwave_model_sample_rate": (i, [p]),
        "nwave_model_hop": (i, [p]),
        "nwave_model_num_codebooks": (i, [p]),
        "nwave_model_codebook_size": (i, [p]),
        "nwave_model_kbps_per_codebook": (d, [p]),
        "nwave_model_latency_samples": (i, [p]),
        "nwave_model_codebooks_for_bitrate": (i, [p, d, ctypes.POINTER(i)]),
        "nwave_model_fingerprint": (u64, [p]),
        "nwave_encoder_create": (i, [p, d, ctypes.POINTER(p)]),
        "nwave_encoder_codebooks": (i, [p]),
        "nwave_encoder_max_frames": (sz, [p, sz]),
        "nwave_encoder_push": (i, [p, _float_p, sz, _u16_p, sz, _c_size_p]),
        "nwave_encoder_flush": (i, [p, _u16_p, sz, _c_size_p]),
        "nwave_encoder_destroy": (None, [p]),
        "nwave_decoder_create": (i, [p, d, ctypes.POINTER(p)]),
        "nwave_decoder_codebooks": (i, [p]),
        "nwave_decoder_delay_frames": (i, [p]),
        "nwave_decoder_push": (i, [p, _u16_p, sz, _float_p, sz, _c_size_p]),
        "nwave_decoder_flush": (i, [p, _float_p, sz, _c_size_p]),
        "nwave_decoder_destroy": (None, [p]),
        "nwave_nwv_info": (i, [_u8_p, sz, ctypes.POINTER(StreamInfo)]),
        "nwave_nwv_decode_threads": (i, [p, _u8_p, sz, d, _float_p, sz, _c_size_p, i]),
        "nwave_audio_prepared_length": (sz, [p, sz, i]),
        "nwave_audio_prepare": (i, [p, _float_p, sz, i, i, _float_p, sz, _c_size_p]),
        "nwave_nwv_encode_with_origin_threads": (i, [p, d, _float_p, sz, i, i, _u8_p, sz, _c_size_p, i]),
        "nwave_codes_encode_threads": (i, [p, d, _float_p, sz, _u16_p, sz, _c_size_p, i]),
        "nwave_codes_decode_threads": (i, [p, _u16_p, sz, i, _float_p, sz, _c_size_p, i]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    return lib


lib = _load()


def error_for(rc):
    """The exception for a negative result code, with the library's message for this thread's last failure."""
    message = lib.nwave_last_error().decode("utf-8", "replace")
    name = lib.nwave_strerror(rc).decode()
    if rc == -9:  # NWAVE_ALLOC_FAIL
        return MemoryError(message or name)
    return Error(rc, name, message or name)


def check(rc):
    """Raises error_for(rc) unless rc is NWAVE_OK; returns rc otherwise."""
    if rc < 0:
        raise error_for(rc)
    return rc


def pointer(array, ctype):
    """A ctypes pointer to a contiguous NumPy array's data (NULL-safe for empty arrays)."""
    return array.ctypes.data_as(ctypes.POINTER(ctype))
