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
//    and this thread is still the last holder, wait on `switchCond` until another thread has taken
//    the lock — so a thread that was asked to yield cannot win the lock straight back.
//  - checkpoint (the eval-breaker check in the interpreter loop): one relaxed load of `state`.
//    If it says "held by me, nothing requested", return at once. Otherwise handle the request:
//    drop the lock and take it again.
//
// `state` packs the holder's thread id (low 32 bits), flag bits (drop request; "legacy tick";
// configuring; traced hold) and a configuration epoch (top bits) into one atomic word, so the
// common checkpoint is a single relaxed load plus a compare. Uncontended, a thread takes and drops
// the lock by one compare-and-swap each, without the mutex (the fast paths); everything else
// changes the word under `mutex`. Only the holder moves the holder field away from its own id, so
// a stale load in checkpoint can never be wrong about who holds the lock. A policy change claims
// the free word by CAS and bumps the epoch, so no CAS prepared under the old policy can succeed.
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
// held when the thread ends (a Node worker terminated while holding, say), and counts it. It then
// frees the thread's stats record in every lock, folding the counts into the lock's "exited".
//
// FILES: the lock's shared state is in interpreter_lock_internal.h; statistics and trace in
// lock_stats.cpp, the watchdog in lock_watchdog.cpp, the registry and extension handles in
// interpreter_registry.cpp, the tick clock and histogram in their own files.
#include <algorithm>
#include <chrono>
#include <thread>

#include "interpreter_lock_internal.h"

namespace gil {

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

namespace {
uint64_t g_nextLockSerial = 1;  // guarded by liveLocks().mutex
std::atomic<bool> g_shuttingDown{false};
}  // namespace

bool shuttingDown() { return g_shuttingDown.load(std::memory_order_acquire); }

LiveLocks& liveLocks() {
  static LiveLocks* l =
      new LiveLocks();  // leaked on purpose: thread exit hooks may run after statics die
  return *l;
}

namespace {

// ---------------------------------------------------------------------------------------------
// Per-thread bookkeeping: the thread's id, the locks it holds (released when the thread ends), and
// a cache of its stats record in each lock it has used.

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

uint64_t InterpreterLock::Impl::accountHold(
    ThreadRecord& rec) {  // by the holder, before it lets go
  uint64_t held = heldSinceReset(acquiredAtTicks.load(std::memory_order_relaxed), ticksNow());
  rec.heldTicks.add(held);
  heldTicks.add(held);
  return held;
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

// The wait's prologue and epilogue, shared by take() and takeFifo() (under mutex): the waiter is
// counted (so the fast paths step aside), traced, and visible to the watchdog.
uint64_t InterpreterLock::Impl::beginWait(ThreadRecord& rec, uint32_t me) {
  uint64_t start = monotonicNs();
  emit(me, LockEventKind::WaitStart, start);
  rec.waitingSinceNs = start;
  rec.stallReported = false;
  waiterCount.fetch_add(1, std::memory_order_seq_cst);
  return start;
}

void InterpreterLock::Impl::endWait(ThreadRecord& rec) {
  waiterCount.fetch_sub(1, std::memory_order_seq_cst);
  rec.waitingSinceNs = 0;
}

void InterpreterLock::Impl::countAcquisition(ThreadRecord& rec, uint64_t waitStartNs,
                                             uint64_t nowNs) {
  rec.acquisitions.add(1);
  acquisitions.add(1);
  if (waitStartNs == 0) return;
  rec.contendedAcquisitions.add(1);
  contendedAcquisitions.add(1);
  rec.waitNs.add(nowNs - waitStartNs);
  waitNs.add(nowNs - waitStartNs);
}

int InterpreterLock::Impl::take(uint32_t me, bool forOtherThread) {
  // A proxy finds the record under the mutex: the thread it acts for may end meanwhile, and a
  // record is kept only while somebody waits with it (forgetExitedThread()).
  ThreadRecord* own = forOtherThread ? nullptr : &recordFor(me);
  std::unique_lock<std::mutex> lk(mutex);
  ThreadRecord& rec = own ? *own : recordLocked(me);
  Policy p = currentPolicy();
  if (p == Policy::None)
    return kRetryAsNone;  // configure() switched to none since the caller looked
  if (p == Policy::Fifo) return takeFifo(me, lk);
  uint64_t start = 0;  // 0: uncontended
  uint64_t s = state.load(std::memory_order_relaxed);
  if (holderOf(s) == 0 &&
      state.compare_exchange_strong(s, heldState(s, me), std::memory_order_seq_cst)) {
    // free: take it (CPython takes a free GIL even when others wait)
  } else {
    if (shuttingDown()) return kErrShutdown;  // would have to wait: refused
    start = beginWait(rec, me);
    for (;;) {
      s = state.load(std::memory_order_seq_cst);
      if (holderOf(s) == 0) {
        if (state.compare_exchange_strong(s, heldState(s, me), std::memory_order_seq_cst)) break;
        continue;
      }
      // beginShutdown() sets the flag before it takes `mutex` to notify, so checking it here,
      // under `mutex`, before every wait cannot miss the wake-up.
      if (shuttingDown()) {
        endWait(rec);
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
    endWait(rec);
  }
  uint64_t now = monotonicNs();
  becomeHolder(me, now);
  countAcquisition(rec, start, now);
  return kOk;
}

// The record is found under the mutex, for the caller and a proxy alike.
int InterpreterLock::Impl::takeFifo(uint32_t me, std::unique_lock<std::mutex>& lk) {
  ThreadRecord& rec = recordLocked(me);
  uint64_t s = state.load(std::memory_order_relaxed);
  if (holderOf(s) == 0 && queue.empty() &&
      state.compare_exchange_strong(s, heldState(s, me), std::memory_order_seq_cst)) {
    uint64_t now = monotonicNs();
    becomeHolder(me, now);
    countAcquisition(rec, 0, now);
    return kOk;
  }
  if (shuttingDown()) return kErrShutdown;
  uint64_t start = beginWait(rec, me);
  uint64_t ticket = nextTicket++;
  queue.emplace_back(ticket, me);
  while (grantedTicket != ticket) {
    if (shuttingDown()) {  // leave the queue; a grant made before this point is kept (held)
      queue.erase(std::find(queue.begin(), queue.end(), std::make_pair(ticket, me)));
      endWait(rec);
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
  endWait(rec);
  countAcquisition(rec, start, monotonicNs());
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
  const uint64_t held = accountHold(rec);
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
  calibrateTickClock();  // once, before any hold is timed
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
