// The interpreter lock. Read this comment first; the code below follows it step by step.
//
// THE PROTOCOL (policy `cpython`, after CPython's Python/ceval_gil.c, 3.2+ "new GIL")
//
//  - `locked` is guarded by `mutex` and waited for on `cond`.
//  - take_gil (acquire): if the lock is free, take it. Otherwise wait on `cond` with a timeout of
//    the switch interval. If the wait timed out, the lock is still held, and no switch happened
//    meanwhile (`switchNumber` unchanged), set the drop request: the eval breaker that asks the
//    holder to let go. On taking the lock: set the holder, bump `switchNumber` if the holder
//    changed, signal `switchCond` (forced switching), clear the drop request.
//  - drop_gil (release): clear `locked`, signal `cond`. FORCE_SWITCHING: if a drop was requested
//  and
//    this thread is still the last holder, wait on `switchCond` until another thread has taken the
//    lock — so a thread that was asked to yield cannot win the lock straight back.
//  - checkpoint (the eval-breaker check in the interpreter loop): one relaxed load of `state`.
//    If it says "held by me, nothing requested", return at once. Otherwise handle the request:
//    drop the lock and take it again.
//
// `state` packs the holder's thread id (low 32 bits) and flag bits (drop request; "legacy tick")
// into one atomic word, so the common checkpoint is a single relaxed load plus a compare. Writers
// change it only while holding `mutex`, except the drop request, which waiters set under `mutex`
// too (as CPython does) — so every change is ordered by the mutex and the relaxed load in
// checkpoint can only be stale for a moment, never wrong about who holds the lock: only the holder
// itself can move the holder field away from its own id.
//
// OTHER POLICIES
//  - `legacy` (the pre-3.2 GIL): waiters block with no timeout and never set a drop request. Every
//    `checkInterval` checkpoints the holder releases and immediately re-acquires (the old "ticks"
//    check). On a multicore machine the releaser usually wins the race: waiters are woken, find the
//    lock taken again, and sleep — Beazley's thrash. The `kLegacyTick` flag keeps it off the fast
//    path.
//  - `fifo`: a ticket queue. Waiters ask for a drop once the holder's slice (the switch interval
//    counted from when it took the lock) is spent; on release the lock is handed straight to the
//    longest waiter (no barging), so the releaser queues behind everyone already waiting.
//  - `none` (free-threaded): acquire/release/checkpoint exclude nobody; calls are still counted and
//    each thread's "held" time is recorded, so misuse is still detected.
//
// THREAD EXIT
// Each thread has a thread_local record of the locks it holds; its destructor releases any still
// held when the thread ends (a Node worker terminated while holding, say), and counts it.
#include "interpreter_lock.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

