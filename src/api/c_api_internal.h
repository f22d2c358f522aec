// What the C API's source files share (c_api.cpp: models, streaming, .nwv; c_api_arrays.cpp: in-memory audio and
// code arrays): the handles' definitions and the guard that turns every C++ exception into a result code.
#pragma once
#include <algorithm>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "nwave/codec.h"
#include "nwave/error.h"
#include "nwave/nwave.h"
#include "nwave/streaming.h"

struct nwave_model {
  std::shared_ptr<const nwave::Model> model;
};

struct nwave_encoder {
  std::unique_ptr<nwave::StreamingEncoder> encoder;
};

struct nwave_decoder {
  std::unique_ptr<nwave::StreamingDecoder> decoder;
  int codebooks = 0;
};

namespace nwave::c_api {

// Records message as the calling thread's nwave_last_error() and returns code.
int fail(int code, const std::string& message);

int code_of(ErrorCode code);
const char* last_error_message();

// Runs body, turning every exception into a result code and a message.
template <typename Body>
int guarded(Body&& body) {
  try {
    return body();
  } catch (const Error& e) {
    return fail(code_of(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    return fail(NWAVE_ALLOC_FAIL, "out of memory");
  } catch (const std::exception& e) {
    return fail(NWAVE_INTERNAL_ERROR, e.what());
  } catch (...) {
    return fail(NWAVE_INTERNAL_ERROR, "unknown exception");
  }
}

inline int null_argument(const char* function) {
  return fail(NWAVE_BAD_ARG, std::string(function) + ": a required pointer is NULL");
}

// Copies data (data.size() / unit units) to out, which holds capacity units; NWAVE_BUFFER_TOO_SMALL if it cannot.
template <typename T>
int copy_out(const std::vector<T>& data, size_t unit, T* out, size_t capacity, size_t* count, const char* what) {
  const size_t units = data.size() / unit;
  if (units > capacity)
    return fail(NWAVE_BUFFER_TOO_SMALL, std::string(what) + ": the buffer holds " + std::to_string(capacity) + ", " +
                                            std::to_string(units) + " needed");
  std::copy(data.begin(), data.end(), out);
  *count = units;
  return NWAVE_OK;
}

// The body of nwave_nwv_encode(_threads) and nwave_nwv_encode_with_origin(_threads): a complete .nwv of samples,
// recording original_rate / original_channels; function names the caller in messages.
int encode_nwv(const char* function, const nwave_model* model, double kbps, const float* pcm, size_t samples,
               int original_rate, int original_channels, uint8_t* out, size_t max_bytes, size_t* bytes, int threads);

}  // namespace nwave::c_api
