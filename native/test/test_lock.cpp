// Tests of the interpreter lock (native/core/interpreter_lock.*). Each check fails if the lock is
// wrong: mutual exclusion is checked with a deliberately non-atomic read-modify-write, hand-off
// with counters, misuse with error codes. Run plain and under ThreadSanitizer.
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "check.h"
#include "interpreter_lock.h"

using namespace gil;

namespace {

// A counter updated non-atomically (relaxed load, then relaxed store): without mutual exclusion
// updates are lost; under the lock the total must be exact. Relaxed atomics keep TSan quiet about
// the deliberate race while keeping the race itself.
void mutualExclusion(Policy policy) {
  InterpreterLock lock(LockConfig{policy, 200, 50});
  std::atomic<uint64_t> counter{0};
  const int kThreads = 4, kIters = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIters; i++) {
        CHECK_EQ(lock.acquire(), kOk);
        uint64_t v = counter.load(std::memory_order_relaxed);
        if ((i & 63) == 0) std::this_thread::yield();  // widen the window
        counter.store(v + 1, std::memory_order_relaxed);
        if ((i & 7) == 0) CHECK(lock.checkpoint() >= 0);
        CHECK_EQ(lock.release(), kOk);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK_EQ(counter.load(), static_cast<uint64_t>(kThreads) * kIters);
  LockStats s = lock.stats();
  CHECK_EQ(s.acquisitions >= static_cast<uint64_t>(kThreads) * kIters, true);
  // The threads have ended: their records are freed and their counts kept in `exited`.
  CHECK_EQ(s.threads.size(), 0u);
  CHECK_EQ(s.exitedThreads, static_cast<uint64_t>(kThreads));
  CHECK_EQ(s.exited.acquisitions, s.acquisitions);
  CHECK_EQ(lock.holder(), 0u);
}

// Under policy none nothing excludes anybody: the same loop loses updates on a multicore machine
// (not asserted: it depends on scheduling), but every call is counted.
void noneCounts() {
  InterpreterLock lock(LockConfig{Policy::None, 5000, 100});
  std::vector<std::thread> threads;
  std::atomic<int> inside{0}, maxInside{0};
  for (int t = 0; t < 2; t++) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; i++) {
        CHECK_EQ(lock.acquire(), kOk);
        CHECK(lock.heldByCurrentThread());
        int now = inside.fetch_add(1) + 1;
        int m = maxInside.load();
        while (now > m && !maxInside.compare_exchange_weak(m, now)) {
        }
        CHECK_EQ(lock.checkpoint(), 0);
        inside.fetch_sub(1);
        CHECK_EQ(lock.release(), kOk);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK_EQ(lock.stats().acquisitions, 4000u);
  CHECK_EQ(lock.checkpoint(), kErrNotHeld);
}

// One thread holds and checkpoints in a loop; another acquires. The waiter must get in after about
// one switch interval, through a drop request, and with forced switching the holder must not win
// the lock straight back: the next acquisition after the drop is the waiter's.
void handoff(Policy policy) {
  const uint64_t intervalUs = 2000;
  InterpreterLock lock(LockConfig{policy, intervalUs, 100});
  std::atomic<bool> holderReady{false}, waiterIn{false}, stop{false};
  std::atomic<uint32_t> waiterId{0};
  std::atomic<int> holderYields{0};
  std::atomic<bool> holderReacquiredBeforeWaiter{false};
  std::thread holder([&] {
    CHECK_EQ(lock.acquire(), kOk);
    holderReady = true;
    while (!stop.load()) {
      int r = lock.checkpoint();
      CHECK(r >= 0);
      if (r == 1) {
        holderYields++;
        // We are back: the waiter must have had the lock in between.
        if (!waiterIn.load()) holderReacquiredBeforeWaiter = true;
      }
    }
    CHECK_EQ(lock.release(), kOk);
  });
  while (!holderReady.load()) std::this_thread::yield();
  auto t0 = std::chrono::steady_clock::now();
  std::thread waiter([&] {
    waiterId = currentThreadId();
    CHECK_EQ(lock.acquire(), kOk);
    waiterIn = true;
    CHECK(lock.heldByCurrentThread());
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    CHECK_EQ(lock.release(), kOk);
  });
  waiter.join();
  auto waited =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  stop = true;
  holder.join();
  LockStats s = lock.stats();
  CHECK(s.dropRequests >= 1);
  CHECK(s.forcedSwitches >= 1);
  CHECK(s.handoff.count >= 1);
  CHECK(holderYields.load() >= 1);
  CHECK(!holderReacquiredBeforeWaiter.load());
  // Loose bounds: at least half an interval (it had to time out; under fifo the holder's slice
  // started before the waiter came, so it may be shorter), and not absurdly long.
  if (policy == Policy::CPython) CHECK(waited >= static_cast<long long>(intervalUs / 2));
  CHECK(waited <= static_cast<long long>(intervalUs * 20 + 200000));
  CHECK(s.contendedAcquisitions >= 1);
  CHECK(s.waitNs > 0);
}

// Legacy: no drop requests; the holder releases every checkInterval checkpoints.
void legacyTicks() {
  InterpreterLock lock(LockConfig{Policy::Legacy, 5000, 10});
  CHECK_EQ(lock.acquire(), kOk);
  int yields = 0;
  for (int i = 0; i < 100; i++) yields += lock.checkpoint();
  CHECK_EQ(yields, 10);
  CHECK_EQ(lock.release(), kOk);
  LockStats s = lock.stats();
  CHECK_EQ(s.dropRequests, 0u);
  CHECK_EQ(s.acquisitions, 11u);

  // With a second thread spinning on acquire, the waiter eventually gets in, still without drops.
  std::atomic<bool> stop{false};
  std::atomic<bool> got{false};
  std::thread holder([&] {
    CHECK_EQ(lock.acquire(), kOk);
    while (!stop.load()) lock.checkpoint();
    CHECK_EQ(lock.release(), kOk);
  });
  std::thread waiter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    CHECK_EQ(lock.acquire(), kOk);
    got = true;
    CHECK_EQ(lock.release(), kOk);
  });
  // The old GIL may starve the waiter for a while; stop the holder after a bound either way.
  for (int i = 0; i < 2000 && !got.load(); i++)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  stop = true;
  holder.join();
  waiter.join();
  CHECK(got.load());
  CHECK_EQ(lock.stats().dropRequests, 0u);
}

