// A small C++ program on the installed NeuralWave-RVQ library: encodes an audio file to .nwv and decodes it back to
// WAV with the file API, then prints what the stream holds.
// Build: c++ -std=c++17 transcode.cpp $(pkg-config --cflags --libs nwave) -o transcode
// Run:   ./transcode IN.wav OUT.nwv OUT.wav [MODEL]
#include <cstdio>
#include <memory>

#include <nwave/codec.h>
#include <nwave/error.h>
#include <nwave/files.h>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: transcode IN.wav OUT.nwv OUT.wav [MODEL]\n");
    return 2;
  }
  try {
    std::shared_ptr<const nwave::Model> model = nwave::Model::LoadOrThrow(argc > 4 ? argv[4] : nwave::default_model_path());
    nwave::EncodeFileOptions options;
    options.kbps = 2 * model->kbps_per_codebook();  // two codebooks
    const nwave::StreamInfo info = nwave::EncodeFile(model, argv[1], argv[2], options);
    nwave::DecodeFile(model, argv[2], argv[3]);
    std::printf("%s: %.3f s at %.2f kbps, %llu frames, model %s (library %s)\n", argv[2], info.duration_seconds(),
                info.kbps(), static_cast<unsigned long long>(info.frames), model->fingerprint_hex().c_str(),
                nwave::version_string());
  } catch (const nwave::Error& e) {
    std::fprintf(stderr, "transcode: %s: %s\n", nwave::error_code_name(e.code()), e.what());
    return 1;
  }
  return 0;
}
