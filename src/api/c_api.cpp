// The C API (include/nwave/nwave.h) over the C++ API: every entry point catches everything and returns a code, so
// no exception crosses into C.
#include <cstring>
#include <string>

#include "api/c_api_internal.h"
#include "api/parallel_blocks.h"
#include "nwave/files.h"

namespace nwave::c_api {

namespace {
thread_local std::string last_error;
}  // namespace

int fail(int code, const std::string& message) {
  last_error = message;
  return code;
}

int code_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadArgument: return NWAVE_BAD_ARG;
    case ErrorCode::kIo: return NWAVE_IO_ERROR;
    case ErrorCode::kBadAudio: return NWAVE_BAD_AUDIO;
    case ErrorCode::kCorruptStream: return NWAVE_CORRUPT_STREAM;
    case ErrorCode::kModelMismatch: return NWAVE_MODEL_MISMATCH;
    case ErrorCode::kBadModel: return NWAVE_BAD_MODEL;
    case ErrorCode::kTraining: break;  // not raised by the runtime
  }
  return NWAVE_INTERNAL_ERROR;
}

const char* last_error_message() { return last_error.c_str(); }

int encode_nwv(const char* function, const nwave_model* model, double kbps, const float* pcm, size_t samples,
               int original_rate, int original_channels, uint8_t* out, size_t max_bytes, size_t* bytes, int threads) {
  if (!model || !bytes || (!pcm && samples > 0)) return null_argument(function);
  *bytes = 0;
  return guarded([&] {
    std::string error;
    auto encoder = Encoder::Create(model->model, kbps, &error);
    if (!encoder) return fail(NWAVE_BAD_ARG, error);
    encoder->set_threads(resolve_threads(threads));
    const std::vector<uint8_t> nwv = encoder->Encode(pcm, samples, original_rate, original_channels);
    if (!out || nwv.size() > max_bytes) {
      *bytes = nwv.size();
      return fail(NWAVE_BUFFER_TOO_SMALL, std::string(function) + ": " + std::to_string(nwv.size()) + " bytes needed");
    }
    return copy_out(nwv, 1, out, max_bytes, bytes, function);
  });
}

}  // namespace nwave::c_api

using nwave::c_api::copy_out;
using nwave::c_api::fail;
using nwave::c_api::guarded;
using nwave::c_api::null_argument;

