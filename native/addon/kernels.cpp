// Node-API bindings for the kernels (native/core/kernels): each kernel's argument checks and
// result, as a Job; kernel_job.h has the calling protocol (prefix, modes, sync and async variants).
#include "kernels/kernels.h"

#include <napi.h>

#include <cstring>
#include <memory>
#include <string>

#include "kernel_job.h"
#include "kernels/blocking_io.h"

namespace {

using gil::KernelStatus;
using gil_addon::dispatch;
using gil_addon::fmt;
using gil_addon::Job;

constexpr double kTwoTo53 = 9007199254740992.0;  // 2^53: every integer up to it is exact
constexpr uint64_t kMaxIoBytes = 64ull << 20;    // one round trip or one read call: 64 MiB
constexpr uint64_t kMaxSleepNs = 3600ull * 1000 * 1000 * 1000;  // an hour
// n*n*8 bytes must be a size a Float64Array can have: n <= 46340 keeps n*n below 2^31.
constexpr uint64_t kMaxMatmulN = 46340;
constexpr uint64_t kMaxMandelbrotSide = 1u << 16;
constexpr uint64_t kMaxMandelbrotPixels = 1ull << 28;
// The TypeScript twins check the same limits (src/kernels/validate.ts): the addon exports these as
// kernels.limits and a test checks both agree.
// clang-format off
#define GIL_KERNEL_LIMITS(X)                      \
  X(twoTo53, kTwoTo53)                            \
  X(maxIoBytes, kMaxIoBytes)                      \
  X(maxSleepNs, kMaxSleepNs)                      \
  X(maxMatmulN, kMaxMatmulN)                      \
  X(maxMandelbrotSide, kMaxMandelbrotSide)        \
  X(maxMandelbrotPixels, kMaxMandelbrotPixels)
// clang-format on

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
    ARG_INTEGER(width, A, "width", 1, kMaxMandelbrotSide);
    ARG_INTEGER(height, A + 1, "height", 1, kMaxMandelbrotSide);
    ARG_INTEGER(maxIter, A + 2, "maxIter", 1, 0xffffffffull);
    ARG_FINITE(x0, A + 3, "x0");
    ARG_FINITE(y0, A + 4, "y0");
    ARG_FINITE(x1, A + 5, "x1");
    ARG_FINITE(y1, A + 6, "y1");
    REQUIRE(x0 < x1, RangeError, "x0 must be < x1 (got x0 " + fmt(x0) + ", x1 " + fmt(x1) + ")");
    REQUIRE(y0 < y1, RangeError, "y0 must be < y1 (got y0 " + fmt(y0) + ", y1 " + fmt(y1) + ")");
    const uint64_t pixels = width * height;
    REQUIRE(pixels <= kMaxMandelbrotPixels, RangeError,
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
    ARG_INTEGER(n, A + 2, "n", 1, kMaxMatmulN);
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
  void releaseJs() override {
    Job::releaseJs();
    out_.Reset();
  }

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
  Napi::Value result(Napi::Env env) override { return gil_addon::roundTripsToJs(env, result_); }
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
    path_ = gil_addon::stringArg(info, A, "path");
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

// --- registration --------------------------------------------------------------------------------

// X(name, Job, nativeArity, job arguments...): the kernel table, the C++ counterpart of
// src/kernels/table.ts. Each entry becomes kernels[name] and kernels[name + "Async"], and a row of
// kernels.table ({ name, arity }: arity = arguments after the common prefix), which a test checks
// against the TypeScript table.
#define GIL_KERNELS(X)                          \
  X("countPrimes", CountPrimesJob, 2)           \
  X("mandelbrot", MandelbrotJob, 8)             \
  X("sha256Chain", Sha256ChainJob, 2)           \
  X("matmul", MatmulJob, 3)                     \
  X("sum", SumJob, 1)                           \
  X("triad", TriadJob, 4)                       \
  X("spin", SpinJob, 1)                         \
  X("spinIterations", SpinIterationsJob, 2)     \
  X("sleep", SleepJob, 1)                       \
  X("pipeRoundTrips", RoundTripsJob, 2, false)  \
  X("socketRoundTrips", RoundTripsJob, 2, true) \
  X("fileRead", FileReadJob, 5)

#define GIL_REGISTER_KERNEL(name, Job, arity, ...)                           \
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
                          name "Async"));                                    \
  {                                                                          \
    Napi::Object row = Napi::Object::New(env);                               \
    row.Set("name", name);                                                   \
    row.Set("arity", static_cast<double>(arity));                            \
    table.Set(table.Length(), row);                                          \
  }

}  // namespace

Napi::Function DefineRefHeap(Napi::Env env);  // ref_heap_wrap.cpp

void RegisterKernels(Napi::Env env, Napi::Object exports) {
  Napi::Object o = Napi::Object::New(env);
  Napi::Array table = Napi::Array::New(env);
  GIL_KERNELS(GIL_REGISTER_KERNEL)
  o.Set("table", table);
  o.Set("spinIterationsPerNs", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
          return Napi::Number::New(info.Env(), gil::spinIterationsPerNs());
        }));
  Napi::Object budgets = Napi::Object::New(env);
#define GIL_EXPORT_SLICE_BUDGET(constant, key, value, what) \
  budgets.Set(#key, static_cast<double>(gil::constant));
  GIL_SLICE_BUDGETS(GIL_EXPORT_SLICE_BUDGET)
#undef GIL_EXPORT_SLICE_BUDGET
  o.Set("sliceBudgets", budgets);
  Napi::Object limits = Napi::Object::New(env);
#define GIL_EXPORT_LIMIT(key, constant) limits.Set(#key, static_cast<double>(constant));
  GIL_KERNEL_LIMITS(GIL_EXPORT_LIMIT)
#undef GIL_EXPORT_LIMIT
  o.Set("limits", limits);
  o.Set("RefHeap", DefineRefHeap(env));
  exports.Set("kernels", o);
}
