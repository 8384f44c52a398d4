// A plain OS thread started for one piece of work under an interpreter's lock: the analogue of
// threading.Thread(target=f).start() followed by waiting for f's first result. The thread takes the
// lock (waiting its turn as any thread does), runs a spin kernel holding it and checkpointing, lets
// go, and hands its result back. Used by the startup experiment to time a thread start as CPython
// pays it (pthread_create, take the GIL, run, answer), apart from Node's worker_threads.
#pragma once

#include <cstdint>
#include <memory>

#include "interpreter_lock.h"

namespace gil {

struct OsThreadResult {
  uint64_t firstResultNs = 0;  // from before the thread was created to its result being in
  uint64_t iterations = 0;     // of the spin kernel, as its result
  uint32_t threadId = 0;       // the new thread's lock thread id
};

// Starts the thread and waits (at most timeoutNs) for its result; then joins it. The calling thread
// must not hold the lock (the new thread needs it): kErrBusy if it does. Throws std::system_error
// if the thread cannot be created, std::runtime_error if no result came in time (the thread is then
// left to finish on its own: it holds what it uses). Returns kOk, or the lock error the new thread
// met taking the lock.
int runOnNewOsThread(std::shared_ptr<Interpreter> interp, uint64_t spinNs, uint64_t timeoutNs,
                     OsThreadResult* out);

}  // namespace gil
