#include "api/parallel_blocks.h"

#include <algorithm>
#include <string>
#include <thread>

#include "nwave/error.h"

namespace nwave {

int resolve_threads(int threads) {
  if (threads == 0) return static_cast<int>(std::clamp<unsigned>(std::thread::hardware_concurrency(), 1, kMaxThreads));
  if (threads < 0 || threads > kMaxThreads)
    throw Error(ErrorCode::kBadArgument, "threads must be 1 to " + std::to_string(kMaxThreads) +
                                             ", or 0 for every core (got " + std::to_string(threads) + ")");
  return threads;
}

int64_t parallel_block_frames(int64_t total_frames, int threads, int64_t history) {
  const int64_t even_share = total_frames > 0 ? (total_frames + threads - 1) / threads : kMaxParallelBlockFrames;
  return std::clamp<int64_t>(even_share, std::min<int64_t>(8 * std::max<int64_t>(history, 1), kMaxParallelBlockFrames),
                             kMaxParallelBlockFrames);
}

}  // namespace nwave
