// An extension written against gil-lab's public header alone: Collatz stopping times, computed
// either holding the interpreter lock (like interpreted code: it checkpoints between slices, so
// other threads get their turn) or releasing it for the whole computation (like numpy: other
// threads run in parallel). Plain Node-API (node_api.h) plus native/include/gil_lab.hpp; nothing
// else from gil-lab is compiled or linked in.
//
// JavaScript API (see ../index.js):
//   init(capsule)                    imports the table from gil-lab's extensionApi(); per thread
//   stoppingTimes(lo, hi, mode, interpreterId?, abortFlag?)
//       -> { count, totalSteps, maxSteps, argMax, yields, acquiredLock, aborted }
//   stoppingTimesAsync(lo, hi, mode, interpreterId?, abortFlag?) -> Promise of the same
//       the same computation as napi_async_work on Node's thread pool: the calling thread goes on
//       (an executor worker lets go of its lock while it awaits), the pool thread takes the lock
//       and holds it (checkpointing) or releases it for the computation.
// Without interpreterId the kernel uses the calling thread's current interpreter, and without
// abortFlag the running executor task's abort flag: both from the C API (version 2), so a task
// needs to pass neither.
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include "gil_lab.hpp"

namespace {

// Steps per slice: a Collatz step is a few nanoseconds, so a slice is some tens of microseconds,
// the granularity at which a holder notices a drop request.
constexpr uint64_t kStepsPerSlice = 16384;

// Argument errors, thrown to JavaScript as TypeError / RangeError.
struct ArgumentError {
  bool range;  // RangeError, else TypeError
  std::string message;
};

// The table imported by init(), per JavaScript thread (Node-API instance data).
struct ThreadState {
  const gil_lab_api* table = nullptr;
};

ThreadState* state(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  return static_cast<ThreadState*>(data);
}

// The total stopping time of n >= 1: steps of n -> n/2 (even) or 3n+1 (odd) until 1. For
// n < 2^32 every value on the way fits in 64 bits (the largest, from n = 1,410,123,943, is
// about 7.1e18 < 2^63).
//
// Not inlined, so that both modes run the very same machine code for the inner loop: inlined into
// each mode's kernel, the compiler laid the loop out differently and the modes ran ~10% apart on
// one thread, which would blur the comparison this example exists for.
#if defined(_MSC_VER)
__declspec(noinline)
#else
__attribute__((noinline))
#endif
    uint64_t stoppingTime(uint64_t n) {
  uint64_t steps = 0;
  while (n != 1) {
    n = (n & 1) ? 3 * n + 1 : n >> 1;
    steps++;
  }
  return steps;
}

struct Result {
  uint64_t count = 0, totalSteps = 0, maxSteps = 0, argMax = 0;
  bool aborted = false;
};

// The kernel: for n in [lo, hi), calls `betweenSlices` after every kStepsPerSlice steps or so,
// and stops early (aborted) when it returns false.
template <typename BetweenSlices>
Result stoppingTimes(uint64_t lo, uint64_t hi, BetweenSlices betweenSlices) {
  Result r;
  uint64_t sliceSteps = 0;
  for (uint64_t n = lo; n < hi; n++) {
    uint64_t steps = stoppingTime(n);
    r.count++;
    r.totalSteps += steps;
    if (steps > r.maxSteps || r.count == 1) {
      r.maxSteps = steps;
      r.argMax = n;
    }
    sliceSteps += steps + 1;
    if (sliceSteps >= kStepsPerSlice) {
      sliceSteps = 0;
      if (!betweenSlices()) {
        r.aborted = n + 1 < hi;
        break;
      }
    }
  }
  return r;
}

// The computation as a CPython extension function runs it, on whichever thread calls this: enter
// holding the lock (taken here unless this thread holds it already, as a ThreadPoolExecutor
// worker running a task does), then either keep it and checkpoint between slices (hold, like
// interpreted code) or release it for the whole computation (Py_BEGIN/END_ALLOW_THREADS). An
// abort flag (another thread sets it nonzero) stops it within one slice.
struct Outcome {
  Result r;
  uint64_t yields = 0;
  bool acquiredLock = false;
};

Outcome runStoppingTimes(const gil_lab::Interpreter& interp, uint64_t lo, uint64_t hi,
                         bool release, const int32_t* abortFlag) {
  Outcome out;
  gil_lab::HoldLock hold(interp);
  out.acquiredLock = hold.acquiredHere();
  if (!release) {
    out.r = stoppingTimes(lo, hi, [&] {
      hold.checkpoint();
      return !gil_lab::abortRequested(abortFlag);
    });
    out.yields = hold.yields();
  } else {
    gil_lab::ReleaseLock released(interp);  // Py_BEGIN_ALLOW_THREADS
    out.r = stoppingTimes(lo, hi, [&] { return !gil_lab::abortRequested(abortFlag); });
    released.reacquire();  // Py_END_ALLOW_THREADS, with errors as exceptions
  }
  hold.release();
  return out;
}

// --- Node-API plumbing ---------------------------------------------------------------------------

void throwPending(napi_env env, const ArgumentError& e) {
  if (e.range) {
    napi_throw_range_error(env, nullptr, e.message.c_str());
  } else {
    napi_throw_type_error(env, nullptr, e.message.c_str());
  }
}

// Runs `body`, turning C++ exceptions into JavaScript ones; a gil_lab::Error keeps its code name
// (err.code === 'GIL_LAB_ERR_NOT_HELD', ...).
template <typename Body>
napi_value guarded(napi_env env, Body body) {
  try {
    return body();
  } catch (const ArgumentError& e) {
    throwPending(env, e);
  } catch (const gil_lab::Error& e) {
    napi_throw_error(env, gil_lab::codeName(e.code()), e.what());
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

void check(napi_env env, napi_status status) {
  if (status == napi_ok) return;
  const napi_extended_error_info* info = nullptr;
  napi_get_last_error_info(env, &info);
  throw std::runtime_error(std::string("Node-API call failed: ") +
                           (info && info->error_message ? info->error_message : "unknown"));
}

std::string typeName(napi_env env, napi_value v) {
  napi_valuetype t;
  check(env, napi_typeof(env, v, &t));
  switch (t) {
    case napi_undefined:
      return "undefined";
    case napi_null:
      return "null";
    case napi_boolean:
      return "boolean";
    case napi_number:
      return "number";
    case napi_string:
      return "string";
    case napi_symbol:
      return "symbol";
    case napi_object:
      return "object";
    case napi_function:
      return "function";
    case napi_external:
      return "external";
    case napi_bigint:
      return "bigint";
  }
  return "value";
}

// An integer argument in [min, max], or a TypeError/RangeError naming it.
uint64_t integerArg(napi_env env, napi_value v, const char* name, double min, double max) {
  napi_valuetype t;
  check(env, napi_typeof(env, v, &t));
  if (t != napi_number) {
    throw ArgumentError{false, std::string(name) + " must be an integer, got " + typeName(env, v)};
  }
  double d = 0;
  check(env, napi_get_value_double(env, v, &d));
  if (!(d >= min && d <= max) || d != std::floor(d)) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s must be an integer between %.0f and %.0f, got %.17g", name,
                  min, max, d);
    throw ArgumentError{true, buf};
  }
  return static_cast<uint64_t>(d);
}

std::string stringArg(napi_env env, napi_value v, const char* name) {
  napi_valuetype t;
  check(env, napi_typeof(env, v, &t));
  if (t != napi_string) {
    throw ArgumentError{false, std::string(name) + " must be a string, got " + typeName(env, v)};
  }
  char buf[32];
  size_t len = 0;
  check(env, napi_get_value_string_utf8(env, v, buf, sizeof buf, &len));
  return std::string(buf, len);
}

void setNumber(napi_env env, napi_value obj, const char* key, double value) {
  napi_value v;
  check(env, napi_create_double(env, value, &v));
  check(env, napi_set_named_property(env, obj, key, v));
}

void setBoolean(napi_env env, napi_value obj, const char* key, bool value) {
  napi_value v;
  check(env, napi_get_boolean(env, value, &v));
  check(env, napi_set_named_property(env, obj, key, v));
}

// init(capsule): the analogue of numpy's import_array(). Each JavaScript thread (main or worker)
// calls it once with the capsule from gil-lab's extensionApi().
napi_value Init(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    size_t argc = 1;
    napi_value argv[1] = {nullptr};
    check(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
    if (argc < 1) throw ArgumentError{false, "init(capsule): capsule is required"};
    const gil_lab_api* table = gil_lab_import(env, argv[0]);
    if (table == nullptr) {
      throw ArgumentError{
          false, "init(capsule): capsule is not a gil-lab extension API capsule of version " +
                     std::to_string(GIL_LAB_API_VERSION) + " or later (got " +
                     typeName(env, argv[0]) +
                     "); pass extensionApi() from the gil-lab package, and rebuild this addon "
                     "against the gil_lab.h of the gil-lab you use"};
    }
    state(env)->table = table;
    napi_value undefined;
    check(env, napi_get_undefined(env, &undefined));
    return undefined;
  });
}

