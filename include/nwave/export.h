// NWAVE_EXPORT marks what libnwave.so exports. The library is built with -fvisibility=hidden, so everything else
// (the engine, the bitstream, the audio back-ends) stays private and free to change without breaking the ABI.
#pragma once

#if defined(_WIN32)
#define NWAVE_EXPORT
#else
#define NWAVE_EXPORT __attribute__((visibility("default")))
#endif
