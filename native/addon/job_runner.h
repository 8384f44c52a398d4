// Async work on threads of the addon's own, never on libuv's 4-thread pool: a lock wait or a long
// kernel there would starve Node's own users of the pool (fs, dns, zlib, crypto), and Node joins
// those threads at exit, so in-flight work there would block process.exit().
//
// A task is started by a JavaScript call, runs execute() on one of the addon's threads (a pool
// that grows as needed; idle threads end after a while) and completes back on the JavaScript
// thread of the environment that started it (a uv_async_t of that environment, inside a callback
// scope, so promise reactions run at once). Each environment has a cleanup hook: when it ends (a
// worker terminated, or calling process.exit()), every task it started is cancelled (its gate), its
// JavaScript references are let go, and a completion that arrives later is dropped (abandon()).
// On the main thread's exit, shutdown() (from a process 'exit' listener) cancels everything and
// ends every lock wait in the process (gil::beginShutdown), so no thread blocks the exit.
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "kernels/slice_hook.h"

namespace gil_addon {

class AsyncTask {
 public:
  // Creates the promise the task settles; the JavaScript thread.
  explicit AsyncTask(Napi::Env env);
  virtual ~AsyncTask() = default;
  AsyncTask(const AsyncTask&) = delete;
  AsyncTask& operator=(const AsyncTask&) = delete;

  // The addon's thread; no JavaScript. Must return promptly once gate() is cancelled, and touch
  // memory owned by the environment only while inside gate().
  virtual void execute() = 0;
  // The JavaScript thread, environment alive; settles the promise. Exceptions are caught (and the
  // promise rejected with a generic error if still pending).
  virtual void complete(Napi::Env env) = 0;
  // The environment ended before completion could be delivered; any thread, no JavaScript. Gives
  // back native resources the completion would have taken over (a lock granted for the thread).
  virtual void abandon() {}
  // Lets go of JavaScript references; the JavaScript thread, environment still alive.
  virtual void releaseJs() {}
  // What the task is, for error messages.
  virtual const char* name() const = 0;

  gil::CancelGate& gate() { return gate_; }
  Napi::Promise promise() const { return promise_; }

  // Settle the promise; never throw (a failure leaves it pending, as nothing else can be done).
  void resolve(napi_env env, napi_value value) noexcept;
  void reject(napi_env env, napi_value error) noexcept;
  void rejectWithMessage(napi_env env, const std::string& message) noexcept;
  bool settled() const { return deferred_ == nullptr; }

 private:
  gil::CancelGate gate_;
  napi_deferred deferred_ = nullptr;
  Napi::Promise promise_;
};

// Runs `task` on one of the addon's threads; the JavaScript thread of `env`. Throws a Napi::Error
// if no thread can be started.
void startTask(Napi::Env env, std::shared_ptr<AsyncTask> task);

}  // namespace gil_addon
