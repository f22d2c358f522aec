/* NeuralWave-RVQ C API: a neural speech and audio codec, 16 kHz mono, 125 frames/s, 1.25 to 10 kbps.
 *
 * C99, in the spirit of opus.h:
 * - Opaque handles (nwave_model, nwave_encoder, nwave_decoder), created and destroyed by the library.
 * - Caller-owned buffers: every function that produces data writes into memory the caller passes, with its
 *   capacity; a buffer too small returns NWAVE_BUFFER_TOO_SMALL and consumes nothing.
 * - Integer results: NWAVE_OK (0) or a negative error code; nwave_strerror() names a code, nwave_last_error() gives
 *   the last failure's one-line message on the calling thread. No C++ exception ever crosses this boundary.
 * - Codes are frame-major: codes[f * codebooks + c] is codebook c (0 = coarsest) of frame f; each is below
 *   nwave_model_codebook_size().
 * - Bitrates follow one rule (the nwave command's too): kbps from nwave_model_kbps_per_codebook() to
 *   nwave_model_num_codebooks() times that (1.25 to 10 for the shipped model) uses
 *   floor(kbps / nwave_model_kbps_per_codebook()) codebooks; anything else is NWAVE_BAD_ARG.
 *
 * Thread safety: a model is immutable once opened and may be shared by any number of encoders and decoders on any
 * threads; it must outlive them. One encoder or decoder must not be used by two threads at once (use one per
 * thread or stream). nwave_version_string, nwave_strerror and nwave_last_error may be called from any thread.
 *
 * Streaming: an encoder turns each complete frame of nwave_model_hop() samples into codes as soon as it has it; a
 * decoder returns nwave_model_hop() samples per frame, nwave_decoder_delay_frames() frames late (the spectral model's
 * synthesis window overlaps the next frame). Encoder + decoder latency: nwave_model_latency_samples(). The output
 * of any chunking is bit-identical to encoding or decoding the whole signal at once. */
#ifndef NWAVE_NWAVE_H
#define NWAVE_NWAVE_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define NWAVE_API
#else
#define NWAVE_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Results. The first seven match nwave::ErrorCode (C++ API) negated. */
#define NWAVE_OK 0
#define NWAVE_BAD_ARG (-1)          /* a parameter out of range: bitrate, null pointer, code >= codebook size, ... */
#define NWAVE_IO_ERROR (-2)         /* a file could not be opened, read or written */
#define NWAVE_BAD_AUDIO (-3)        /* audio that cannot be decoded */
#define NWAVE_CORRUPT_STREAM (-4)   /* a .nwv that is truncated, damaged or not a .nwv */
#define NWAVE_MODEL_MISMATCH (-5)   /* a .nwv written by another model */
#define NWAVE_BAD_MODEL (-6)        /* a model file that is damaged, foreign or inconsistent */
#define NWAVE_BUFFER_TOO_SMALL (-8) /* an output buffer cannot hold the result; nothing was consumed */
#define NWAVE_ALLOC_FAIL (-9)       /* out of memory */
#define NWAVE_INTERNAL_ERROR (-10)  /* a bug: please report it with nwave_last_error() */

typedef struct nwave_model nwave_model;
typedef struct nwave_encoder nwave_encoder;
typedef struct nwave_decoder nwave_decoder;

/* "0.1.0" */
NWAVE_API const char *nwave_version_string(void);
/* A short lowercase description of a result code ("bad argument"); never NULL. */
NWAVE_API const char *nwave_strerror(int code);
/* The one-line message of the last failed call on this thread ("" if none); valid until the next call that fails. */
NWAVE_API const char *nwave_last_error(void);

/* ---- models ---- */

/* Opens a model file (.safetensors written by `nwave train`); path NULL: the default model (NWAVE_MODEL, then the
 * installed share/nwave/models/nwave-16k.safetensors). On success *model is set; the caller closes it. */
NWAVE_API int nwave_model_open(const char *path, nwave_model **model);
NWAVE_API void nwave_model_close(nwave_model *model); /* NULL is ignored */

NWAVE_API int nwave_model_sample_rate(const nwave_model *model);    /* 16000 */
NWAVE_API int nwave_model_hop(const nwave_model *model);            /* samples per frame: 128 */
NWAVE_API int nwave_model_num_codebooks(const nwave_model *model);  /* the most a stream can use: 8 */
NWAVE_API int nwave_model_codebook_size(const nwave_model *model);  /* codes are below it: 1024 */
NWAVE_API double nwave_model_kbps_per_codebook(const nwave_model *model); /* 1.25 */
NWAVE_API int nwave_model_latency_samples(const nwave_model *model); /* encode + decode: 256 (16 ms) */
/* The codebooks a bitrate uses, by the rule above; NWAVE_BAD_ARG for a bitrate the model cannot code. */
NWAVE_API int nwave_model_codebooks_for_bitrate(const nwave_model *model, double kbps, int *codebooks);