// An optional Int32Array argument (undefined: none): a pointer to its first element.
const int32_t* abortFlagArg(napi_env env, napi_value v) {
  napi_valuetype t;
  check(env, napi_typeof(env, v, &t));
  if (t == napi_undefined) return nullptr;
  bool isTypedArray = false;
  check(env, napi_is_typedarray(env, v, &isTypedArray));
  napi_typedarray_type type = napi_uint8_array;
  size_t length = 0;
  void* data = nullptr;
  if (isTypedArray) {
    check(env, napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr));
  }
  if (!isTypedArray || type != napi_int32_array) {
    throw ArgumentError{false, "abortFlag must be an Int32Array, got " + typeName(env, v)};
  }
  if (length < 1) throw ArgumentError{true, "abortFlag must have at least one element"};
  return static_cast<const int32_t*>(data);
}

// The checked arguments of stoppingTimes / stoppingTimesAsync.
struct Call {
  const gil_lab_api* table = nullptr;
  void* handle = nullptr;
  uint64_t lo = 0, hi = 0;
  bool release = false;
  const int32_t* abortFlag = nullptr;
  napi_value abortFlagArray = nullptr;  // the caller's Int32Array, if one was given
};

// (lo, hi, mode, interpreterId?, abortFlag?): mode 'hold' or 'release'; interpreterId defaults to
// the calling thread's current interpreter, abortFlag to the running executor task's flag.
Call parseCall(napi_env env, napi_callback_info info, const char* name) {
  size_t argc = 5;
  napi_value argv[5] = {nullptr, nullptr, nullptr, nullptr, nullptr};
  check(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Call c;
  c.table = state(env)->table;
  if (c.table == nullptr) {
    throw std::runtime_error(std::string(name) +
                             "(): call init(extensionApi()) on this thread first (each thread "
                             "loads its own instance of the addon)");
  }
  if (argc < 3)
    throw ArgumentError{false, std::string(name) + "(lo, hi, mode): expected 3 arguments"};
  const double kMaxN = 4294967296.0;  // 2^32: see stoppingTime()
  c.lo = integerArg(env, argv[0], "lo", 1, kMaxN);
  c.hi = integerArg(env, argv[1], "hi", 1, kMaxN);
  if (c.hi < c.lo) throw ArgumentError{true, "hi must be >= lo"};
  std::string mode = stringArg(env, argv[2], "mode");
  if (mode != "hold" && mode != "release") {
    throw ArgumentError{true, "mode must be 'hold' or 'release', got '" + mode + "'"};
  }
  c.release = mode == "release";
  napi_valuetype idType = napi_undefined;
  if (argc >= 4) check(env, napi_typeof(env, argv[3], &idType));
  if (idType != napi_undefined) {
    uint32_t id =
        static_cast<uint32_t>(integerArg(env, argv[3], "interpreterId", 0, 4294967295.0));
    c.handle = c.table->interpreter_by_id(id);
    if (c.handle == nullptr) {
      throw ArgumentError{true, "interpreterId: no interpreter with id " + std::to_string(id)};
    }
  } else {
    c.handle = c.table->interpreter_current();
  }
  c.abortFlag = argc >= 5 ? abortFlagArg(env, argv[4]) : nullptr;
  if (c.abortFlag != nullptr) {
    c.abortFlagArray = argv[4];
  } else {
    c.abortFlag = c.table->current_abort_flag();
  }
  return c;
}

napi_value resultObject(napi_env env, const Outcome& o) {
  napi_value out;
  check(env, napi_create_object(env, &out));
  setNumber(env, out, "count", static_cast<double>(o.r.count));
  setNumber(env, out, "totalSteps", static_cast<double>(o.r.totalSteps));
  setNumber(env, out, "maxSteps", static_cast<double>(o.r.maxSteps));
  setNumber(env, out, "argMax", static_cast<double>(o.r.argMax));
  setNumber(env, out, "yields", static_cast<double>(o.yields));
  setBoolean(env, out, "acquiredLock", o.acquiredLock);
  setBoolean(env, out, "aborted", o.r.aborted);
  return out;
}

napi_value StoppingTimes(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call c = parseCall(env, info, "stoppingTimes");
    gil_lab::Interpreter interp(gil_lab::Api(*c.table), c.handle);
    return resultObject(env, runStoppingTimes(interp, c.lo, c.hi, c.release, c.abortFlag));
  });
}

