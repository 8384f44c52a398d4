// Node-API bindings for the interpreter lock (native/core/interpreter_lock.h).
//
// The hot calls (checkpoint, acquire, release, held) are per-interpreter functions whose callback
// data is the Interpreter itself: a call costs what a plain Node-API call costs, with no lookup by
// id. Each such function keeps its interpreter alive (a shared_ptr freed by the function's
// finalizer), so a handle can never point at freed memory; a destroyed interpreter answers with
// kErrNoInterpreter instead.
#include <napi.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "common.h"
#include "interpreter_lock.h"
#include "job_runner.h"
#include "lock_bench.h"

namespace {

using gil::Interpreter;
using gil::InterpreterLock;

// Monotonic timestamps leave the addon relative to this origin, so they fit a double exactly.
const uint64_t kOriginNs = gil::monotonicNs();

#define REQUIRE_ARGS(n)    \
  if (info.Length() < (n)) \
  throw Napi::TypeError::New(info.Env(), std::string(__func__) + ": expected " #n " argument(s)")
#define REQUIRE_NUMBER(i, name) \
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), name " must be a number")
#define REQUIRE_STRING(i, name) \
  if (!info[i].IsString()) throw Napi::TypeError::New(info.Env(), name " must be a string")

[[noreturn]] void throwLockError(Napi::Env env, int code) {
  throw Napi::Error::New(env, gil::lockErrorMessage(code));
}

// The id checks are the shared ones (common.h), under the argument name "id".
uint32_t interpreterIdArg(const Napi::CallbackInfo& info, size_t i) {
  return gil_addon::interpreterIdArg(info, i, "id");
}
std::shared_ptr<Interpreter> interpreterArg(const Napi::CallbackInfo& info, size_t i) {
  return gil_addon::interpreterArg(info, i, "id");
}

// configArg(policy, switchIntervalUs, checkInterval): validated, with names in the errors.
// Missing arguments read as undefined: keep the base value.
gil::LockConfig configArg(const Napi::CallbackInfo& info, size_t i, gil::LockConfig base) {
  if (!info[i].IsUndefined()) {
    REQUIRE_STRING(i, "policy");
    std::string name = info[i].As<Napi::String>().Utf8Value();
    if (!gil::parsePolicy(name, &base.policy)) {
      throw Napi::RangeError::New(
          info.Env(),
          "policy must be one of 'cpython', 'legacy', 'fifo', 'none', got '" + name + "'");
    }
  }
  if (!info[i + 1].IsUndefined()) {
    REQUIRE_NUMBER(i + 1, "switchIntervalUs");
    double us = info[i + 1].As<Napi::Number>().DoubleValue();
    if (!(us > 0 && us <= 10e6)) {
      throw Napi::RangeError::New(info.Env(),
                                  "switchIntervalUs must be > 0 and <= 10,000,000 (10 s)");
    }
    base.switchIntervalUs = static_cast<uint64_t>(us < 1 ? 1 : us);
  }
  if (!info[i + 2].IsUndefined()) {
    REQUIRE_NUMBER(i + 2, "checkInterval");
    double n = info[i + 2].As<Napi::Number>().DoubleValue();
    if (!(n >= 1 && n <= 1e9) || n != static_cast<double>(static_cast<uint64_t>(n))) {
      throw Napi::RangeError::New(info.Env(), "checkInterval must be an integer between 1 and 1e9");
    }
    base.checkInterval = static_cast<uint32_t>(n);
  }
  return base;
}

Napi::Object configToJs(Napi::Env env, const gil::LockConfig& c) {
  auto o = Napi::Object::New(env);
  o.Set("policy", gil::policyName(c.policy));
  o.Set("switchIntervalUs", static_cast<double>(c.switchIntervalUs));
  o.Set("checkInterval", static_cast<double>(c.checkInterval));
  return o;
}

// --- per-interpreter hot functions ---------------------------------------------------------------
// Executed on the calling JS thread; `data` is the Interpreter the function was made for.

Interpreter* self(const Napi::CallbackInfo& info) { return static_cast<Interpreter*>(info.Data()); }

// acquireAsync() calls of this thread still pending, per interpreter: acquire() must not wait
// then, because the pending wait is granted to this very thread, whose event loop would be blocked
// in acquire() and so could never adopt it — a self-deadlock.
thread_local std::unordered_map<const Interpreter*, uint32_t> tlsPendingAcquires;