// FIFO: waiters are served in arrival order once the holder's slice is spent.
void fifoOrder() {
  InterpreterLock lock(LockConfig{Policy::Fifo, 1000, 100});
  CHECK_EQ(lock.acquire(), kOk);
  std::vector<int> order;
  std::mutex orderMutex;
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; i++) {
    threads.emplace_back([&, i] {
      CHECK_EQ(lock.acquire(), kOk);
      {
        std::lock_guard<std::mutex> g(orderMutex);
        order.push_back(i);
      }
      CHECK_EQ(lock.release(), kOk);
    });
    while (lock.waiters() < static_cast<uint32_t>(i + 1)) std::this_thread::yield();
  }
  // Keep checkpointing as interpreted code would: the first waiter asks for a drop after the slice.
  int yielded = 0;
  while (lock.waiters() > 0) yielded += lock.checkpoint() == 1;
  CHECK_EQ(lock.release(), kOk);
  for (auto& t : threads) t.join();
  CHECK(yielded >= 1);
  CHECK_EQ(order.size(), 3u);
  if (order.size() == 3) {
    CHECK_EQ(order[0], 0);
    CHECK_EQ(order[1], 1);
    CHECK_EQ(order[2], 2);
  }
}

void misuse() {
  InterpreterLock lock;
  CHECK_EQ(lock.release(), kErrNotHeld);
  CHECK_EQ(lock.checkpoint(), kErrNotHeld);
  CHECK(!lock.heldByCurrentThread());
  CHECK_EQ(lock.acquire(), kOk);
  CHECK_EQ(lock.acquire(), kErrAlreadyHeld);
  CHECK_EQ(lock.configure(LockConfig{Policy::Fifo, 100, 1}), kErrBusy);
  // Another thread cannot release a lock it does not hold.
  std::thread other([&] { CHECK_EQ(lock.release(), kErrNotHeld); });
  other.join();
  CHECK(lock.heldByCurrentThread());
  CHECK_EQ(lock.release(), kOk);
  CHECK_EQ(lock.configure(LockConfig{Policy::CPython, 0, 1}), kErrInvalidArgument);
  CHECK_EQ(lock.configure(LockConfig{Policy::CPython, 10'000'001, 1}), kErrInvalidArgument);
  CHECK_EQ(lock.configure(LockConfig{Policy::Fifo, 100, 1}), kOk);
  CHECK(lock.config().policy == Policy::Fifo);
  Policy p;
  CHECK(parsePolicy("legacy", &p) && p == Policy::Legacy);
  CHECK(!parsePolicy("gil", &p));
  CHECK(std::string(lockErrorMessage(kErrNotHeld)).find("acquire") != std::string::npos);
}