/* ---- streaming encoder: 16 kHz mono float samples in [-1, 1] -> codes ---- */

/* kbps 0: the default bitrate (6.25 kbps, or the model's highest if lower); otherwise the rule above. */
NWAVE_API int nwave_encoder_create(const nwave_model *model, double kbps, nwave_encoder **enc);
NWAVE_API int nwave_encoder_codebooks(const nwave_encoder *enc);
/* The most frames a push of `samples` samples can return: size codes for it * nwave_encoder_codebooks(). */
NWAVE_API size_t nwave_encoder_max_frames(const nwave_encoder *enc, size_t samples);
/* Takes any number of samples; writes the codes of every frame they complete to codes (room for max_frames frames)
 * and their number to *frames. NaN/Inf samples: NWAVE_BAD_ARG (nothing consumed). */
NWAVE_API int nwave_encoder_push(nwave_encoder *enc, const float *pcm, size_t samples, uint16_t *codes,
                                 size_t max_frames, size_t *frames);
/* Ends the stream: the pending partial frame, zero-padded (0 or 1 frame); the encoder is then ready for a new one. */
NWAVE_API int nwave_encoder_flush(nwave_encoder *enc, uint16_t *codes, size_t max_frames, size_t *frames);
NWAVE_API void nwave_encoder_destroy(nwave_encoder *enc); /* NULL is ignored */

/* ---- streaming decoder: codes -> 16 kHz mono float samples ---- */

/* kbps says how many codebooks each pushed frame carries: the encoder's bitrate (0: the default, as for encoders). */
NWAVE_API int nwave_decoder_create(const nwave_model *model, double kbps, nwave_decoder **dec);
NWAVE_API int nwave_decoder_codebooks(const nwave_decoder *dec);
NWAVE_API int nwave_decoder_delay_frames(const nwave_decoder *dec); /* 1 for the spectral model, 0 for SEANet */
/* Takes `frames` frames of codes; writes up to frames * hop samples to pcm (room for max_samples, which must be at
 * least frames * hop) and their number to *samples. A code >= the codebook size: NWAVE_BAD_ARG (nothing consumed). */
NWAVE_API int nwave_decoder_push(nwave_decoder *dec, const uint16_t *codes, size_t frames, float *pcm,
                                 size_t max_samples, size_t *samples);
/* Ends the stream: the samples still held back (delay_frames * hop; max_samples must allow that); then resets. */
NWAVE_API int nwave_decoder_flush(nwave_decoder *dec, float *pcm, size_t max_samples, size_t *samples);
NWAVE_API void nwave_decoder_destroy(nwave_decoder *dec); /* NULL is ignored */

/* ---- threads: the whole-signal and whole-file calls of the next section on several threads ----
 * Each takes the arguments of the function it is named after, plus `threads`: 1 to 256 (1 is what the function
 * without it uses), or 0 for every core; any other value is NWAVE_BAD_ARG. The signal is cut into blocks that are
 * coded at once, each warmed up on the frames before it, so the output is bit-identical for every thread count
 * (docs/API.md, "Threads"). Files stay in bounded memory: at most one block (about 8 s) per thread in flight. */
NWAVE_API int nwave_nwv_encode_threads(const nwave_model *model, double kbps, const float *pcm, size_t samples,
                                       uint8_t *out, size_t max_bytes, size_t *bytes, int threads);
NWAVE_API int nwave_nwv_decode_threads(const nwave_model *model, const uint8_t *nwv, size_t size, double kbps,
                                       float *pcm, size_t max_samples, size_t *samples, int threads);
NWAVE_API int nwave_encode_file_threads(const nwave_model *model, const char *input, const char *output, double kbps,
                                        int threads);
NWAVE_API int nwave_decode_file_threads(const nwave_model *model, const char *input, const char *output, double kbps,
                                        int threads);

/* ---- .nwv files (docs/FORMAT.md) ---- */

typedef struct nwave_stream_info {
  int sample_rate;
  int hop;
  int codebook_bits;
  int num_codebooks;
  uint64_t frames;
  uint64_t samples; /* the decoded length at sample_rate */
  int original_rate;
  int original_channels;
  uint64_t model_fingerprint;
  double kbps;
} nwave_stream_info;

/* Encodes samples to a complete .nwv byte string in out (capacity max_bytes); *bytes receives its size. When out is
 * NULL or too small, *bytes receives the size needed and NWAVE_BUFFER_TOO_SMALL is returned. */
NWAVE_API int nwave_nwv_encode(const nwave_model *model, double kbps, const float *pcm, size_t samples, uint8_t *out,
                               size_t max_bytes, size_t *bytes);
/* Parses and verifies a .nwv byte string (every CRC) and describes it. */
NWAVE_API int nwave_nwv_info(const uint8_t *nwv, size_t size, nwave_stream_info *info);
/* Decodes a .nwv byte string (kbps 0: the stream's bitrate; lower drops codebooks) to info.samples samples in pcm
 * (capacity max_samples; NWAVE_BUFFER_TOO_SMALL, with *samples set to the size needed, if too small). A stream of
 * another model: NWAVE_MODEL_MISMATCH. */
