// A plain OS thread under the lock (kernels/os_thread.h): it takes the lock on its own thread, runs
// its kernel, answers, and is joined; a caller that holds the lock is refused (it would deadlock).
#include <memory>

#include "check.h"
#include "interpreter_lock.h"
#include "kernels/os_thread.h"

using namespace gil;

int main() {
  auto interp = std::make_shared<Interpreter>(1000, LockConfig{});
  OsThreadResult r;
  CHECK_EQ(runOnNewOsThread(interp, 20000, 10ull * 1000 * 1000 * 1000, &r), kOk);
  CHECK(r.iterations > 0);
  CHECK(r.threadId != currentThreadId());
  CHECK(r.firstResultNs > 0);
  CHECK_EQ(interp->lock().stats().acquisitions, 1u);
  CHECK_EQ(interp->lock().holder(), 0u);
  // Several in a row: each one a new thread.
  for (int i = 0; i < 20; ++i)
    CHECK_EQ(runOnNewOsThread(interp, 0, 10ull * 1000 * 1000 * 1000, &r), kOk);
  CHECK_EQ(interp->lock().stats().acquisitions, 21u);
  CHECK_EQ(interp->lock().acquire(), kOk);
  CHECK_EQ(runOnNewOsThread(interp, 0, 1000000, &r), kErrBusy);
  CHECK_EQ(interp->lock().release(), kOk);
  return gil_test::exitCode();
}
