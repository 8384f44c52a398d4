// Node-API binding of a plain OS thread under the lock (native/core/kernels/os_thread.h):
//   osThreadFirstResult(interpreterId, spinNs) -> { firstResultNs, iterations, threadId }
// Synchronous, as threading.Thread(...).start() then waiting for the answer: if the calling thread
// holds the lock it lets go while it waits (as a blocking queue.get() releases the GIL) and takes
// it back after. The wait is bounded (10 s): the addon never hangs on it.
#include "kernels/os_thread.h"

#include <napi.h>

#include <memory>
#include <string>

#include "common.h"
#include "interpreter_lock.h"
#include "kernels/slice_hook.h"

namespace {

constexpr uint64_t kMaxSpinNs = 10ull * 1000 * 1000 * 1000;  // 10 s of work at most
constexpr uint64_t kTimeoutNs = 10ull * 1000 * 1000 * 1000 + kMaxSpinNs;

Napi::Value OsThreadFirstResult(const Napi::CallbackInfo& info) {
  try {
    ARG_INTEGER(id, 0, "interpreter id", 0, 0xffffffffull);
    ARG_INTEGER(spinNs, 1, "spinNs", 0, kMaxSpinNs);
    auto interp = gil::findInterpreter(static_cast<uint32_t>(id));
    if (!interp || !interp->alive()) {
      throw Napi::RangeError::New(info.Env(),
                                  "interpreter: no interpreter with id " + std::to_string(id));
    }
    gil::OsThreadResult result;
    int rc;
    try {
      gil::ReleaseScope released(interp->lock());  // re-taken after, also on exceptions
      rc = gil::runOnNewOsThread(interp, spinNs, kTimeoutNs, &result);
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), std::string("osThreadFirstResult: ") + e.what());
    }
    if (rc != gil::kOk) {
      throw Napi::Error::New(info.Env(),
                             std::string("osThreadFirstResult: ") + gil::lockErrorMessage(rc));
    }
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("firstResultNs", static_cast<double>(result.firstResultNs));
    o.Set("iterations", static_cast<double>(result.iterations));
    o.Set("threadId", static_cast<double>(result.threadId));
    return o;
  } catch (const Napi::Error& e) {
    return gil_addon::throwSafely(info.Env(), e);
  }
}

}  // namespace

void RegisterOsThread(Napi::Env env, Napi::Object exports) {
  exports.Set("osThreadFirstResult",
              Napi::Function::New(env, OsThreadFirstResult, "osThreadFirstResult"));
}