extern "C" {

const char* nwave_version_string(void) { return nwave::version_string(); }

const char* nwave_strerror(int code) {
  switch (code) {
    case NWAVE_OK: return "success";
    case NWAVE_BAD_ARG: return "bad argument";
    case NWAVE_IO_ERROR: return "i/o error";
    case NWAVE_BAD_AUDIO: return "bad audio";
    case NWAVE_CORRUPT_STREAM: return "corrupt stream";
    case NWAVE_MODEL_MISMATCH: return "model mismatch";
    case NWAVE_BAD_MODEL: return "bad model";
    case NWAVE_BUFFER_TOO_SMALL: return "buffer too small";
    case NWAVE_ALLOC_FAIL: return "out of memory";
    case NWAVE_INTERNAL_ERROR: return "internal error";
    default: return "unknown error code";
  }
}

const char* nwave_last_error(void) { return nwave::c_api::last_error_message(); }

// ------------------------------------------------------------------------------------------------------- models

int nwave_model_open(const char* path, nwave_model** model) {
  if (!model) return null_argument("nwave_model_open");
  *model = nullptr;
  return guarded([&] {
    auto handle = std::make_unique<nwave_model>();
    handle->model = nwave::Model::LoadOrThrow(path ? std::string(path) : nwave::default_model_path());
    *model = handle.release();
    return NWAVE_OK;
  });
}

void nwave_model_close(nwave_model* model) { delete model; }

int nwave_model_sample_rate(const nwave_model* model) { return model ? model->model->sample_rate() : NWAVE_BAD_ARG; }
int nwave_model_hop(const nwave_model* model) { return model ? model->model->hop() : NWAVE_BAD_ARG; }
int nwave_model_num_codebooks(const nwave_model* model) { return model ? model->model->num_codebooks() : NWAVE_BAD_ARG; }
int nwave_model_codebook_size(const nwave_model* model) { return model ? model->model->codebook_size() : NWAVE_BAD_ARG; }
double nwave_model_kbps_per_codebook(const nwave_model* model) { return model ? model->model->kbps_per_codebook() : 0.0; }
int nwave_model_latency_samples(const nwave_model* model) {
  return model ? nwave::latency_samples(*model->model) : NWAVE_BAD_ARG;
}

int nwave_model_codebooks_for_bitrate(const nwave_model* model, double kbps, int* codebooks) {
  if (!model || !codebooks) return null_argument("nwave_model_codebooks_for_bitrate");
  std::string error;
  *codebooks = model->model->codebooks_for_bitrate(kbps, &error);
  return *codebooks ? NWAVE_OK : fail(NWAVE_BAD_ARG, error);
}

// ------------------------------------------------------------------------------------------------------ encoder

int nwave_encoder_create(const nwave_model* model, double kbps, nwave_encoder** enc) {
  if (!model || !enc) return null_argument("nwave_encoder_create");
  *enc = nullptr;
  return guarded([&] {
    std::string error;
    auto encoder = nwave::StreamingEncoder::Create(model->model, kbps, &error);
    if (!encoder) return fail(NWAVE_BAD_ARG, error);
    *enc = new nwave_encoder{std::move(encoder)};
    return NWAVE_OK;
  });
}

int nwave_encoder_codebooks(const nwave_encoder* enc) { return enc ? enc->encoder->num_codebooks() : NWAVE_BAD_ARG; }

size_t nwave_encoder_max_frames(const nwave_encoder* enc, size_t samples) {
  if (!enc) return 0;
  const size_t hop = static_cast<size_t>(enc->encoder->frame_samples());
  const size_t pending = static_cast<size_t>(enc->encoder->samples_pushed() % hop);
  return (pending + samples) / hop;
}

int nwave_encoder_push(nwave_encoder* enc, const float* pcm, size_t samples, uint16_t* codes, size_t max_frames,
                       size_t* frames) {
  if (!enc || !frames || (!pcm && samples > 0) || (!codes && max_frames > 0)) return null_argument("nwave_encoder_push");
  *frames = 0;
  const size_t needed = nwave_encoder_max_frames(enc, samples);
  if (needed > max_frames)
    return fail(NWAVE_BUFFER_TOO_SMALL, "nwave_encoder_push: room for " + std::to_string(max_frames) + " frames, " +
                                            std::to_string(needed) + " needed");
  return guarded([&] {
    const size_t n = static_cast<size_t>(enc->encoder->num_codebooks());
    return copy_out(enc->encoder->push(pcm, samples), n, codes, max_frames, frames, "nwave_encoder_push");
  });
}

int nwave_encoder_flush(nwave_encoder* enc, uint16_t* codes, size_t max_frames, size_t* frames) {
  if (!enc || !frames || (!codes && max_frames > 0)) return null_argument("nwave_encoder_flush");
  *frames = 0;
  const bool pending = enc->encoder->samples_pushed() % static_cast<uint64_t>(enc->encoder->frame_samples()) != 0;
  if (pending && max_frames < 1) return fail(NWAVE_BUFFER_TOO_SMALL, "nwave_encoder_flush: room for 1 frame needed");
  return guarded([&] {
    const size_t n = static_cast<size_t>(enc->encoder->num_codebooks());
    return copy_out(enc->encoder->flush(), n, codes, max_frames, frames, "nwave_encoder_flush");
  });
}

void nwave_encoder_destroy(nwave_encoder* enc) { delete enc; }

// ------------------------------------------------------------------------------------------------------ decoder

int nwave_decoder_create(const nwave_model* model, double kbps, nwave_decoder** dec) {
  if (!model || !dec) return null_argument("nwave_decoder_create");
  *dec = nullptr;
  return guarded([&] {
    std::string error;
    const nwave::Model& m = *model->model;
    const int codebooks = m.codebooks_for_bitrate(kbps == 0 ? m.default_bitrate_kbps() : kbps, &error);
    if (!codebooks) return fail(NWAVE_BAD_ARG, error);
    *dec = new nwave_decoder{nwave::StreamingDecoder::Create(model->model), codebooks};
    return NWAVE_OK;
  });
}

int nwave_decoder_codebooks(const nwave_decoder* dec) { return dec ? dec->codebooks : NWAVE_BAD_ARG; }
int nwave_decoder_delay_frames(const nwave_decoder* dec) { return dec ? dec->decoder->delay_frames() : NWAVE_BAD_ARG; }

int nwave_decoder_push(nwave_decoder* dec, const uint16_t* codes, size_t frames, float* pcm, size_t max_samples,
                       size_t* samples) {
  if (!dec || !samples || (!codes && frames > 0) || (!pcm && max_samples > 0)) return null_argument("nwave_decoder_push");
  *samples = 0;
  const size_t hop = static_cast<size_t>(dec->decoder->model().hop());
  if (frames > max_samples / hop)
    return fail(NWAVE_BUFFER_TOO_SMALL, "nwave_decoder_push: room for " + std::to_string(max_samples) + " samples, " +
                                            std::to_string(frames) + " frames need " + std::to_string(frames * hop));
  return guarded([&] {
    return copy_out(dec->decoder->push(codes, frames, dec->codebooks), 1, pcm, max_samples, samples,
                    "nwave_decoder_push");
  });
}

int nwave_decoder_flush(nwave_decoder* dec, float* pcm, size_t max_samples, size_t* samples) {
  if (!dec || !samples || (!pcm && max_samples > 0)) return null_argument("nwave_decoder_flush");
  *samples = 0;
  const size_t held = static_cast<size_t>(dec->decoder->delay_frames() * dec->decoder->model().hop());
  if (max_samples < held)
    return fail(NWAVE_BUFFER_TOO_SMALL, "nwave_decoder_flush: room for " + std::to_string(held) + " samples needed");
  return guarded([&] { return copy_out(dec->decoder->flush(), 1, pcm, max_samples, samples, "nwave_decoder_flush"); });
}

void nwave_decoder_destroy(nwave_decoder* dec) { delete dec; }

// ------------------------------------------------------------------------------------------------------ .nwv

int nwave_nwv_encode(const nwave_model* model, double kbps, const float* pcm, size_t samples, uint8_t* out,
                     size_t max_bytes, size_t* bytes) {
  return nwave_nwv_encode_threads(model, kbps, pcm, samples, out, max_bytes, bytes, 1);
}

int nwave_nwv_encode_threads(const nwave_model* model, double kbps, const float* pcm, size_t samples, uint8_t* out,
                             size_t max_bytes, size_t* bytes, int threads) {
  // Samples already at 16 kHz mono: what Encoder::Encode records by default.
  return nwave::c_api::encode_nwv("nwave_nwv_encode", model, kbps, pcm, samples, 16000, 1, out, max_bytes, bytes,
                                  threads);
}

int nwave_nwv_info(const uint8_t* nwv, size_t size, nwave_stream_info* info) {
  if (!nwv || !info) return null_argument("nwave_nwv_info");
  return guarded([&] {
    const nwave::StreamInfo s = nwave::ParseNwv(std::vector<uint8_t>(nwv, nwv + size)).info;
    *info = nwave_stream_info{s.sample_rate, s.hop, s.codebook_bits, s.num_codebooks, s.frames, s.original_samples,
                              s.original_rate, s.original_channels, s.model_fingerprint, s.kbps()};
    return NWAVE_OK;
  });
}

int nwave_nwv_decode(const nwave_model* model, const uint8_t* nwv, size_t size, double kbps, float* pcm,
                     size_t max_samples, size_t* samples) {
  return nwave_nwv_decode_threads(model, nwv, size, kbps, pcm, max_samples, samples, 1);
}

int nwave_nwv_decode_threads(const nwave_model* model, const uint8_t* nwv, size_t size, double kbps, float* pcm,
                             size_t max_samples, size_t* samples, int threads) {
  if (!model || !nwv || !samples) return null_argument("nwave_nwv_decode");
  *samples = 0;
  return guarded([&] {
    auto decoder = nwave::Decoder::Create(model->model);
    decoder->set_threads(nwave::resolve_threads(threads));
    const std::vector<float> audio = decoder->Decode(std::vector<uint8_t>(nwv, nwv + size), kbps);
    if (!pcm || audio.size() > max_samples) {
      *samples = audio.size();
      return fail(NWAVE_BUFFER_TOO_SMALL, "nwave_nwv_decode: room for " + std::to_string(audio.size()) + " samples needed");
    }
    return copy_out(audio, 1, pcm, max_samples, samples, "nwave_nwv_decode");
  });
}

int nwave_encode_file(const nwave_model* model, const char* input, const char* output, double kbps) {
  return nwave_encode_file_threads(model, input, output, kbps, 1);
}

int nwave_encode_file_threads(const nwave_model* model, const char* input, const char* output, double kbps,
                              int threads) {
  if (!model || !input || !output) return null_argument("nwave_encode_file");
  return guarded([&] {
    nwave::EncodeFileOptions options;
    options.kbps = kbps;
    options.threads = threads;
    nwave::EncodeFile(model->model, input, output, options);
    return NWAVE_OK;
  });
}

int nwave_decode_file(const nwave_model* model, const char* input, const char* output, double kbps) {
  return nwave_decode_file_threads(model, input, output, kbps, 1);
}

int nwave_decode_file_threads(const nwave_model* model, const char* input, const char* output, double kbps,
                              int threads) {
  if (!model || !input || !output) return null_argument("nwave_decode_file");
  return guarded([&] {
    nwave::DecodeFileOptions options;
    options.kbps = kbps;
    options.threads = threads;
    nwave::DecodeFile(model->model, input, output, options);
    return NWAVE_OK;
  });
}

}  // extern "C"
