// Where and how long the calling thread runs, in pure C++ (no Node headers): the facts the
// scaling sweep needs to tell a descheduled worker from a slow one, and to pin a worker to a CPU.
// Linux has all of them; elsewhere the CPU-placement calls report "unsupported" instead of failing.
#pragma once

#include <cstdint>
#include <vector>

namespace gil {

// CLOCK_MONOTONIC in nanoseconds: one clock for every thread and process on the machine (unlike a
// per-process origin), so times taken in different worker processes can be compared.
uint64_t monotonicClockNs();

// CPU time the calling thread has used (CLOCK_THREAD_CPUTIME_ID), in nanoseconds.
uint64_t threadCpuTimeNs();

// The CPU the calling thread runs on now (sched_getcpu), or -1 where the OS cannot say.
int currentCpu();

// The CPUs the calling thread may run on (sched_getaffinity), ascending; empty where unknown.
std::vector<int> allowedCpus();

// The largest CPU number the affinity calls accept (exclusive bound); 0 where unsupported.
int cpuSetSize();

enum class PinStatus {
  kPinned,
  kUnsupported,   // no thread affinity on this platform
  kOutOfRange,    // cpu < 0 or >= cpuSetSize()
  kNotAllowed,    // the OS refused: the CPU is offline or outside this thread's cpuset (EINVAL)
  kNoPermission,  // EPERM
};

// Restricts the calling thread to one CPU (sched_setaffinity on the calling thread only).
PinStatus pinCurrentThread(int cpu);

// Restores the calling thread's affinity to `cpus` (as allowedCpus() returned them).
PinStatus setCurrentThreadCpus(const std::vector<int>& cpus);

}  // namespace gil
