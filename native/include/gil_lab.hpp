// gil_lab.hpp: C++ helpers over gil_lab.h (header-only, C++17, needs exceptions).
//
//   const gil_lab::Api api = gil_lab::Api::fromCapsule(env, capsule);  // throws gil_lab::Error
//   gil_lab::Interpreter interp = api.currentInterpreter();  // or mainInterpreter(),
//   interpreterById() const int32_t* abortFlag = api.currentAbortFlag();      // the running
//   task's, or nullptr
//   {
//     gil_lab::HoldLock hold(interp);        // like code that runs under the GIL
//     for (...) { work(); hold.checkpoint(); if (gil_lab::abortRequested(abortFlag)) break; }
//   }
//   {
//     gil_lab::HoldLock hold(interp);
//     gil_lab::ReleaseLock released(interp);  // Py_BEGIN_ALLOW_THREADS ... Py_END_ALLOW_THREADS
//     work();                                 // runs in parallel with other threads
//   }
//
// Every failure throws gil_lab::Error carrying the code and a message that names the operation.
// Destructors cannot throw: a guard that fails to undo its change at the end of its scope (only
// possible after misuse, such as releasing the lock by hand inside a HoldLock) writes the message
// to stderr; call the guard's explicit end (HoldLock::release, ReleaseLock::reacquire) to get it as
// an exception instead.
#pragma once

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "gil_lab.h"

namespace gil_lab {

// The symbolic name of a result code, for messages: "GIL_LAB_ERR_NOT_HELD".
inline const char* codeName(int code) {
  switch (code) {
    case GIL_LAB_OK:
      return "GIL_LAB_OK";
    case GIL_LAB_ERR_NOT_HELD:
      return "GIL_LAB_ERR_NOT_HELD";
    case GIL_LAB_ERR_ALREADY_HELD:
      return "GIL_LAB_ERR_ALREADY_HELD";
    case GIL_LAB_ERR_NO_INTERPRETER:
      return "GIL_LAB_ERR_NO_INTERPRETER";
    case GIL_LAB_ERR_BUSY:
      return "GIL_LAB_ERR_BUSY";
    case GIL_LAB_ERR_INVALID_ARGUMENT:
      return "GIL_LAB_ERR_INVALID_ARGUMENT";
    case GIL_LAB_ERR_SHUTDOWN:
      return "GIL_LAB_ERR_SHUTDOWN";
  }
  return "unknown gil-lab error code";
}

class Error : public std::runtime_error {
 public:
  Error(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  // A GIL_LAB_ERR_* code.
  int code() const noexcept { return code_; }

 private:
  int code_;
};

class Interpreter;

// The imported function table. Copyable and cheap: it only points at gil-lab's static table.
class Api {
 public:
  // The table inside a capsule (the value of gil-lab's extensionApi()). Throws Error with
  // GIL_LAB_ERR_INVALID_ARGUMENT if `capsule` is not one, or carries another API version.
  static Api fromCapsule(napi_env env, napi_value capsule) {
    const gil_lab_api* table = gil_lab_import(env, capsule);
    if (table == nullptr) {
      throw Error(GIL_LAB_ERR_INVALID_ARGUMENT,
                  "not a gil-lab extension API capsule of version " +
                      std::to_string(GIL_LAB_API_VERSION) + " or later" +
                      ": pass the value of extensionApi() from the gil-lab package (an addon built "
                      "against another gil_lab.h version needs to be rebuilt)");
    }
    return Api(*table);
  }
  explicit Api(const gil_lab_api& table) : table_(&table) {}

  const gil_lab_api& table() const { return *table_; }
  const char* message(int code) const { return table_->error_message(code); }

  // The process-wide main interpreter: its lock is the GIL shared by every thread.
  inline Interpreter mainInterpreter() const;
  // The interpreter with this id; throws Error(GIL_LAB_ERR_NO_INTERPRETER) if there is none.
  inline Interpreter interpreterById(uint32_t id) const;
  // The calling thread's current interpreter (its executor worker's, else the main one): ask on
  // the JavaScript thread, then use it from any thread.
  inline Interpreter currentInterpreter() const;
  // The abort flag of the task the calling JavaScript thread runs (nullptr outside a task); valid
  // until that task has finished. Poll it with abortRequested().
  const int32_t* currentAbortFlag() const { return table_->current_abort_flag(); }

  // Throws Error for a negative result of `operation`; returns non-negative results unchanged.
  int check(int result, const char* operation) const {
    if (result < 0) {
      throw Error(result, std::string("gil-lab ") + operation + " failed: " + message(result) +
                              " (" + codeName(result) + ")");
    }
    return result;
  }

