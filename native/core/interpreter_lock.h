// The interpreter lock: a model of CPython's GIL (Python/ceval_gil.c, 3.2+ "new GIL"),
// with the pre-3.2 GIL, a fair FIFO lock and "no lock" as switchable policies.
//
// Pure C++17: no Node headers. Every entry point is safe to call from any thread.
// Misuse (releasing a lock one does not hold, acquiring twice, checkpoint without
// holding) returns an error code; it is never undefined behaviour.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "latency_histogram.h"

namespace gil {

enum class Policy : uint8_t { CPython = 0, Legacy = 1, Fifo = 2, None = 3 };

const char* policyName(Policy p);
// Parses "cpython" | "legacy" | "fifo" | "none"; returns false for anything else.
bool parsePolicy(const std::string& name, Policy* out);

// Error codes: 0 is success; every error is negative so that checkpoint() can return 1/0/<0.
enum LockResult : int {
  kOk = 0,
  kErrNotHeld = -1,        // release/checkpoint by a thread that does not hold the lock
  kErrAlreadyHeld = -2,    // acquire by the thread that already holds it
  kErrNoInterpreter = -3,  // unknown or destroyed interpreter
  kErrBusy = -4,           // destroy/configure while the lock is held or waited on
  kErrInvalidArgument = -5,
  kErrShutdown = -6,  // the process is shutting down (beginShutdown()): the wait was abandoned
};
const char* lockErrorMessage(int code);

struct LockConfig {
  Policy policy = Policy::CPython;
  uint64_t switchIntervalUs = 5000;  // CPython's sys.setswitchinterval default (5 ms)
  uint32_t checkInterval = 100;      // legacy policy: checkpoints between forced releases
};
// Checks the ranges (0 < switchIntervalUs <= 10 s, checkInterval >= 1).
bool validConfig(const LockConfig& c);

// A small process-wide id for the calling OS thread (1, 2, 3, ... in order of first use).
uint32_t currentThreadId();
// How many locks the calling thread holds a cached stats record for (destroyed locks' records are
// dropped at the thread's next lock call). For tests and diagnostics.
size_t threadRecordCacheSize();
// Process-wide and irreversible, for process exit: every thread waiting in acquire(), acquireAs()
// or the re-take inside checkpoint() of any lock returns kErrShutdown promptly without holding the
// lock, and later takes that would have to wait fail the same way (an uncontended take may still
// succeed). Nothing waits in drop's forced switching any more either.
void beginShutdown();
bool shuttingDown();

// Monotonic clock in nanoseconds (steady_clock).
uint64_t monotonicNs();

enum class LockEventKind : uint8_t { WaitStart = 0, Acquired = 1, Released = 2, DropRequest = 3 };
struct LockEvent {
  uint64_t tNs;       // monotonicNs()
  uint32_t threadId;  // currentThreadId() of the thread the event is about
  LockEventKind kind;
};

struct ThreadLockStats {
  uint32_t threadId = 0;
  uint64_t acquisitions = 0;
  uint64_t contendedAcquisitions = 0;  // had to wait
  uint64_t dropRequests = 0;           // drop requests this thread set while waiting
  uint64_t forcedSwitches = 0;         // times this thread yielded on request (or legacy tick)
  uint64_t wakeups = 0;                // condvar wake-ups while waiting (the legacy GIL's thrash)
  uint64_t heldNs = 0;
  uint64_t waitNs = 0;
};

// A thread that waited for the lock longer than the watchdog's bound (reported once per wait).
struct StallReport {
  uint32_t waiterThreadId = 0;
  uint32_t holderThreadId = 0;  // 0 if the lock was free at the time (the waiter not yet woken)
  uint64_t waitedNs = 0;
  uint64_t atNs = 0;  // monotonicNs() when it was noticed
};

struct LockStats {
  uint64_t acquisitions = 0;
  uint64_t contendedAcquisitions = 0;
  uint64_t dropRequests = 0;
  uint64_t forcedSwitches = 0;
  uint64_t switches = 0;              // acquisitions by a thread other than the previous holder
  uint64_t yields = 0;                // checkpoints that released and re-acquired
  uint64_t wakeups = 0;               // condvar wake-ups of waiters
  uint64_t releasesOnThreadExit = 0;  // threads that ended while holding
  uint64_t stalls = 0;                // waits longer than the watchdog bound
  uint32_t waiters = 0;               // threads waiting right now
  uint32_t holder = 0;                // the holder right now (0: free; always 0 under policy none)
  uint64_t heldNs = 0;
  uint64_t waitNs = 0;
  uint64_t elapsedNs = 0;   // since creation or resetStats()
  double heldFraction = 0;  // heldNs / elapsedNs (gil_load's "held")
  double waitFraction = 0;  // waitNs / elapsedNs (gil_load's "wait"; > 1 with many waiters)
  HandoffSummary handoff;
  std::vector<ThreadLockStats> threads;  // threads alive now (an ended thread's record is freed)
  uint64_t exitedThreads = 0;            // threads that used the lock and have ended
  ThreadLockStats exited;                // their counts, summed (threadId 0)
};

class InterpreterLock {
 public:
  explicit InterpreterLock(LockConfig config = {});
  ~InterpreterLock();
  InterpreterLock(const InterpreterLock&) = delete;
  InterpreterLock& operator=(const InterpreterLock&) = delete;

