// Node-API bindings for the kernels (native/core/kernels): argument checks, the lock protocol of
// each mode, and AsyncWorker variants.
//
// Every kernel function takes (interpreterId, mode, abortFlag, ...kernel arguments):
//   mode 0 = hold:    runs holding the interpreter's lock, checkpointing between slices.
//   mode 1 = release: lets go of the lock for the computation (Py_BEGIN/END_ALLOW_THREADS) and
//                     takes it back at the end; blocking I/O kernels let go around each blocking
//                     call instead, as CPython's socket and file calls do.
//   abortFlag: undefined, or an Int32Array whose element 0 becoming nonzero stops the kernel
//              within one slice (it may live in a SharedArrayBuffer set by another thread).
// Sync variants run on the calling thread, which must hold the lock (as a C extension needs the
// GIL), except under policy `none`. Async variants (<name>Async) run on the libuv pool and return
// a Promise; the caller need not hold the lock: in hold mode the pool thread acquires it itself,
// checkpoints between slices and releases it at the end; in release mode it runs without it.
// On abort the call throws (or rejects with) an Error named 'AbortError' (code 'ABORT_ERR'); the
// calling thread's lock state is then what it was before the call, as it is after any error.
#include "kernels/kernels.h"

#include <napi.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "interpreter_lock.h"
#include "kernels/blocking_io.h"
#include "kernels/ref_heap.h"

namespace {

using gil::Interpreter;
using gil::InterpreterLock;
using gil::KernelStatus;

constexpr double kTwoTo53 = 9007199254740992.0;  // 2^53: every integer up to it is exact
constexpr uint64_t kMaxIoBytes = 64ull << 20;    // one round trip or one read call: 64 MiB
constexpr uint64_t kMaxSleepNs = 3600ull * 1000 * 1000 * 1000;  // an hour

// --- argument checks ---------------------------------------------------------------------------
// Each check throws a TypeError (wrong type) or RangeError (wrong value) that names the argument.

std::string fmt(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", d);
  return buffer;
}

[[noreturn]] void throwType(Napi::Env env, const std::string& message) {
  throw Napi::TypeError::New(env, message);
}
[[noreturn]] void throwRange(Napi::Env env, const std::string& message) {
  throw Napi::RangeError::New(env, message);
}

// A finite number.
double finiteArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) throwType(info.Env(), std::string(name) + " must be a number");
  const double d = info[i].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d))
    throwRange(info.Env(), std::string(name) + " must be finite, got " + fmt(d));
  return d;
}

// An integer in [min, max] (max <= 2^53).
uint64_t integerArg(const Napi::CallbackInfo& info, size_t i, const char* name, uint64_t min,
                    uint64_t max) {
  if (!info[i].IsNumber()) throwType(info.Env(), std::string(name) + " must be an integer");
  const double d = info[i].As<Napi::Number>().DoubleValue();
  if (!(d >= static_cast<double>(min) && d <= static_cast<double>(max)) || std::floor(d) != d) {
    throwRange(info.Env(), std::string(name) + " must be an integer between " +
                               fmt(static_cast<double>(min)) + " and " +
                               fmt(static_cast<double>(max)) + ", got " + fmt(d));
  }
  return static_cast<uint64_t>(d);
}

// A typed array of the given element type, not detached; `typeName` is for the message.
// (Its buffer may be an ArrayBuffer or a SharedArrayBuffer.)
Napi::TypedArray typedArrayArg(const Napi::CallbackInfo& info, size_t i, const char* name,
                               napi_typedarray_type type, const char* typeName) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != type) {
    throwType(info.Env(), std::string(name) + " must be a " + typeName);
  }
  Napi::TypedArray array = info[i].As<Napi::TypedArray>();
  napi_value buffer;
  NAPI_THROW_IF_FAILED(
      info.Env(),
      napi_get_typedarray_info(info.Env(), array, nullptr, nullptr, nullptr, &buffer, nullptr),
      array);
  bool isArrayBuffer = false, detached = false;
  NAPI_THROW_IF_FAILED(info.Env(), napi_is_arraybuffer(info.Env(), buffer, &isArrayBuffer), array);
  if (isArrayBuffer) {  // a SharedArrayBuffer cannot be detached
    NAPI_THROW_IF_FAILED(info.Env(), napi_is_detached_arraybuffer(info.Env(), buffer, &detached),
                         array);
  }
  if (detached) throwType(info.Env(), std::string(name) + " is backed by a detached ArrayBuffer");
  return array;
}

// The address of element 0 (napi_get_typedarray_info adds the byte offset, for either kind of
// buffer).
template <typename T>
T* dataOf(const Napi::TypedArray& array) {
  void* data = nullptr;
  NAPI_THROW_IF_FAILED(
      array.Env(),
      napi_get_typedarray_info(array.Env(), array, nullptr, nullptr, &data, nullptr, nullptr),
      nullptr);
  return static_cast<T*>(data);
}

