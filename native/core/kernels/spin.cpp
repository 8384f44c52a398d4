// spin: calibrated busy work, sliced. See kernels.h.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>

#include "kernels/kernels.h"

namespace gil {

namespace {

inline uint32_t xorshift32(uint32_t x) {
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return x;
}

// Keeps the calibration runs from being optimized away.
volatile uint32_t calibrationSink;

uint32_t runSteps(uint64_t steps, uint32_t x) {
  for (uint64_t s = 0; s < steps; ++s) x = xorshift32(x);
  return x;
}

}  // namespace

KernelStatus spinIterations(uint64_t iterations, uint32_t* state, SliceHook& hook) {
  uint32_t x = *state;
  while (iterations > 0) {
    const uint64_t steps = std::min(iterations, kSpinIterationsPerSlice);
    x = runSteps(steps, x);
    iterations -= steps;
    if (iterations > 0 && !hook.betweenSlices()) {
      *state = x;
      return KernelStatus::Aborted;
    }
  }
  *state = x;
  return KernelStatus::Completed;
}

double spinIterationsPerNs() {
  static double perNs = 0;
  static std::once_flag once;
  std::call_once(once, [] {
    // Best of several ~0.5 ms runs: the fastest run is the one nobody interrupted.
    constexpr uint64_t kSteps = 1 << 18;
    uint32_t x = kSpinSeed;
    double best = 0;
    for (int run = 0; run < 7; ++run) {
      const uint64_t t0 = monotonicNs();
      x = runSteps(kSteps, x);
      const uint64_t t1 = monotonicNs();
      if (t1 > t0)
        best = std::max(best, static_cast<double>(kSteps) / static_cast<double>(t1 - t0));
    }
    calibrationSink = x;
    perNs = best > 0 ? best : 1.0;
  });
  return perNs;
}

KernelStatus spin(uint64_t ns, SliceHook& hook, uint64_t* iterationsDone, uint32_t* state) {
  const uint64_t total =
      static_cast<uint64_t>(std::llround(static_cast<double>(ns) * spinIterationsPerNs()));
  uint32_t x = kSpinSeed;
  uint64_t done = 0;
  KernelStatus status = KernelStatus::Completed;
  while (done < total) {
    const uint64_t steps = std::min(total - done, kSpinIterationsPerSlice);
    x = runSteps(steps, x);
    done += steps;
    if (done < total && !hook.betweenSlices()) {
      status = KernelStatus::Aborted;
      break;
    }
  }
  *iterationsDone = done;
  if (state != nullptr) *state = x;
  return status;
}

}  // namespace gil
