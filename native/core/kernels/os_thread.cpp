// A plain OS thread under the lock. See os_thread.h.
#include "kernels/os_thread.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "kernels/kernels.h"
#include "kernels/slice_hook.h"

namespace gil {

namespace {

// Shared by the caller and the new thread; the new thread keeps it alive if the caller gave up.
struct Handoff {
  std::mutex mutex;
  std::condition_variable done;
  bool finished = false;
  int lockError = 0;
  uint64_t iterations = 0;
  uint64_t finishedNs = 0;
  uint32_t threadId = 0;
};

void work(const std::shared_ptr<Interpreter>& interp, uint64_t spinNs,
          const std::shared_ptr<Handoff>& h) {
  InterpreterLock& lock = interp->lock();
  int rc = lock.acquire();
  uint64_t iterations = 0;
  if (rc == kOk) {
    HoldHook hook(lock, nullptr);
    uint32_t state = 1;
    spin(spinNs, hook, &iterations, &state);
    if (hook.lockError() != 0) rc = hook.lockError();
    lock.release();  // kErrNotHeld if a checkpoint lost it at shutdown: nothing to undo
  }
  const uint64_t now = monotonicNs();
  {
    std::lock_guard<std::mutex> g(h->mutex);
    h->finished = true;
    h->lockError = rc;
    h->iterations = iterations;
    h->finishedNs = now;
    h->threadId = currentThreadId();
  }
  h->done.notify_all();
}

}  // namespace

int runOnNewOsThread(std::shared_ptr<Interpreter> interp, uint64_t spinNs, uint64_t timeoutNs,
                     OsThreadResult* out) {
  *out = OsThreadResult{};
  if (interp->lock().heldByCurrentThread()) return kErrBusy;
  auto handoff = std::make_shared<Handoff>();
  const uint64_t t0 = monotonicNs();
  std::thread thread([interp, spinNs, handoff] { work(interp, spinNs, handoff); });
  std::unique_lock<std::mutex> lk(handoff->mutex);
  const bool finished = handoff->done.wait_for(lk, std::chrono::nanoseconds(timeoutNs),
                                               [&] { return handoff->finished; });
  if (!finished) {
    lk.unlock();
    thread.detach();  // it owns shared pointers to all it touches
    throw std::runtime_error("the new thread gave no result in time (is the lock held forever?)");
  }
  out->firstResultNs = handoff->finishedNs - t0;
  out->iterations = handoff->iterations;
  out->threadId = handoff->threadId;
  const int rc = handoff->lockError;
  lk.unlock();
  thread.join();
  return rc;
}

}  // namespace gil