#define ARG_FINITE(var, i, name) const double var = finiteArg(info, (i), name)
#define ARG_INTEGER(var, i, name, min, max) \
  const uint64_t var = integerArg(info, (i), name, (min), (max))
#define ARG_TYPED(var, i, name, type, typeName) \
  Napi::TypedArray var = typedArrayArg(info, (i), name, type, typeName)
#define REQUIRE(cond, Kind, message) \
  if (!(cond)) throw Napi::Kind::New(info.Env(), message)

// --- the common prefix: interpreter, mode, abort flag --------------------------------------------

enum class Mode { Hold = 0, Release = 1 };

struct CallContext {
  std::shared_ptr<Interpreter> interp;
  Mode mode = Mode::Hold;
  const int32_t* abortFlag = nullptr;
  Napi::Value abortFlagArray;  // kept alive by async variants
};

CallContext contextArgs(const Napi::CallbackInfo& info) {
  CallContext c;
  const uint64_t id = integerArg(info, 0, "interpreter id", 0, 0xffffffffull);
  c.interp = gil::findInterpreter(static_cast<uint32_t>(id));
  if (!c.interp || !c.interp->alive()) {
    throwRange(info.Env(), "interpreter: no interpreter with id " + std::to_string(id));
  }
  if (!info[1].IsNumber()) throwType(info.Env(), "mode must be 'hold' or 'release'");
  const double mode = info[1].As<Napi::Number>().DoubleValue();
  if (mode != 0 && mode != 1) throwRange(info.Env(), "mode must be 'hold' or 'release'");
  c.mode = mode == 0 ? Mode::Hold : Mode::Release;
  if (!info[2].IsUndefined() && !info[2].IsNull()) {
    ARG_TYPED(flag, 2, "abort flag", napi_int32_array, "Int32Array");
    if (flag.ElementLength() < 1)
      throwRange(info.Env(), "abort flag must have at least one element");
    c.abortFlag = dataOf<int32_t>(flag);
    c.abortFlagArray = flag;
  }
  return c;
}

Napi::Error abortError(Napi::Env env, const std::string& kernel) {
  Napi::Error e = Napi::Error::New(env, kernel + " was aborted");
  e.Set("name", Napi::String::New(env, "AbortError"));
  e.Set("code", Napi::String::New(env, "ABORT_ERR"));
  return e;
}

// --- jobs: one kernel call with its validated arguments -----------------------------------------

class Job {
 public:
  explicit Job(const char* name) : name_(name) {}
  virtual ~Job() = default;
  const char* name() const { return name_; }
  // Runs the kernel; any thread, no JavaScript access.
  virtual KernelStatus run(gil::SliceHook& hook) = 0;
  // Builds the JavaScript result; the JavaScript thread.
  virtual Napi::Value result(Napi::Env env) = 0;
  // Blocking I/O: in release mode the lock is let go around each blocking call.
  virtual bool blockingIo() const { return false; }

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

  // Async variants only; the JavaScript thread, before the job is queued. A typed array over a
  // plain ArrayBuffer can be detached (transferred) while the pool thread works on it, and its
  // memory freed — Node-API has no way to pin it — so the kernel gets a private copy of each such
  // array. SharedArrayBuffers cannot be detached: they are used in place, with no copy.
  void stageForAsync(Napi::Env env) {
    for (ArrayUse& u : uses_) {
      // The napi_value is only valid during this call: keep a reference for OnOK.
      u.ref = Napi::Persistent(u.array);
      if (isSharedBuffer(env, u.array) || u.bytes == 0) continue;
      u.copy.resize(u.bytes);
      std::memcpy(u.copy.data(), dataOf<uint8_t>(u.array), u.bytes);
      u.redirect(u.copy.data());
      u.staged = true;
    }
  }

  // Async variants only; the JavaScript thread, after the kernel ran: copies written arrays back.
  // Throws if one was detached meanwhile (its result cannot be delivered).
  void unstage(Napi::Env env) {
    for (ArrayUse& u : uses_) {
      if (!u.staged || !u.written) continue;
      Napi::TypedArray array = u.ref.Value();
      if (isDetached(env, array) || array.ByteLength() != u.bytes) {
        throw Napi::Error::New(env, std::string(name_) + ": " + u.argName +
                                        "'s buffer was detached while the kernel ran; its output "
                                        "was discarded");
      }
      std::memcpy(dataOf<uint8_t>(array), u.copy.data(), u.bytes);
    }
  }

