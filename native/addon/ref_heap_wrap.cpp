// Node-API binding of the reference-counted object heap (native/core/kernels/ref_heap.h).
#include <napi.h>

#include <memory>
#include <new>
#include <string>

#include "common.h"
#include "interpreter_lock.h"
#include "job_runner.h"
#include "kernels/ref_heap.h"

namespace {

using gil::Interpreter;
using gil::KernelStatus;

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
  // storm(strategy, threads, pairsPerThread, seed, interpreterId, abortFlag, ownerShare?)
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
    s.interp = gil_addon::interpreterArg(info, 4, "interpreter");
    s.options.threads = static_cast<uint32_t>(threads);
    s.options.pairsPerThread = pairs;
    s.options.seed = seed;
    s.options.lock = &s.interp->lock();
    const gil_addon::AbortFlagArg flag = gil_addon::abortFlagArg(info, 5);
    s.options.abortFlag = flag.cell;
    s.abortFlagArray = flag.array;
    if (!info[6].IsUndefined()) {
      ARG_FINITE(share, 6, "ownerShare");
      REQUIRE(share >= 0 && share <= 1, RangeError,
              "ownerShare must be between 0 and 1, got " + gil_addon::fmt(share));
      s.options.ownerShare = share;
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

  // An async storm on the addon's own thread: its threads may wait for the lock ('locked').
  class StormTask final : public gil_addon::AsyncTask {
   public:
    StormTask(Napi::Env env, std::shared_ptr<gil::RefHeap> heap, StormArgs s, Napi::Object self)
        : AsyncTask(env),
          heap_(std::move(heap)),
          interp_(std::move(s.interp)),
          options_(s.options),
          self_(Napi::Persistent(self)) {
      if (!s.abortFlagArray.IsEmpty()) flag_ = Napi::Persistent(s.abortFlagArray);
      options_.gate = &gate();
    }
    const char* name() const override { return "RefHeap.stormAsync"; }
    // The storm reads the abort flag (JavaScript memory) throughout: inside the gate for its whole
    // run; a cancelled gate stops its threads at their next check.
    void execute() override {
      if (!gate().enter()) return;
      try {
        result_ = heap_->storm(options_);
      } catch (const std::bad_alloc&) {
        error_ = "RefHeap.stormAsync: out of memory";
      } catch (const std::exception& e) {
        error_ = std::string("RefHeap.stormAsync: ") + e.what();
      }
      gate().leave();
    }
    void complete(Napi::Env env) override {
      if (!error_.empty()) return rejectWithMessage(env, error_);
      resolve(env, stormResultToJs(env, result_));
    }
    void releaseJs() override {
      self_.Reset();
      flag_.Reset();
    }

   private:
    std::shared_ptr<gil::RefHeap> heap_;
    std::shared_ptr<Interpreter> interp_;
    gil::RefStormOptions options_;
    Napi::ObjectReference self_;
    Napi::Reference<Napi::Value> flag_;
    gil::RefStormResult result_;
    std::string error_;
  };

  Napi::Value StormAsync(const Napi::CallbackInfo& info) {
    StormArgs s = stormArgs(info);
    if (s.options.abortFlag != nullptr && !gil_addon::isSharedBuffer(info.Env(), s.abortFlagArray))
      gil_addon::throwType(info.Env(),
                           "abort flag for an async storm must be an Int32Array over a "
                           "SharedArrayBuffer");
    auto task = std::make_shared<StormTask>(info.Env(), heap_, std::move(s),
                                            info.This().As<Napi::Object>());
    Napi::Promise promise = task->promise();
    gil_addon::startTask(info.Env(), std::move(task));
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

}  // namespace

Napi::Function DefineRefHeap(Napi::Env env) { return RefHeapWrap::Define(env); }