Napi::Value AcquireUnsafe(const Napi::CallbackInfo& info) {
  Interpreter* interp = self(info);
  if (!interp->alive()) throwLockError(info.Env(), gil::kErrNoInterpreter);
  auto pending = tlsPendingAcquires.find(interp);
  if (pending != tlsPendingAcquires.end() && pending->second > 0) {
    throw Napi::Error::New(info.Env(),
                           "acquire(): this thread already waits for interpreter " +
                               std::to_string(interp->id()) +
                               "'s lock through acquireAsync(), which is still pending; await it "
                               "instead (acquiring here would deadlock this thread)");
  }
  int rc = interp->lock().acquire();  // blocks this thread: meant for worker threads
  if (rc != gil::kOk) throwLockError(info.Env(), rc);
  return info.Env().Undefined();
}

Napi::Value ReleaseUnsafe(const Napi::CallbackInfo& info) {
  int rc = self(info)->lock().release();
  if (rc != gil::kOk) throwLockError(info.Env(), rc);
  return info.Env().Undefined();
}

Napi::Value CheckpointUnsafe(const Napi::CallbackInfo& info) {
  int rc = self(info)->lock().checkpoint();
  if (rc < 0) throwLockError(info.Env(), rc);
  return Napi::Boolean::New(info.Env(), rc == 1);
}

// The lock's calls may return from a long wait into an environment that is being torn down.
template <Napi::Value (*Fn)(const Napi::CallbackInfo&)>
Napi::Value neverAborting(const Napi::CallbackInfo& info) {
  try {
    return Fn(info);
  } catch (const Napi::Error& e) {
    return gil_addon::throwSafely(info.Env(), e);
  }
}
Napi::Value Acquire(const Napi::CallbackInfo& info) { return neverAborting<AcquireUnsafe>(info); }
Napi::Value Release(const Napi::CallbackInfo& info) { return neverAborting<ReleaseUnsafe>(info); }
Napi::Value Checkpoint(const Napi::CallbackInfo& info) {
  return neverAborting<CheckpointUnsafe>(info);
}

Napi::Value Held(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), self(info)->lock().heldByCurrentThread());
}

// acquireAsync: one of the addon's own threads waits for the lock on behalf of the calling JS
// thread (the event loop never blocks, and libuv's pool is never parked on a lock); once granted,
// completion runs back on the JS thread and adopts it. If that thread's environment ended first,
// the lock granted to it is released again.
class AcquireTask final : public gil_addon::AsyncTask {
 public:
  AcquireTask(Napi::Env env, std::shared_ptr<Interpreter> interp, uint32_t forThread)
      : AsyncTask(env), interp_(std::move(interp)), forThread_(forThread) {}
  const char* name() const override { return "acquireAsync()"; }
  // No JavaScript memory is touched: the gate is never entered, only looked at.
  void execute() override {
    if (gate().cancelled()) {  // its environment ended (or the process exits) while queued
      rc_ = gil::kErrShutdown;
      return;
    }
    rc_ = interp_->alive() ? interp_->lock().acquireAs(forThread_) : gil::kErrNoInterpreter;
  }
  void complete(Napi::Env env) override {
    auto pending = tlsPendingAcquires.find(interp_.get());
    if (pending != tlsPendingAcquires.end() && --pending->second == 0)
      tlsPendingAcquires.erase(pending);
    if (rc_ == gil::kOk) rc_ = interp_->lock().adopt();
    if (rc_ == gil::kOk) {
      resolve(env, env.Undefined());
    } else {
      rejectWithMessage(env, gil::lockErrorMessage(rc_));
    }
  }
  void abandon() override {
    if (rc_ == gil::kOk) interp_->lock().releaseForExitedThread(forThread_);
  }

 private:
  std::shared_ptr<Interpreter> interp_;
  uint32_t forThread_;
  int rc_ = gil::kOk;
};

Napi::Value AcquireAsync(const Napi::CallbackInfo& info) {
  Interpreter* interp = self(info);
  auto shared = gil::findInterpreterByAddress(interp);
  if (!shared) throwLockError(info.Env(), gil::kErrNoInterpreter);
  if (interp->lock().heldByCurrentThread()) throwLockError(info.Env(), gil::kErrAlreadyHeld);
  auto task = std::make_shared<AcquireTask>(info.Env(), shared, gil::currentThreadId());
  Napi::Promise promise = task->promise();
  gil_addon::startTask(info.Env(), std::move(task));
  ++tlsPendingAcquires[interp];  // counted down by its completion, on this thread
  return promise;
}