 private:
  struct ArrayUse {
    Napi::TypedArray array;                 // valid during the call only
    Napi::Reference<Napi::TypedArray> ref;  // async variants: keeps it alive until OnOK
    const char* argName = "";
    std::function<void(void*)> redirect;
    size_t bytes = 0;
    bool written = false;
    std::vector<uint8_t> copy;
    bool staged = false;
  };
  static napi_value bufferOf(Napi::Env env, const Napi::TypedArray& array) {
    napi_value buffer;
    NAPI_THROW_IF_FAILED(
        env, napi_get_typedarray_info(env, array, nullptr, nullptr, nullptr, &buffer, nullptr),
        nullptr);
    return buffer;
  }
  static bool isSharedBuffer(Napi::Env env, const Napi::TypedArray& array) {
    bool isArrayBuffer = false;
    NAPI_THROW_IF_FAILED(env, napi_is_arraybuffer(env, bufferOf(env, array), &isArrayBuffer),
                         false);
    return !isArrayBuffer;
  }
  static bool isDetached(Napi::Env env, const Napi::TypedArray& array) {
    if (isSharedBuffer(env, array)) return false;
    bool detached = false;
    NAPI_THROW_IF_FAILED(env, napi_is_detached_arraybuffer(env, bufferOf(env, array), &detached),
                         false);
    return detached;
  }

  const char* name_;
  std::vector<ArrayUse> uses_;
};

// Runs `job` on the calling thread under the lock protocol of `c.mode`.
Napi::Value runSync(Napi::Env env, const CallContext& c, Job& job) {
  InterpreterLock& lock = c.interp->lock();
  const bool held = lock.heldByCurrentThread();
  if (!held && lock.config().policy != gil::Policy::None) {
    throw Napi::Error::New(env, std::string(job.name()) +
                                    ": the calling thread does not hold interpreter " +
                                    std::to_string(c.interp->id()) +
                                    "'s lock; acquire it first (interpreter.acquire() or await "
                                    "interpreter.acquireAsync()), or use " +
                                    job.name() + "Async");
  }
  KernelStatus status;
  int lockError = 0;
  try {
    if (!held) {  // policy none, and this thread never registered: nothing to check or release
      gil::ReleaseHook hook(c.abortFlag);
      status = job.run(hook);
    } else if (c.mode == Mode::Hold) {
      gil::HoldHook hook(lock, c.abortFlag);
      status = job.run(hook);
      lockError = hook.lockError();
    } else if (job.blockingIo()) {
      gil::ReleaseHook hook(c.abortFlag, &lock);
      status = job.run(hook);
    } else {
      gil::ReleaseScope released(lock);
      gil::ReleaseHook hook(c.abortFlag);
      status = job.run(hook);
    }
  } catch (const std::bad_alloc&) {
    throw Napi::RangeError::New(env, std::string(job.name()) + ": out of memory");
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, std::string(job.name()) + ": " + e.what());
  }
  if (lockError != 0)
    throw Napi::Error::New(env, std::string(job.name()) + ": " + gil::lockErrorMessage(lockError));
  if (status == KernelStatus::Aborted) throw abortError(env, job.name());
  return job.result(env);
}

// Runs `job` on a libuv pool thread.
class KernelWorker : public Napi::AsyncWorker {
 public:
  KernelWorker(Napi::Env env, CallContext c, std::unique_ptr<Job> job)
      : Napi::AsyncWorker(env, "gil-lab:kernel"),
        deferred_(Napi::Promise::Deferred::New(env)),
        context_(std::move(c)),
        job_(std::move(job)) {
    job_->stageForAsync(env);  // also keeps the job's arrays alive until OnOK
    if (context_.abortFlag != nullptr) keep_.push_back(Napi::Persistent(context_.abortFlagArray));
    context_.abortFlagArray = Napi::Value();
  }
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      if (context_.mode == Mode::Hold) {
        InterpreterLock& lock = context_.interp->lock();
        if (!context_.interp->alive()) {
          SetError(std::string(job_->name()) + ": " +
                   gil::lockErrorMessage(gil::kErrNoInterpreter));
          return;
        }
        const int rc = lock.acquire();  // this pool thread waits its turn like any other thread
        if (rc != gil::kOk) {
          SetError(std::string(job_->name()) + ": " + gil::lockErrorMessage(rc));
          return;
        }
        struct Release {
          InterpreterLock& lock;
          ~Release() { lock.release(); }
        } release{lock};
        gil::HoldHook hook(lock, context_.abortFlag);
        status_ = job_->run(hook);
        lockError_ = hook.lockError();
      } else {
        gil::ReleaseHook hook(context_.abortFlag);
        status_ = job_->run(hook);
      }
    } catch (const std::bad_alloc&) {
      SetError(std::string(job_->name()) + ": out of memory");
    } catch (const std::exception& e) {
      SetError(std::string(job_->name()) + ": " + e.what());
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (lockError_ != 0) {
      deferred_.Reject(Napi::Error::New(env, std::string(job_->name()) + ": " +
                                                 gil::lockErrorMessage(lockError_))
                           .Value());
    } else if (status_ == KernelStatus::Aborted) {
      deferred_.Reject(abortError(env, job_->name()).Value());
    } else {
      try {
        job_->unstage(env);
        deferred_.Resolve(job_->result(env));
      } catch (const Napi::Error& e) {
        deferred_.Reject(e.Value());
      }
    }
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  CallContext context_;
  std::unique_ptr<Job> job_;
  std::vector<Napi::Reference<Napi::Value>> keep_;
  KernelStatus status_ = KernelStatus::Completed;
  int lockError_ = 0;
};

