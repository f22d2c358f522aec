// Error codes of the NeuralWave-RVQ library, in the spirit of libopus: every failure the library reports is an
// nwave::Error carrying one of these codes and a one-line message meant for a user.
#pragma once
#include <stdexcept>
#include <string>

#include "nwave/export.h"

namespace nwave {

enum class ErrorCode {
  kBadArgument = 1,    // a parameter out of range (bitrate, chunk size, thread count, ...)
  kIo = 2,             // a file could not be opened, read or written
  kBadAudio = 3,       // audio that cannot be decoded, or has an unusable header or samples
  kCorruptStream = 4,  // a .nwv file that is truncated, damaged (CRC mismatch) or not a .nwv file at all
  kModelMismatch = 5,  // a .nwv written by another model than the one decoding it
  kBadModel = 6,       // a model file that is damaged, foreign, or inconsistent with its configuration
  kTraining = 7,       // training cannot go on (no usable data, repeated non-finite losses, ...)
};

// Short lowercase name of a code, e.g. "corrupt stream".
NWAVE_EXPORT const char* error_code_name(ErrorCode code);

class NWAVE_EXPORT Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace nwave