namespace gil {

namespace {

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

}  // namespace

uint64_t monotonicNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

const char* policyName(Policy p) {
  switch (p) {
    case Policy::CPython:
      return "cpython";
    case Policy::Legacy:
      return "legacy";
    case Policy::Fifo:
      return "fifo";
    case Policy::None:
      return "none";
  }
  return "unknown";
}

bool parsePolicy(const std::string& name, Policy* out) {
  static const std::pair<const char*, Policy> kNames[] = {{"cpython", Policy::CPython},
                                                          {"legacy", Policy::Legacy},
                                                          {"fifo", Policy::Fifo},
                                                          {"none", Policy::None}};
  for (const auto& [n, p] : kNames) {
    if (name == n) {
      *out = p;
      return true;
    }
  }
  return false;
}

const char* lockErrorMessage(int code) {
  switch (code) {
    case kOk:
      return "ok";
    case kErrNotHeld:
      return "the calling thread does not hold the interpreter lock; acquire() it first";
    case kErrAlreadyHeld:
      return "the calling thread already holds the interpreter lock; release() it before acquiring "
             "again";
    case kErrNoInterpreter:
      return "no such interpreter (unknown id, or it was destroyed)";
    case kErrBusy:
      return "the interpreter lock is held or waited on; release it everywhere first";
    case kErrInvalidArgument:
      return "invalid argument";
    case kErrShutdown:
      return "the process is shutting down";
  }
  return "unknown error";
}

bool validConfig(const LockConfig& c) {
  return c.switchIntervalUs > 0 && c.switchIntervalUs <= 10'000'000ull && c.checkInterval >= 1 &&
         static_cast<uint8_t>(c.policy) <= static_cast<uint8_t>(Policy::None);
}

// ---------------------------------------------------------------------------------------------
// Latency histogram: 4 sub-buckets per power of two, so a percentile is within ~19% before
// interpolation and much closer after it.

namespace {
int bucketOf(uint64_t ns) {
  if (ns < 4) return static_cast<int>(ns);
  int log2 = 63 - __builtin_clzll(ns);
  int sub = static_cast<int>((ns >> (log2 - 2)) & 3);
  return log2 * 4 + sub;
}
uint64_t bucketLow(int b) {
  if (b < 4) return static_cast<uint64_t>(b);
  int log2 = b / 4, sub = b % 4;
  return (1ull << log2) + (static_cast<uint64_t>(sub) << (log2 - 2));
}
uint64_t bucketHigh(int b) {
  if (b < 4) return static_cast<uint64_t>(b) + 1;
  int log2 = b / 4;
  return bucketLow(b) + (1ull << (log2 - 2));
}
}  // namespace

void LatencyHistogram::record(uint64_t ns) {
  counts_[bucketOf(ns)]++;
  count_++;
  max_ = std::max(max_, ns);
}

void LatencyHistogram::reset() {
  std::fill(std::begin(counts_), std::end(counts_), 0);
  count_ = max_ = 0;
}

HandoffSummary LatencyHistogram::summary() const {
  HandoffSummary s;
  s.count = count_;
  s.maxNs = max_;
  if (count_ == 0) return s;
  auto percentile = [&](double q) -> uint64_t {
    double rank = q * static_cast<double>(count_);
    uint64_t seen = 0;
    for (int b = 0; b < kBuckets; b++) {
      if (counts_[b] == 0) continue;
      if (static_cast<double>(seen + counts_[b]) >= rank) {
        double within = (rank - static_cast<double>(seen)) / static_cast<double>(counts_[b]);
        double lo = static_cast<double>(bucketLow(b));
        double hi = static_cast<double>(std::min(bucketHigh(b), max_ + 1));
        return std::min(max_, static_cast<uint64_t>(lo + within * std::max(0.0, hi - lo)));
      }
      seen += counts_[b];
    }
    return max_;
  };
  s.p50Ns = percentile(0.50);
  s.p90Ns = percentile(0.90);
  s.p99Ns = percentile(0.99);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Cheap timestamps for hold times: the CPU's invariant time-stamp counter where there is one,
// converted to ns only when stats are read (against steady_clock, over a baseline that keeps
// growing, so the conversion gets more exact the longer the process runs).

namespace {
struct TickClock {
  uint64_t tick0, ns0;
  TickClock() {
    tick0 = now();
    ns0 = monotonicNs();
    // A first baseline of ~1 ms so that early conversions are already within ~0.1%.
    while (monotonicNs() - ns0 < 1'000'000) {
    }
  }
  static uint64_t now() {
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_ia32_rdtsc();
#else
    return monotonicNs();
#endif
  }
  double nsPerTick() const {
    uint64_t t = now(), n = monotonicNs();
    return t > tick0 ? static_cast<double>(n - ns0) / static_cast<double>(t - tick0) : 1.0;
  }
};
const TickClock& tickClock() {
  static TickClock c;
  return c;
}
uint64_t ticksNow() { return TickClock::now(); }

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

uint64_t g_nextLockSerial = 1;  // guarded by liveLocks().mutex
std::atomic<bool> g_shuttingDown{false};
}  // namespace

bool shuttingDown() { return g_shuttingDown.load(std::memory_order_acquire); }

// ---------------------------------------------------------------------------------------------
// The lock's state.

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
  // kOk once `me` holds the lock; kErrShutdown if it had to wait during shutdown (not held).
  int take(uint32_t me, bool forOtherThread);
  int takeFifo(uint32_t me, std::unique_lock<std::mutex>& lk, bool forOtherThread);
  void becomeHolder(uint32_t me, uint64_t nowNs);  // requires mutex; the CAS already succeeded
  void noteSwitch(uint32_t me);
  // --- drop_gil ------------------------------------------------------------------------------
  bool tryFastDrop(uint32_t me);
  void drop(uint32_t me, bool forcedSwitching);
  void giveUp(uint32_t me, uint64_t nowNs);  // requires mutex; the holder lets go
  void accountHold(ThreadRecord& rec);
  // The part of a hold from `startTicks` to `endTicks` inside the stats window.
  uint64_t heldSinceReset(uint64_t startTicks, uint64_t endTicks) const {
    uint64_t from = std::max(startTicks, resetTicks.load(std::memory_order_relaxed));
    return endTicks > from ? endTicks - from : 0;
  }
  // False (nothing done) if the policy is no longer none by the time it holds `mutex`.
  bool takeNone(uint32_t me);
  void dropNone(uint32_t me, bool onExit);
};

namespace {

// ---------------------------------------------------------------------------------------------
// Per-thread bookkeeping: the thread's id, the locks it holds (released when the thread ends), and
// a cache of its stats record in each lock it has used.

struct LiveLocks {
  std::mutex mutex;
  std::unordered_map<InterpreterLock*, uint64_t> live;  // lock -> its serial
  std::condition_variable watchdogWake;  // the watchdog thread sleeps on it between scans
  bool watchdogStarted = false;
};
LiveLocks& liveLocks() {
  static LiveLocks* l =
      new LiveLocks();  // leaked on purpose: thread exit hooks may run after statics die
  return *l;
}

std::atomic<uint32_t> g_nextThreadId{1};

struct ThreadState {
  uint32_t id = g_nextThreadId.fetch_add(1, std::memory_order_relaxed);
  std::vector<InterpreterLock*> held;
  // This thread's record in each lock it has used, by lock serial: O(1) however many locks it
  // used. The last one found is kept aside (most threads use one lock over and over).
  struct Cached {
    InterpreterLock* lock;
    void* record;  // InterpreterLock::Impl::ThreadRecord*
  };
  std::unordered_map<uint64_t, Cached> records;
  uint64_t lastSerial = 0;
  void* lastRecord = nullptr;
  // Serials of destroyed locks whose records this thread cached, posted by ~InterpreterLock() and
  // dropped from `records` by this thread at its next lookup.
  std::atomic<bool> deadPending{false};
  std::mutex deadMutex;
  std::vector<uint64_t> deadSerials;

  void postDead(uint64_t serial) {  // any thread, under liveLocks().mutex
    std::lock_guard<std::mutex> g(deadMutex);
    deadSerials.push_back(serial);
    deadPending.store(true, std::memory_order_release);
  }
  void drainDead() {  // this thread
    std::vector<uint64_t> dead;
    {
      std::lock_guard<std::mutex> g(deadMutex);
      dead.swap(deadSerials);
      deadPending.store(false, std::memory_order_relaxed);
    }
    for (uint64_t serial : dead) {
      records.erase(serial);
      if (serial == lastSerial) lastSerial = 0, lastRecord = nullptr;
    }
  }

  void add(InterpreterLock* l) { held.push_back(l); }
  void remove(InterpreterLock* l) {
    auto it = std::find(held.begin(), held.end(), l);
    if (it != held.end()) held.erase(it);
  }
  bool holds(const InterpreterLock* l) const {
    return std::find(held.begin(), held.end(), l) != held.end();
  }

