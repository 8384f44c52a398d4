// beginShutdown() abandons every lock wait in the process: waiters stuck behind a holder that never
// releases (the main thread at process.exit(), say) must return kErrShutdown without the lock,
// under every policy that waits. A separate executable: shutdown is process-wide and irreversible.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "check.h"
#include "interpreter_lock.h"

using namespace gil;

namespace {

// Fails the test (instead of hanging ctest until its timeout) if `done` is not reached in time.
void awaitOrDie(const std::atomic<int>& done, int expected, const char* what) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (done.load() < expected) {
    if (std::chrono::steady_clock::now() > deadline) {
      std::cerr << "FAILED: " << what << " (" << done.load() << " of " << expected << ")\n";
      std::_Exit(1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void waitersGiveUpOnShutdown() {
  const Policy policies[] = {Policy::CPython, Policy::Legacy, Policy::Fifo};
  constexpr int kWaitersPerLock = 3;
  std::vector<std::unique_ptr<InterpreterLock>> locks;
  for (Policy p : policies)
    locks.push_back(std::make_unique<InterpreterLock>(LockConfig{p, 500, 1}));

  std::atomic<bool> letHoldersGo{false};
  std::atomic<int> holding{0}, returned{0}, shutdownResults{0};
  std::vector<std::thread> threads;
  for (auto& lock : locks) {
    InterpreterLock* l = lock.get();
    threads.emplace_back([&, l] {  // a holder that never releases while the test runs
      CHECK_EQ(l->acquire(), kOk);
      holding++;
      while (!letHoldersGo.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      CHECK_EQ(l->release(), kOk);
    });
  }
  awaitOrDie(holding, 3, "holders took their locks");
  for (auto& lock : locks) {
    InterpreterLock* l = lock.get();
    for (int w = 0; w < kWaitersPerLock; w++) {
      threads.emplace_back([&, l] {
        int rc = l->acquire();
        if (rc == kErrShutdown) shutdownResults++;
        CHECK_EQ(rc, kErrShutdown);
        CHECK(!l->heldByCurrentThread());
        CHECK_EQ(l->release(), kErrNotHeld);  // nothing was taken
        returned++;
      });
    }
  }
  for (auto& lock : locks) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (lock->waiters() < kWaitersPerLock && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    CHECK_EQ(lock->waiters(), static_cast<uint32_t>(kWaitersPerLock));
  }
  CHECK(!shuttingDown());
  beginShutdown();
  CHECK(shuttingDown());
  awaitOrDie(returned, 3 * kWaitersPerLock, "waiters returned after beginShutdown()");
  CHECK_EQ(shutdownResults.load(), 3 * kWaitersPerLock);
  for (auto& lock : locks) CHECK_EQ(lock->waiters(), 0u);

  // Later takes that would have to wait fail at once, on this thread and through a proxy.
  for (auto& lock : locks) {
    CHECK_EQ(lock->acquire(), kErrShutdown);
    CHECK(!lock->heldByCurrentThread());
    CHECK_EQ(lock->acquireAs(currentThreadId()), kErrShutdown);
  }
  letHoldersGo = true;
  for (auto& t : threads) t.join();

  // An uncontended take may still succeed, and the lock works as before.
  for (auto& lock : locks) {
    CHECK_EQ(lock->holder(), 0u);
    CHECK_EQ(lock->acquire(), kOk);
    CHECK(lock->checkpoint() >= 0);  // legacy with checkInterval 1 yields every time
    CHECK(lock->heldByCurrentThread());
    CHECK_EQ(lock->release(), kOk);
  }
  CHECK(std::string(lockErrorMessage(kErrShutdown)).find("shutting down") != std::string::npos);
}

}  // namespace

int main() {
  waitersGiveUpOnShutdown();
  return gil_test::exitCode();
}