bool isPlainArrayBufferView(Napi::Env env, const Napi::Value& value) {
  napi_value buffer;
  NAPI_THROW_IF_FAILED(
      env, napi_get_typedarray_info(env, value, nullptr, nullptr, nullptr, &buffer, nullptr),
      false);
  bool isArrayBuffer = false;
  NAPI_THROW_IF_FAILED(env, napi_is_arraybuffer(env, buffer, &isArrayBuffer), false);
  return isArrayBuffer;
}

template <typename J, typename... Args>
Napi::Value dispatch(const Napi::CallbackInfo& info, bool async, Args&&... args) {
  CallContext c = contextArgs(info);
  auto job = std::make_unique<J>(info, std::forward<Args>(args)...);
  if (!async) return runSync(info.Env(), c, *job);
  if (c.abortFlag != nullptr && isPlainArrayBufferView(info.Env(), c.abortFlagArray)) {
    // A plain ArrayBuffer could be detached under the pool thread, and a copy would never see the
    // flag raised: async variants need a flag that threads really share.
    throwType(info.Env(),
              "abort flag for an async kernel must be an Int32Array over a SharedArrayBuffer");
  }
  auto* worker = new KernelWorker(info.Env(), std::move(c), std::move(job));
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

// Kernel arguments start after the common prefix.
constexpr size_t A = 3;

// --- the jobs ------------------------------------------------------------------------------------

class CountPrimesJob : public Job {
 public:
  explicit CountPrimesJob(const Napi::CallbackInfo& info) : Job("countPrimes") {
    ARG_INTEGER(lo, A, "lo", 0, 1ull << 53);
    ARG_INTEGER(hi, A + 1, "hi", 0, 1ull << 53);
    REQUIRE(lo <= hi, RangeError,
            "lo must be <= hi (got lo " + std::to_string(lo) + ", hi " + std::to_string(hi) + ")");
    lo_ = lo;
    hi_ = hi;
  }
  KernelStatus run(gil::SliceHook& hook) override {
    return gil::countPrimes(lo_, hi_, hook, &count_);
  }
  Napi::Value result(Napi::Env env) override {
    return Napi::Number::New(env, static_cast<double>(count_));
  }

 private:
  uint64_t lo_, hi_, count_ = 0;
};

class MandelbrotJob : public Job {
 public:
  explicit MandelbrotJob(const Napi::CallbackInfo& info) : Job("mandelbrot") {
    ARG_INTEGER(width, A, "width", 1, 1u << 16);
    ARG_INTEGER(height, A + 1, "height", 1, 1u << 16);
    ARG_INTEGER(maxIter, A + 2, "maxIter", 1, 0xffffffffull);
    ARG_FINITE(x0, A + 3, "x0");
    ARG_FINITE(y0, A + 4, "y0");
    ARG_FINITE(x1, A + 5, "x1");
    ARG_FINITE(y1, A + 6, "y1");
    REQUIRE(x0 < x1, RangeError, "x0 must be < x1 (got x0 " + fmt(x0) + ", x1 " + fmt(x1) + ")");
    REQUIRE(y0 < y1, RangeError, "y0 must be < y1 (got y0 " + fmt(y0) + ", y1 " + fmt(y1) + ")");
    const uint64_t pixels = width * height;
    REQUIRE(pixels <= (1ull << 28), RangeError,
            "width*height must be <= 2^28 pixels (an image of " + std::to_string(pixels) +
                " pixels needs " + std::to_string(pixels * 4) + " bytes)");
    REQUIRE(static_cast<double>(pixels) * static_cast<double>(maxIter) <= kTwoTo53, RangeError,
            "maxIter: width*height*maxIter must be <= 2^53, so that the total is exact");
    params_.width = static_cast<uint32_t>(width);
    params_.height = static_cast<uint32_t>(height);
    params_.maxIter = static_cast<uint32_t>(maxIter);
    params_.x0 = x0;
    params_.y0 = y0;
    params_.x1 = x1;
    params_.y1 = y1;
    if (!info[A + 7].IsUndefined()) {
      ARG_TYPED(image, A + 7, "image", napi_uint32_array, "Uint32Array");
      REQUIRE(image.ElementLength() == pixels, RangeError,
              "image must have width*height = " + std::to_string(pixels) + " elements, got " +
                  std::to_string(image.ElementLength()));
      use(image, "image", image_, true);
    }
  }
  KernelStatus run(gil::SliceHook& hook) override {
    return gil::mandelbrot(params_, image_, hook, &total_);
  }
  Napi::Value result(Napi::Env env) override {
    return Napi::Number::New(env, static_cast<double>(total_));
  }

 private:
  gil::MandelbrotParams params_;
  uint32_t* image_ = nullptr;
  uint64_t total_ = 0;
};

class Sha256ChainJob : public Job {
 public:
  explicit Sha256ChainJob(const Napi::CallbackInfo& info) : Job("sha256Chain") {
    ARG_TYPED(data, A, "data", napi_uint8_array, "Uint8Array");
    ARG_INTEGER(rounds, A + 1, "rounds", 1, 1ull << 53);
    use(data, "data", data_, false);
    length_ = data.ByteLength();
    rounds_ = rounds;
  }
  KernelStatus run(gil::SliceHook& hook) override {
    return gil::sha256Chain(data_, length_, rounds_, hook, digest_);
  }
  Napi::Value result(Napi::Env env) override {
    Napi::Uint8Array out = Napi::Uint8Array::New(env, 32);
    std::memcpy(out.Data(), digest_, 32);
    return out;
  }

 private:
  const uint8_t* data_;
  size_t length_;
  uint64_t rounds_;
  uint8_t digest_[32] = {};
};

class MatmulJob : public Job {
 public:
  explicit MatmulJob(const Napi::CallbackInfo& info) : Job("matmul") {
    ARG_TYPED(a, A, "a", napi_float64_array, "Float64Array");
    ARG_TYPED(b, A + 1, "b", napi_float64_array, "Float64Array");
    // n*n*8 bytes must be a size a Float64Array can have: n <= 46340 keeps n*n below 2^31.
    ARG_INTEGER(n, A + 2, "n", 1, 46340);
    REQUIRE(a.ElementLength() == n * n, RangeError,
            "a must have n*n = " + std::to_string(n * n) + " elements, got " +
                std::to_string(a.ElementLength()));
    REQUIRE(b.ElementLength() == n * n, RangeError,
            "b must have n*n = " + std::to_string(n * n) + " elements, got " +
                std::to_string(b.ElementLength()));
    n_ = n;
    use(a, "a", a_, false);
    use(b, "b", b_, false);
    // A fresh array (so it cannot overlap a or b), held by a persistent reference: an async
    // variant returns it from OnOK, long after this call's handle scope is gone.
    Napi::Float64Array out = Napi::Float64Array::New(info.Env(), n * n);
    c_ = out.Data();
    out_ = Napi::Persistent(out);
  }
  KernelStatus run(gil::SliceHook& hook) override { return gil::matmul(a_, b_, c_, n_, hook); }
  Napi::Value result(Napi::Env) override { return out_.Value(); }

 private:
  size_t n_;
  const double *a_, *b_;
  double* c_;
  Napi::Reference<Napi::Float64Array> out_;
};

class SumJob : public Job {
 public:
  explicit SumJob(const Napi::CallbackInfo& info) : Job("sum") {
    ARG_TYPED(a, A, "a", napi_float64_array, "Float64Array");
    use(a, "a", a_, false);
    n_ = a.ElementLength();
  }
  KernelStatus run(gil::SliceHook& hook) override { return gil::sum(a_, n_, hook, &sum_); }
  Napi::Value result(Napi::Env env) override { return Napi::Number::New(env, sum_); }

 private:
  const double* a_;
  size_t n_;
  double sum_ = 0;
};

class TriadJob : public Job {
 public:
  explicit TriadJob(const Napi::CallbackInfo& info) : Job("triad") {
    ARG_TYPED(a, A, "a", napi_float64_array, "Float64Array");
    ARG_TYPED(b, A + 1, "b", napi_float64_array, "Float64Array");
    ARG_TYPED(c, A + 2, "c", napi_float64_array, "Float64Array");
    ARG_FINITE(scalar, A + 3, "scalar");
    REQUIRE(b.ElementLength() == a.ElementLength(), RangeError,
            "b must have as many elements as a (" + std::to_string(a.ElementLength()) + "), got " +
                std::to_string(b.ElementLength()));
    REQUIRE(c.ElementLength() == a.ElementLength(), RangeError,
            "c must have as many elements as a (" + std::to_string(a.ElementLength()) + "), got " +
                std::to_string(c.ElementLength()));
    use(a, "a", a_, true);
    use(b, "b", b_, false);
    use(c, "c", c_, false);
    n_ = a.ElementLength();
    scalar_ = scalar;
  }
  KernelStatus run(gil::SliceHook& hook) override {
    return gil::triad(a_, b_, c_, scalar_, n_, hook);
  }
  Napi::Value result(Napi::Env env) override { return env.Undefined(); }

 private:
  double* a_;
  const double *b_, *c_;
  size_t n_;
  double scalar_;
};

class SpinJob : public Job {
 public:
  explicit SpinJob(const Napi::CallbackInfo& info) : Job("spin") {
    ARG_INTEGER(ns, A, "ns", 0, kMaxSleepNs);
    ns_ = ns;
  }
  KernelStatus run(gil::SliceHook& hook) override {
    return gil::spin(ns_, hook, &iterations_, nullptr);
  }
  Napi::Value result(Napi::Env env) override {
    return Napi::Number::New(env, static_cast<double>(iterations_));
  }

 private:
  uint64_t ns_, iterations_ = 0;
};

class SpinIterationsJob : public Job {
 public:
  explicit SpinIterationsJob(const Napi::CallbackInfo& info) : Job("spinIterations") {
    ARG_INTEGER(iterations, A, "iterations", 0, 1ull << 53);
    ARG_INTEGER(seed, A + 1, "seed", 1, 0xffffffffull);
    iterations_ = iterations;
    state_ = static_cast<uint32_t>(seed);
  }
  KernelStatus run(gil::SliceHook& hook) override {
    return gil::spinIterations(iterations_, &state_, hook);
  }
  Napi::Value result(Napi::Env env) override { return Napi::Number::New(env, state_); }

 private:
  uint64_t iterations_;
  uint32_t state_;
};

class SleepJob : public Job {
 public:
  explicit SleepJob(const Napi::CallbackInfo& info) : Job("sleep") {
    ARG_INTEGER(ns, A, "ns", 0, kMaxSleepNs);
    ns_ = ns;
  }
  KernelStatus run(gil::SliceHook& hook) override { return gil::sleepFor(ns_, hook, &slept_); }
  Napi::Value result(Napi::Env env) override {
    return Napi::Number::New(env, static_cast<double>(slept_));
  }
  bool blockingIo() const override { return true; }

 private:
  uint64_t ns_, slept_ = 0;
};

class RoundTripsJob : public Job {
 public:
  RoundTripsJob(const Napi::CallbackInfo& info, bool socket)
      : Job(socket ? "socketRoundTrips" : "pipeRoundTrips"), socket_(socket) {
    ARG_INTEGER(count, A, "count", 0, 1000000000);
    ARG_INTEGER(bytes, A + 1, "bytes", 1, kMaxIoBytes);
    count_ = count;
    bytes_ = bytes;
  }
  KernelStatus run(gil::SliceHook& hook) override {
    return socket_ ? gil::socketRoundTrips(count_, bytes_, hook, &result_)
                   : gil::pipeRoundTrips(count_, bytes_, hook, &result_);
  }
  Napi::Value result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("roundTrips", static_cast<double>(result_.roundTrips));
    o.Set("bytes", static_cast<double>(result_.bytes));
    return o;
  }
  bool blockingIo() const override { return true; }

 private:
  bool socket_;
  uint64_t count_;
  size_t bytes_;
  gil::RoundTripResult result_;
};