 private:
  const gil_lab_api* table_;
};

// One interpreter: the table plus the opaque pointer the table's functions take.
class Interpreter {
 public:
  Interpreter(Api api, void* handle) : api_(api), handle_(handle) {}
  const Api& api() const { return api_; }
  void* handle() const { return handle_; }

  void acquire() const { api_.check(api_.table().acquire(handle_), "acquire()"); }
  void release() const { api_.check(api_.table().release(handle_), "release()"); }
  // True if the calling thread yielded the lock to another thread and took it back.
  bool checkpoint() const {
    return api_.check(api_.table().checkpoint(handle_), "checkpoint()") == 1;
  }
  bool heldByCurrentThread() const {
    return api_.check(api_.table().held_by_current_thread(handle_), "held_by_current_thread()") ==
           1;
  }

 private:
  Api api_;
  void* handle_;
};

inline Interpreter Api::mainInterpreter() const {
  return Interpreter(*this, table_->interpreter_main());
}

inline Interpreter Api::currentInterpreter() const {
  return Interpreter(*this, table_->interpreter_current());
}

// Whether an abort flag asks to stop (false for nullptr).
inline bool abortRequested(const int32_t* flag) { return gil_lab_abort_requested(flag) != 0; }

inline Interpreter Api::interpreterById(uint32_t id) const {
  void* handle = table_->interpreter_by_id(id);
  if (handle == nullptr) {
    throw Error(GIL_LAB_ERR_NO_INTERPRETER, "gil-lab: no interpreter with id " +
                                                std::to_string(id) + " (" +
                                                message(GIL_LAB_ERR_NO_INTERPRETER) + ")");
  }
  return Interpreter(*this, handle);
}

namespace detail {
inline void reportFromDestructor(const Error& e) {
  std::fprintf(stderr, "%s (at the end of a gil_lab guard's scope)\n", e.what());
}
}  // namespace detail

// Holds the interpreter's lock for its scope, as code running under the GIL does. If the calling
// thread already holds it (a ThreadPoolExecutor worker runs its tasks holding the lock) it is kept
// and left held at the end; otherwise it is acquired here and released at the end
// (PyGILState_Ensure / PyGILState_Release). Call checkpoint() between slices of work.
class HoldLock {
 public:
  explicit HoldLock(const Interpreter& interp) : interp_(interp) {
    if (!interp_.heldByCurrentThread()) {
      interp_.acquire();
      acquiredHere_ = true;
    }
  }
  ~HoldLock() {
    if (!acquiredHere_) return;
    try {
      release();
    } catch (const Error& e) {
      detail::reportFromDestructor(e);
    }
  }
  HoldLock(const HoldLock&) = delete;
  HoldLock& operator=(const HoldLock&) = delete;

  // The eval-breaker check; true if it yielded. Counts the yields.
  bool checkpoint() {
    bool yielded = interp_.checkpoint();
    yields_ += yielded ? 1 : 0;
    return yielded;
  }
  uint64_t yields() const { return yields_; }
  // Whether this guard took the lock (and so will release it).
  bool acquiredHere() const { return acquiredHere_; }
  // Ends the hold now (if this guard acquired the lock), throwing on failure.
  void release() {
    if (!acquiredHere_) return;
    acquiredHere_ = false;
    interp_.release();
  }

 private:
  Interpreter interp_;
  bool acquiredHere_ = false;
  uint64_t yields_ = 0;
};

// Releases the lock for its scope and takes it back at the end: Py_BEGIN_ALLOW_THREADS /
// Py_END_ALLOW_THREADS. The calling thread must hold the lock (Error GIL_LAB_ERR_NOT_HELD
// otherwise). Inside the scope, touch no JavaScript value and nothing else the lock protects.
class ReleaseLock {
 public:
  explicit ReleaseLock(const Interpreter& interp) : interp_(interp) {
    interp_.release();
    released_ = true;
  }
  ~ReleaseLock() {
    if (!released_) return;
    try {
      reacquire();
    } catch (const Error& e) {
      detail::reportFromDestructor(e);
    }
  }
  ReleaseLock(const ReleaseLock&) = delete;
  ReleaseLock& operator=(const ReleaseLock&) = delete;

  // Takes the lock back now, throwing on failure.
  void reacquire() {
    if (!released_) return;
    released_ = false;
    interp_.acquire();
  }

 private:
  Interpreter interp_;
  bool released_ = false;
};

}  // namespace gil_lab
