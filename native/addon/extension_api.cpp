// The C extension API (native/include/gil_lab.h): a static table of C functions over the core's
// interpreter registry, handed to other addons inside a type-tagged External (the "capsule").
//
// Another addon calls these function pointers directly, from any thread, so the lock it reaches is
// the very one `Interpreter` uses in this process: there is one registry per process, because this
// shared object is loaded once per process (worker threads reuse it and get their own exports).
#include <napi.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "../include/gil_lab.h"
#include "interpreter_lock.h"
#include "lock_bench.h"

namespace {

static_assert(GIL_LAB_OK == gil::kOk, "gil_lab.h result codes must match gil::LockResult");
static_assert(GIL_LAB_ERR_NOT_HELD == gil::kErrNotHeld, "gil_lab.h: GIL_LAB_ERR_NOT_HELD");
static_assert(GIL_LAB_ERR_ALREADY_HELD == gil::kErrAlreadyHeld, "gil_lab.h: ALREADY_HELD");
static_assert(GIL_LAB_ERR_NO_INTERPRETER == gil::kErrNoInterpreter, "gil_lab.h: NO_INTERPRETER");
static_assert(GIL_LAB_ERR_BUSY == gil::kErrBusy, "gil_lab.h: GIL_LAB_ERR_BUSY");
static_assert(GIL_LAB_ERR_INVALID_ARGUMENT == gil::kErrInvalidArgument,
              "gil_lab.h: GIL_LAB_ERR_INVALID_ARGUMENT");
static_assert(GIL_LAB_ERR_SHUTDOWN == gil::kErrShutdown, "gil_lab.h: GIL_LAB_ERR_SHUTDOWN");

// Handles come from outside: PinnedInterpreter resolves them in O(1) without a lock, turns
// anything that is not a live interpreter's handle (a made-up value, or a destroyed interpreter's
// handle even after its memory was reused) into nullptr, and keeps the interpreter alive for the
// duration of the call.
void* ExtInterpreterMain(void) noexcept { return gil::mainInterpreter()->extensionHandle(); }

void* ExtInterpreterById(uint32_t id) noexcept {
  auto found = gil::findInterpreter(id);
  return found ? found->extensionHandle() : nullptr;
}

int ExtAcquire(void* interp) noexcept {
  gil::PinnedInterpreter pinned(interp);
  return pinned.get() ? pinned.get()->lock().acquire() : gil::kErrNoInterpreter;
}

int ExtRelease(void* interp) noexcept {
  gil::PinnedInterpreter pinned(interp);
  return pinned.get() ? pinned.get()->lock().release() : gil::kErrNoInterpreter;
}

int ExtCheckpoint(void* interp) noexcept {
  gil::PinnedInterpreter pinned(interp);
  return pinned.get() ? pinned.get()->lock().checkpoint() : gil::kErrNoInterpreter;
}

int ExtHeldByCurrentThread(void* interp) noexcept {
  gil::PinnedInterpreter pinned(interp);
  if (!pinned.get()) return gil::kErrNoInterpreter;
  return pinned.get()->lock().heldByCurrentThread() ? 1 : 0;
}

const char* ExtErrorMessage(int code) noexcept { return gil::lockErrorMessage(code); }

// What the calling JavaScript thread runs under, set from JavaScript: the interpreter its executor
// worker uses (Interpreter.setThreadDefault), and the worker's control block, in which the worker
// names the running task's slot (slot + 1, 0 between tasks) with a plain store per task; the slot's
// abort flag is another cell of the block. The block (a SharedArrayBuffer, or a SharedMemory
// mapping) lives as long as the worker, which keeps it referenced.
struct ThreadControl {
  const int32_t* cells = nullptr;
  size_t length = 0;
  size_t currentCell = 0;
  size_t cellsPerSlot = 0;
  size_t abortOffset = 0;
};

thread_local void* tCurrentInterpreter = nullptr;
thread_local ThreadControl tControl;

void* ExtInterpreterCurrent(void) noexcept {
  return tCurrentInterpreter != nullptr ? tCurrentInterpreter
                                        : gil::mainInterpreter()->extensionHandle();
}

const int32_t* ExtCurrentAbortFlag(void) noexcept {
  const ThreadControl& c = tControl;
  if (c.cells == nullptr) return nullptr;
  // Written by this same thread (the worker, before it runs the task): no atomics needed.
  int32_t slotPlusOne = c.cells[c.currentCell];
  if (slotPlusOne <= 0) return nullptr;
  size_t index = static_cast<size_t>(slotPlusOne - 1) * c.cellsPerSlot + c.abortOffset;
  return index < c.length ? &c.cells[index] : nullptr;
}

// In the order of struct gil_lab_api. The table only grows (see gil_lab.h): version 2 appended
// interpreter_current and current_abort_flag.
const gil_lab_api kExtensionApi = {
    GIL_LAB_API_VERSION,     // version
    ExtInterpreterMain,      // interpreter_main
    ExtInterpreterById,      // interpreter_by_id
    ExtAcquire,              // acquire
    ExtRelease,              // release
    ExtCheckpoint,           // checkpoint
    ExtHeldByCurrentThread,  // held_by_current_thread
    ExtErrorMessage,         // error_message
    ExtInterpreterCurrent,   // interpreter_current (2)
    ExtCurrentAbortFlag,     // current_abort_flag (2)
};

// For addons built against the version-1 header, whose gil_lab_import() accepts exactly version
// 1: the same functions, labelled 1 (they never read past error_message).
const gil_lab_api kExtensionApiV1 = {
    1u,
    ExtInterpreterMain,
    ExtInterpreterById,
    ExtAcquire,
    ExtRelease,
    ExtCheckpoint,
    ExtHeldByCurrentThread,
    ExtErrorMessage,
    nullptr,
    nullptr,
};

const napi_type_tag kCapsuleTag = {GIL_LAB_API_TYPE_TAG_LOWER, GIL_LAB_API_TYPE_TAG_UPPER};

// extensionApi(version = GIL_LAB_API_VERSION) -> the capsule: an External pointing at a static
// table (nothing to free), tagged so that gil_lab_import() can tell it from any other External.
Napi::Value ExtensionApi(const Napi::CallbackInfo& info) {
  const gil_lab_api* table = &kExtensionApi;
  if (info.Length() > 0 && !info[0].IsUndefined()) {
    if (!info[0].IsNumber())
      throw Napi::TypeError::New(info.Env(), "version must be a number (1 or 2)");
    double version = info[0].As<Napi::Number>().DoubleValue();
    if (version == 1) {
      table = &kExtensionApiV1;
    } else if (version != GIL_LAB_API_VERSION) {
      throw Napi::RangeError::New(info.Env(), "version must be 1 or " +
                                                  std::to_string(GIL_LAB_API_VERSION) + ", got " +
                                                  info[0].ToString().Utf8Value());
    }
  }
  auto capsule = Napi::External<gil_lab_api>::New(info.Env(), const_cast<gil_lab_api*>(table));
  capsule.TypeTag(&kCapsuleTag);
  return capsule;
}

// setThreadInterpreter(id | undefined): what interpreter_current() answers on this thread.
Napi::Value SetThreadInterpreter(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || info[0].IsUndefined()) {
    tCurrentInterpreter = nullptr;
    return info.Env().Undefined();
  }
  if (!info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "id must be a number");
  double id = info[0].As<Napi::Number>().DoubleValue();
  if (!(id >= 0 && id <= 4294967295.0) || id != static_cast<double>(static_cast<uint32_t>(id)))
    throw Napi::RangeError::New(info.Env(), "id must be an interpreter id (a uint32)");
  auto found = gil::findInterpreter(static_cast<uint32_t>(id));
  if (!found) throw Napi::RangeError::New(info.Env(), "id: no interpreter with this id");
  tCurrentInterpreter = found->extensionHandle();
  return info.Env().Undefined();
}

