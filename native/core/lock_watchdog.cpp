// The interpreter lock's watchdog: waits longer than a bound, reported with the holder's id.
#include <algorithm>
#include <chrono>
#include <thread>

#include "interpreter_lock_internal.h"

namespace gil {

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

}  // namespace gil