class FileReadJob : public Job {
 public:
  explicit FileReadJob(const Napi::CallbackInfo& info) : Job("fileRead") {
    REQUIRE(info[A].IsString(), TypeError, "path must be a string");
    path_ = info[A].As<Napi::String>().Utf8Value();
    REQUIRE(!path_.empty(), RangeError, "path must not be empty");
    REQUIRE(path_.find('\0') == std::string::npos, RangeError,
            "path must not contain NUL characters");
    ARG_INTEGER(offset, A + 1, "offset", 0, 1ull << 53);
    offset_ = offset;
    if (!info[A + 2].IsUndefined()) {
      ARG_INTEGER(length, A + 2, "length", 0, 1ull << 53);
      length_ = length;
    }
    ARG_INTEGER(chunkBytes, A + 3, "chunkBytes", 1, kMaxIoBytes);
    chunkBytes_ = chunkBytes;
    if (!info[A + 4].IsUndefined()) {
      ARG_TYPED(into, A + 4, "into", napi_uint8_array, "Uint8Array");
      use(into, "into", into_, true);
      intoLength_ = into.ByteLength();
    }
  }
  KernelStatus run(gil::SliceHook& hook) override {
    return gil::fileRead(path_.c_str(), offset_, length_, chunkBytes_, into_, intoLength_, hook,
                         &result_);
  }
  Napi::Value result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("bytesRead", static_cast<double>(result_.bytesRead));
    o.Set("reads", static_cast<double>(result_.reads));
    return o;
  }
  bool blockingIo() const override { return true; }

 private:
  std::string path_;
  uint64_t offset_ = 0, length_ = gil::kToEndOfFile;
  size_t chunkBytes_ = 0;
  uint8_t* into_ = nullptr;
  size_t intoLength_ = 0;
  gil::FileReadResult result_;
};

