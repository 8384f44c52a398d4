// Converts time-stamp-counter ticks to ns against steady_clock, over a baseline that keeps growing,
// so the conversion gets more exact the longer the process runs.
#include "tick_clock.h"

#include <chrono>

namespace gil {

uint64_t monotonicNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

namespace {
struct TickClock {
  uint64_t tick0, ns0;
  TickClock() {
    tick0 = ticksNow();
    ns0 = monotonicNs();
    // A first baseline of ~1 ms so that early conversions are already within ~0.1%.
    while (monotonicNs() - ns0 < 1'000'000) {
    }
  }
  double nsPerTick() const {
    uint64_t t = ticksNow(), n = monotonicNs();
    return t > tick0 ? static_cast<double>(n - ns0) / static_cast<double>(t - tick0) : 1.0;
  }
};
const TickClock& tickClock() {
  static TickClock c;
  return c;
}
}  // namespace

void calibrateTickClock() { tickClock(); }
double nsPerTick() { return tickClock().nsPerTick(); }

}  // namespace gil