NWAVE_API int nwave_nwv_decode(const nwave_model *model, const uint8_t *nwv, size_t size, double kbps, float *pcm,
                               size_t max_samples, size_t *samples);
/* Files: any audio format libsndfile reads (any rate, any channel count) to .nwv, and .nwv to 16-bit WAV. The output
 * appears only when complete; an output naming the input is refused (NWAVE_BAD_ARG). */
NWAVE_API int nwave_encode_file(const nwave_model *model, const char *input, const char *output, double kbps);
NWAVE_API int nwave_decode_file(const nwave_model *model, const char *input, const char *output, double kbps);

/* ==== Arrays in memory: audio at any rate and channel count, whole-signal codes (what the Python module calls) ==== */

/* The model's fingerprint (the number every .nwv it writes carries; `nwave info` prints it in hex); 0 for NULL. */
NWAVE_API uint64_t nwave_model_fingerprint(const nwave_model *model);

/* The length of audio of `frames` frames at `rate` Hz once prepared: round(frames * model rate / rate); 0 for an invalid rate. */
NWAVE_API size_t nwave_audio_prepared_length(const nwave_model *model, size_t frames, int rate);
/* Turns audio as a program holds it into what encoders take, exactly as the nwave command reads an audio file: the
 * channels averaged to mono, then resampled to nwave_model_sample_rate() with libsoxr (the same blocks, the same
 * samples). pcm is channel-major: channel c's frames are pcm[c * frames] to pcm[c * frames + frames - 1]. rate 1000
 * to 1000000 Hz and 1 to 64 channels, else NWAVE_BAD_ARG; NaN/Inf samples: NWAVE_BAD_AUDIO. Writes
 * nwave_audio_prepared_length() samples to out (room for max_samples) and their number to *samples; when out is
 * NULL or too small, *samples receives the size needed and NWAVE_BUFFER_TOO_SMALL is returned. */
NWAVE_API int nwave_audio_prepare(const nwave_model *model, const float *pcm, size_t frames, int channels, int rate,
                                  float *out, size_t max_samples, size_t *samples);
/* nwave_nwv_encode, recording in the header the rate and channel count the audio had before nwave_audio_prepare
 * (for `nwave decode --original-rate` and `nwave info`), as `nwave encode` does: for the same audio, the bytes equal
 * the file `nwave encode` writes. */
NWAVE_API int nwave_nwv_encode_with_origin(const nwave_model *model, double kbps, const float *pcm, size_t samples,
                                           int original_rate, int original_channels, uint8_t *out, size_t max_bytes,
                                           size_t *bytes);
/* The codes of a whole signal (model rate, mono): ceil(samples / hop) frames (the last one zero-padded) of the
 * codebooks kbps gives (0: the default), frame-major, written to codes (room for max_frames frames) and counted in
 * *frames. Equal to an encoder's pushes and flush, and to `nwave tokens`. NaN/Inf samples: NWAVE_BAD_ARG. */
NWAVE_API int nwave_codes_encode(const nwave_model *model, double kbps, const float *pcm, size_t samples,
                                 uint16_t *codes, size_t max_frames, size_t *frames);
/* The audio of `frames` frame-major frames of `codebooks` codes each (1 to nwave_model_num_codebooks(), the coarsest
 * first): frames * hop samples, the decoder's delay included (room for max_samples). Decoding a .nwv of the same codes
 * gives the first info.samples of them. A code >= the codebook size: NWAVE_BAD_ARG. */
NWAVE_API int nwave_codes_decode(const nwave_model *model, const uint16_t *codes, size_t frames, int codebooks,
                                 float *pcm, size_t max_samples, size_t *samples);
/* nwave_nwv_encode_with_origin, nwave_codes_encode and nwave_codes_decode on several threads, as the "threads"
 * section's calls: the same arguments plus `threads` (1 to 256, 0 for every core, else NWAVE_BAD_ARG); the output
 * is bit-identical for every thread count. */
NWAVE_API int nwave_nwv_encode_with_origin_threads(const nwave_model *model, double kbps, const float *pcm,
                                                   size_t samples, int original_rate, int original_channels,
                                                   uint8_t *out, size_t max_bytes, size_t *bytes, int threads);
NWAVE_API int nwave_codes_encode_threads(const nwave_model *model, double kbps, const float *pcm, size_t samples,
                                         uint16_t *codes, size_t max_frames, size_t *frames, int threads);
NWAVE_API int nwave_codes_decode_threads(const nwave_model *model, const uint16_t *codes, size_t frames,
                                         int codebooks, float *pcm, size_t max_samples, size_t *samples, int threads);

#ifdef __cplusplus
}
#endif

#endif /* NWAVE_NWAVE_H */