// --- RefHeap -------------------------------------------------------------------------------------

Napi::Object stormResultToJs(Napi::Env env, const gil::RefStormResult& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("strategy", gil::refStrategyName(r.strategy));
  o.Set("completed", r.status == KernelStatus::Completed);
  o.Set("threads", static_cast<double>(r.threads));
  o.Set("objects", static_cast<double>(r.objects));
  o.Set("operations", static_cast<double>(r.operations));
  o.Set("expectedTotal", static_cast<double>(r.expectedTotal));
  o.Set("finalTotal", static_cast<double>(r.finalTotal));
  o.Set("lostUpdates", static_cast<double>(r.lostUpdates));
  o.Set("prematureFrees", static_cast<double>(r.prematureFrees));
  o.Set("staleReferences", static_cast<double>(r.staleReferences));
  o.Set("elapsedNs", static_cast<double>(r.elapsedNs));
  o.Set("nsPerOperation", r.nsPerOperation);
  return o;
}

class RefHeapWrap : public Napi::ObjectWrap<RefHeapWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "RefHeap",
                       {InstanceMethod<&RefHeapWrap::Storm>("storm"),
                        InstanceMethod<&RefHeapWrap::StormAsync>("stormAsync"),
                        InstanceMethod<&RefHeapWrap::Count>("count"),
                        InstanceMethod<&RefHeapWrap::Generation>("generation"),
                        InstanceAccessor<&RefHeapWrap::Size>("size")});
  }

  explicit RefHeapWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<RefHeapWrap>(info) {
    ARG_INTEGER(objects, 0, "objects", 1, 1u << 24);
    heap_ = std::make_shared<gil::RefHeap>(objects);
  }

 private:
  // storm(strategy, threads, pairsPerThread, seed, interpreterId, abortFlag)
  struct StormArgs {
    gil::RefStormOptions options;
    std::shared_ptr<Interpreter> interp;
    Napi::Value abortFlagArray;
  };
  StormArgs stormArgs(const Napi::CallbackInfo& info) {
    StormArgs s;
    REQUIRE(info[0].IsString(), TypeError,
            "strategy must be 'locked', 'racy', 'atomic' or 'biased'");
    REQUIRE(gil::parseRefStrategy(info[0].As<Napi::String>().Utf8Value(), &s.options.strategy),
            RangeError, "strategy must be 'locked', 'racy', 'atomic' or 'biased'");
    ARG_INTEGER(threads, 1, "threads", 1, 256);
    ARG_INTEGER(pairs, 2, "pairsPerThread", 0, 1ull << 40);
    ARG_INTEGER(seed, 3, "seed", 0, 1ull << 53);
    ARG_INTEGER(id, 4, "interpreter id", 0, 0xffffffffull);
    s.interp = gil::findInterpreter(static_cast<uint32_t>(id));
    REQUIRE(s.interp && s.interp->alive(), RangeError,
            "interpreter: no interpreter with id " + std::to_string(id));
    s.options.threads = static_cast<uint32_t>(threads);
    s.options.pairsPerThread = pairs;
    s.options.seed = seed;
    s.options.lock = &s.interp->lock();
    if (!info[5].IsUndefined() && !info[5].IsNull()) {
      ARG_TYPED(flag, 5, "abort flag", napi_int32_array, "Int32Array");
      REQUIRE(flag.ElementLength() >= 1, RangeError, "abort flag must have at least one element");
      s.options.abortFlag = dataOf<int32_t>(flag);
      s.abortFlagArray = flag;
    }
    return s;
  }

  Napi::Value Storm(const Napi::CallbackInfo& info) {
    StormArgs s = stormArgs(info);
    gil::RefStormResult r;
    try {
      // Waiting for the storm's threads is like thread.join(): let go of the lock meanwhile
      // (the locked strategy's threads need it).
      gil::ReleaseScope released(s.interp->lock());
      r = heap_->storm(s.options);
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), std::string("RefHeap.storm: ") + e.what());
    }
    return stormResultToJs(info.Env(), r);
  }

  class StormWorker : public Napi::AsyncWorker {
   public:
    StormWorker(Napi::Env env, std::shared_ptr<gil::RefHeap> heap, StormArgs s, Napi::Object self)
        : Napi::AsyncWorker(env, "gil-lab:refheap-storm"),
          deferred_(Napi::Promise::Deferred::New(env)),
          heap_(std::move(heap)),
          interp_(std::move(s.interp)),
          options_(s.options),
          self_(Napi::Persistent(self)) {
      if (!s.abortFlagArray.IsEmpty()) flag_ = Napi::Persistent(s.abortFlagArray);
    }
    Napi::Promise promise() { return deferred_.Promise(); }

   protected:
    void Execute() override {
      try {
        result_ = heap_->storm(options_);
      } catch (const std::exception& e) {
        SetError(std::string("RefHeap.stormAsync: ") + e.what());
      }
    }
    void OnOK() override { deferred_.Resolve(stormResultToJs(Env(), result_)); }
    void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

   private:
    Napi::Promise::Deferred deferred_;
    std::shared_ptr<gil::RefHeap> heap_;
    std::shared_ptr<Interpreter> interp_;
    gil::RefStormOptions options_;
    Napi::ObjectReference self_;
    Napi::Reference<Napi::Value> flag_;
    gil::RefStormResult result_;
  };

  Napi::Value StormAsync(const Napi::CallbackInfo& info) {
    StormArgs s = stormArgs(info);
    auto* worker = new StormWorker(info.Env(), heap_, std::move(s), info.This().As<Napi::Object>());
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
  }

  size_t indexArg(const Napi::CallbackInfo& info) {
    ARG_INTEGER(i, 0, "index", 0, 1ull << 53);
    REQUIRE(i < heap_->size(), RangeError,
            "index must be < " + std::to_string(heap_->size()) + ", got " + std::to_string(i));
    return static_cast<size_t>(i);
  }
  Napi::Value Count(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(heap_->count(indexArg(info))));
  }
  Napi::Value Generation(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), heap_->generation(indexArg(info)));
  }
  Napi::Value Size(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(heap_->size()));
  }

  std::shared_ptr<gil::RefHeap> heap_;  // shared with a running async storm
};

