/* A small C program on the installed NeuralWave-RVQ library: streams one second of a synthetic tone through the
 * encoder and decoder in 20 ms chunks (what a real-time app does), then round-trips it through a .nwv byte string.
 * Build: cc roundtrip.c $(pkg-config --cflags --libs nwave) -o roundtrip
 * Run:   ./roundtrip [MODEL]   (no MODEL: the installed default model) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <nwave/nwave.h>

#define CHECK(call)                                                                            \
  do {                                                                                         \
    int rc_ = (call);                                                                          \
    if (rc_ != NWAVE_OK) {                                                                     \
      fprintf(stderr, "%s: %s (%s)\n", #call, nwave_strerror(rc_), nwave_last_error());        \
      return 1;                                                                                \
    }                                                                                          \
  } while (0)

int main(int argc, char **argv) {
  nwave_model *model = NULL;
  CHECK(nwave_model_open(argc > 1 ? argv[1] : NULL, &model));
  const int rate = nwave_model_sample_rate(model), hop = nwave_model_hop(model);
  const double kbps = 2 * nwave_model_kbps_per_codebook(model); /* two codebooks */
  nwave_encoder *enc = NULL;
  nwave_decoder *dec = NULL;
  CHECK(nwave_encoder_create(model, kbps, &enc));
  CHECK(nwave_decoder_create(model, kbps, &dec));
  const int nc = nwave_encoder_codebooks(enc);

  enum { kChunk = 320 }; /* 20 ms at 16 kHz */
  float pcm[kChunk], out[kChunk + 1024];
  uint16_t codes[64 * 8];
  size_t frames = 0, samples = 0, decoded = 0;
  for (int at = 0; at < rate; at += kChunk) {
    for (int i = 0; i < kChunk; ++i) pcm[i] = 0.3f * (float)sin(2 * 3.14159265 * 220.0 * (at + i) / rate);
    CHECK(nwave_encoder_push(enc, pcm, kChunk, codes, 64, &frames));
    CHECK(nwave_decoder_push(dec, codes, frames, out, sizeof out / sizeof out[0], &samples));
    decoded += samples;
  }
  CHECK(nwave_encoder_flush(enc, codes, 64, &frames));
  CHECK(nwave_decoder_push(dec, codes, frames, out, sizeof out / sizeof out[0], &samples));
  decoded += samples;
  CHECK(nwave_decoder_flush(dec, out, sizeof out / sizeof out[0], &samples));
  decoded += samples;
  printf("streamed %d samples at %g kbps (%d codebooks, %d samples per frame): %zu samples decoded\n", rate, kbps, nc,
         hop, decoded);

  /* The same second as a complete .nwv byte string: ask for the size, then encode into a buffer that fits. */
  float *tone = malloc(sizeof(float) * (size_t)rate);
  for (int i = 0; i < rate; ++i) tone[i] = 0.3f * (float)sin(2 * 3.14159265 * 220.0 * i / rate);
  size_t bytes = 0;
  if (nwave_nwv_encode(model, kbps, tone, (size_t)rate, NULL, 0, &bytes) != NWAVE_BUFFER_TOO_SMALL) return 1;
  uint8_t *nwv = malloc(bytes);
  CHECK(nwave_nwv_encode(model, kbps, tone, (size_t)rate, nwv, bytes, &bytes));
  nwave_stream_info info;
  CHECK(nwave_nwv_info(nwv, bytes, &info));
  CHECK(nwave_nwv_decode(model, nwv, bytes, 0, tone, (size_t)rate, &samples));
  printf(".nwv: %zu bytes, %.2f kbps, %llu frames; decoded %zu samples\n", bytes, info.kbps,
         (unsigned long long)info.frames, samples);
  free(nwv);
  free(tone);
  nwave_encoder_destroy(enc);
  nwave_decoder_destroy(dec);
  nwave_model_close(model);
  return decoded == (size_t)((rate + hop - 1) / hop * hop) && samples == (size_t)rate ? 0 : 1;
}