// A thread that ends while holding the lock releases it, and the stats say so.
void threadExitReleases() {
  InterpreterLock lock;
  std::thread t([&] { CHECK_EQ(lock.acquire(), kOk); });
  t.join();
  CHECK_EQ(lock.holder(), 0u);
  CHECK_EQ(lock.acquire(), kOk);
  CHECK_EQ(lock.release(), kOk);
  CHECK_EQ(lock.stats().releasesOnThreadExit, 1u);
  // While another thread waits for it, too.
  std::atomic<bool> held{false};
  std::thread dying([&] {
    CHECK_EQ(lock.acquire(), kOk);
    held = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  });
  while (!held.load()) std::this_thread::yield();
  CHECK_EQ(lock.acquire(), kOk);  // would hang forever if the exit hook did not release
  CHECK_EQ(lock.release(), kOk);
  dying.join();
  CHECK_EQ(lock.stats().releasesOnThreadExit, 2u);
}

void registry() {
  auto main = mainInterpreter();
  CHECK_EQ(main->id(), 0u);
  CHECK(findInterpreter(0) == main);
  auto a = createInterpreter(LockConfig{});
  auto b = createInterpreter(LockConfig{Policy::Fifo, 1000, 100});
  CHECK(a->id() != b->id());
  CHECK(findInterpreter(a->id()) == a);
  CHECK(findInterpreterByAddress(b.get()) == b);
  CHECK(findInterpreterByAddress(&a) == nullptr);
  // Independent locks: holding a's does not block b's, from another thread.
  CHECK_EQ(a->lock().acquire(), kOk);
  std::thread t([&] {
    CHECK_EQ(b->lock().acquire(), kOk);
    CHECK_EQ(b->lock().release(), kOk);
    CHECK(!a->lock().heldByCurrentThread());
  });
  t.join();
  CHECK_EQ(destroyInterpreter(a->id()), kErrBusy);
  CHECK_EQ(a->lock().release(), kOk);
  uint32_t aid = a->id();
  CHECK_EQ(destroyInterpreter(aid), kOk);
  CHECK(findInterpreter(aid) == nullptr);
  CHECK_EQ(destroyInterpreter(aid), kErrNoInterpreter);
  CHECK_EQ(destroyInterpreter(0), kErrInvalidArgument);
  CHECK_EQ(destroyInterpreter(b->id()), kOk);
}

void traceAndStats() {
  InterpreterLock lock(LockConfig{Policy::CPython, 500, 100});
  lock.startTrace(8);
  for (int i = 0; i < 10; i++) {
    lock.acquire();
    lock.release();
  }
  uint64_t dropped = 0;
  auto events = lock.stopTrace(&dropped);
  CHECK_EQ(events.size(), 8u);
  CHECK_EQ(dropped, 12u);
  CHECK(events[0].kind == LockEventKind::Acquired);
  CHECK(events[1].kind == LockEventKind::Released);
  for (size_t i = 1; i < events.size(); i++) CHECK(events[i].tNs >= events[i - 1].tNs);
  CHECK_EQ(events[0].threadId, currentThreadId());
  LockStats s = lock.stats();
  CHECK_EQ(s.acquisitions, 10u);
  CHECK(s.heldFraction >= 0 && s.heldFraction <= 1.0);
  lock.resetStats();
  CHECK_EQ(lock.stats().acquisitions, 0u);

  LatencyHistogram h;
  for (uint64_t v = 1; v <= 1000; v++) h.record(v * 1000);
  HandoffSummary hs = h.summary();
  CHECK_EQ(hs.count, 1000u);
  CHECK_EQ(hs.maxNs, 1000000u);
  CHECK(hs.p50Ns > 450000 && hs.p50Ns < 550000);
  CHECK(hs.p99Ns > 950000 && hs.p99Ns <= 1000000);
}

