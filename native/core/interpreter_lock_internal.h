// The interpreter lock's state, shared by its source files (internal to native/core; see the
// protocol at the top of interpreter_lock.cpp).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "interpreter_lock.h"
#include "tick_clock.h"

namespace gil {

// The state word: holder id (low 32 bits) | flags | configuration epoch (top bits).
constexpr uint64_t kHolderMask = 0xffffffffull;
constexpr uint64_t kDropRequest = 1ull << 32;  // CPython's _PY_GIL_DROP_REQUEST_BIT
constexpr uint64_t kLegacyTick = 1ull << 33;  // legacy policy: every checkpoint takes the slow path
// configure() is changing the policy: the lock is free and nobody may take it until it is done.
constexpr uint64_t kConfiguring = 1ull << 34;
// This hold's "acquired" is in the trace, so its "released" goes there too (set by the slow take
// while tracing, or by startTrace() for the holder at that moment; the fast paths never see it).
constexpr uint64_t kTracedHold = 1ull << 35;
// The configuration epoch: every policy change bumps it, so a compare-and-swap prepared against
// the state of an earlier configuration fails instead of taking the lock under stale flags.
constexpr int kEpochShift = 40;
constexpr uint64_t kEpochMask = ~((1ull << kEpochShift) - 1);
constexpr uint64_t kSlowCheckpoint = kDropRequest | kLegacyTick;

// A statistic with one writer at a time: the writers are serialised by the interpreter lock (the
// holder's counters) or by the lock's mutex (the waiters' counters), so an increment is a relaxed
// load and store, with no read-modify-write; stats() may read it from any thread at any time.
// resetStats() never writes the value (that could race with its writer and lose the reset): it
// records a baseline, guarded by the lock's mutex, and stats() reports the value since then.
struct Stat {
  std::atomic<uint64_t> v{0};
  uint64_t base = 0;
  void add(uint64_t d) {
    v.store(v.load(std::memory_order_relaxed) + d, std::memory_order_relaxed);
  }
  uint64_t get() const { return v.load(std::memory_order_relaxed); }
  uint64_t since() const { return get() - base; }
  void rebase() { base = get(); }
};

// Every live lock, for the thread-exit hook, the watchdog and beginShutdown().
struct LiveLocks {
  std::mutex mutex;
  std::unordered_map<InterpreterLock*, uint64_t> live;  // lock -> its serial
  std::condition_variable watchdogWake;  // the watchdog thread sleeps on it between scans
  bool watchdogStarted = false;
};
LiveLocks& liveLocks();

struct InterpreterLock::Impl {
  // Per-thread statistics. Written only by that thread (as holder, or as a waiter under `mutex`).
  struct ThreadRecord {
    uint32_t threadId = 0;
    Stat acquisitions, contendedAcquisitions, dropRequests, forcedSwitches, wakeups, heldTicks,
        waitNs;
    uint64_t holdStartTicks = 0;  // policy none: when this thread "acquired" (guarded by mutex)
    bool holding = false;         // policy none only (guarded by mutex)
    uint64_t waitingSinceNs = 0;  // watchdog: start of the current wait, 0 if not waiting (mutex)
    bool stallReported = false;   // watchdog: this wait was reported already (mutex)
    bool tracedHold = false;      // policy none: this hold's "acquired" is in the trace (mutex)
    void* owner = nullptr;        // the ThreadState that caches this record, if any (mutex)
  };
  // Adds `from`'s counts to `into` (both guarded by mutex; `from`'s thread has ended).
  static void fold(ThreadRecord& into, const ThreadRecord& from) {
    Stat ThreadRecord::*const fields[] = {
        &ThreadRecord::acquisitions, &ThreadRecord::contendedAcquisitions,
        &ThreadRecord::dropRequests, &ThreadRecord::forcedSwitches,
        &ThreadRecord::wakeups,      &ThreadRecord::heldTicks,
        &ThreadRecord::waitNs};
    for (auto f : fields) {
      (into.*f).add((from.*f).get());
      (into.*f).base += (from.*f).base;
    }
  }