// --- the asynchronous variant: napi_async_work ---------------------------------------------------

struct AsyncCall {
  Call call;
  napi_async_work work = nullptr;
  napi_deferred deferred = nullptr;
  napi_ref abortFlagRef = nullptr;  // keeps the caller's Int32Array alive while the work runs
  Outcome outcome;
  std::string error;  // set by Execute on failure
  int errorCode = 0;  // a GIL_LAB_ERR_* code, or 0
};

// On a thread of Node's pool: no JavaScript here, and nothing may throw out of it. The lock is
// taken, held or released, and let go again on this thread.
void ExecuteAsync(napi_env, void* data) {
  auto* a = static_cast<AsyncCall*>(data);
  try {
    gil_lab::Interpreter interp(gil_lab::Api(*a->call.table), a->call.handle);
    a->outcome = runStoppingTimes(interp, a->call.lo, a->call.hi, a->call.release, a->call.abortFlag);
  } catch (const gil_lab::Error& e) {
    a->error = e.what();
    a->errorCode = e.code();
  } catch (const std::exception& e) {
    a->error = e.what();
  }
}

// Back on the calling JavaScript thread: settle the Promise and free everything.
void CompleteAsync(napi_env env, napi_status status, void* data) {
  std::unique_ptr<AsyncCall> a(static_cast<AsyncCall*>(data));
  if (a->abortFlagRef != nullptr) napi_delete_reference(env, a->abortFlagRef);
  napi_delete_async_work(env, a->work);
  napi_value settled = nullptr;
  bool ok = false;
  if (status == napi_ok && a->error.empty()) {
    try {
      settled = resultObject(env, a->outcome);
      ok = true;
    } catch (const std::exception& e) {
      a->error = e.what();
    }
  } else if (status != napi_ok) {
    a->error = "stoppingTimesAsync(): the work was cancelled";
  }
  if (!ok) {
    napi_value message = nullptr, code = nullptr;
    napi_create_string_utf8(env, a->error.c_str(), NAPI_AUTO_LENGTH, &message);
    if (a->errorCode != 0) {
      napi_create_string_utf8(env, gil_lab::codeName(a->errorCode), NAPI_AUTO_LENGTH, &code);
    }
    napi_create_error(env, code, message, &settled);
  }
  if (ok) {
    napi_resolve_deferred(env, a->deferred, settled);
  } else {
    napi_reject_deferred(env, a->deferred, settled);
  }
}

