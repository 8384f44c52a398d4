// Cheap timestamps for hold times (internal to native/core): the CPU's invariant time-stamp
// counter where there is one, converted to ns only when stats are read.
#pragma once

#include <cstdint>

#include "interpreter_lock.h"

namespace gil {

inline uint64_t ticksNow() {
#if defined(__x86_64__) || defined(__i386__)
  return __builtin_ia32_rdtsc();
#else
  return monotonicNs();
#endif
}
// Calibrates the conversion once (about 1 ms, the first time); call before timing anything.
void calibrateTickClock();
// The conversion factor, more exact the longer the process runs.
double nsPerTick();

}  // namespace gil
