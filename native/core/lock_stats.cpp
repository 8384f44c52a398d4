// The interpreter lock's statistics and event trace (stats(), resetStats(), startTrace(),
// stopTrace()).
#include <algorithm>

#include "interpreter_lock_internal.h"

namespace gil {

LockStats InterpreterLock::stats() const {
  std::lock_guard<std::mutex> g(impl_->mutex);
  const double ticksToNs = nsPerTick();
  auto ns = [&](uint64_t ticks) {
    return static_cast<uint64_t>(static_cast<double>(ticks) * ticksToNs);
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

}  // namespace gil
