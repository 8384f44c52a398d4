#include "scheduling.h"

#include <time.h>

#if defined(__linux__)
#include <errno.h>
#include <sched.h>
#endif

namespace gil {

namespace {

uint64_t readClock(clockid_t clock) {
  timespec ts{};
  // Both clocks exist on every supported platform (Linux, macOS 10.12+); a failure would leave
  // ts zeroed, which callers see as "no time passed" rather than garbage.
  clock_gettime(clock, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

#if defined(__linux__)
PinStatus statusOf(int error) {
  if (error == EPERM) return PinStatus::kNoPermission;
  return PinStatus::kNotAllowed;
}
#endif

}  // namespace

uint64_t monotonicClockNs() { return readClock(CLOCK_MONOTONIC); }

uint64_t threadCpuTimeNs() { return readClock(CLOCK_THREAD_CPUTIME_ID); }

int currentCpu() {
#if defined(__linux__)
  int cpu = sched_getcpu();
  return cpu < 0 ? -1 : cpu;
#else
  return -1;
#endif
}

int cpuSetSize() {
#if defined(__linux__)
  return CPU_SETSIZE;
#else
  return 0;
#endif
}

std::vector<int> allowedCpus() {
  std::vector<int> cpus;
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  // pid 0: the calling thread (Linux affinity is per thread).
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
#endif
  return cpus;
}

PinStatus pinCurrentThread(int cpu) {
#if defined(__linux__)
  if (cpu < 0 || cpu >= CPU_SETSIZE) return PinStatus::kOutOfRange;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) return statusOf(errno);
  return PinStatus::kPinned;
#else
  (void)cpu;
  return PinStatus::kUnsupported;
#endif
}

PinStatus setCurrentThreadCpus(const std::vector<int>& cpus) {
#if defined(__linux__)
  if (cpus.empty()) return PinStatus::kOutOfRange;
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : cpus) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return PinStatus::kOutOfRange;
    CPU_SET(cpu, &set);
  }
  if (sched_setaffinity(0, sizeof set, &set) != 0) return statusOf(errno);
  return PinStatus::kPinned;
#else
  (void)cpus;
  return PinStatus::kUnsupported;
#endif
}

}  // namespace gil
