"""The exception every failure of the library becomes."""


class Error(ValueError):
    """A failure reported by libnwave: bad input (bitrate, shape, dtype, codes out of range, damaged bytes), a
    missing or damaged model, or a file that cannot be read.

    It is a ValueError, so ``except ValueError`` catches it too. ``code`` is the C API's result code (a negative
    ``NWAVE_*`` constant), ``code_name`` its description ("bad argument", "corrupt stream", ...), and the message is
    the library's one-line explanation.
    """

    def __init__(self, code, code_name, message):
        super().__init__(message)
        self.code = code
        self.code_name = code_name
