// The C extension API (native/include/gil_lab.h): a static table of C functions over the core's
// interpreter registry, handed to other addons inside a type-tagged External (the "capsule").
//
// Another addon calls these function pointers directly, from any thread, so the lock it reaches is
// the very one `Interpreter` uses in this process: there is one registry per process, because this
// shared object is loaded once per process (worker threads reuse it and get their own exports).
#include <napi.h>

#include "../include/gil_lab.h"
#include "interpreter_lock.h"

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

// In the order of struct gil_lab_api.
const gil_lab_api kExtensionApi = {
    GIL_LAB_API_VERSION,     // version
    ExtInterpreterMain,      // interpreter_main
    ExtInterpreterById,      // interpreter_by_id
    ExtAcquire,              // acquire
    ExtRelease,              // release
    ExtCheckpoint,           // checkpoint
    ExtHeldByCurrentThread,  // held_by_current_thread
    ExtErrorMessage,         // error_message
};

const napi_type_tag kCapsuleTag = {GIL_LAB_API_TYPE_TAG_LOWER, GIL_LAB_API_TYPE_TAG_UPPER};

// extensionApi() -> the capsule: an External pointing at the static table (nothing to free),
// tagged so that gil_lab_import() can tell it from any other External.
Napi::Value ExtensionApi(const Napi::CallbackInfo& info) {
  auto capsule =
      Napi::External<gil_lab_api>::New(info.Env(), const_cast<gil_lab_api*>(&kExtensionApi));
  capsule.TypeTag(&kCapsuleTag);
  return capsule;
}

Napi::Value ExtensionApiVersion(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), GIL_LAB_API_VERSION);
}

}  // namespace

void RegisterExtensionApi(Napi::Env env, Napi::Object exports) {
  exports.Set("extensionApi", Napi::Function::New(env, ExtensionApi, "extensionApi"));
  exports.Set("extensionApiVersion",
              Napi::Function::New(env, ExtensionApiVersion, "extensionApiVersion"));
}
