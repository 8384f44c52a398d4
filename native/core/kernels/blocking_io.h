// Blocking I/O kernels: they spend their time waiting in the operating system, not computing.
// Each blocking system call is bracketed with BlockingScope, so with a ReleaseHook built with the
// lock they let go of it around each operation and take it back after — as CPython's socket, os and
// file calls do (Py_BEGIN/END_ALLOW_THREADS around each call). In hold mode they block while
// holding the lock, to show what that costs everybody else. Between operations they call
// hook.betweenSlices(); while waiting they look at the abort flag at least every millisecond.
//
// POSIX only. Failures of the operating system throw std::system_error (the lock is restored by
// the scopes first). No wait is unbounded: a peer that makes no progress for 10 s is an error.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/slice_hook.h"

namespace gil {

// Sleeps `ns` nanoseconds as one blocking operation (time.sleep). *sleptNs: the time it waited.
KernelStatus sleepFor(uint64_t ns, SliceHook& hook, uint64_t* sleptNs);

struct RoundTripResult {
  uint64_t roundTrips = 0;  // completed
  uint64_t bytes = 0;       // received back (and verified equal to what was sent)
};
// `count` round trips of `bytes` bytes (>= 1) through a pair of pipes to an echo thread.
KernelStatus pipeRoundTrips(uint64_t count, size_t bytes, SliceHook& hook, RoundTripResult* out);
// The same through a TCP connection over 127.0.0.1 (an ephemeral port, TCP_NODELAY) to an echo
// thread.
KernelStatus socketRoundTrips(uint64_t count, size_t bytes, SliceHook& hook, RoundTripResult* out);

// One round trip on non-blocking fds: send `bytes` on `wfd` and receive as many back on `rfd`,
// interleaving the two so that neither direction's buffer can fill up and deadlock; one blocking
// operation (BlockingScope). Waits in poll() for up to `pollMs` at a time, then looks at the abort
// flag; a readable `wakeFd` (>= 0; -1: none) ends the wait at once. Returns false if aborted or
// woken; throws if the peer closes or makes no progress for 10 s (`peer` names it in the message).
struct ExchangeFds {
  int wfd = -1, rfd = -1;
  bool isSocket = false;  // send() with MSG_NOSIGNAL instead of write()
  int wakeFd = -1;
  int pollMs = 1;
  const char* peer = "echo peer";
};
bool exchange(const ExchangeFds& fds, const uint8_t* out, uint8_t* in, size_t bytes,
              SliceHook& hook);

constexpr uint64_t kToEndOfFile = UINT64_MAX;
struct FileReadResult {
  uint64_t bytesRead = 0;
  uint64_t reads = 0;  // pread calls that returned data
};
// Reads `length` bytes (or to the end of the file) from `offset` with pread, `chunkBytes` per call.
// If `into` is not null, the data land there (at most intoLength bytes are read); otherwise they go
// to a scratch buffer and are discarded (a read for its cost alone). Anything but a regular file
// (a FIFO, a device, a directory) is refused with std::invalid_argument: a FIFO or a device could
// block with no abort able to reach it.
KernelStatus fileRead(const char* path, uint64_t offset, uint64_t length, size_t chunkBytes,
                      uint8_t* into, size_t intoLength, SliceHook& hook, FileReadResult* out);

}  // namespace gil
