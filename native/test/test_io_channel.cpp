// The I/O channel (kernels/io_channel.h): opened once, many round trips, interrupt and abort end a
// wait at once, a spent or closed channel refuses clearly, and the lock is let go around each call.
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "check.h"
#include "interpreter_lock.h"
#include "kernels/io_channel.h"

using namespace gil;

namespace {

class FlagHook final : public SliceHook {
 public:
  explicit FlagHook(const std::atomic<bool>& stop) : stop_(stop) {}
  bool betweenSlices() override { return !abortRequested(); }
  bool abortRequested() const override { return stop_.load(); }

 private:
  const std::atomic<bool>& stop_;
};

void manyRoundTripsOnOneChannel() {
  IoChannel channel(1 << 20);
  NoHook none;
  RoundTripResult trips;
  for (int call = 0; call < 3; ++call) {
    CHECK(channel.roundTrips(500, 64, none, &trips) == KernelStatus::Completed);
    CHECK_EQ(trips.roundTrips, 500u);
    CHECK_EQ(trips.bytes, 500u * 64);
  }
  // Larger than both pipe buffers together: only works if sending and receiving interleave.
  CHECK(channel.roundTrips(2, 1 << 20, none, &trips) == KernelStatus::Completed);
  CHECK_EQ(trips.bytes, 2u << 20);
  bool refused = false;
  try {
    channel.roundTrips(1, (1 << 20) + 1, none, &trips);
  } catch (const std::invalid_argument&) {
    refused = true;
  }
  CHECK(refused);
  channel.close();
  channel.close();  // idempotent
  refused = false;
  try {
    channel.roundTrips(1, 8, none, &trips);
  } catch (const std::logic_error&) {
    refused = true;
  }
  CHECK(refused);
}

void interruptEndsTheChannel() {
  IoChannel channel(64);
  channel.interrupt();
  NoHook none;
  RoundTripResult trips;
  CHECK(channel.roundTrips(10, 8, none, &trips) == KernelStatus::Aborted);
  CHECK_EQ(trips.roundTrips, 0u);
  CHECK(channel.spent());
  bool refused = false;
  try {
    channel.roundTrips(1, 8, none, &trips);
  } catch (const std::logic_error&) {
    refused = true;
  }
  CHECK(refused);
}

void abortFlagStopsBetweenRoundTrips() {
  IoChannel channel(64);
  std::atomic<bool> stop{false};
  FlagHook hook(stop);
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stop.store(true);
  });
  RoundTripResult trips;
  // Far more than can run before the flag: it must stop, not finish.
  CHECK(channel.roundTrips(1000000000ull, 8, hook, &trips) == KernelStatus::Aborted);
  stopper.join();
  CHECK(trips.roundTrips < 1000000000ull);
}

void releasesTheLockAroundEachRoundTrip() {
  InterpreterLock lock;
  CHECK_EQ(lock.acquire(), kOk);
  IoChannel channel(64);
  ReleaseHook hook(nullptr, &lock);
  RoundTripResult trips;
  CHECK(channel.roundTrips(100, 64, hook, &trips) == KernelStatus::Completed);
  CHECK(lock.heldByCurrentThread());
  // Each round trip released the lock and took it back: 1 + 100 acquisitions.
  CHECK_EQ(lock.stats().acquisitions, 101u);
  CHECK_EQ(lock.release(), kOk);
}

}  // namespace

int main() {
  manyRoundTripsOnOneChannel();
  interruptEndsTheChannel();
  abortFlagStopsBetweenRoundTrips();
  releasesTheLockAroundEachRoundTrip();
  return gil_test::exitCode();
}
