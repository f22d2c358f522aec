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

// The group a file of a data directory belongs to, for per-group reports: its first `depth` folder levels below
// dir ("unseen" or, at depth 2, "unseen/de"), or dir's own name for a file directly in dir.
std::string group_of(const std::string& dir, const std::string& file, int depth = 1);

}  // namespace nwave::audio