Napi::Function boundFunction(Napi::Env env, const std::shared_ptr<Interpreter>& interp,
                             const char* name, Napi::Function::Callback cb) {
  auto* keepAlive = new std::shared_ptr<Interpreter>(interp);
  auto fn = Napi::Function::New(env, cb, name, interp.get());
  fn.AddFinalizer([](Napi::Env, std::shared_ptr<Interpreter>* p) { delete p; }, keepAlive);
  return fn;
}

// interpreterHandle(id) -> { id, acquire, acquireAsync, release, checkpoint, held }
Napi::Value InterpreterHandle(const Napi::CallbackInfo& info) {
  REQUIRE_ARGS(1);
  auto interp = interpreterArg(info, 0);
  Napi::Env env = info.Env();
  auto o = Napi::Object::New(env);
  o.Set("id", static_cast<double>(interp->id()));
  o.Set("acquire", boundFunction(env, interp, "acquire", Acquire));
  o.Set("acquireAsync", boundFunction(env, interp, "acquireAsync", AcquireAsync));
  o.Set("release", boundFunction(env, interp, "release", Release));
  o.Set("checkpoint", boundFunction(env, interp, "checkpoint", Checkpoint));
  o.Set("held", boundFunction(env, interp, "held", Held));
  return o;
}

// --- registry and configuration ------------------------------------------------------------------

Napi::Value InterpreterCreate(const Napi::CallbackInfo& info) {
  gil::LockConfig config = configArg(info, 0, gil::LockConfig{});
  return Napi::Number::New(info.Env(), gil::createInterpreter(config)->id());
}

Napi::Value InterpreterDestroy(const Napi::CallbackInfo& info) {
  REQUIRE_ARGS(1);
  uint32_t id = interpreterIdArg(info, 0);
  int rc = gil::destroyInterpreter(id);
  if (rc == gil::kErrInvalidArgument)
    throw Napi::Error::New(info.Env(), "the main interpreter cannot be destroyed");
  if (rc == gil::kErrNoInterpreter) {
    throw Napi::RangeError::New(info.Env(), "id: no interpreter with id " + std::to_string(id));
  }
  if (rc != gil::kOk) throwLockError(info.Env(), rc);
  return info.Env().Undefined();
}

Napi::Value InterpreterExists(const Napi::CallbackInfo& info) {
  REQUIRE_ARGS(1);
  return Napi::Boolean::New(info.Env(), gil::findInterpreter(interpreterIdArg(info, 0)) != nullptr);
}

Napi::Value InterpreterIds(const Napi::CallbackInfo& info) {
  auto ids = gil::interpreterIds();
  auto arr = Napi::Array::New(info.Env(), ids.size());
  for (size_t i = 0; i < ids.size(); i++)
    arr.Set(static_cast<uint32_t>(i), static_cast<double>(ids[i]));
  return arr;
}

Napi::Value InterpreterConfigure(const Napi::CallbackInfo& info) {
  REQUIRE_ARGS(4);
  auto interp = interpreterArg(info, 0);
  gil::LockConfig config = configArg(info, 1, interp->lock().config());
  int rc = interp->lock().configure(config);
  if (rc == gil::kErrBusy) {
    throw Napi::Error::New(
        info.Env(),
        "cannot reconfigure an interpreter whose lock is held or waited on; release it first");
  }
  if (rc != gil::kOk) throwLockError(info.Env(), rc);
  return info.Env().Undefined();
}

Napi::Value InterpreterConfig(const Napi::CallbackInfo& info) {
  REQUIRE_ARGS(1);
  return configToJs(info.Env(), interpreterArg(info, 0)->lock().config());
}

// --- stats and trace
// -------------------------------------------------------------------------------

