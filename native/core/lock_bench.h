// Micro-measurements of the interpreter lock that must run in C++ (no Node-API call in the loop).
// Used by the `lock` benchmark suite; pure C++, no Node headers.
#pragma once

#include <cstdint>

#include "interpreter_lock.h"

namespace gil {

// Mean ns per uncontended acquire()+release() of a fresh InterpreterLock (stats and all).
double benchLockPairNs(uint64_t iterations);
// Mean ns per uncontended acquire()+release() of a fresh interpreter's lock, on a new thread that
// has first used `interpretersUsedBefore` other interpreters (each created, acquired, released and
// kept alive until the end): the per-thread record lookup must not grow with that number.
double benchPairAfterManyInterpretersNs(uint32_t interpretersUsedBefore, uint64_t iterations);
// Mean ns per std::mutex lock()+unlock(), measured the same way.
double benchMutexPairNs(uint64_t iterations);

struct HandoffBenchResult {
  uint64_t samples = 0;
  uint64_t switchIntervalUs = 0;
  // A waiter's time from calling acquire() to holding the lock, while another thread holds it and
  // checkpoints continuously: about one switch interval under the cpython policy.
  uint64_t waitP50Ns = 0, waitP90Ns = 0, waitMaxNs = 0;
  // The lock's own histogram: from the drop request to the waiter holding the lock.
  HandoffSummary dropToHolder;
};
// Runs `samples` hand-offs between a checkpointing holder thread and a waiter thread.
HandoffBenchResult benchHandoff(uint32_t samples, uint64_t switchIntervalUs);

}  // namespace gil
