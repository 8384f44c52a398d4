// An I/O channel opened once and used for many blocking round trips: a pair of pipes to an echo
// thread that needs no lock (it stands for the other end of a socket: a server, a child process).
// One round trip is one write and one blocking wait-and-read, with nothing else on the hot path —
// as a Python thread's os.write()/os.read() on an open pipe. The channel, its pipes and its echo
// thread are set up once in the constructor, not per operation.
//
// Waits are blocking poll() calls on the channel's descriptor together with a wake-up pipe:
// interrupt() (any thread) and close() write to it, so a wait ends at once. An abort flag that
// another thread raises without calling interrupt() is seen at the latest after kFlagCheckMs: that
// timeout only bounds how late such an abort is noticed; data arriving ends the wait immediately.
//
// POSIX only. A channel serves one caller at a time (one thread uses it). After an interrupt or an
// abort in the middle of a round trip the echo may still be sending: the channel is then spent, and
// later round trips throw std::logic_error (open a new one).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

#include "kernels/blocking_io.h"
#include "kernels/slice_hook.h"

namespace gil {

class IoChannel {
 public:
  static constexpr int kFlagCheckMs = 20;
  // Opens the pipes and starts the echo thread. Messages of up to `maxBytes` (>= 1) bytes.
  // Throws std::system_error if the operating system refuses.
  explicit IoChannel(size_t maxBytes);
  ~IoChannel();
  IoChannel(const IoChannel&) = delete;
  IoChannel& operator=(const IoChannel&) = delete;

  // `count` round trips of `bytes` (1..maxBytes) bytes, each one blocking operation (bracketed by
  // BlockingScope, so a ReleaseHook with a lock lets go of it around each).
  // Aborted: the hook asked to stop, or interrupt() was called (the channel is then spent).
  KernelStatus roundTrips(uint64_t count, size_t bytes, SliceHook& hook, RoundTripResult* out);

  // Ends a wait in progress (or the next one) with Aborted. Any thread; async-signal-safe.
  void interrupt();
  // Stops the echo thread and closes the descriptors; idempotent. Not during roundTrips().
  void close();
  bool closed() const { return closed_; }
  bool spent() const { return spent_.load(std::memory_order_relaxed); }
  size_t maxBytes() const { return maxBytes_; }

 private:
  void echoLoop();
  bool roundTrip(const uint8_t* out, uint8_t* in, size_t bytes, SliceHook& hook);

  size_t maxBytes_;
  int requestRead_ = -1, requestWrite_ = -1, replyRead_ = -1, replyWrite_ = -1;
  int wakeRead_ = -1, wakeWrite_ = -1;          // interrupt(): the caller's waits
  int echoWakeRead_ = -1, echoWakeWrite_ = -1;  // close(): the echo thread's waits
  std::atomic<bool> interrupted_{false};
  std::atomic<bool> spent_{false};
  bool closed_ = false;
  std::vector<uint8_t> out_, in_;
  std::thread echo_;
};

}  // namespace gil