Napi::Value LockStatsJs(const Napi::CallbackInfo& info) {
  REQUIRE_ARGS(1);
  auto interp = interpreterArg(info, 0);
  gil::LockStats s = interp->lock().stats();
  Napi::Env env = info.Env();
  auto o = Napi::Object::New(env);
  auto num = [](uint64_t v) { return static_cast<double>(v); };
  o.Set("acquisitions", num(s.acquisitions));
  o.Set("contendedAcquisitions", num(s.contendedAcquisitions));
  o.Set("dropRequests", num(s.dropRequests));
  o.Set("forcedSwitches", num(s.forcedSwitches));
  o.Set("switches", num(s.switches));
  o.Set("yields", num(s.yields));
  o.Set("wakeups", num(s.wakeups));
  o.Set("releasesOnThreadExit", num(s.releasesOnThreadExit));
  o.Set("stalls", num(s.stalls));
  o.Set("waiters", num(s.waiters));
  o.Set("holder", num(s.holder));
  o.Set("heldNs", num(s.heldNs));
  o.Set("waitNs", num(s.waitNs));
  o.Set("elapsedNs", num(s.elapsedNs));
  o.Set("heldFraction", s.heldFraction);
  o.Set("waitFraction", s.waitFraction);
  auto h = Napi::Object::New(env);
  h.Set("count", num(s.handoff.count));
  h.Set("p50Ns", num(s.handoff.p50Ns));
  h.Set("p90Ns", num(s.handoff.p90Ns));
  h.Set("p99Ns", num(s.handoff.p99Ns));
  h.Set("maxNs", num(s.handoff.maxNs));
  o.Set("handoff", h);
  auto threadJs = [&](const gil::ThreadLockStats& t) {
    auto to = Napi::Object::New(env);
    to.Set("threadId", num(t.threadId));
    to.Set("acquisitions", num(t.acquisitions));
    to.Set("contendedAcquisitions", num(t.contendedAcquisitions));
    to.Set("dropRequests", num(t.dropRequests));
    to.Set("forcedSwitches", num(t.forcedSwitches));
    to.Set("wakeups", num(t.wakeups));
    to.Set("heldNs", num(t.heldNs));
    to.Set("waitNs", num(t.waitNs));
    return to;
  };
  auto threads = Napi::Array::New(env, s.threads.size());
  for (size_t i = 0; i < s.threads.size(); i++)
    threads.Set(static_cast<uint32_t>(i), threadJs(s.threads[i]));
  o.Set("exitedThreads", num(s.exitedThreads));
  o.Set("exited", threadJs(s.exited));
  o.Set("threads", threads);
  return o;
}

Napi::Value LockResetStats(const Napi::CallbackInfo& info) {
  REQUIRE_ARGS(1);
  interpreterArg(info, 0)->lock().resetStats();
  return info.Env().Undefined();
}

Napi::Value TraceStart(const Napi::CallbackInfo& info) {
  REQUIRE_ARGS(2);
  auto interp = interpreterArg(info, 0);
  REQUIRE_NUMBER(1, "capacity");
  double cap = info[1].As<Napi::Number>().DoubleValue();
  if (!(cap >= 1 && cap <= 1e8) || cap != static_cast<double>(static_cast<uint64_t>(cap))) {
    throw Napi::RangeError::New(info.Env(),
                                "capacity must be an integer between 1 and 100,000,000");
  }
  interp->lock().startTrace(static_cast<size_t>(cap));
  return info.Env().Undefined();
}

// traceStop(id) -> { events: [{ tNs, threadId, kind }], dropped }
Napi::Value TraceStop(const Napi::CallbackInfo& info) {
  REQUIRE_ARGS(1);
  auto interp = interpreterArg(info, 0);
  uint64_t dropped = 0;
  auto events = interp->lock().stopTrace(&dropped);
  Napi::Env env = info.Env();
  static const char* kKinds[] = {"wait-start", "acquired", "released", "drop-request"};
  auto arr = Napi::Array::New(env, events.size());
  for (size_t i = 0; i < events.size(); i++) {
    auto e = Napi::Object::New(env);
    e.Set("tNs", static_cast<double>(events[i].tNs - kOriginNs));
    e.Set("threadId", static_cast<double>(events[i].threadId));
    e.Set("kind", kKinds[static_cast<int>(events[i].kind)]);
    arr.Set(static_cast<uint32_t>(i), e);
  }
  auto o = Napi::Object::New(env);
  o.Set("events", arr);
  o.Set("dropped", static_cast<double>(dropped));
  return o;
}

// watchdogSet(id, boundUs): 0 turns it off.
Napi::Value WatchdogSet(const Napi::CallbackInfo& info) {
  REQUIRE_ARGS(2);
  auto interp = interpreterArg(info, 0);
  REQUIRE_NUMBER(1, "boundUs");
  double us = info[1].As<Napi::Number>().DoubleValue();
  if (!(us >= 0 && us <= 3.6e9) || us != static_cast<double>(static_cast<uint64_t>(us))) {
    throw Napi::RangeError::New(info.Env(),
                                "boundUs must be an integer between 0 and 3.6e9 (one hour)");
  }
  interp->lock().setWatchdog(static_cast<uint64_t>(us));
  return info.Env().Undefined();
}