  uint64_t serial = 0;  // unique per lock, never reused (keys the per-thread cache)
  InterpreterLock* self = nullptr;
  mutable std::mutex mutex;      // gil->mutex
  std::condition_variable cond;  // gil->cond
  std::mutex switchMutex;        // gil->switch_mutex (FORCE_SWITCHING)
  std::condition_variable switchCond;
  LockConfig config;                         // written under mutex while nobody holds or waits
  std::atomic<uint64_t> state{0};            // holder id | flags; holder != 0 means locked
  std::atomic<uint8_t> policy{0};            // mirror of config.policy for lock-free reads
  std::atomic<uint32_t> checkInterval{100};  // mirror of config.checkInterval (legacy ticks)
  std::atomic<uint32_t> waiterCount{0};
  std::atomic<uint32_t> switchWaiters{0};
  std::atomic<uint32_t> noneHolders{0};  // policy none: threads currently "holding"
  std::atomic<uint32_t> lastHolder{0};   // gil->last_holder
  std::atomic<uint64_t> switchNumber{0};
  std::atomic<uint64_t> acquiredAtTicks{0};  // written by the holder
  uint64_t acquiredAtNs = 0;                 // fifo: start of the holder's slice (guarded by mutex)
  uint64_t dropRequestedAtNs = 0;            // guarded by mutex
  uint32_t legacyTicks = 0;                  // touched only by the holder
  // fifo (guarded by mutex)
  std::deque<std::pair<uint64_t, uint32_t>> queue;  // (ticket, thread id), longest waiter first
  uint64_t nextTicket = 1;
  uint64_t grantedTicket = 0;
  // Lock-wide statistics. Holder-owned: acquisitions, contended, forced, switches, yields, held,
  // wait. Mutex-owned: dropRequests, wakeups, releasesOnThreadExit, handoff.
  Stat acquisitions, contendedAcquisitions, dropRequests, forcedSwitches, switches, yields, wakeups,
      releasesOnThreadExit, heldTicks, waitNs;
  std::atomic<uint64_t> resetTicks{ticksNow()};  // start of the stats window (resetStats())
  LatencyHistogram handoff;                      // guarded by mutex
  // Guarded by mutex. A thread's record is erased when the thread ends (its counts folded into
  // `exited`), so the map holds the threads alive now (and those a proxy acquired for).
  std::unordered_map<uint32_t, ThreadRecord> threads;
  ThreadRecord exited;         // the counts of every thread that ended (guarded by mutex)
  uint64_t exitedThreads = 0;  // how many (guarded by mutex)
  // watchdog (guarded by mutex)
  uint64_t watchdogBoundNs = 0;
  std::vector<StallReport> stallReports;
  Stat stalls;
  // trace (guarded by mutex)
  std::atomic<bool> tracingOn{false};
  std::vector<LockEvent> trace;
  size_t traceCapacity = 0;
  uint64_t traceDropped = 0;

  static constexpr int kRetryAsNone = 1;  // take(): the policy is none now; use takeNone()
  static uint32_t holderOf(uint64_t s) { return static_cast<uint32_t>(s & kHolderMask); }
  Policy currentPolicy() const {
    return static_cast<Policy>(policy.load(std::memory_order_relaxed));
  }
  uint64_t baseFlags() const { return currentPolicy() == Policy::Legacy ? kLegacyTick : 0; }
  // The state word with `me` holding, taken by the slow path under `mutex` (policy and tracing
  // are stable then): the epoch kept, the drop request cleared.
  uint64_t heldState(uint64_t s, uint32_t me) const {
    return (s & kEpochMask) | baseFlags() |
           (tracingOn.load(std::memory_order_relaxed) ? kTracedHold : 0) |
           static_cast<uint64_t>(me);
  }
  // The lock-free fast paths apply when nobody waits and nobody traces; fifo and none never use
  // them.
  bool fastPathPolicy() const {
    Policy p = currentPolicy();
    return (p == Policy::CPython || p == Policy::Legacy) &&
           !tracingOn.load(std::memory_order_relaxed);
  }

  ThreadRecord& recordLocked(uint32_t tid) {  // requires mutex
    auto& r = threads[tid];
    r.threadId = tid;
    return r;
  }
  ThreadRecord& recordFor(uint32_t tid);  // the calling thread's record, cached per thread
  void emit(uint32_t tid, LockEventKind kind, uint64_t t) {  // requires mutex
    if (!tracingOn.load(std::memory_order_relaxed)) return;
    if (trace.size() < traceCapacity) {
      trace.push_back({t, tid, kind});
    } else {
      traceDropped++;
    }
  }
  void requestDrop(ThreadRecord& rec);  // requires mutex

  // --- take_gil ------------------------------------------------------------------------------
  bool tryFastTake(uint32_t me);
  uint64_t beginWait(ThreadRecord& rec, uint32_t me);  // requires mutex; returns the start (ns)
  void endWait(ThreadRecord& rec);                     // requires mutex
  // Counts an acquisition; waitStartNs 0 for one that did not wait.
  void countAcquisition(ThreadRecord& rec, uint64_t waitStartNs, uint64_t nowNs);
  // kOk once `me` holds the lock; kErrShutdown if it had to wait during shutdown (not held).
  int take(uint32_t me, bool forOtherThread);
  int takeFifo(uint32_t me, std::unique_lock<std::mutex>& lk);
  void becomeHolder(uint32_t me, uint64_t nowNs);  // requires mutex; the CAS already succeeded
  void noteSwitch(uint32_t me);
  // --- drop_gil ------------------------------------------------------------------------------
  bool tryFastDrop(uint32_t me);
  void drop(uint32_t me, bool forcedSwitching);
  void giveUp(uint32_t me, uint64_t nowNs);  // requires mutex; the holder lets go
  uint64_t accountHold(ThreadRecord& rec);   // returns the ticks added
  // The part of a hold from `startTicks` to `endTicks` inside the stats window.
  uint64_t heldSinceReset(uint64_t startTicks, uint64_t endTicks) const {
    uint64_t from = std::max(startTicks, resetTicks.load(std::memory_order_relaxed));
    return endTicks > from ? endTicks - from : 0;
  }
  // False (nothing done) if the policy is no longer none by the time it holds `mutex`.
  bool takeNone(uint32_t me);
  void dropNone(uint32_t me, bool onExit);
};

}  // namespace gil