// The watchdog reports a wait longer than its bound, once, with the holder's id.
void watchdog() {
  InterpreterLock lock(LockConfig{Policy::CPython, 1000, 100});
  lock.setWatchdog(2000);
  CHECK_EQ(lock.watchdogBoundUs(), 2000u);
  CHECK_EQ(lock.acquire(), kOk);
  std::atomic<uint32_t> waiterId{0};
  std::thread waiter([&] {
    waiterId = currentThreadId();
    CHECK_EQ(lock.acquire(), kOk);
    CHECK_EQ(lock.release(), kOk);
  });
  // Hold without checkpointing (a kernel that never checks): the waiter stalls.
  std::vector<StallReport> reports;
  for (int i = 0; i < 2000 && reports.empty(); i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    auto r = lock.takeStallReports();
    reports.insert(reports.end(), r.begin(), r.end());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto more = lock.takeStallReports();
  CHECK_EQ(lock.release(), kOk);
  waiter.join();
  CHECK_EQ(reports.size(), 1u);
  CHECK(more.empty());  // one report per wait
  if (!reports.empty()) {
    CHECK_EQ(reports[0].holderThreadId, currentThreadId());
    CHECK_EQ(reports[0].waiterThreadId, waiterId.load());
    CHECK(reports[0].waitedNs >= 2'000'000u);
  }
  CHECK_EQ(lock.stats().stalls, 1u);
  lock.setWatchdog(0);
}

// Changing only the intervals works while the lock is held or waited on, as
// sys.setswitchinterval does, and applies from the next wait; a policy change still needs an idle
// lock. (Once configure() refused any change with kErrBusy while the lock was in use.)
void intervalsChangeAtRunTime() {
  InterpreterLock lock(LockConfig{Policy::CPython, 10'000'000, 100});  // 10 s: a waiter would wait
  std::atomic<bool> holding{false}, stop{false}, waiterIn{false};
  std::thread holder([&] {
    CHECK_EQ(lock.acquire(), kOk);
    holding = true;
    while (!stop.load()) CHECK(lock.checkpoint() >= 0);
    if (lock.heldByCurrentThread()) CHECK_EQ(lock.release(), kOk);
  });
  while (!holding.load()) std::this_thread::yield();
  std::thread waiter([&] {
    CHECK_EQ(lock.acquire(), kOk);
    waiterIn = true;
    CHECK_EQ(lock.release(), kOk);
  });
  while (lock.waiters() == 0) std::this_thread::yield();
  CHECK_EQ(lock.configure(LockConfig{Policy::Fifo, 1000, 100}), kErrBusy);  // policy: idle only
  CHECK_EQ(lock.configure(LockConfig{Policy::CPython, 1000, 100}), kOk);    // held and waited on
  CHECK_EQ(lock.config().switchIntervalUs, 1000u);
  // With 1 ms the waiter asks for the lock after about 1 ms, not after the old 10 s.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!waiterIn.load() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK(waiterIn.load());
  stop = true;
  if (!waiterIn.load()) CHECK_EQ(lock.configure(LockConfig{Policy::CPython, 100, 100}), kOk);
  waiter.join();
  holder.join();

  // The legacy tick count: a new checkInterval applies at the holder's next checkpoint.
  InterpreterLock legacy(LockConfig{Policy::Legacy, 5000, 1'000'000});
  CHECK_EQ(legacy.acquire(), kOk);
  CHECK_EQ(legacy.checkpoint(), 0);
  CHECK_EQ(legacy.configure(LockConfig{Policy::Legacy, 5000, 1}), kOk);
  CHECK_EQ(legacy.checkpoint(), 1);  // released and re-acquired on this tick
  CHECK(legacy.heldByCurrentThread());
  CHECK_EQ(legacy.release(), kOk);
}

}  // namespace

int main() {
  mutualExclusion(Policy::CPython);
  mutualExclusion(Policy::Legacy);
  mutualExclusion(Policy::Fifo);
  noneCounts();
  handoff(Policy::CPython);
  handoff(Policy::Fifo);
  legacyTicks();
  fifoOrder();
  misuse();
  threadExitReleases();
  registry();
  traceAndStats();
  watchdog();
  intervalsChangeAtRunTime();
  return gil_test::exitCode();
}
