// How a kernel call runs: the common argument prefix, sync calls on the calling thread, async calls
// as tasks on the addon's own threads. See kernel_job.h.
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "job_runner.h"
#include "kernel_job.h"

namespace gil_addon {

using gil::InterpreterLock;
using gil::KernelStatus;

CallContext contextArgs(const Napi::CallbackInfo& info) {
  CallContext c;
  c.interp = interpreterArg(info, 0, "interpreter");
  if (!info[1].IsNumber()) throwType(info.Env(), "mode must be 'hold' or 'release'");
  const double mode = info[1].As<Napi::Number>().DoubleValue();
  if (mode != 0 && mode != 1) throwRange(info.Env(), "mode must be 'hold' or 'release'");
  c.mode = mode == 0 ? Mode::Hold : Mode::Release;
  const AbortFlagArg flag = abortFlagArg(info, 2);
  c.abortFlag = flag.cell;
  c.abortFlagArray = flag.array;
  return c;
}

Napi::Error abortError(Napi::Env env, const std::string& kernel) {
  Napi::Error e = Napi::Error::New(env, kernel + " was aborted");
  e.Set("name", Napi::String::New(env, "AbortError"));
  e.Set("code", Napi::String::New(env, "ABORT_ERR"));
  return e;
}

void Job::stageForAsync(Napi::Env env) {
  for (ArrayUse& u : uses_) {
    // The napi_value is only valid during this call: keep a reference until completion.
    u.ref = Napi::Persistent(u.array);
    if (isSharedBuffer(env, u.array) || u.bytes == 0) continue;
    try {
      u.copy.resize(u.bytes);
    } catch (const std::bad_alloc&) {
      throw Napi::RangeError::New(
          env, std::string(name_) + ": out of memory: the private copy of " + u.argName + " (" +
                   std::to_string(u.bytes) +
                   " bytes) could not be allocated; a SharedArrayBuffer-backed array needs none");
    }
    std::memcpy(u.copy.data(), dataOf<uint8_t>(u.array), u.bytes);
    u.redirect(u.copy.data());
    u.staged = true;
  }
}

void Job::unstage(Napi::Env env) {
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

namespace {

// One async kernel call on the addon's own thread.
class KernelTask final : public AsyncTask {
 public:
  KernelTask(Napi::Env env, CallContext c, std::unique_ptr<Job> job)
      : AsyncTask(env), context_(std::move(c)), job_(std::move(job)) {
    job_->stageForAsync(env);  // also keeps the job's arrays alive until completion
    if (context_.abortFlag != nullptr) flag_ = Napi::Persistent(context_.abortFlagArray);
    context_.abortFlagArray = Napi::Value();
  }
  const char* name() const override { return job_->name(); }

  void execute() override {
    try {
      status_ = context_.mode == Mode::Hold ? runHolding() : runReleased();
    } catch (const std::bad_alloc&) {
      error_ = std::string(job_->name()) + ": out of memory";
      outOfMemory_ = true;
    } catch (const std::exception& e) {
      error_ = std::string(job_->name()) + ": " + e.what();
    }
    gate().leave();
  }

  void complete(Napi::Env env) override {
    if (outOfMemory_) {
      reject(env, Napi::RangeError::New(env, error_).Value());
    } else if (!error_.empty()) {
      rejectWithMessage(env, error_);
    } else if (lockError_ != 0) {
      rejectWithMessage(env, std::string(job_->name()) + ": " + gil::lockErrorMessage(lockError_));
    } else if (status_ == KernelStatus::Aborted) {
      reject(env, abortError(env, job_->name()).Value());
    } else {
      try {
        job_->unstage(env);
        resolve(env, job_->result(env));
      } catch (const Napi::Error& e) {
        reject(env, e.Value());
      } catch (const std::bad_alloc&) {
        reject(env,
               Napi::RangeError::New(env, std::string(job_->name()) + ": out of memory").Value());
      }
    }
  }

  void releaseJs() override {
    job_->releaseJs();
    flag_.Reset();
  }

 private:
  // Hold mode: this thread waits its turn for the lock like any other thread (outside the gate: a
  // lock wait touches no JavaScript memory), then checkpoints between slices.
  KernelStatus runHolding() {
    if (!context_.interp->alive()) {
      lockError_ = gil::kErrNoInterpreter;
      return KernelStatus::Aborted;
    }
    if (gate().cancelled()) return KernelStatus::Aborted;  // its environment ended while queued
    InterpreterLock& lock = context_.interp->lock();
    const int rc = lock.acquire();
    if (rc != gil::kOk) {
      lockError_ = rc;
      return KernelStatus::Aborted;
    }
    struct Release {
      InterpreterLock& lock;
      ~Release() { lock.release(); }  // kErrNotHeld if a checkpoint lost it at shutdown: fine
    } release{lock};
    if (!gate().enter()) return KernelStatus::Aborted;  // its environment ended meanwhile
    struct Leave {  // before the release: its forced-switching wait touches no JavaScript memory
      gil::CancelGate& gate;
      ~Leave() { gate.leave(); }
    } leave{gate()};
    gil::HoldHook hook(lock, context_.abortFlag, &gate());
    const KernelStatus status = job_->run(hook);
    lockError_ = hook.lockError();
    return status;
  }

  KernelStatus runReleased() {
    if (!gate().enter()) return KernelStatus::Aborted;
    gil::ReleaseHook hook(context_.abortFlag, nullptr, &gate());
    return job_->run(hook);
  }

  CallContext context_;
  std::unique_ptr<Job> job_;
  Napi::Reference<Napi::Value> flag_;
  KernelStatus status_ = KernelStatus::Completed;
  int lockError_ = 0;
  std::string error_;
  bool outOfMemory_ = false;
};

bool isPlainArrayBufferView(Napi::Env env, const Napi::Value& value) {
  return !isSharedBuffer(env, value);
}

}  // namespace

Napi::Value runAsync(Napi::Env env, CallContext c, std::unique_ptr<Job> job) {
  if (c.abortFlag != nullptr && isPlainArrayBufferView(env, c.abortFlagArray)) {
    // A plain ArrayBuffer could be detached under the kernel's thread, and a copy would never see
    // the flag raised: async variants need a flag that threads really share.
    throwType(env, "abort flag for an async kernel must be an Int32Array over a SharedArrayBuffer");
  }
  auto task = std::make_shared<KernelTask>(env, std::move(c), std::move(job));
  Napi::Promise promise = task->promise();
  startTask(env, std::move(task));
  return promise;
}

}  // namespace gil_addon
