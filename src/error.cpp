#include "nwave/error.h"

namespace nwave {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadArgument: return "bad argument";
    case ErrorCode::kIo: return "i/o error";
    case ErrorCode::kBadAudio: return "bad audio";
    case ErrorCode::kCorruptStream: return "corrupt stream";
    case ErrorCode::kModelMismatch: return "model mismatch";
    case ErrorCode::kBadModel: return "bad model";
    case ErrorCode::kTraining: return "training error";
  }
  return "unknown error";
}

}  // namespace nwave