// A non-negative integer argument below `limit`, or a TypeError/RangeError naming it.
size_t indexArg(const Napi::CallbackInfo& info, size_t i, const char* name, size_t limit) {
  if (info.Length() <= i || !info[i].IsNumber())
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 0 && v < static_cast<double>(limit)) ||
      v != static_cast<double>(static_cast<size_t>(v)))
    throw Napi::RangeError::New(info.Env(), std::string(name) + " must be an integer from 0 to " +
                                                std::to_string(limit - 1));
  return static_cast<size_t>(v);
}

// setThreadControl(cells | undefined, currentCell, cellsPerSlot, abortOffset): registers this
// thread's executor control block for current_abort_flag() (see ThreadControl); the caller keeps
// the Int32Array's buffer alive while it is registered.
Napi::Value SetThreadControl(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || info[0].IsUndefined()) {
    tControl = ThreadControl{};
    return info.Env().Undefined();
  }
  if (!info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(info.Env(), "cells must be an Int32Array or undefined");
  auto cells = info[0].As<Napi::Int32Array>();
  size_t length = cells.ElementLength();
  if (length < 1) throw Napi::RangeError::New(info.Env(), "cells must not be empty");
  ThreadControl c;
  c.currentCell = indexArg(info, 1, "currentCell", length);
  c.cellsPerSlot = indexArg(info, 2, "cellsPerSlot", 65);
  if (c.cellsPerSlot == 0)
    throw Napi::RangeError::New(info.Env(), "cellsPerSlot must be at least 1");
  c.abortOffset = indexArg(info, 3, "abortOffset", c.cellsPerSlot);
  c.cells = cells.Data();
  c.length = length;
  tControl = c;
  return info.Env().Undefined();
}

