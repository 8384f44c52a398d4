// native/core/scheduling: the clocks move the right way, thread CPU time counts only the calling
// thread's work, and pinning puts the thread on the CPU asked for (Linux) or says unsupported.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "check.h"
#include "scheduling.h"

namespace {

// Burns CPU on the calling thread until its own CPU clock has advanced by `ns`.
void burnCpu(uint64_t ns) {
  uint64_t start = gil::threadCpuTimeNs();
  volatile uint64_t sink = 0;
  while (gil::threadCpuTimeNs() - start < ns) {
    for (int i = 0; i < 1000; ++i) sink = sink + static_cast<uint64_t>(i);
  }
}

}  // namespace

int main() {
  // The monotonic clock never goes back, and sleeping advances it.
  uint64_t m0 = gil::monotonicClockNs();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  uint64_t m1 = gil::monotonicClockNs();
  CHECK(m1 >= m0 + 15'000'000ull);

  // Sleeping costs (almost) no CPU; busy work costs at least what was burned.
  uint64_t c0 = gil::threadCpuTimeNs();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  uint64_t c1 = gil::threadCpuTimeNs();
  CHECK(c1 - c0 < 40'000'000ull);
  burnCpu(20'000'000ull);
  CHECK(gil::threadCpuTimeNs() - c1 >= 20'000'000ull);

  // Another thread's work is not the calling thread's CPU time.
  uint64_t before = gil::threadCpuTimeNs();
  std::thread other([] { burnCpu(60'000'000ull); });
  other.join();
  CHECK(gil::threadCpuTimeNs() - before < 40'000'000ull);

  std::vector<int> allowed = gil::allowedCpus();
#if defined(__linux__)
  CHECK(!allowed.empty());
  CHECK(std::is_sorted(allowed.begin(), allowed.end()));
  int now = gil::currentCpu();
  CHECK(now >= 0);
  CHECK(std::find(allowed.begin(), allowed.end(), now) != allowed.end());

  // Pin a separate thread (affinity is per thread: the main thread stays as it was) to the last
  // allowed CPU; after a yield it must run there.
  int target = allowed.back();
  std::atomic<int> status{-1};
  std::atomic<int> seenCpu{-2};
  std::vector<int> seenAllowed;
  std::thread pinned([&] {
    status = static_cast<int>(gil::pinCurrentThread(target));
    std::this_thread::yield();
    seenCpu = gil::currentCpu();
    seenAllowed = gil::allowedCpus();
  });
  pinned.join();
  CHECK_EQ(status.load(), static_cast<int>(gil::PinStatus::kPinned));
  CHECK_EQ(seenCpu.load(), target);
  CHECK_EQ(seenAllowed.size(), static_cast<size_t>(1));
  CHECK(gil::allowedCpus() == allowed);

  // Bad CPUs are refused with a status, and leave the affinity as it was.
  CHECK(gil::pinCurrentThread(-1) == gil::PinStatus::kOutOfRange);
  CHECK(gil::pinCurrentThread(gil::cpuSetSize()) == gil::PinStatus::kOutOfRange);
  CHECK(gil::setCurrentThreadCpus({}) == gil::PinStatus::kOutOfRange);
  // A CPU number inside the set's range but not allowed (allowed CPUs are a subset of the set).
  if (static_cast<int>(allowed.size()) < gil::cpuSetSize()) {
    int outside = 0;
    while (std::find(allowed.begin(), allowed.end(), outside) != allowed.end()) ++outside;
    CHECK(gil::pinCurrentThread(outside) == gil::PinStatus::kNotAllowed);
  }
  CHECK(gil::allowedCpus() == allowed);

  // Pinning and restoring the main thread itself.
  CHECK(gil::pinCurrentThread(allowed.front()) == gil::PinStatus::kPinned);
  CHECK_EQ(gil::allowedCpus().size(), static_cast<size_t>(1));
  CHECK(gil::setCurrentThreadCpus(allowed) == gil::PinStatus::kPinned);
  CHECK(gil::allowedCpus() == allowed);
#else
  CHECK(allowed.empty());
  CHECK_EQ(gil::currentCpu(), -1);
  CHECK(gil::pinCurrentThread(0) == gil::PinStatus::kUnsupported);
#endif

  return gil_test::exitCode();
}
