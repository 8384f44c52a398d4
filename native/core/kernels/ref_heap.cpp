// The reference-count heap and its storms. See ref_heap.h.
#include "kernels/ref_heap.h"

#include <cstdlib>
#include <stdexcept>
#include <thread>
#include <vector>

namespace gil {

struct RefHeap::Object {
  // Locked/Racy/Atomic: the count. Biased: the shared count (ob_ref_shared), updated atomically by
  // threads other than the owner.
  std::atomic<int32_t> count{1};
  // Biased only: the owner's local count (ob_ref_local). A plain integer: during a storm only the
  // owner thread touches it; thread start and join order the accesses before and after.
  int32_t local = 0;
  std::atomic<uint32_t> generation{0};
};

namespace {

constexpr size_t kWindow = 8;             // references each storm thread keeps outstanding
constexpr uint64_t kPairsPerCheck = 256;  // checkpoint/abort check every this many pairs

inline uint64_t splitmix64(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

struct ThreadOutcome {
  uint64_t operations = 0;
  uint64_t elapsedNs = 0;
  uint64_t prematureFrees = 0;
  uint64_t staleReferences = 0;
  bool aborted = false;
};

struct StormShared {
  RefHeap::Object* objects;
  size_t size;
  uint32_t threads;
  const RefStormOptions* options;
  std::atomic<uint32_t> ready{0};
  std::atomic<bool> cancel{false};
};

template <RefStrategy S>
inline void incref(RefHeap::Object& o, bool owner) {
  if constexpr (S == RefStrategy::Locked || S == RefStrategy::Racy) {
    // ob_refcnt++ as plain code does it: load, add, store. Without the lock, two threads can load
    // the same value and one increment is lost.
    o.count.store(o.count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  } else if constexpr (S == RefStrategy::Atomic) {
    o.count.fetch_add(1, std::memory_order_relaxed);
  } else {
    if (owner) {
      ++o.local;
    } else {
      o.count.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

// Returns true if this decref brought the object's count to 0.
template <RefStrategy S>
inline bool decref(RefHeap::Object& o, bool owner) {
  if constexpr (S == RefStrategy::Locked || S == RefStrategy::Racy) {
    const int32_t v = o.count.load(std::memory_order_relaxed) - 1;
    o.count.store(v, std::memory_order_relaxed);
    return v == 0;
  } else if constexpr (S == RefStrategy::Atomic) {
    return o.count.fetch_sub(1, std::memory_order_acq_rel) == 1;
  } else {
    if (owner) {
      // When the local count drops to 0 the owner merges it with the shared count (PEP 703's
      // _Py_MergeZeroLocalRefcount); the object is dead if that is 0 too.
      return --o.local == 0 && o.count.load(std::memory_order_acquire) == 0;
    }
    // A non-owner only decrements the shared count. In PEP 703 a shared count going negative
    // queues the object to its owner for a merge; in a storm every non-owner decref follows that
    // thread's own incref, so the shared count never goes negative and no merge is needed.
    o.count.fetch_sub(1, std::memory_order_release);
    return false;
  }
}

// The object of thread t's next incref: uniform, or (ownerShare >= 0) one of its own objects
// (those with index % threads == t) with that probability.
uint32_t pickObject(const StormShared& shared, const RefStormOptions& options, uint32_t t,
                    uint64_t& rng) {
  const uint64_t size = shared.size;
  const uint64_t r = splitmix64(rng);
  const uint64_t owned = t < size ? (size - t + shared.threads - 1) / shared.threads : 0;
  if (options.ownerShare >= 0 && owned > 0) {
    // The low 32 bits decide owner or not; the high 32 pick the object.
    const double u = static_cast<double>(r & 0xffffffffull) / 4294967296.0;
    if (u < options.ownerShare) {
      return static_cast<uint32_t>(t + shared.threads * ((r >> 32) * owned >> 32));
    }
  }
  return static_cast<uint32_t>((r >> 32) * size >> 32);
}

template <RefStrategy S>
void stormThread(StormShared& shared, uint32_t t, ThreadOutcome* out) {
  const RefStormOptions& options = *shared.options;
  struct Held {
    uint32_t index;
    uint32_t generation;
  };
  Held window[kWindow];
  size_t held = 0, head = 0;
  uint64_t rng = options.seed * 0x100000001b3ull + t;

  // Start together, so that the threads really overlap.
  shared.ready.fetch_add(1, std::memory_order_acq_rel);
  while (shared.ready.load(std::memory_order_acquire) < shared.threads) {
    if (shared.cancel.load(std::memory_order_relaxed)) return;
    std::this_thread::yield();
  }
  if (S == RefStrategy::Locked) options.lock->acquire();
  const uint64_t t0 = monotonicNs();

  auto drop = [&](const Held& h) {
    RefHeap::Object& o = shared.objects[h.index];
    const bool owner = h.index % shared.threads == t;
    // The generation check: was the object "freed" while this thread held a reference?
    if (o.generation.load(std::memory_order_relaxed) != h.generation) out->staleReferences++;
    if (decref<S>(o, owner)) {
      o.generation.fetch_add(1, std::memory_order_relaxed);  // "free" it
      out->prematureFrees++;  // the heap's own reference is still outstanding
    }
    out->operations++;
  };

  for (uint64_t p = 0; p < options.pairsPerThread; ++p) {
    if (held == kWindow) {  // the window is full: give back the oldest reference
      drop(window[head]);
      head = (head + 1) % kWindow;
      --held;
    }
    const uint32_t index = pickObject(shared, options, t, rng);
    RefHeap::Object& o = shared.objects[index];
    const uint32_t generation = o.generation.load(std::memory_order_relaxed);
    incref<S>(o, index % shared.threads == t);
    out->operations++;
    window[(head + held) % kWindow] = Held{index, generation};
    ++held;
    if ((p + 1) % kPairsPerCheck == 0) {
      if (S == RefStrategy::Locked) options.lock->checkpoint();
      if ((options.gate != nullptr && options.gate->cancelled()) ||
          abortFlagSet(options.abortFlag)) {
        out->aborted = true;
        break;
      }
    }
  }
  while (held > 0) {  // give back what is still held, oldest first
    drop(window[head]);
    head = (head + 1) % kWindow;
    --held;
  }
  out->elapsedNs = monotonicNs() - t0;
  if (S == RefStrategy::Locked) options.lock->release();
}

}  // namespace

const char* refStrategyName(RefStrategy s) {
  switch (s) {
    case RefStrategy::Locked:
      return "locked";
    case RefStrategy::Racy:
      return "racy";
    case RefStrategy::Atomic:
      return "atomic";
    case RefStrategy::Biased:
      return "biased";
  }
  return "unknown";
}

bool parseRefStrategy(const std::string& name, RefStrategy* out) {
  static const std::pair<const char*, RefStrategy> kNames[] = {{"locked", RefStrategy::Locked},
                                                               {"racy", RefStrategy::Racy},
                                                               {"atomic", RefStrategy::Atomic},
                                                               {"biased", RefStrategy::Biased}};
  for (const auto& [n, s] : kNames) {
    if (name == n) {
      *out = s;
      return true;
    }
  }
  return false;
}

RefHeap::RefHeap(size_t objects) : size_(objects), objects_(new Object[objects]) {
  if (objects == 0 || objects > UINT32_MAX)
    throw std::invalid_argument("RefHeap: objects must be in [1, 2^32)");
}

RefHeap::~RefHeap() = default;

int64_t RefHeap::count(size_t i) const {
  const Object& o = objects_[i];
  return static_cast<int64_t>(o.count.load(std::memory_order_relaxed)) + o.local;
}

uint32_t RefHeap::generation(size_t i) const {
  return objects_[i].generation.load(std::memory_order_relaxed);
}

RefStormResult RefHeap::storm(const RefStormOptions& options) {
  if (options.threads == 0) throw std::invalid_argument("RefHeap::storm: threads must be >= 1");
  if (!(options.ownerShare <= 1)) {  // also NaN
    throw std::invalid_argument(
        "RefHeap::storm: ownerShare must be in [0, 1] (or negative: uniform)");
  }
  if (options.strategy == RefStrategy::Locked) {
    if (options.lock == nullptr)
      throw std::invalid_argument("RefHeap::storm: the locked strategy needs a lock");
    if (options.lock->heldByCurrentThread())
      throw std::logic_error(
          "RefHeap::storm: release the interpreter lock first; the storm's threads need it");
  }
  if (busy_.exchange(true))
    throw std::logic_error("RefHeap::storm: a storm is already running on this heap");
  struct Unbusy {
    std::atomic<bool>& b;
    ~Unbusy() { b.store(false); }
  } unbusy{busy_};

  const bool biased = options.strategy == RefStrategy::Biased;
  for (size_t i = 0; i < size_; ++i) {
    objects_[i].count.store(biased ? 0 : 1, std::memory_order_relaxed);
    objects_[i].local = biased ? 1 : 0;
    objects_[i].generation.store(0, std::memory_order_relaxed);
  }

  StormShared shared;
  shared.objects = objects_.get();
  shared.size = size_;
  shared.threads = options.threads;
  shared.options = &options;
  std::vector<ThreadOutcome> outcomes(options.threads);
  std::vector<std::thread> threads;
  threads.reserve(options.threads);
  const uint64_t start = monotonicNs();
  try {
    for (uint32_t t = 0; t < options.threads; ++t) {
      ThreadOutcome* out = &outcomes[t];
      switch (options.strategy) {
        case RefStrategy::Locked:
          threads.emplace_back(stormThread<RefStrategy::Locked>, std::ref(shared), t, out);
          break;
        case RefStrategy::Racy:
          threads.emplace_back(stormThread<RefStrategy::Racy>, std::ref(shared), t, out);
          break;
        case RefStrategy::Atomic:
          threads.emplace_back(stormThread<RefStrategy::Atomic>, std::ref(shared), t, out);
          break;
        case RefStrategy::Biased:
          threads.emplace_back(stormThread<RefStrategy::Biased>, std::ref(shared), t, out);
          break;
      }
    }
  } catch (...) {
    shared.cancel.store(true);  // threads not yet past the start line leave at once
    for (auto& th : threads) th.join();
    throw;
  }
  for (auto& th : threads) th.join();
  const uint64_t end = monotonicNs();

  RefStormResult r;
  r.strategy = options.strategy;
  r.threads = options.threads;
  r.objects = size_;
  r.elapsedNs = end - start;
  double nsPerOpSum = 0;
  for (const auto& o : outcomes) {
    r.operations += o.operations;
    r.prematureFrees += o.prematureFrees;
    r.staleReferences += o.staleReferences;
    if (o.aborted) r.status = KernelStatus::Aborted;
    if (o.operations > 0)
      nsPerOpSum += static_cast<double>(o.elapsedNs) / static_cast<double>(o.operations);
  }
  r.nsPerOperation = nsPerOpSum / options.threads;
  r.expectedTotal = static_cast<int64_t>(size_);
  for (size_t i = 0; i < size_; ++i) {
    const int64_t c = count(i);
    r.finalTotal += c;
    r.lostUpdates += static_cast<uint64_t>(std::llabs(c - 1));
  }
  return r;
}

}  // namespace gil