// --- registration --------------------------------------------------------------------------------

#define KERNEL(name, Job, ...)                                               \
  o.Set(name, Napi::Function::New(                                           \
                  env,                                                       \
                  [](const Napi::CallbackInfo& info) {                       \
                    return dispatch<Job>(info, false, ##__VA_ARGS__);        \
                  },                                                         \
                  name));                                                    \
  o.Set(name "Async", Napi::Function::New(                                   \
                          env,                                               \
                          [](const Napi::CallbackInfo& info) {               \
                            return dispatch<Job>(info, true, ##__VA_ARGS__); \
                          },                                                 \
                          name "Async"))

}  // namespace

void RegisterKernels(Napi::Env env, Napi::Object exports) {
  Napi::Object o = Napi::Object::New(env);
  KERNEL("countPrimes", CountPrimesJob);
  KERNEL("mandelbrot", MandelbrotJob);
  KERNEL("sha256Chain", Sha256ChainJob);
  KERNEL("matmul", MatmulJob);
  KERNEL("sum", SumJob);
  KERNEL("triad", TriadJob);
  KERNEL("spin", SpinJob);
  KERNEL("spinIterations", SpinIterationsJob);
  KERNEL("sleep", SleepJob);
  KERNEL("pipeRoundTrips", RoundTripsJob, false);
  KERNEL("socketRoundTrips", RoundTripsJob, true);
  KERNEL("fileRead", FileReadJob);
  o.Set("spinIterationsPerNs", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
          return Napi::Number::New(info.Env(), gil::spinIterationsPerNs());
        }));
  o.Set("sliceBudgets", [&] {
    Napi::Object b = Napi::Object::New(env);
    b.Set("primeDivisions", static_cast<double>(gil::kPrimeDivisionsPerSlice));
    b.Set("mandelbrotIterations", static_cast<double>(gil::kMandelbrotIterationsPerSlice));
    b.Set("sha256Blocks", static_cast<double>(gil::kSha256BlocksPerSlice));
    b.Set("matmulMultiplyAdds", static_cast<double>(gil::kMatmulMultiplyAddsPerSlice));
    b.Set("matmulBlock", static_cast<double>(gil::kMatmulBlock));
    b.Set("sumElements", static_cast<double>(gil::kSumElementsPerSlice));
    b.Set("triadElements", static_cast<double>(gil::kTriadElementsPerSlice));
    b.Set("spinIterations", static_cast<double>(gil::kSpinIterationsPerSlice));
    return b;
  }());
  o.Set("RefHeap", RefHeapWrap::Define(env));
  exports.Set("kernels", o);
}
