// The interpreter registry (PEP 684: one lock per interpreter), and the C extension API's handles.
//
// Extension handles. An extension gets an opaque value per interpreter and may cache it. Addresses
// would not do: a destroyed interpreter's memory is reused, and a cached address would then reach
// a newer interpreter's lock. A handle names a slot in a table that is never freed, plus the
// slot's generation at the time: destroying the interpreter bumps the generation, so its handle
// never matches again, whatever reuses the slot or the memory. Lookup is an index and one atomic
// add (the slot's count of extension calls in progress, which keeps the interpreter from being
// destroyed under a call), with no mutex and no scan.
#include <algorithm>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "interpreter_lock.h"

namespace gil {

namespace {

static_assert(sizeof(void*) == 8, "extension handles pack a slot and a generation into 64 bits");

// handle = generation << kSlotBits | slot; generation 0 never occurs, so no handle is 0 (NULL).
constexpr int kSlotBits = 24;  // up to 16M interpreters alive at once
constexpr int kChunkBits = 12;
constexpr uint32_t kChunkSize = 1u << kChunkBits;
constexpr uint32_t kChunks = 1u << (kSlotBits - kChunkBits);
constexpr uint64_t kCallsMask = 0xffffffffull;

struct HandleSlot {
  // generation (high 32 bits) | extension calls in progress (low 32 bits)
  std::atomic<uint64_t> word{1ull << 32};
  std::atomic<Interpreter*> interp{nullptr};
};

struct Registry {
  std::mutex mutex;
  std::unordered_map<uint32_t, std::shared_ptr<Interpreter>> byId;
  std::unordered_map<const void*, std::shared_ptr<Interpreter>> byAddress;
  uint32_t nextId = 1;
  std::shared_ptr<Interpreter> main;
  // The handle table: chunks allocated on demand and never freed (guarded by mutex for writes).
  std::atomic<HandleSlot*> chunks[kChunks] = {};
  uint32_t slotsUsed = 0;
  std::vector<uint32_t> freeSlots;

  Registry() {
    main = std::make_shared<Interpreter>(0, LockConfig{});
    assignHandle(*main);
  }

  HandleSlot* slotAt(uint32_t index) const {
    HandleSlot* chunk = chunks[index >> kChunkBits].load(std::memory_order_acquire);
    return chunk ? &chunk[index & (kChunkSize - 1)] : nullptr;
  }

  void assignHandle(Interpreter& interp) {  // requires mutex
    uint32_t index;
    if (!freeSlots.empty()) {
      index = freeSlots.back();
      freeSlots.pop_back();
    } else {
      if (slotsUsed >= (1u << kSlotBits)) return;  // no handle: extensions cannot reach it
      index = slotsUsed++;
      auto& chunk = chunks[index >> kChunkBits];
      if (!chunk.load(std::memory_order_relaxed)) {
        chunk.store(new HandleSlot[kChunkSize], std::memory_order_release);  // never freed
      }
    }
    HandleSlot* slot = slotAt(index);
    slot->interp.store(&interp, std::memory_order_release);
    const uint64_t generation = slot->word.load(std::memory_order_acquire) >> 32;
    interp.setExtensionHandle(
        reinterpret_cast<void*>(static_cast<uintptr_t>((generation << kSlotBits) | index)));
  }

  // Ends the handle's validity: bumps the generation, which needs no extension call in progress.
  bool retireHandle(const Interpreter& interp) {  // requires mutex
    const uint64_t h = reinterpret_cast<uintptr_t>(interp.extensionHandle());
    if (h == 0) return true;
    const uint32_t index = static_cast<uint32_t>(h & ((1u << kSlotBits) - 1));
    HandleSlot* slot = slotAt(index);
    uint64_t w = slot->word.load(std::memory_order_acquire);
    if ((w & kCallsMask) != 0) return false;
    uint64_t next = (w >> 32) + 1;
    if (next > 0xffffffffull) next = 1;  // wrapped: skip 0
    if (!slot->word.compare_exchange_strong(w, next << 32, std::memory_order_acq_rel)) return false;
    freeSlots.push_back(index);
    return true;
  }
};

Registry& registry() {
  static Registry* r =
      new Registry();  // leaked on purpose: worker threads may outlive static destruction
  return *r;
}

}  // namespace

PinnedInterpreter::PinnedInterpreter(const void* handle) noexcept {
  const uint64_t h = reinterpret_cast<uintptr_t>(handle);
  const uint64_t generation = h >> kSlotBits;
  if (generation == 0 || generation > 0xffffffffull) return;  // 0, or not a handle at all
  HandleSlot* slot = registry().slotAt(static_cast<uint32_t>(h & ((1u << kSlotBits) - 1)));
  if (!slot) return;
  // Count this call in before checking the generation: retireHandle() refuses while any is in.
  const uint64_t before = slot->word.fetch_add(1, std::memory_order_acq_rel);
  if ((before >> 32) != generation) {
    slot->word.fetch_sub(1, std::memory_order_release);
    return;
  }
  slotWord_ = &slot->word;
  interp_ = slot->interp.load(std::memory_order_acquire);
}

PinnedInterpreter::~PinnedInterpreter() {
  if (slotWord_) slotWord_->fetch_sub(1, std::memory_order_release);
}

std::shared_ptr<Interpreter> mainInterpreter() { return registry().main; }

std::shared_ptr<Interpreter> createInterpreter(const LockConfig& config) {
  auto& r = registry();
  std::lock_guard<std::mutex> g(r.mutex);
  uint32_t id = r.nextId++;
  auto interp = std::make_shared<Interpreter>(id, config);
  r.assignHandle(*interp);
  r.byId[id] = interp;
  r.byAddress[interp.get()] = interp;
  return interp;
}

std::shared_ptr<Interpreter> findInterpreter(uint32_t id) {
  auto& r = registry();
  if (id == 0) return r.main;
  std::lock_guard<std::mutex> g(r.mutex);
  auto it = r.byId.find(id);
  return it == r.byId.end() ? nullptr : it->second;
}

std::shared_ptr<Interpreter> findInterpreterByAddress(const void* p) {
  auto& r = registry();
  if (p == r.main.get()) return r.main;
  std::lock_guard<std::mutex> g(r.mutex);
  auto it = r.byAddress.find(p);
  return it == r.byAddress.end() ? nullptr : it->second;
}

int destroyInterpreter(uint32_t id) {
  auto& r = registry();
  if (id == 0) return kErrInvalidArgument;
  std::lock_guard<std::mutex> g(r.mutex);
  auto it = r.byId.find(id);
  if (it == r.byId.end()) return kErrNoInterpreter;
  Interpreter& interp = *it->second;
  // An extension call in progress keeps the handle alive: one about to wait for the lock shows up
  // as busy within moments, others end within moments. Bounded, so destroy never hangs.
  for (int attempt = 0;; attempt++) {
    if (interp.lock().busy()) return kErrBusy;
    if (r.retireHandle(interp)) break;
    if (attempt >= 1000) return kErrBusy;
    std::this_thread::yield();
  }
  interp.markDestroyed();
  r.byAddress.erase(&interp);
  r.byId.erase(it);
  return kOk;
}

std::vector<uint32_t> interpreterIds() {
  auto& r = registry();
  std::lock_guard<std::mutex> g(r.mutex);
  std::vector<uint32_t> ids{0};
  for (const auto& [id, interp] : r.byId) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace gil
