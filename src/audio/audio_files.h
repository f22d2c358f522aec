// Finding the audio files of a data directory, shared by `nwave eval` and the trainer.
#pragma once
#include <string>
#include <vector>

namespace nwave::audio {

// True if the path's extension is one read_audio() is meant for: .wav, .flac, .ogg, .mp3 (case-insensitive).
bool has_audio_extension(const std::string& path);

// Every audio file under dir, recursively, sorted by path so that runs (and validation splits) are reproducible.
// Throws Error(kIo) if dir is not a readable directory.
std::vector<std::string> list_audio_files(const std::string& dir);

}  // namespace nwave::audio
