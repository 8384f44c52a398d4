// A heap of reference-counted objects, to show why CPython has a GIL and what PEP 703 pays to drop
// it. Threads run incref/decref storms over shared objects with one of four strategies:
//  - Locked: plain read-modify-write increments, with every thread holding the interpreter lock
//    (and checkpointing, like interpreted code) — what the GIL protects.
//  - Racy:   the same read-modify-write with no lock. The load and the store are relaxed atomics,
//    so the race is real (updates get lost) but the program has no undefined behaviour.
//  - Atomic: fetch_add / fetch_sub on every operation.
//  - Biased: PEP 703's biased reference counting: the object's owner thread updates a non-atomic
//    local count; every other thread updates an atomic shared count. The count is their sum.
// Objects start with one reference (the heap's own), which is never dropped during a storm; each
// thread keeps a small window of references it took. So a count that reaches 0 during a storm is a
// premature free; the "free" bumps the object's generation (the memory is never really freed), and
// a thread whose reference's generation changed under it has detected a use-after-free.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "kernels/slice_hook.h"

namespace gil {

enum class RefStrategy : uint8_t { Locked = 0, Racy = 1, Atomic = 2, Biased = 3 };
const char* refStrategyName(RefStrategy s);
// "locked" | "racy" | "atomic" | "biased"; false for anything else.
bool parseRefStrategy(const std::string& name, RefStrategy* out);

struct RefStormOptions {
  RefStrategy strategy = RefStrategy::Atomic;
  uint32_t threads = 4;              // >= 1; thread t owns objects i with i % threads == t (biased)
  uint64_t pairsPerThread = 100000;  // each pair: one incref, and later its decref
  uint64_t seed = 1;                 // object choice is a deterministic function of seed and thread
  // Which objects a thread touches. Negative: any object, uniformly (every thread touches every
  // object alike). In [0, 1]: that share of a thread's increfs go to objects it owns, the rest to
  // any object — the workload biased counting is built for (PEP 703: most updates by the owner).
  double ownerShare = -1;
  InterpreterLock* lock = nullptr;  // required for Locked
  const int32_t* abortFlag = nullptr;
  // Async storms: a cancelled gate stops the threads like the abort flag (the storm is inside it
  // for its whole run).
  const CancelGate* gate = nullptr;
};

struct RefStormResult {
  KernelStatus status = KernelStatus::Completed;
  RefStrategy strategy = RefStrategy::Atomic;
  uint32_t threads = 0;
  uint64_t objects = 0;
  uint64_t operations = 0;    // increfs + decrefs performed
  int64_t expectedTotal = 0;  // sum of counts if no update was lost: one per object
  int64_t finalTotal = 0;     // sum of the counts after the storm
  uint64_t lostUpdates =
      0;  // sum over objects of |final - expected|: a lower bound, as losses can cancel
  uint64_t prematureFrees = 0;  // times a count reached 0 while references were outstanding
  uint64_t staleReferences =
      0;                      // references whose object was "freed" while held (generation check)
  uint64_t elapsedNs = 0;     // wall time of the storm
  double nsPerOperation = 0;  // mean over threads of (thread time / thread operations)
};

class RefHeap {
 public:
  explicit RefHeap(size_t objects);
  ~RefHeap();
  RefHeap(const RefHeap&) = delete;
  RefHeap& operator=(const RefHeap&) = delete;

  size_t size() const { return size_; }
  // Resets every object to one reference and generation 0, runs the storm on `threads` new
  // threads, and reports. Not reentrant: one storm per heap at a time (a second one throws
  // std::logic_error). With Locked, the calling thread must not hold options.lock (the storm's
  // threads need it): release it first (the addon does).
  RefStormResult storm(const RefStormOptions& options);
  // The count of object i after a storm (local + shared for Biased).
  int64_t count(size_t i) const;
  uint32_t generation(size_t i) const;

  struct Object;  // public so that the storm's helpers can name it

 private:
  size_t size_;
  std::unique_ptr<Object[]> objects_;
  std::atomic<bool> busy_{false};
};

}  // namespace gil