// --- C++-side measurements for the `lock` bench suite
// --------------------------------------------- (Registered here with the table they measure; each
// call is bounded to a few seconds.)

uint32_t countArg(const Napi::CallbackInfo& info, size_t i, const char* name, double min,
                  double max) {
  if (info.Length() <= i || !info[i].IsNumber())
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  double n = info[i].As<Napi::Number>().DoubleValue();
  if (!(n >= min && n <= max) || n != static_cast<double>(static_cast<uint32_t>(n))) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + " must be an integer between " +
                                                std::to_string(static_cast<uint32_t>(min)) +
                                                " and " +
                                                std::to_string(static_cast<uint32_t>(max)));
  }
  return static_cast<uint32_t>(n);
}

// Mean ns per checkpoint() through the extension table, holding one interpreter's lock while
// `liveInterpreters` - 1 others exist: the handle lookup must not grow with that number.
double extensionCheckpointNs(uint32_t liveInterpreters, uint32_t iterations) {
  // The target first: a lookup that scanned the interpreters newest-first would find it last.
  auto target = gil::createInterpreter(gil::LockConfig{});
  std::vector<std::shared_ptr<gil::Interpreter>> others;
  for (uint32_t i = 1; i < liveInterpreters; i++)
    others.push_back(gil::createInterpreter(gil::LockConfig{}));
  void* handle = kExtensionApi.interpreter_by_id(target->id());
  double ns = 0;
  if (kExtensionApi.acquire(handle) == gil::kOk) {
    auto t0 = std::chrono::steady_clock::now();
    for (uint32_t i = 0; i < iterations; i++) kExtensionApi.checkpoint(handle);  // atomics: kept
    auto t1 = std::chrono::steady_clock::now();
    kExtensionApi.release(handle);
    ns = std::chrono::duration<double, std::nano>(t1 - t0).count() / iterations;
  }
  gil::destroyInterpreter(target->id());
  for (auto& interp : others) gil::destroyInterpreter(interp->id());
  return ns;
}

// benchExtensionCheckpoint(liveInterpreters, iterations) -> mean ns per checkpoint()
Napi::Value BenchExtensionCheckpoint(const Napi::CallbackInfo& info) {
  uint32_t live = countArg(info, 0, "liveInterpreters", 1, 100'000);
  uint32_t iterations = countArg(info, 1, "iterations", 1, 50'000'000);
  return Napi::Number::New(info.Env(), extensionCheckpointNs(live, iterations));
}

// benchPairAfterManyInterpreters(interpretersUsedBefore, iterations) -> mean ns per pair
Napi::Value BenchPairAfterManyInterpreters(const Napi::CallbackInfo& info) {
  uint32_t used = countArg(info, 0, "interpretersUsedBefore", 0, 100'000);
  uint32_t iterations = countArg(info, 1, "iterations", 1, 50'000'000);
  return Napi::Number::New(info.Env(), gil::benchPairAfterManyInterpretersNs(used, iterations));
}

Napi::Value ExtensionApiVersion(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), GIL_LAB_API_VERSION);
}

}  // namespace

void RegisterExtensionApi(Napi::Env env, Napi::Object exports) {
  exports.Set("extensionApi", Napi::Function::New(env, ExtensionApi, "extensionApi"));
  exports.Set("setThreadInterpreter",
              Napi::Function::New(env, SetThreadInterpreter, "setThreadInterpreter"));
  exports.Set("setThreadControl", Napi::Function::New(env, SetThreadControl, "setThreadControl"));
  exports.Set("extensionApiVersion",
              Napi::Function::New(env, ExtensionApiVersion, "extensionApiVersion"));
  exports.Set("benchExtensionCheckpoint",
              Napi::Function::New(env, BenchExtensionCheckpoint, "benchExtensionCheckpoint"));
  exports.Set(
      "benchPairAfterManyInterpreters",
      Napi::Function::New(env, BenchPairAfterManyInterpreters, "benchPairAfterManyInterpreters"));
}