  ~ThreadState() {
    // The thread is ending: release what it still holds, so that nobody waits forever.
    auto copy = held;
    held.clear();
    auto& ll = liveLocks();
    std::lock_guard<std::mutex> g(ll.mutex);
    for (InterpreterLock* l : copy) {
      if (ll.live.count(l)) l->releaseForExitedThread(id);
    }
    // Then give back its records, counts folded into each lock's exited-threads totals.
    for (const auto& [serial, cached] : records) {
      auto it = ll.live.find(cached.lock);
      if (it != ll.live.end() && it->second == serial) cached.lock->forgetExitedThread(id);
    }
  }
};

ThreadState& threadState() {
  thread_local ThreadState ts;
  return ts;
}

}  // namespace

uint32_t currentThreadId() { return threadState().id; }

size_t threadRecordCacheSize() { return threadState().records.size(); }

InterpreterLock::Impl::ThreadRecord& InterpreterLock::Impl::recordFor(uint32_t tid) {
  ThreadState& ts = threadState();
  const bool mine = tid == ts.id;
  if (mine) {
    if (ts.deadPending.load(std::memory_order_acquire)) ts.drainDead();
    if (ts.lastSerial == serial) return *static_cast<ThreadRecord*>(ts.lastRecord);
    auto it = ts.records.find(serial);
    if (it != ts.records.end()) {
      ts.lastSerial = serial;
      ts.lastRecord = it->second.record;
      return *static_cast<ThreadRecord*>(it->second.record);
    }
  }
  ThreadRecord* r;
  {
    std::lock_guard<std::mutex> g(mutex);
    r = &recordLocked(tid);
    if (mine) r->owner = &ts;
  }
  if (mine) {
    ts.records.emplace(serial, ThreadState::Cached{self, r});
    ts.lastSerial = serial;
    ts.lastRecord = r;
  }
  return *r;
}

void InterpreterLock::Impl::accountHold(ThreadRecord& rec) {  // by the holder, before it lets go
  uint64_t held = heldSinceReset(acquiredAtTicks.load(std::memory_order_relaxed), ticksNow());
  rec.heldTicks.add(held);
  heldTicks.add(held);
}

void InterpreterLock::Impl::requestDrop(ThreadRecord& rec) {
  // SET_GIL_DROP_REQUEST: only while somebody holds the lock and no request is pending.
  uint64_t s = state.load(std::memory_order_relaxed);
  while (holderOf(s) != 0 && !(s & kDropRequest)) {
    if (state.compare_exchange_weak(s, s | kDropRequest, std::memory_order_acq_rel)) {
      uint64_t t = monotonicNs();
      dropRequestedAtNs = t;
      rec.dropRequests.add(1);
      dropRequests.add(1);
      emit(rec.threadId, LockEventKind::DropRequest, t);
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// take_gil

void InterpreterLock::Impl::noteSwitch(uint32_t me) {
  // gil->last_holder and switch_number; wake a thread waiting in drop_gil for the switch.
  if (lastHolder.load(std::memory_order_relaxed) == me) return;
  lastHolder.store(me, std::memory_order_seq_cst);
  switchNumber.store(switchNumber.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  switches.add(1);
  if (switchWaiters.load(std::memory_order_seq_cst) > 0) {
    { std::lock_guard<std::mutex> sg(switchMutex); }
    switchCond.notify_all();
  }
}

// The uncontended case (nobody waits, nobody traces): one compare-and-swap, no mutex. Waiters
// announce themselves in waiterCount (seq_cst) before they sleep, so the fast path steps aside.
bool InterpreterLock::Impl::tryFastTake(uint32_t me) {
  // The state first (acquire), then the policy: a state written by configure() comes with the
  // policy it stored before. A state from before a policy change fails the CAS (the epoch moved).
  uint64_t s = state.load(std::memory_order_acquire);
  if (holderOf(s) != 0 || (s & kConfiguring) || !fastPathPolicy()) return false;
  if (waiterCount.load(std::memory_order_seq_cst) != 0) return false;
  // The legacy bit of a free state is that of its epoch's policy; drop request and trace cleared.
  const uint64_t mine = (s & (kEpochMask | kLegacyTick)) | static_cast<uint64_t>(me);
  if (!state.compare_exchange_strong(s, mine, std::memory_order_seq_cst)) return false;
  ThreadRecord& rec = recordFor(me);
  acquiredAtTicks.store(ticksNow(), std::memory_order_relaxed);
  legacyTicks = 0;
  noteSwitch(me);
  rec.acquisitions.add(1);
  acquisitions.add(1);
  return true;
}

void InterpreterLock::Impl::becomeHolder(uint32_t me, uint64_t nowNs) {
  // _ready: the holder is set (and the drop request cleared) by the CAS that won the lock.
  if (lastHolder.load(std::memory_order_relaxed) != me && dropRequestedAtNs != 0) {
    handoff.record(nowNs - dropRequestedAtNs);
  }
  dropRequestedAtNs = 0;
  acquiredAtTicks.store(ticksNow(), std::memory_order_relaxed);
  acquiredAtNs = nowNs;
  legacyTicks = 0;
  noteSwitch(me);
  emit(me, LockEventKind::Acquired, nowNs);
}

int InterpreterLock::Impl::take(uint32_t me, bool forOtherThread) {
  (void)forOtherThread;
  ThreadRecord& rec = recordFor(me);
  std::unique_lock<std::mutex> lk(mutex);
  Policy p = currentPolicy();
  if (p == Policy::None)
    return kRetryAsNone;  // configure() switched to none since the caller looked
  if (p == Policy::Fifo) return takeFifo(me, lk, forOtherThread);
  uint64_t start = 0;
  bool contended = false;
  uint64_t s = state.load(std::memory_order_relaxed);
  if (holderOf(s) == 0 &&
      state.compare_exchange_strong(s, heldState(s, me), std::memory_order_seq_cst)) {
    // free: take it (CPython takes a free GIL even when others wait)
  } else {
    contended = true;
    if (shuttingDown()) return kErrShutdown;  // would have to wait: refused
    start = monotonicNs();
    emit(me, LockEventKind::WaitStart, start);
    rec.waitingSinceNs = start;
    rec.stallReported = false;
    waiterCount.fetch_add(1, std::memory_order_seq_cst);
    for (;;) {
      s = state.load(std::memory_order_seq_cst);
      if (holderOf(s) == 0) {
        if (state.compare_exchange_strong(s, heldState(s, me), std::memory_order_seq_cst)) break;
        continue;
      }
      // beginShutdown() sets the flag before it takes `mutex` to notify, so checking it here,
      // under `mutex`, before every wait cannot miss the wake-up.
      if (shuttingDown()) {
        waiterCount.fetch_sub(1, std::memory_order_seq_cst);
        rec.waitingSinceNs = 0;
        return kErrShutdown;
      }
      if (p == Policy::Legacy) {
        // The old GIL: sleep until signalled, never ask the holder to let go.
        cond.wait(lk);
        rec.wakeups.add(1);
        wakeups.add(1);
        continue;
      }
      uint64_t savedSwitchNumber = switchNumber.load(std::memory_order_relaxed);
      // Read at every wait: configure() may change the interval while we wait (as
      // sys.setswitchinterval does), and the new value applies from the next wait on.
      const auto interval = std::chrono::microseconds(config.switchIntervalUs);
      bool timedOut = cond.wait_for(lk, interval) == std::cv_status::timeout;
      rec.wakeups.add(1);
      wakeups.add(1);
      if (timedOut && switchNumber.load(std::memory_order_relaxed) == savedSwitchNumber)
        requestDrop(rec);
    }
    waiterCount.fetch_sub(1, std::memory_order_seq_cst);
    rec.waitingSinceNs = 0;
  }
  uint64_t now = monotonicNs();
  becomeHolder(me, now);
  rec.acquisitions.add(1);
  acquisitions.add(1);
  if (contended) {
    rec.contendedAcquisitions.add(1);
    contendedAcquisitions.add(1);
    rec.waitNs.add(now - start);
    waitNs.add(now - start);
  }
  return kOk;
}

int InterpreterLock::Impl::takeFifo(uint32_t me, std::unique_lock<std::mutex>& lk,
                                    bool forOtherThread) {
  (void)forOtherThread;
  ThreadRecord& rec = recordLocked(me);
  uint64_t s = state.load(std::memory_order_relaxed);
  if (holderOf(s) == 0 && queue.empty() &&
      state.compare_exchange_strong(s, heldState(s, me), std::memory_order_seq_cst)) {
    becomeHolder(me, monotonicNs());
    rec.acquisitions.add(1);
    acquisitions.add(1);
    return kOk;
  }
  if (shuttingDown()) return kErrShutdown;
  uint64_t start = monotonicNs();
  emit(me, LockEventKind::WaitStart, start);
  rec.waitingSinceNs = start;
  rec.stallReported = false;
  uint64_t ticket = nextTicket++;
  queue.emplace_back(ticket, me);
  waiterCount.fetch_add(1, std::memory_order_seq_cst);
  while (grantedTicket != ticket) {
    if (shuttingDown()) {  // leave the queue; a grant made before this point is kept (held)
      queue.erase(std::find(queue.begin(), queue.end(), std::make_pair(ticket, me)));
      waiterCount.fetch_sub(1, std::memory_order_seq_cst);
      rec.waitingSinceNs = 0;
      return kErrShutdown;
    }
    s = state.load(std::memory_order_relaxed);
    if (holderOf(s) == 0) {
      // Free but not granted: only the head of the queue may take it, in queue order.
      if (!queue.empty() && queue.front().first == ticket &&
          state.compare_exchange_strong(s, heldState(s, me), std::memory_order_seq_cst)) {
        queue.pop_front();
        grantedTicket = ticket;
        becomeHolder(me, monotonicNs());
        break;
      }
      cond.wait(lk);
      continue;
    }
    if (!(s & kDropRequest)) {
      // Wait for the end of the holder's slice, then ask it to hand over.
      uint64_t savedSwitchNumber = switchNumber.load(std::memory_order_relaxed);
      const auto interval = std::chrono::microseconds(config.switchIntervalUs);  // see take()
      auto deadline =
          std::chrono::steady_clock::time_point(std::chrono::nanoseconds(acquiredAtNs)) + interval;
      bool timedOut = cond.wait_until(lk, deadline) == std::cv_status::timeout;
      rec.wakeups.add(1);
      wakeups.add(1);
      if (timedOut && grantedTicket != ticket &&
          switchNumber.load(std::memory_order_relaxed) == savedSwitchNumber) {
        requestDrop(rec);
      }
    } else {
      cond.wait(lk);
      rec.wakeups.add(1);
      wakeups.add(1);
    }
  }
  waiterCount.fetch_sub(1, std::memory_order_seq_cst);
  rec.waitingSinceNs = 0;
  uint64_t now = monotonicNs();
  rec.acquisitions.add(1);
  acquisitions.add(1);
  rec.contendedAcquisitions.add(1);
  contendedAcquisitions.add(1);
  rec.waitNs.add(now - start);
  waitNs.add(now - start);
  return kOk;
}

// ---------------------------------------------------------------------------------------------
// drop_gil

// The uncontended case: no drop request, nobody waiting when we look, nobody tracing.
bool InterpreterLock::Impl::tryFastDrop(uint32_t me) {
  if (!fastPathPolicy()) return false;
  uint64_t s = state.load(std::memory_order_relaxed);
  // A traced hold leaves through the slow path, which records its "released".
  if ((s & (kDropRequest | kTracedHold)) || waiterCount.load(std::memory_order_relaxed) != 0)
    return false;
  ThreadRecord& rec = recordFor(me);
  // Hold time is accounted before letting go (it is holder-owned); undone if the CAS fails.
  uint64_t held = heldSinceReset(acquiredAtTicks.load(std::memory_order_relaxed), ticksNow());
  rec.heldTicks.add(held);
  heldTicks.add(held);
  if (!state.compare_exchange_strong(s, s & (kEpochMask | kLegacyTick),
                                     std::memory_order_seq_cst)) {
    rec.heldTicks.add(-held);
    heldTicks.add(-held);
    return false;
  }
  // A waiter may have arrived between our check and the CAS: it is counted by now (seq_cst), so
  // wake it.
  if (waiterCount.load(std::memory_order_seq_cst) != 0) {
    { std::lock_guard<std::mutex> g(mutex); }
    cond.notify_one();
  }
  return true;
}

void InterpreterLock::Impl::giveUp(uint32_t me, uint64_t nowNs) {
  ThreadRecord& rec = recordLocked(me);
  accountHold(rec);
  const uint64_t s = state.load(std::memory_order_relaxed);
  if (s & kTracedHold) emit(me, LockEventKind::Released, nowNs);  // only after its "acquired"
  if (currentPolicy() == Policy::Fifo && !queue.empty()) {
    // Fair hand-off: the longest waiter gets the lock without a race.
    auto [ticket, tid] = queue.front();
    queue.pop_front();
    grantedTicket = ticket;
    state.store(heldState(s, tid), std::memory_order_seq_cst);
    becomeHolder(tid, nowNs);
    cond.notify_all();
    return;
  }
  // Keep a pending drop request visible: drop() reads it for forced switching.
  state.store(s & (kEpochMask | kDropRequest | kLegacyTick), std::memory_order_seq_cst);
  if (waiterCount.load(std::memory_order_seq_cst) > 0) {
    currentPolicy() == Policy::Fifo ? cond.notify_all() : cond.notify_one();
  }
}

void InterpreterLock::Impl::drop(uint32_t me, bool forcedSwitching) {
  if (tryFastDrop(me)) return;
  {
    std::lock_guard<std::mutex> g(mutex);
    giveUp(me, monotonicNs());
  }
  if (!forcedSwitching || currentPolicy() != Policy::CPython) return;
  // FORCE_SWITCHING: "Not switched yet => wait". The predicate loop guards against spurious
  // wake-ups; the waiter count against waiting when nobody is left to take the lock.
  if (state.load(std::memory_order_relaxed) & kDropRequest) {
    std::unique_lock<std::mutex> sl(switchMutex);
    switchWaiters.fetch_add(1, std::memory_order_seq_cst);
    while (lastHolder.load(std::memory_order_seq_cst) == me &&
           waiterCount.load(std::memory_order_seq_cst) > 0 && !shuttingDown()) {
      // RESET_GIL_DROP_REQUEST while the lock is free, so the next holder is not asked to drop.
      uint64_t s = state.load(std::memory_order_relaxed);
      if (holderOf(s) == 0 && (s & kDropRequest))
        state.compare_exchange_strong(s, s & ~kDropRequest);
      switchCond.wait_for(sl, std::chrono::milliseconds(1));
    }
    switchWaiters.fetch_sub(1, std::memory_order_seq_cst);
  }
}

bool InterpreterLock::Impl::takeNone(uint32_t me) {
  std::lock_guard<std::mutex> g(mutex);  // bookkeeping only; nobody waits for anybody
  if (currentPolicy() != Policy::None) return false;
  auto& rec = recordLocked(me);
  uint64_t now = monotonicNs();
  rec.holding = true;
  rec.holdStartTicks = ticksNow();
  rec.acquisitions.add(1);
  acquisitions.v.fetch_add(1, std::memory_order_relaxed);  // no exclusion here: a real RMW
  noneHolders.fetch_add(1, std::memory_order_relaxed);
  rec.tracedHold = tracingOn.load(std::memory_order_relaxed);
  emit(me, LockEventKind::Acquired, now);
  return true;
}

void InterpreterLock::Impl::dropNone(uint32_t me, bool onExit) {
  std::lock_guard<std::mutex> g(mutex);
  auto& rec = recordLocked(me);
  if (!rec.holding) return;
  uint64_t held = heldSinceReset(rec.holdStartTicks, ticksNow());
  rec.holding = false;
  rec.heldTicks.add(held);
  heldTicks.v.fetch_add(held, std::memory_order_relaxed);
  noneHolders.fetch_sub(1, std::memory_order_relaxed);
  if (onExit) releasesOnThreadExit.add(1);
  if (rec.tracedHold) emit(me, LockEventKind::Released, monotonicNs());
  rec.tracedHold = false;
}

// ---------------------------------------------------------------------------------------------
// Public entry points.

InterpreterLock::InterpreterLock(LockConfig config) : impl_(std::make_unique<Impl>()) {
  tickClock();  // calibrate once, before any hold is timed
  if (!validConfig(config)) config = LockConfig{};
  impl_->config = config;
  impl_->policy.store(static_cast<uint8_t>(config.policy));
  impl_->checkInterval.store(config.checkInterval);
  impl_->state.store(impl_->baseFlags());
  auto& ll = liveLocks();
  std::lock_guard<std::mutex> g(ll.mutex);
  impl_->serial = g_nextLockSerial++;
  impl_->self = this;
  ll.live.emplace(this, impl_->serial);
}

InterpreterLock::~InterpreterLock() {
  auto& ll = liveLocks();
  std::lock_guard<std::mutex> g(ll.mutex);
  ll.live.erase(this);
  // Threads that cached a record of this lock drop it at their next lookup. An owner is alive:
  // a ThreadState gives back its records (under this same mutex) before it is gone.
  std::lock_guard<std::mutex> lg(impl_->mutex);
  for (auto& [tid, rec] : impl_->threads) {
    if (rec.owner) static_cast<ThreadState*>(rec.owner)->postDead(impl_->serial);
  }
}

int InterpreterLock::acquire() {
  ThreadState& ts = threadState();
  // The policy is read again under the mutex by the slow paths: if configure() changed it since
  // we looked (the lock was idle, so it may), start over under the new one.
  for (;;) {
    if (impl_->currentPolicy() == Policy::None) {
      if (ts.holds(this)) return kErrAlreadyHeld;
      if (!impl_->takeNone(ts.id)) continue;
      ts.add(this);
      return kOk;
    }
    if (Impl::holderOf(impl_->state.load(std::memory_order_relaxed)) == ts.id)
      return kErrAlreadyHeld;
    ts.add(this);
    if (impl_->tryFastTake(ts.id)) return kOk;
    int rc = impl_->take(ts.id, false);
    if (rc != kOk) ts.remove(this);
    if (rc != Impl::kRetryAsNone) return rc;
  }
}

int InterpreterLock::acquireAs(uint32_t threadId) {
  if (threadId == 0) return kErrInvalidArgument;
  for (;;) {  // as acquire(): start over if the policy changed under us
    if (impl_->currentPolicy() == Policy::None) {
      {
        std::lock_guard<std::mutex> g(impl_->mutex);
        auto it = impl_->threads.find(threadId);
        if (it != impl_->threads.end() && it->second.holding) return kErrAlreadyHeld;
      }
      if (impl_->takeNone(threadId)) return kOk;
      continue;
    }
    if (Impl::holderOf(impl_->state.load(std::memory_order_relaxed)) == threadId)
      return kErrAlreadyHeld;
    int rc = impl_->take(threadId, true);
    if (rc != Impl::kRetryAsNone) return rc;
  }
}

int InterpreterLock::adopt() {
  ThreadState& ts = threadState();
  if (!heldByCurrentThreadRaw(ts.id)) return kErrNotHeld;
  if (!ts.holds(this)) ts.add(this);
  return kOk;
}

bool InterpreterLock::heldByCurrentThreadRaw(uint32_t tid) const {
  if (impl_->currentPolicy() == Policy::None) {
    std::lock_guard<std::mutex> g(impl_->mutex);
    auto it = impl_->threads.find(tid);
    return it != impl_->threads.end() && it->second.holding;
  }
  return Impl::holderOf(impl_->state.load(std::memory_order_relaxed)) == tid;
}

int InterpreterLock::release() {
  ThreadState& ts = threadState();
  if (impl_->currentPolicy() == Policy::None) {
    if (!ts.holds(this)) return kErrNotHeld;
    ts.remove(this);
    impl_->dropNone(ts.id, false);
    return kOk;
  }
  if (Impl::holderOf(impl_->state.load(std::memory_order_relaxed)) != ts.id) return kErrNotHeld;
  ts.remove(this);
  impl_->drop(ts.id, /*forcedSwitching=*/true);
  return kOk;
}

int InterpreterLock::checkpoint() {
  ThreadState& ts = threadState();
  // The re-take after a yield: refused only during shutdown, and then the thread no longer holds.
  // While the lock was free, configure() may have changed the policy: take it as acquire() does.
  auto retake = [&](ThreadState& t) {
    t.remove(this);
    int rc = acquire();
    return rc == kOk ? 1 : rc;
  };
  uint64_t s = impl_->state.load(std::memory_order_relaxed);
  if (Impl::holderOf(s) == ts.id) {
    if ((s & kSlowCheckpoint) == 0) return 0;  // the fast path: held by me, nothing requested
    auto& rec = impl_->recordFor(ts.id);
    if (s & kDropRequest) {
      // The eval breaker fired: drop_gil (with forced switching), then take_gil.
      rec.forcedSwitches.add(1);
      impl_->forcedSwitches.add(1);
      impl_->yields.add(1);
      impl_->drop(ts.id, true);
      return retake(ts);
    }
    // Legacy: count ticks; every checkInterval, release and immediately re-acquire.
    if (++impl_->legacyTicks < impl_->checkInterval.load(std::memory_order_relaxed)) return 0;
    rec.forcedSwitches.add(1);
    impl_->forcedSwitches.add(1);
    impl_->yields.add(1);
    impl_->drop(ts.id, false);
    return retake(ts);
  }
  if (impl_->currentPolicy() == Policy::None && ts.holds(this)) return 0;
  return kErrNotHeld;
}

bool InterpreterLock::heldByCurrentThread() const {
  ThreadState& ts = threadState();
  if (impl_->currentPolicy() == Policy::None) return ts.holds(this);
  return Impl::holderOf(impl_->state.load(std::memory_order_relaxed)) == ts.id;
}

uint32_t InterpreterLock::holder() const {
  return Impl::holderOf(impl_->state.load(std::memory_order_relaxed));
}

uint32_t InterpreterLock::waiters() const {
  return impl_->waiterCount.load(std::memory_order_relaxed);
}

bool InterpreterLock::busy() const {
  std::lock_guard<std::mutex> g(impl_->mutex);
  return holder() != 0 || impl_->waiterCount.load() > 0 || impl_->noneHolders.load() > 0;
}

int InterpreterLock::configure(const LockConfig& config) {
  if (!validConfig(config)) return kErrInvalidArgument;
  Impl& m = *impl_;
  std::lock_guard<std::mutex> g(m.mutex);
  if (config.policy == m.config.policy) {
    // Intervals only: allowed at any time, as sys.setswitchinterval. Waiters read the switch
    // interval under the mutex before each wait; the holder reads checkInterval at its next tick.
    const bool intervalChanged = config.switchIntervalUs != m.config.switchIntervalUs;
    m.config = config;
    m.checkInterval.store(config.checkInterval, std::memory_order_relaxed);
    // Waiters start their next wait now, with the new interval (not after the old one ran out).
    if (intervalChanged && m.waiterCount.load() > 0) m.cond.notify_all();
    return kOk;
  }
  // A policy change needs an idle lock. The fast path takes a free lock without the mutex, so
  // "idle" is claimed by a compare-and-swap on the state word: it fails if a thread took the lock
  // since we looked, and the kConfiguring bit keeps every fast taker out until we are done.
  uint64_t s = m.state.load(std::memory_order_seq_cst);
  if (Impl::holderOf(s) != 0 || m.waiterCount.load() > 0 || m.noneHolders.load() > 0)
    return kErrBusy;
  if (!m.state.compare_exchange_strong(s, s | kConfiguring, std::memory_order_seq_cst))
    return kErrBusy;
  m.config = config;
  m.policy.store(static_cast<uint8_t>(config.policy), std::memory_order_relaxed);
  m.checkInterval.store(config.checkInterval, std::memory_order_relaxed);
  m.queue.clear();
  // A fresh epoch: any CAS prepared against the old state fails. Release: a fast taker that
  // reads this state (acquire) sees the new policy.
  m.state.store(((s & kEpochMask) + (1ull << kEpochShift)) | m.baseFlags(),
                std::memory_order_seq_cst);
  return kOk;
}

LockConfig InterpreterLock::config() const {
  std::lock_guard<std::mutex> g(impl_->mutex);
  return impl_->config;
}

LockStats InterpreterLock::stats() const {
  std::lock_guard<std::mutex> g(impl_->mutex);
  const double nsPerTick = tickClock().nsPerTick();
  auto ns = [&](uint64_t ticks) {
    return static_cast<uint64_t>(static_cast<double>(ticks) * nsPerTick);
  };
  // One clock reading for the whole snapshot: the window and the hold in progress end together.
  const uint64_t nowTicks = ticksNow();
  const Impl& m = *impl_;
  LockStats s;
  s.acquisitions = m.acquisitions.since();
  s.contendedAcquisitions = m.contendedAcquisitions.since();
  s.dropRequests = m.dropRequests.since();
  s.forcedSwitches = m.forcedSwitches.since();
  s.switches = m.switches.since();
  s.yields = m.yields.since();
  s.wakeups = m.wakeups.since();
  s.releasesOnThreadExit = m.releasesOnThreadExit.since();
  s.stalls = m.stalls.since();
  s.waiters = m.waiterCount.load();
  const uint32_t holderId = Impl::holderOf(m.state.load(std::memory_order_relaxed));
  s.holder = holderId;
  s.heldNs = ns(m.heldTicks.since());
  s.waitNs = m.waitNs.since();
  s.elapsedNs = ns(nowTicks - std::min(nowTicks, m.resetTicks.load()));
  s.handoff = m.handoff.summary();
  s.exitedThreads = m.exitedThreads;
  s.exited.acquisitions = m.exited.acquisitions.since();
  s.exited.contendedAcquisitions = m.exited.contendedAcquisitions.since();
  s.exited.dropRequests = m.exited.dropRequests.since();
  s.exited.forcedSwitches = m.exited.forcedSwitches.since();
  s.exited.wakeups = m.exited.wakeups.since();
  s.exited.heldNs = ns(m.exited.heldTicks.since());
  s.exited.waitNs = m.exited.waitNs.since();
  const bool exclusive = m.currentPolicy() != Policy::None;
  for (const auto& [tid, rec] : m.threads) {
    ThreadLockStats t;
    t.threadId = tid;
    t.acquisitions = rec.acquisitions.since();
    t.contendedAcquisitions = rec.contendedAcquisitions.since();
    t.dropRequests = rec.dropRequests.since();
    t.forcedSwitches = rec.forcedSwitches.since();
    t.wakeups = rec.wakeups.since();
    t.heldNs = ns(rec.heldTicks.since());
    t.waitNs = rec.waitNs.since();
    // Count the hold in progress, as gil_load would see it.
    uint64_t ongoing = 0;
    if (tid == holderId && exclusive) {
      ongoing = ns(m.heldSinceReset(m.acquiredAtTicks.load(std::memory_order_relaxed), nowTicks));
    } else if (rec.holding) {
      ongoing = ns(m.heldSinceReset(rec.holdStartTicks, nowTicks));
    }
    t.heldNs += ongoing;
    s.heldNs += ongoing;
    // One holder at a time: a hold cannot outlast the window. (A reset racing a release on another
    // thread could otherwise count the part of that hold before the reset.)
    if (exclusive) t.heldNs = std::min(t.heldNs, s.elapsedNs);
    s.threads.push_back(t);
  }
  if (exclusive) s.heldNs = std::min(s.heldNs, s.elapsedNs);
  std::sort(
      s.threads.begin(), s.threads.end(),
      [](const ThreadLockStats& a, const ThreadLockStats& b) { return a.threadId < b.threadId; });
  if (s.elapsedNs > 0) {
    s.heldFraction = static_cast<double>(s.heldNs) / static_cast<double>(s.elapsedNs);
    s.waitFraction = static_cast<double>(s.waitNs) / static_cast<double>(s.elapsedNs);
  }
  return s;
}

void InterpreterLock::resetStats() {
  // Baselines, not writes: see Stat. Holds in progress count from now on (heldSinceReset).
  std::lock_guard<std::mutex> g(impl_->mutex);
  Impl& m = *impl_;
  for (Stat* st :
       {&m.acquisitions, &m.contendedAcquisitions, &m.dropRequests, &m.forcedSwitches, &m.switches,
        &m.yields, &m.wakeups, &m.releasesOnThreadExit, &m.stalls, &m.heldTicks, &m.waitNs}) {
    st->rebase();
  }
  m.handoff.reset();
  auto rebaseRecord = [](Impl::ThreadRecord& rec) {
    for (Stat* st : {&rec.acquisitions, &rec.contendedAcquisitions, &rec.dropRequests,
                     &rec.forcedSwitches, &rec.wakeups, &rec.heldTicks, &rec.waitNs}) {
      st->rebase();
    }
  };
  for (auto& [tid, rec] : m.threads) rebaseRecord(rec);
  rebaseRecord(m.exited);
  m.resetTicks.store(ticksNow());
}

void InterpreterLock::startTrace(size_t capacity) {
  std::lock_guard<std::mutex> g(impl_->mutex);
  impl_->trace.clear();
  impl_->trace.reserve(std::min<size_t>(capacity, 1 << 16));  // grows on demand up to capacity
  impl_->traceCapacity = capacity;
  impl_->traceDropped = 0;
  impl_->tracingOn.store(true);
  // The hold in progress (if any) enters the trace as acquired now, so that its release, which
  // the trace will record, is never unpaired. A fast-path hold cannot leave while its state word
  // carries kTracedHold (the fast drop refuses it; the slow one needs our mutex).
  Impl& m = *impl_;
  const uint64_t now = monotonicNs();
  uint64_t s = m.state.load(std::memory_order_seq_cst);
  while (Impl::holderOf(s) != 0) {
    if ((s & kTracedHold) ||
        m.state.compare_exchange_weak(s, s | kTracedHold, std::memory_order_seq_cst)) {
      m.emit(Impl::holderOf(s), LockEventKind::Acquired, now);
      break;
    }
  }
  for (auto& [tid, rec] : m.threads) {  // policy none: every thread "holding" now
    if (!rec.holding) continue;
    rec.tracedHold = true;
    m.emit(tid, LockEventKind::Acquired, now);
  }
}

std::vector<LockEvent> InterpreterLock::stopTrace(uint64_t* dropped) {
  std::lock_guard<std::mutex> g(impl_->mutex);
  impl_->tracingOn.store(false);
  if (dropped) *dropped = impl_->traceDropped;
  std::vector<LockEvent> out;
  out.swap(impl_->trace);
  impl_->traceCapacity = 0;
  return out;
}

bool InterpreterLock::tracing() const { return impl_->tracingOn.load(); }

// ---------------------------------------------------------------------------------------------
// The watchdog: one detached thread per process, started the first time a bound is set. Every
// few milliseconds it looks at each lock that has a bound and reports waits that exceed it.

namespace {
void watchdogLoop() {
  auto& ll = liveLocks();
  std::unique_lock<std::mutex> g(ll.mutex);
  for (;;) {
    uint64_t minBoundUs = 0;
    for (const auto& [l, serial] : ll.live) {
      uint64_t b = l->watchdogBoundUs();
      if (b != 0 && (minBoundUs == 0 || b < minBoundUs)) minBoundUs = b;
    }
    // Scan four times per bound, at most every millisecond, at least every 50 ms.
    uint64_t periodUs =
        minBoundUs == 0 ? 50'000 : std::clamp<uint64_t>(minBoundUs / 4, 1000, 50'000);
    ll.watchdogWake.wait_for(g, std::chrono::microseconds(periodUs));
    uint64_t now = monotonicNs();
    for (const auto& [l, serial] : ll.live) {
      if (l->watchdogBoundUs() != 0) l->watchdogScan(now);
    }
  }
}
}  // namespace

void InterpreterLock::setWatchdog(uint64_t boundUs) {
  {
    std::lock_guard<std::mutex> g(impl_->mutex);
    impl_->watchdogBoundNs = boundUs * 1000;
  }
  if (boundUs == 0) return;
  auto& ll = liveLocks();
  std::lock_guard<std::mutex> g(ll.mutex);
  if (!ll.watchdogStarted) {
    ll.watchdogStarted = true;
    std::thread(watchdogLoop).detach();  // lives as long as the process; sleeps when unused
  }
  ll.watchdogWake.notify_all();
}

uint64_t InterpreterLock::watchdogBoundUs() const {
  std::lock_guard<std::mutex> g(impl_->mutex);
  return impl_->watchdogBoundNs / 1000;
}

void InterpreterLock::watchdogScan(uint64_t nowNs) {
  std::lock_guard<std::mutex> g(impl_->mutex);
  Impl& m = *impl_;
  if (m.watchdogBoundNs == 0) return;
  uint32_t holderId = Impl::holderOf(m.state.load(std::memory_order_relaxed));
  for (auto& [tid, rec] : m.threads) {
    if (rec.waitingSinceNs == 0 || rec.stallReported || tid == holderId) continue;
    if (nowNs - rec.waitingSinceNs < m.watchdogBoundNs) continue;
    rec.stallReported = true;
    m.stalls.add(1);
    if (m.stallReports.size() < 1000)
      m.stallReports.push_back({tid, holderId, nowNs - rec.waitingSinceNs, nowNs});
  }
}

std::vector<StallReport> InterpreterLock::takeStallReports() {
  std::lock_guard<std::mutex> g(impl_->mutex);
  std::vector<StallReport> out;
  out.swap(impl_->stallReports);
  return out;
}

void InterpreterLock::forgetExitedThread(uint32_t threadId) {
  std::lock_guard<std::mutex> g(impl_->mutex);
  auto it = impl_->threads.find(threadId);
  if (it == impl_->threads.end()) return;
  if (it->second.waitingSinceNs != 0) {  // a proxy still waits for the lock on its behalf: keep it
    it->second.owner = nullptr;
    return;
  }
  Impl::fold(impl_->exited, it->second);
  impl_->exitedThreads++;
  impl_->threads.erase(it);
}

void InterpreterLock::releaseForExitedThread(uint32_t threadId) {
  if (impl_->currentPolicy() == Policy::None) {
    impl_->dropNone(threadId, true);
    return;
  }
  std::lock_guard<std::mutex> g(impl_->mutex);
  if (Impl::holderOf(impl_->state.load(std::memory_order_relaxed)) != threadId) return;
  impl_->releasesOnThreadExit.add(1);
  impl_->giveUp(threadId, monotonicNs());
}

void beginShutdown() {
  g_shuttingDown.store(true, std::memory_order_release);
  // Wake every waiter of every live lock. Each checks the flag under its lock's mutex before it
  // waits, and we take that mutex to notify, so no waiter can miss this.
  auto& ll = liveLocks();
  std::lock_guard<std::mutex> g(ll.mutex);
  for (const auto& [l, serial] : ll.live) {
    InterpreterLock::Impl& m = *l->impl_;
    { std::lock_guard<std::mutex> lg(m.mutex); }
    m.cond.notify_all();
    { std::lock_guard<std::mutex> sg(m.switchMutex); }
    m.switchCond.notify_all();
  }
}

}  // namespace gil