napi_value StoppingTimesAsync(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = std::make_unique<AsyncCall>();
    a->call = parseCall(env, info, "stoppingTimesAsync");
    if (a->call.abortFlagArray != nullptr) {
      check(env, napi_create_reference(env, a->call.abortFlagArray, 1, &a->abortFlagRef));
    }
    napi_value promise, name;
    check(env, napi_create_promise(env, &a->deferred, &promise));
    check(env, napi_create_string_utf8(env, "collatz.stoppingTimesAsync", NAPI_AUTO_LENGTH, &name));
    check(env, napi_create_async_work(env, nullptr, name, ExecuteAsync, CompleteAsync, a.get(),
                                      &a->work));
    if (napi_queue_async_work(env, a->work) != napi_ok) {
      napi_delete_async_work(env, a->work);
      if (a->abortFlagRef != nullptr) napi_delete_reference(env, a->abortFlagRef);
      throw std::runtime_error("stoppingTimesAsync(): could not queue the work");
    }
    a.release();  // CompleteAsync owns it now
    return promise;
  });
}

napi_value ModuleInit(napi_env env, napi_value exports) {
  auto* threadState = new ThreadState();
  napi_set_instance_data(
      env, threadState, [](napi_env, void* data, void*) { delete static_cast<ThreadState*>(data); },
      nullptr);
  napi_property_descriptor props[] = {
      {"init", nullptr, Init, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"stoppingTimes", nullptr, StoppingTimes, nullptr, nullptr, nullptr, napi_enumerable,
       nullptr},
      {"stoppingTimesAsync", nullptr, StoppingTimesAsync, nullptr, nullptr, nullptr,
       napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, ModuleInit)
