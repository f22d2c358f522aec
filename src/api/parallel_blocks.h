// Parallel blocks: how whole-signal and whole-file encoding and decoding use several threads and still give, bit for
// bit, what one continuous engine state gives.
//
// The engine's layers keep only a finite history (engine::ReceptiveField), so a block of frames [s, e) can be coded
// by a fresh engine state that is first fed the `history` frames before s (their output is discarded): from frame
// s on it computes exactly what the continuous state computes. The blocks go to worker threads, at most `threads`
// at a time, and their results come back in order, so memory holds a few blocks, never the whole signal.
// (block_parallel_encoder.h and block_parallel_decoder.h apply this to samples -> codes and codes -> samples.)
#pragma once
#include <cstdint>
#include <deque>
#include <future>
#include <utility>
#include <vector>

namespace nwave {

// The most threads a call may ask for: each block in flight has a thread of its own.
constexpr int kMaxThreads = 256;

// The thread count a caller's `threads` means: itself for 1 to kMaxThreads, every core the system reports for 0.
// Throws Error(kBadArgument) for anything else.
int resolve_threads(int threads);

// Frames per block for `threads` threads (>= 2) and a warm-up of `history` frames: one block per thread when the
// length is known (total_frames > 0), but at least 8 * history frames, so the warm-up costs at most an eighth of a
// block's work, and at most kMaxParallelBlockFrames, which bounds each block's memory (512 KiB of samples).
constexpr int64_t kMaxParallelBlockFrames = 1024;
int64_t parallel_block_frames(int64_t total_frames, int threads, int64_t history);

// Runs jobs on threads of their own (std::async), at most `capacity` at once, and hands their results to a
// consumer in the order the jobs were submitted. An exception thrown by a job reaches the consumer's caller. The
// destructor waits for the jobs still running, so they never outlive the data they were given.
template <class Result>
class OrderedJobs {
 public:
  explicit OrderedJobs(int capacity) : capacity_(static_cast<size_t>(capacity)) {}

  // Starts job(); when `capacity` jobs are unfinished, first waits for the oldest and passes its result to take.
  template <class Job, class Take>
  void submit(Job&& job, Take&& take) {
    if (running_.size() >= capacity_) take_oldest(take);
    running_.push_back(std::async(std::launch::async, std::forward<Job>(job)));
  }

  // Waits for every job, passing the results to take in order.
  template <class Take>
  void drain(Take&& take) {
    while (!running_.empty()) take_oldest(take);
  }

 private:
  template <class Take>
  void take_oldest(Take& take) {
    std::future<Result> oldest = std::move(running_.front());
    running_.pop_front();
    take(oldest.get());
  }

  size_t capacity_;
  std::deque<std::future<Result>> running_;
};

// The usual consumer for OrderedJobs: appends each block's result to `out`.
template <class T>
auto append_to(std::vector<T>& out) {
  return [&out](std::vector<T> block) { out.insert(out.end(), block.begin(), block.end()); };
}

}  // namespace nwave
