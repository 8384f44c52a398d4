// The calling protocol every kernel binding shares (native/addon/kernels.cpp defines the kernels):
// the common argument prefix, a Job (one kernel call with its validated arguments), and how a job
// runs — synchronously on the calling thread, or as an async task on the addon's own threads.
//
// Every kernel function takes (interpreterId, mode, abortFlag, ...kernel arguments): mode 0 = hold,
// 1 = release; abortFlag undefined or an Int32Array (element 0 nonzero: stop within one slice).
// What the modes, the async variants and aborting mean is written once, in src/kernels/index.ts.
#pragma once

#include <napi.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common.h"
#include "interpreter_lock.h"
#include "kernels/blocking_io.h"
#include "kernels/slice_hook.h"

namespace gil_addon {

enum class Mode { Hold = 0, Release = 1 };

struct CallContext {
  std::shared_ptr<gil::Interpreter> interp;
  Mode mode = Mode::Hold;
  const int32_t* abortFlag = nullptr;
  Napi::Value abortFlagArray;  // valid during the call only
};

// Reads and checks (interpreterId, mode, abortFlag).
CallContext contextArgs(const Napi::CallbackInfo& info);

Napi::Error abortError(Napi::Env env, const std::string& kernel);

class Job {
 public:
  explicit Job(const char* name) : name_(name) {}
  virtual ~Job() = default;
  const char* name() const { return name_; }
  // Runs the kernel; any thread, no JavaScript access.
  virtual gil::KernelStatus run(gil::SliceHook& hook) = 0;
  // Builds the JavaScript result; the JavaScript thread.
  virtual Napi::Value result(Napi::Env env) = 0;
  // Blocking I/O: in release mode the lock is let go around each blocking call.
  virtual bool blockingIo() const { return false; }
  // Lets go of the JavaScript references the job holds (async variants); the JavaScript thread.
  virtual void releaseJs() {
    for (ArrayUse& u : uses_) u.ref.Reset();
  }

  // Records a typed array the kernel reads (or writes, if `written`) and points `slot` at its data.
  template <typename T>
  void use(const Napi::TypedArray& array, const char* argName, T*& slot, bool written) {
    slot = dataOf<T>(array);
    ArrayUse u;
    u.array = array;
    u.argName = argName;
    u.redirect = [&slot](void* p) { slot = static_cast<T*>(p); };
    u.bytes = array.ByteLength();
    u.written = written;
    uses_.push_back(std::move(u));
  }

  // Async variants only; the JavaScript thread, before the job starts. A typed array over a plain
  // ArrayBuffer can be detached (transferred) while the kernel works on it, and its memory freed —
  // Node-API has no way to pin it — so the kernel gets a private copy of each such array.
  // SharedArrayBuffers cannot be detached: they are used in place, with no copy. Throws a
  // RangeError naming the argument if a copy cannot be allocated.
  void stageForAsync(Napi::Env env);
  // Async variants only; the JavaScript thread, after the kernel ran: copies written arrays back.
  // Throws if one was detached meanwhile (its result cannot be delivered).
  void unstage(Napi::Env env);

 private:
  struct ArrayUse {
    Napi::TypedArray array;                 // valid during the call only
    Napi::Reference<Napi::TypedArray> ref;  // async variants: keeps it alive until completion
    const char* argName = "";
    std::function<void(void*)> redirect;
    size_t bytes = 0;
    bool written = false;
    std::vector<uint8_t> copy;
    bool staged = false;
  };
  const char* name_;
  std::vector<ArrayUse> uses_;
};

// Runs `job` on the calling thread under the lock protocol of `c.mode`.
Napi::Value runSync(Napi::Env env, const CallContext& c, Job& job);
// Starts `job` on the addon's own threads; returns its promise.
Napi::Value runAsync(Napi::Env env, CallContext c, std::unique_ptr<Job> job);

// The entry point of every kernel binding: checks the prefix, builds the job, runs it. No C++
// exception leaves it: errors are thrown into JavaScript (out of memory as a RangeError).
template <typename J, typename... Args>
Napi::Value dispatch(const Napi::CallbackInfo& info, bool async, Args&&... args) {
  const char* name = "kernel";
  try {
    CallContext c = contextArgs(info);
    auto job = std::make_unique<J>(info, std::forward<Args>(args)...);
    name = job->name();
    if (!async) return runSync(info.Env(), c, *job);
    return runAsync(info.Env(), std::move(c), std::move(job));
  } catch (const Napi::Error& e) {
    return throwSafely(info.Env(), e);
  } catch (const std::bad_alloc&) {
    return throwSafely(info.Env(),
                       Napi::RangeError::New(info.Env(), std::string(name) + ": out of memory"));
  } catch (const std::exception& e) {
    return throwSafely(info.Env(),
                       Napi::Error::New(info.Env(), std::string(name) + ": " + e.what()));
  }
}

// The result of a run of blocking round trips (pipes, sockets, an I/O channel) as JavaScript sees
// it.
inline Napi::Value roundTripsToJs(Napi::Env env, const gil::RoundTripResult& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("roundTrips", static_cast<double>(r.roundTrips));
  o.Set("bytes", static_cast<double>(r.bytes));
  return o;
}

}  // namespace gil_addon
