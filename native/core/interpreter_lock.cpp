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
//  - drop_gil (release): clear `locked`, signal `cond`. FORCE_SWITCHING: if a drop was requested and
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
//    lock taken again, and sleep — Beazley's thrash. The `kLegacyTick` flag keeps it off the fast path.
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
#include <unordered_set>

namespace gil {

namespace {

constexpr uint64_t kHolderMask = 0xffffffffull;
constexpr uint64_t kDropRequest = 1ull << 32;  // CPython's _PY_GIL_DROP_REQUEST_BIT
constexpr uint64_t kLegacyTick = 1ull << 33;   // legacy policy: every checkpoint takes the slow path

}  // namespace

uint64_t monotonicNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

const char* policyName(Policy p) {
  switch (p) {
    case Policy::CPython: return "cpython";
    case Policy::Legacy: return "legacy";
    case Policy::Fifo: return "fifo";
    case Policy::None: return "none";
  }
  return "unknown";
}

bool parsePolicy(const std::string& name, Policy* out) {
  static const std::pair<const char*, Policy> kNames[] = {
      {"cpython", Policy::CPython}, {"legacy", Policy::Legacy}, {"fifo", Policy::Fifo}, {"none", Policy::None}};
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
    case kOk: return "ok";
    case kErrNotHeld: return "the calling thread does not hold the interpreter lock; acquire() it first";
    case kErrAlreadyHeld: return "the calling thread already holds the interpreter lock; release() it before acquiring again";
    case kErrNoInterpreter: return "no such interpreter (unknown id, or it was destroyed)";
    case kErrBusy: return "the interpreter lock is held or waited on; release it everywhere first";
    case kErrInvalidArgument: return "invalid argument";
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
// The lock's state.

struct InterpreterLock::Impl {
  struct ThreadRecord {
    ThreadLockStats stats;
    uint64_t holdStartNs = 0;  // policy none: when this thread "acquired"
    bool holding = false;      // policy none only
  };

  // Guarded by `mutex` unless marked otherwise.
  mutable std::mutex mutex;          // gil->mutex
  std::condition_variable cond;      // gil->cond
  std::mutex switchMutex;            // gil->switch_mutex (FORCE_SWITCHING)
  std::condition_variable switchCond;
  LockConfig config;
  std::atomic<uint64_t> state{0};    // holder id | flags; see the top comment
  std::atomic<uint8_t> policy{0};    // mirror of config.policy for lock-free reads
  std::atomic<uint32_t> waiterCount{0};
  std::atomic<uint32_t> noneHolders{0};  // policy none: threads currently "holding"
  bool locked = false;
  uint32_t lastHolder = 0;           // guarded by mutex and switchMutex (written under both)
  uint64_t switchNumber = 0;
  uint64_t acquiredAtNs = 0;
  uint64_t dropRequestedAtNs = 0;
  uint32_t legacyTicks = 0;          // touched only by the holder
  // fifo
  std::deque<std::pair<uint64_t, uint32_t>> queue;  // (ticket, thread id), longest waiter first
  uint64_t nextTicket = 1;
  uint64_t grantedTicket = 0;
  // stats
  LockStats totals;
  uint64_t statsSinceNs = monotonicNs();
  LatencyHistogram handoff;
  std::unordered_map<uint32_t, ThreadRecord> threads;
  // trace
  std::atomic<bool> tracingOn{false};
  std::vector<LockEvent> trace;
  size_t traceCapacity = 0;
  uint64_t traceDropped = 0;

  Policy currentPolicy() const { return static_cast<Policy>(policy.load(std::memory_order_relaxed)); }
  uint64_t baseFlags() const { return currentPolicy() == Policy::Legacy ? kLegacyTick : 0; }

  ThreadRecord& record(uint32_t tid) {  // requires mutex
    auto& r = threads[tid];
    r.stats.threadId = tid;
    return r;
  }
  void emit(uint32_t tid, LockEventKind kind, uint64_t t) {  // requires mutex
    if (!tracingOn.load(std::memory_order_relaxed)) return;
    if (trace.size() < traceCapacity) {
      trace.push_back({t, tid, kind});
    } else {
      traceDropped++;
    }
  }

  // --- take_gil ------------------------------------------------------------------------------
  void take(uint32_t me);
  void takeFifo(uint32_t me, std::unique_lock<std::mutex>& lk);
  void becomeHolder(uint32_t me, uint64_t now);  // requires mutex
  // --- drop_gil ------------------------------------------------------------------------------
  void drop(uint32_t me, bool forcedSwitching);
  void giveUp(uint32_t me, uint64_t now);        // requires mutex; the holder lets go
  void takeNone(uint32_t me);
  void dropNone(uint32_t me, bool onExit);
};

namespace {

// ---------------------------------------------------------------------------------------------
// Per-thread bookkeeping: the thread's id and the locks it holds, released when the thread ends.

struct LiveLocks {
  std::mutex mutex;
  std::unordered_set<const InterpreterLock*> live;
};
LiveLocks& liveLocks() {
  static LiveLocks* l = new LiveLocks();  // leaked on purpose: thread exit hooks may run after statics die
  return *l;
}

std::atomic<uint32_t> g_nextThreadId{1};

struct ThreadState {
  uint32_t id = g_nextThreadId.fetch_add(1, std::memory_order_relaxed);
  std::vector<InterpreterLock*> held;

  void add(InterpreterLock* l) { held.push_back(l); }
  void remove(InterpreterLock* l) {
    auto it = std::find(held.begin(), held.end(), l);
    if (it != held.end()) held.erase(it);
  }
  bool holds(const InterpreterLock* l) const { return std::find(held.begin(), held.end(), l) != held.end(); }

  ~ThreadState() {
    // The thread is ending: release what it still holds, so that nobody waits forever.
    auto copy = held;
    held.clear();
    auto& ll = liveLocks();
    std::lock_guard<std::mutex> g(ll.mutex);
    for (InterpreterLock* l : copy) {
      if (ll.live.count(l)) l->releaseForExitedThread(id);
    }
  }
};

ThreadState& threadState() {
  thread_local ThreadState ts;
  return ts;
}

}  // namespace

uint32_t currentThreadId() { return threadState().id; }

// ---------------------------------------------------------------------------------------------
// take_gil

void InterpreterLock::Impl::becomeHolder(uint32_t me, uint64_t now) {
  // _ready: in CPython this part runs under switch_mutex so that drop_gil's waiter sees the change.
  {
    std::lock_guard<std::mutex> sg(switchMutex);
    locked = true;
    if (lastHolder != me) {
      lastHolder = me;
      switchNumber++;
      totals.switches++;
      if (dropRequestedAtNs != 0) handoff.record(now - dropRequestedAtNs);
    }
    dropRequestedAtNs = 0;
    // Setting the holder also clears the drop request (RESET_GIL_DROP_REQUEST).
    state.store(static_cast<uint64_t>(me) | baseFlags(), std::memory_order_relaxed);
  }
  switchCond.notify_all();
  acquiredAtNs = now;
  legacyTicks = 0;
  emit(me, LockEventKind::Acquired, now);
}

void InterpreterLock::Impl::take(uint32_t me) {
  std::unique_lock<std::mutex> lk(mutex);
  Policy p = currentPolicy();
  if (p == Policy::Fifo) {
    takeFifo(me, lk);
    return;
  }
  auto& rec = record(me);
  uint64_t start = 0;
  bool contended = locked;
  if (contended) {
    start = monotonicNs();
    emit(me, LockEventKind::WaitStart, start);
    waiterCount.fetch_add(1, std::memory_order_relaxed);
    const auto interval = std::chrono::microseconds(config.switchIntervalUs);
    while (locked) {
      if (p == Policy::Legacy) {
        // The old GIL: sleep until signalled, never ask the holder to let go.
        cond.wait(lk);
        rec.stats.wakeups++;
        totals.wakeups++;
        continue;
      }
      uint64_t savedSwitchNumber = switchNumber;
      bool timedOut = cond.wait_for(lk, interval) == std::cv_status::timeout;
      rec.stats.wakeups++;
      totals.wakeups++;
      if (timedOut && locked && switchNumber == savedSwitchNumber &&
          !(state.load(std::memory_order_relaxed) & kDropRequest)) {
        // SET_GIL_DROP_REQUEST: the holder will see it at its next checkpoint.
        uint64_t t = monotonicNs();
        state.fetch_or(kDropRequest, std::memory_order_relaxed);
        dropRequestedAtNs = t;
        rec.stats.dropRequests++;
        totals.dropRequests++;
        emit(me, LockEventKind::DropRequest, t);
      }
    }
    waiterCount.fetch_sub(1, std::memory_order_relaxed);
  }
  uint64_t now = monotonicNs();
  becomeHolder(me, now);
  rec.stats.acquisitions++;
  totals.acquisitions++;
  if (contended) {
    rec.stats.contendedAcquisitions++;
    totals.contendedAcquisitions++;
    rec.stats.waitNs += now - start;
    totals.waitNs += now - start;
  }
}

void InterpreterLock::Impl::takeFifo(uint32_t me, std::unique_lock<std::mutex>& lk) {
  auto& rec = record(me);
  if (!locked && queue.empty()) {
    uint64_t now = monotonicNs();
    becomeHolder(me, now);
    rec.stats.acquisitions++;
    totals.acquisitions++;
    return;
  }
  uint64_t start = monotonicNs();
  emit(me, LockEventKind::WaitStart, start);
  uint64_t ticket = nextTicket++;
  queue.emplace_back(ticket, me);
  waiterCount.fetch_add(1, std::memory_order_relaxed);
  const auto interval = std::chrono::nanoseconds(config.switchIntervalUs * 1000);
  while (grantedTicket != ticket) {
    if (!locked) {
      // Free but not granted to us: only possible if we are at the head (a release found the
      // queue empty just before we joined). Take it in queue order.
      if (!queue.empty() && queue.front().first == ticket) {
        queue.pop_front();
        grantedTicket = ticket;
        becomeHolder(me, monotonicNs());
        break;
      }
    }
    bool requested = state.load(std::memory_order_relaxed) & kDropRequest;
    if (locked && !requested) {
      // Wait for the end of the holder's slice, then ask it to hand over.
      uint64_t savedSwitchNumber = switchNumber;
      auto deadline = std::chrono::steady_clock::time_point(std::chrono::nanoseconds(acquiredAtNs)) + interval;
      bool timedOut = cond.wait_until(lk, deadline) == std::cv_status::timeout;
      rec.stats.wakeups++;
      totals.wakeups++;
      if (timedOut && locked && grantedTicket != ticket && switchNumber == savedSwitchNumber &&
          !(state.load(std::memory_order_relaxed) & kDropRequest)) {
        uint64_t t = monotonicNs();
        state.fetch_or(kDropRequest, std::memory_order_relaxed);
        dropRequestedAtNs = t;
        rec.stats.dropRequests++;
        totals.dropRequests++;
        emit(me, LockEventKind::DropRequest, t);
      }
    } else {
      cond.wait(lk);
      rec.stats.wakeups++;
      totals.wakeups++;
    }
  }
  waiterCount.fetch_sub(1, std::memory_order_relaxed);
  uint64_t now = monotonicNs();
  rec.stats.acquisitions++;
  totals.acquisitions++;
  rec.stats.contendedAcquisitions++;
  totals.contendedAcquisitions++;
  rec.stats.waitNs += now - start;
  totals.waitNs += now - start;
}

// ---------------------------------------------------------------------------------------------
// drop_gil

void InterpreterLock::Impl::giveUp(uint32_t me, uint64_t now) {
  auto& rec = record(me);
  uint64_t held = now - acquiredAtNs;
  rec.stats.heldNs += held;
  totals.heldNs += held;
  emit(me, LockEventKind::Released, now);
  if (currentPolicy() == Policy::Fifo && !queue.empty()) {
    // Fair hand-off: the longest waiter gets the lock without a race.
    auto [ticket, tid] = queue.front();
    queue.pop_front();
    grantedTicket = ticket;
    becomeHolder(tid, now);
    cond.notify_all();
    return;
  }
  locked = false;
  // Keep a pending drop request visible: drop() reads it for forced switching.
  state.store(state.load(std::memory_order_relaxed) & (kDropRequest | kLegacyTick), std::memory_order_relaxed);
  if (waiterCount.load(std::memory_order_relaxed) > 0) cond.notify_one();
}

void InterpreterLock::Impl::drop(uint32_t me, bool forcedSwitching) {
  {
    std::lock_guard<std::mutex> g(mutex);
    giveUp(me, monotonicNs());
  }
  if (!forcedSwitching || currentPolicy() != Policy::CPython) return;
  // FORCE_SWITCHING: "Not switched yet => wait". The predicate loop guards against spurious
  // wake-ups; the waiter count guards against waiting when nobody is left to take the lock.
  if (state.load(std::memory_order_relaxed) & kDropRequest) {
    std::unique_lock<std::mutex> sl(switchMutex);
    while (lastHolder == me && waiterCount.load(std::memory_order_relaxed) > 0) {
      state.fetch_and(~kDropRequest, std::memory_order_relaxed);
      switchCond.wait_for(sl, std::chrono::milliseconds(1));
    }
  }
}

void InterpreterLock::Impl::takeNone(uint32_t me) {
  std::lock_guard<std::mutex> g(mutex);  // bookkeeping only; nobody waits for anybody
  auto& rec = record(me);
  uint64_t now = monotonicNs();
  rec.holding = true;
  rec.holdStartNs = now;
  rec.stats.acquisitions++;
  totals.acquisitions++;
  noneHolders.fetch_add(1, std::memory_order_relaxed);
  emit(me, LockEventKind::Acquired, now);
}

void InterpreterLock::Impl::dropNone(uint32_t me, bool onExit) {
  std::lock_guard<std::mutex> g(mutex);
  auto& rec = record(me);
  if (!rec.holding) return;
  uint64_t now = monotonicNs();
  rec.holding = false;
  rec.stats.heldNs += now - rec.holdStartNs;
  totals.heldNs += now - rec.holdStartNs;
  noneHolders.fetch_sub(1, std::memory_order_relaxed);
  if (onExit) totals.releasesOnThreadExit++;
  emit(me, LockEventKind::Released, now);
}

// ---------------------------------------------------------------------------------------------
// Public entry points.

InterpreterLock::InterpreterLock(LockConfig config) : impl_(std::make_unique<Impl>()) {
  if (!validConfig(config)) config = LockConfig{};
  impl_->config = config;
  impl_->policy.store(static_cast<uint8_t>(config.policy));
  impl_->state.store(impl_->baseFlags());
  auto& ll = liveLocks();
  std::lock_guard<std::mutex> g(ll.mutex);
  ll.live.insert(this);
}

InterpreterLock::~InterpreterLock() {
  auto& ll = liveLocks();
  std::lock_guard<std::mutex> g(ll.mutex);
  ll.live.erase(this);
}

int InterpreterLock::acquire() {
  ThreadState& ts = threadState();
  if (impl_->currentPolicy() == Policy::None) {
    if (ts.holds(this)) return kErrAlreadyHeld;
    ts.add(this);
    impl_->takeNone(ts.id);
    return kOk;
  }
  if ((impl_->state.load(std::memory_order_relaxed) & kHolderMask) == ts.id) return kErrAlreadyHeld;
  ts.add(this);
  impl_->take(ts.id);
  return kOk;
}

int InterpreterLock::acquireAs(uint32_t threadId) {
  if (threadId == 0) return kErrInvalidArgument;
  if (impl_->currentPolicy() == Policy::None) {
    {
      std::lock_guard<std::mutex> g(impl_->mutex);
      auto it = impl_->threads.find(threadId);
      if (it != impl_->threads.end() && it->second.holding) return kErrAlreadyHeld;
    }
    impl_->takeNone(threadId);
    return kOk;
  }
  if ((impl_->state.load(std::memory_order_relaxed) & kHolderMask) == threadId) return kErrAlreadyHeld;
  impl_->take(threadId);
  return kOk;
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
  return (impl_->state.load(std::memory_order_relaxed) & kHolderMask) == tid;
}

int InterpreterLock::release() {
  ThreadState& ts = threadState();
  if (impl_->currentPolicy() == Policy::None) {
    if (!ts.holds(this)) return kErrNotHeld;
    ts.remove(this);
    impl_->dropNone(ts.id, false);
    return kOk;
  }
  if ((impl_->state.load(std::memory_order_relaxed) & kHolderMask) != ts.id) return kErrNotHeld;
  ts.remove(this);
  impl_->drop(ts.id, /*forcedSwitching=*/true);
  return kOk;
}

int InterpreterLock::checkpoint() {
  ThreadState& ts = threadState();
  uint64_t s = impl_->state.load(std::memory_order_relaxed);
  if ((s & kHolderMask) == ts.id) {
    if ((s & ~kHolderMask) == 0) return 0;  // the fast path: held by me, nothing requested
    if (s & kDropRequest) {
      // The eval breaker fired: drop_gil (with forced switching), then take_gil.
      {
        std::lock_guard<std::mutex> g(impl_->mutex);
        auto& rec = impl_->record(ts.id);
        rec.stats.forcedSwitches++;
        impl_->totals.forcedSwitches++;
        impl_->totals.yields++;
      }
      impl_->drop(ts.id, true);
      impl_->take(ts.id);
      return 1;
    }
    // Legacy: count ticks; every checkInterval, release and immediately re-acquire.
    if (++impl_->legacyTicks < impl_->config.checkInterval) return 0;
    {
      std::lock_guard<std::mutex> g(impl_->mutex);
      auto& rec = impl_->record(ts.id);
      rec.stats.forcedSwitches++;
      impl_->totals.forcedSwitches++;
      impl_->totals.yields++;
    }
    impl_->drop(ts.id, false);
    impl_->take(ts.id);
    return 1;
  }
  if (impl_->currentPolicy() == Policy::None && ts.holds(this)) return 0;
  return kErrNotHeld;
}

bool InterpreterLock::heldByCurrentThread() const {
  ThreadState& ts = threadState();
  if (impl_->currentPolicy() == Policy::None) return ts.holds(this);
  return (impl_->state.load(std::memory_order_relaxed) & kHolderMask) == ts.id;
}

uint32_t InterpreterLock::holder() const {
  return static_cast<uint32_t>(impl_->state.load(std::memory_order_relaxed) & kHolderMask);
}

uint32_t InterpreterLock::waiters() const { return impl_->waiterCount.load(std::memory_order_relaxed); }

bool InterpreterLock::busy() const {
  std::lock_guard<std::mutex> g(impl_->mutex);
  return impl_->locked || impl_->waiterCount.load() > 0 || impl_->noneHolders.load() > 0;
}

int InterpreterLock::configure(const LockConfig& config) {
  if (!validConfig(config)) return kErrInvalidArgument;
  std::lock_guard<std::mutex> g(impl_->mutex);
  if (impl_->locked || impl_->waiterCount.load() > 0 || impl_->noneHolders.load() > 0) return kErrBusy;
  impl_->config = config;
  impl_->policy.store(static_cast<uint8_t>(config.policy));
  impl_->state.store(impl_->baseFlags());
  impl_->queue.clear();
  return kOk;
}

LockConfig InterpreterLock::config() const {
  std::lock_guard<std::mutex> g(impl_->mutex);
  return impl_->config;
}

LockStats InterpreterLock::stats() const {
  std::lock_guard<std::mutex> g(impl_->mutex);
  uint64_t now = monotonicNs();
  LockStats s = impl_->totals;
  s.elapsedNs = now - impl_->statsSinceNs;
  s.handoff = impl_->handoff.summary();
  uint32_t holder = static_cast<uint32_t>(impl_->state.load(std::memory_order_relaxed) & kHolderMask);
  for (const auto& [tid, rec] : impl_->threads) {
    ThreadLockStats t = rec.stats;
    // Count the hold in progress, as gil_load would see it.
    if (impl_->locked && tid == holder && impl_->acquiredAtNs >= impl_->statsSinceNs) {
      t.heldNs += now - impl_->acquiredAtNs;
      s.heldNs += now - impl_->acquiredAtNs;
    }
    if (rec.holding) {
      uint64_t from = std::max(rec.holdStartNs, impl_->statsSinceNs);
      t.heldNs += now - from;
      s.heldNs += now - from;
    }
    s.threads.push_back(t);
  }
  std::sort(s.threads.begin(), s.threads.end(),
            [](const ThreadLockStats& a, const ThreadLockStats& b) { return a.threadId < b.threadId; });
  if (s.elapsedNs > 0) {
    s.heldFraction = static_cast<double>(s.heldNs) / static_cast<double>(s.elapsedNs);
    s.waitFraction = static_cast<double>(s.waitNs) / static_cast<double>(s.elapsedNs);
  }
  return s;
}

void InterpreterLock::resetStats() {
  std::lock_guard<std::mutex> g(impl_->mutex);
  uint64_t now = monotonicNs();
  impl_->totals = LockStats{};
  impl_->handoff.reset();
  impl_->statsSinceNs = now;
  // A hold in progress counts from now on.
  if (impl_->locked) impl_->acquiredAtNs = now;
  for (auto& [tid, rec] : impl_->threads) {
    rec.stats = ThreadLockStats{};
    rec.stats.threadId = tid;
    if (rec.holding) rec.holdStartNs = now;
  }
}

void InterpreterLock::startTrace(size_t capacity) {
  std::lock_guard<std::mutex> g(impl_->mutex);
  impl_->trace.clear();
  impl_->trace.reserve(capacity);
  impl_->traceCapacity = capacity;
  impl_->traceDropped = 0;
  impl_->tracingOn.store(true);
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

void InterpreterLock::releaseForExitedThread(uint32_t threadId) {
  if (impl_->currentPolicy() == Policy::None) {
    impl_->dropNone(threadId, true);
    return;
  }
  std::lock_guard<std::mutex> g(impl_->mutex);
  if ((impl_->state.load(std::memory_order_relaxed) & kHolderMask) != threadId || !impl_->locked) return;
  impl_->totals.releasesOnThreadExit++;
  impl_->giveUp(threadId, monotonicNs());
}

// ---------------------------------------------------------------------------------------------
// The interpreter registry (PEP 684: one lock per interpreter).

namespace {
struct Registry {
  std::mutex mutex;
  std::unordered_map<uint32_t, std::shared_ptr<Interpreter>> byId;
  uint32_t nextId = 1;
  std::shared_ptr<Interpreter> main = std::make_shared<Interpreter>(0, LockConfig{});
};
Registry& registry() {
  static Registry* r = new Registry();  // leaked on purpose: worker threads may outlive static destruction
  return *r;
}
}  // namespace

std::shared_ptr<Interpreter> mainInterpreter() { return registry().main; }

std::shared_ptr<Interpreter> createInterpreter(const LockConfig& config) {
  auto& r = registry();
  std::lock_guard<std::mutex> g(r.mutex);
  uint32_t id = r.nextId++;
  auto interp = std::make_shared<Interpreter>(id, config);
  r.byId[id] = interp;
  return interp;
}

std::shared_ptr<Interpreter> findInterpreter(uint32_t id) {
  auto& r = registry();
  if (id == 0) return r.main;
  std::lock_guard<std::mutex> g(r.mutex);
  auto it = r.byId.find(id);
  return it == r.byId.end() ? nullptr : it->second;
}

std::shared_ptr<Interpreter> findInterpreterByAddress(const void* p) {
  auto& r = registry();
  if (p == r.main.get()) return r.main;
  std::lock_guard<std::mutex> g(r.mutex);
  for (const auto& [id, interp] : r.byId) {
    if (interp.get() == p) return interp;
  }
  return nullptr;
}

int destroyInterpreter(uint32_t id) {
  auto& r = registry();
  if (id == 0) return kErrInvalidArgument;
  std::lock_guard<std::mutex> g(r.mutex);
  auto it = r.byId.find(id);
  if (it == r.byId.end()) return kErrNoInterpreter;
  InterpreterLock& l = it->second->lock();
  if (l.busy()) return kErrBusy;
  it->second->markDestroyed();
  r.byId.erase(it);
  return kOk;
}

std::vector<uint32_t> interpreterIds() {
  auto& r = registry();
  std::lock_guard<std::mutex> g(r.mutex);
  std::vector<uint32_t> ids{0};
  for (const auto& [id, interp] : r.byId) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace gil
