"""NeuralWave-RVQ from Python: audio <-> tokens <-> audio, and .nwv bytes, over libnwave (no LibTorch).

    import nwave
    m = nwave.Model()                                   # the default model; nwave.Model(path) for another
    codes = m.tokens(audio, sample_rate=sr, kbps=6.25)  # np.int16 [codebooks, frames], as `nwave tokens`
    audio16k = m.detokenize(codes)                      # np.float32 at 16 kHz
    blob = m.encode(audio, sample_rate=sr, kbps=6.25)   # bytes, as `nwave encode` writes
    audio16k = m.decode(blob)                           # as `nwave decode`, original length

docs/PYTHON.md has the details: shapes, codebook order, frame rate, errors, limits.
"""
from ._native import lib as _lib
from ._native import library_path
from .errors import Error
from .model import Model, stream_info
from .streaming import StreamingDecoder, StreamingEncoder

__version__ = _lib.nwave_version_string().decode()

__all__ = ["Error", "Model", "StreamingDecoder", "StreamingEncoder", "library_path", "stream_info", "__version__"]