// watchdogReports(id) -> [{ waiterThreadId, holderThreadId, waitedNs, atNs }]
Napi::Value WatchdogReports(const Napi::CallbackInfo& info) {
  REQUIRE_ARGS(1);
  auto reports = interpreterArg(info, 0)->lock().takeStallReports();
  Napi::Env env = info.Env();
  auto arr = Napi::Array::New(env, reports.size());
  for (size_t i = 0; i < reports.size(); i++) {
    auto o = Napi::Object::New(env);
    o.Set("waiterThreadId", static_cast<double>(reports[i].waiterThreadId));
    o.Set("holderThreadId", static_cast<double>(reports[i].holderThreadId));
    o.Set("waitedNs", static_cast<double>(reports[i].waitedNs));
    o.Set("atNs", static_cast<double>(reports[i].atNs - kOriginNs));
    arr.Set(static_cast<uint32_t>(i), o);
  }
  return arr;
}

Napi::Value CurrentThreadId(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), gil::currentThreadId());
}

// nowNs(): the same clock as trace timestamps.
Napi::Value NowNs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(gil::monotonicNs() - kOriginNs));
}

// --- C++-side measurements for the `lock` bench suite
// ---------------------------------------------

uint64_t iterationsArg(const Napi::CallbackInfo& info, size_t i, const char* name, double max) {
  if (!info[i].IsNumber())
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  double n = info[i].As<Napi::Number>().DoubleValue();
  if (!(n >= 1 && n <= max) || n != static_cast<double>(static_cast<uint64_t>(n))) {
    throw Napi::RangeError::New(info.Env(), std::string(name) +
                                                " must be an integer between 1 and " +
                                                std::to_string(static_cast<uint64_t>(max)));
  }
  return static_cast<uint64_t>(n);
}

// benchLockPair(iterations), benchMutexPair(iterations) -> mean ns per pair, timed in C++.
// The bounds keep every call to a few seconds: these cannot be aborted.
Napi::Value BenchLockPair(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(),
                           gil::benchLockPairNs(iterationsArg(info, 0, "iterations", 5e7)));
}
Napi::Value BenchMutexPair(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(),
                           gil::benchMutexPairNs(iterationsArg(info, 0, "iterations", 5e7)));
}

// benchHandoff(samples, switchIntervalUs) -> { waitP50Ns, waitP90Ns, waitMaxNs, dropToHolder }
Napi::Value BenchHandoff(const Napi::CallbackInfo& info) {
  uint32_t samples = static_cast<uint32_t>(iterationsArg(info, 0, "samples", 1000));
  uint64_t interval = iterationsArg(info, 1, "switchIntervalUs", 20000);
  gil::HandoffBenchResult r = gil::benchHandoff(samples, interval);
  Napi::Env env = info.Env();
  auto o = Napi::Object::New(env);
  o.Set("samples", static_cast<double>(r.samples));
  o.Set("switchIntervalUs", static_cast<double>(r.switchIntervalUs));
  o.Set("waitP50Ns", static_cast<double>(r.waitP50Ns));
  o.Set("waitP90Ns", static_cast<double>(r.waitP90Ns));
  o.Set("waitMaxNs", static_cast<double>(r.waitMaxNs));
  auto h = Napi::Object::New(env);
  h.Set("count", static_cast<double>(r.dropToHolder.count));
  h.Set("p50Ns", static_cast<double>(r.dropToHolder.p50Ns));
  h.Set("p99Ns", static_cast<double>(r.dropToHolder.p99Ns));
  h.Set("maxNs", static_cast<double>(r.dropToHolder.maxNs));
  o.Set("dropToHolder", h);
  return o;
}

}  // namespace

void RegisterInterpreter(Napi::Env env, Napi::Object exports) {
  auto set = [&](const char* name, Napi::Function::Callback cb) {
    exports.Set(name, Napi::Function::New(env, cb, name));
  };
  set("interpreterHandle", InterpreterHandle);
  set("interpreterCreate", InterpreterCreate);
  set("interpreterDestroy", InterpreterDestroy);
  set("interpreterExists", InterpreterExists);
  set("interpreterIds", InterpreterIds);
  set("interpreterConfigure", InterpreterConfigure);
  set("interpreterConfig", InterpreterConfig);
  set("lockStats", LockStatsJs);
  set("lockResetStats", LockResetStats);
  set("traceStart", TraceStart);
  set("traceStop", TraceStop);
  set("currentThreadId", CurrentThreadId);
  set("watchdogSet", WatchdogSet);
  set("watchdogReports", WatchdogReports);
  set("nowNs", NowNs);
  set("benchLockPair", BenchLockPair);
  set("benchMutexPair", BenchMutexPair);
  set("benchHandoff", BenchHandoff);
}
