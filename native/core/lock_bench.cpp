#include "lock_bench.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace gil {

namespace {
template <typename F>
double timePerIteration(uint64_t iterations, F&& body) {
  auto t0 = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < iterations; i++) body();
  auto t1 = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::nano>(t1 - t0).count() /
         static_cast<double>(iterations);
}
}  // namespace

double benchLockPairNs(uint64_t iterations) {
  InterpreterLock lock;
  return timePerIteration(iterations, [&] {
    lock.acquire();
    lock.release();
  });
}

double benchPairAfterManyInterpretersNs(uint32_t interpretersUsedBefore, uint64_t iterations) {
  double ns = 0;
  std::thread fresh([&] {
    std::vector<std::shared_ptr<Interpreter>> used;
    used.reserve(interpretersUsedBefore);
    for (uint32_t i = 0; i < interpretersUsedBefore; i++) {
      used.push_back(createInterpreter(LockConfig{}));
      used.back()->lock().acquire();
      used.back()->lock().release();
    }
    auto target = createInterpreter(LockConfig{});
    InterpreterLock& lock = target->lock();
    ns = timePerIteration(iterations, [&] {
      lock.acquire();
      lock.release();
    });
    destroyInterpreter(target->id());
    for (auto& interp : used) destroyInterpreter(interp->id());
  });
  fresh.join();
  return ns;
}

double benchMutexPairNs(uint64_t iterations) {
  std::mutex m;
  std::atomic<uint64_t> sink{0};
  return timePerIteration(iterations, [&] {
    m.lock();
    sink.store(sink.load(std::memory_order_relaxed) + 1,
               std::memory_order_relaxed);  // keep the pair
    m.unlock();
  });
}

HandoffBenchResult benchHandoff(uint32_t samples, uint64_t switchIntervalUs) {
  HandoffBenchResult r;
  r.samples = samples;
  r.switchIntervalUs = switchIntervalUs;
  InterpreterLock lock(LockConfig{Policy::CPython, switchIntervalUs, 100});
  std::atomic<bool> stop{false};
  std::atomic<bool> holding{false};
  // The holder: interpreted code, checkpointing continuously.
  std::thread holder([&] {
    lock.acquire();
    holding = true;
    while (!stop.load(std::memory_order_relaxed)) lock.checkpoint();
    lock.release();
  });
  while (!holding.load()) std::this_thread::yield();
  std::vector<uint64_t> waits;
  waits.reserve(samples);
  std::thread waiter([&] {
    for (uint32_t i = 0; i < samples; i++) {
      uint64_t t0 = monotonicNs();
      lock.acquire();
      waits.push_back(monotonicNs() - t0);
      lock.release();
      // Let the holder get back in before the next sample (it waits on forced switching).
      while (lock.holder() == 0 && !stop.load()) std::this_thread::yield();
    }
  });
  waiter.join();
  stop = true;
  holder.join();
  std::sort(waits.begin(), waits.end());
  if (!waits.empty()) {
    r.waitP50Ns = waits[waits.size() / 2];
    r.waitP90Ns = waits[std::min(waits.size() - 1, waits.size() * 9 / 10)];
    r.waitMaxNs = waits.back();
  }
  r.dropToHolder = lock.stats().handoff;
  return r;
}

}  // namespace gil
