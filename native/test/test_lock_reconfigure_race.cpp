// Two holders at once under reconfiguration: configure() (and policy changes, startTrace/stopTrace,
// resetStats, setWatchdog) racing the lock-free fast path once stored fresh flags over a holder's
// compare-and-swap, so another thread took the lock too. Four threads acquire, checkpoint and
// release while a fifth loops over every reconfiguration entry point; exclusion is checked with a
// plain, non-atomic counter (a data race that ThreadSanitizer reports if two threads ever hold at
// once) and with an atomic occupancy count (which the plain build checks). Also: a trace started
// while the fast path runs never records a "released" without its "acquired".
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <thread>
#include <vector>

#include "check.h"
#include "interpreter_lock.h"

using namespace gil;

namespace {

// Counts trace events that break the pairing: a thread's "released" with no "acquired" before it.
uint64_t unpairedReleases(const std::vector<LockEvent>& events) {
  std::map<uint32_t, bool> holding;
  uint64_t bad = 0;
  for (const LockEvent& e : events) {
    if (e.kind == LockEventKind::Acquired) holding[e.threadId] = true;
    if (e.kind == LockEventKind::Released) {
      if (!holding[e.threadId]) bad++;
      holding[e.threadId] = false;
    }
  }
  return bad;
}

void reconfigureRace() {
  InterpreterLock lock(LockConfig{Policy::CPython, 100, 5});
  constexpr int kThreads = 4;
  const auto runFor = std::chrono::milliseconds(1500);
  uint64_t plainCounter = 0;  // deliberately not atomic: guarded by the interpreter lock alone
  std::atomic<int> inside{0};
  std::atomic<uint64_t> overlaps{0}, misuse{0}, total{0};
  std::atomic<bool> stop{false};

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      uint64_t i = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        int rc = lock.acquire();
        if (rc != kOk) {
          misuse++;
          continue;
        }
        if (inside.fetch_add(1) != 0) overlaps++;
        plainCounter++;
        if (((i + t) & 3) == 0) {
          inside.fetch_sub(1);  // a yield inside checkpoint lets others in: leave while it runs
          if (lock.checkpoint() < 0) misuse++;
          if (inside.fetch_add(1) != 0) overlaps++;
        }
        if ((i & 31) == 0) std::this_thread::yield();  // widen the window
        inside.fetch_sub(1);
        if (lock.release() != kOk) misuse++;
        total++;
        i++;
      }
    });
  }

  uint64_t configured = 0, busy = 0, unpaired = 0, traces = 0;
  std::thread reconfigurer([&] {
    const Policy policies[] = {Policy::CPython, Policy::Legacy, Policy::Fifo};
    uint64_t n = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      // Policies that exclude (none, by design, would let everybody in). Intervals change too.
      LockConfig c{policies[n % 3], 50 + (n % 7) * 25, static_cast<uint32_t>(1 + n % 9)};
      int rc = lock.configure(c);
      if (rc == kOk) configured++;
      if (rc == kErrBusy) busy++;
      CHECK(rc == kOk || rc == kErrBusy);
      if ((n & 1) == 0) {
        lock.startTrace(1 << 12);
      } else {
        uint64_t dropped = 0;
        auto events = lock.stopTrace(&dropped);
        if (dropped == 0) unpaired += unpairedReleases(events);  // a full trace lost its tail only
        traces++;
      }
      if ((n % 5) == 0) lock.resetStats();
      lock.setWatchdog((n % 3) == 0 ? 0 : 1000);
      n++;
      std::this_thread::yield();
    }
    lock.stopTrace();
    lock.setWatchdog(0);
  });

  std::this_thread::sleep_for(runFor);
  stop = true;
  for (auto& t : threads) t.join();
  reconfigurer.join();

  CHECK_EQ(overlaps.load(), 0u);
  CHECK_EQ(misuse.load(), 0u);
  CHECK_EQ(plainCounter, total.load());
  CHECK_EQ(unpaired, 0u);
  CHECK_EQ(lock.holder(), 0u);
  CHECK(total.load() > 0);
  CHECK(configured + busy > 0);
  std::cerr << "iterations " << total.load() << ", configure ok " << configured << " busy " << busy
            << ", traces " << traces << "\n";
}

}  // namespace

int main() {
  reconfigureRace();
  return gil_test::exitCode();
}