  // take_gil: blocks until the calling thread holds the lock (kErrShutdown: gave up, not held).
  int acquire();
  // take_gil on behalf of another thread: blocks the calling (proxy) thread until the lock is held
  // by `threadId`. Lets an event-loop thread wait for the lock without blocking: a pool thread
  // waits (setting drop requests as any waiter would) and the owner then calls adopt().
  int acquireAs(uint32_t threadId);
  // Called by the thread a proxy acquired for: records the hold in the thread's own state, so that
  // its exit releases the lock. kErrNotHeld unless the lock is held for the calling thread.
  int adopt();
  // drop_gil: kErrNotHeld unless the calling thread holds it.
  int release();
  // The eval-breaker check: 1 if the thread yielded (released and re-acquired), 0 if not, < 0 on
  // error. Fast path is one relaxed atomic load. kErrShutdown: it released the lock and the
  // re-take was refused, so the calling thread no longer holds it.
  int checkpoint();
  bool heldByCurrentThread() const;
  // Thread id of the holder, 0 when free.
  uint32_t holder() const;

  // Changes the policy/intervals. Fails with kErrBusy if any thread holds or waits on the lock.
  int configure(const LockConfig& config);
  LockConfig config() const;

  LockStats stats() const;
  void resetStats();

  // Bounded event trace: never blocks; events beyond `capacity` are counted as dropped.
  void startTrace(size_t capacity);
  std::vector<LockEvent> stopTrace(uint64_t* dropped = nullptr);
  bool tracing() const;

  // Number of threads waiting in acquire().
  uint32_t waiters() const;
  // True while any thread holds the lock (under any policy) or waits for it.
  bool busy() const;

  // The watchdog: a process-wide background thread checks every lock with a bound set and
  // reports each wait longer than `boundUs`, with the holder's id. 0 turns it off for this lock.
  void setWatchdog(uint64_t boundUs);
  uint64_t watchdogBoundUs() const;
  // Returns the reports collected since the last call (at most 1000 are kept; all are counted).
  std::vector<StallReport> takeStallReports();
  // One pass of the watchdog over this lock (called by the watchdog thread).
  void watchdogScan(uint64_t nowNs);

  // Called from the thread-exit hook: releases the lock if `threadId` holds it (counted in stats).
  void releaseForExitedThread(uint32_t threadId);
  // Called from the thread-exit hook after that: frees the thread's record, its counts folded into
  // stats().exited.
  void forgetExitedThread(uint32_t threadId);

 private:
  bool heldByCurrentThreadRaw(uint32_t threadId) const;
  friend void beginShutdown();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// An interpreter: an id and its own lock (PEP 684). Id 0 is the process-wide main interpreter.
class Interpreter {
 public:
  Interpreter(uint32_t id, LockConfig config) : id_(id), lock_(config) {}
  uint32_t id() const { return id_; }
  InterpreterLock& lock() { return lock_; }
  // False once destroyInterpreter() removed it; handles that still point at it then fail cleanly.
  bool alive() const { return alive_.load(std::memory_order_relaxed); }
  void markDestroyed() { alive_.store(false, std::memory_order_relaxed); }
  // The C extension API's handle for it (see PinnedInterpreter): an opaque value that no other
  // interpreter ever gets, before or after this one is destroyed. Set once by the registry.
  void* extensionHandle() const { return extensionHandle_; }
  void setExtensionHandle(void* handle) { extensionHandle_ = handle; }

 private:
  uint32_t id_;
  InterpreterLock lock_;
  std::atomic<bool> alive_{true};
  void* extensionHandle_ = nullptr;
};

// Resolves an extension handle (from outside: any value at all) to its interpreter, in O(1) and
// without a lock, and keeps that interpreter from being destroyed while this object lives.
// get() is nullptr for anything that is not the handle of a live interpreter, including the
// handle of a destroyed one whose memory or slot a newer interpreter reuses.
class PinnedInterpreter {
 public:
  explicit PinnedInterpreter(const void* handle) noexcept;
  ~PinnedInterpreter();
  PinnedInterpreter(const PinnedInterpreter&) = delete;
  PinnedInterpreter& operator=(const PinnedInterpreter&) = delete;
  Interpreter* get() const noexcept { return interp_; }

 private:
  std::atomic<uint64_t>* slotWord_ = nullptr;
  Interpreter* interp_ = nullptr;
};

// The registry of interpreters in this process. Lookups return shared_ptr so that an interpreter
// cannot disappear under a thread that found it.
std::shared_ptr<Interpreter> mainInterpreter();
// Creates an interpreter with its own lock; its id is never reused.
std::shared_ptr<Interpreter> createInterpreter(const LockConfig& config);
// nullptr if unknown or destroyed.
std::shared_ptr<Interpreter> findInterpreter(uint32_t id);
// The live interpreter at address `p` (the addon's own bound functions carry it), else nullptr.
// Not for pointers from outside: the C extension API uses PinnedInterpreter.
std::shared_ptr<Interpreter> findInterpreterByAddress(const void* p);
// Removes an interpreter from the registry; its extension handle is dead from then on. kErrBusy if
// its lock is held or waited on (or an extension call on it does not end), kErrNoInterpreter if
// unknown, kErrInvalidArgument for the main interpreter.
int destroyInterpreter(uint32_t id);
std::vector<uint32_t> interpreterIds();

}  // namespace gil
