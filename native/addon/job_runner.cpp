// The addon's own threads and the per-environment completion and cleanup. See job_runner.h.
#include "job_runner.h"

#include <uv.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "interpreter_lock.h"

namespace gil_addon {

namespace {

// One JavaScript environment (the main thread, or one worker thread) that loaded the addon.
struct EnvState {
  napi_env env = nullptr;
  uv_async_t* async = nullptr;  // wakes the environment's loop when a task is done
  napi_async_context asyncContext = nullptr;
  napi_async_cleanup_hook_handle cleanupHandle = nullptr;

  std::mutex mutex;  // guards everything below
  bool alive = true;
  // Started and not yet delivered (the JavaScript thread adds and delivers; shutdown() reads).
  std::unordered_map<AsyncTask*, std::shared_ptr<AsyncTask>> inFlight;
  std::vector<std::shared_ptr<AsyncTask>> done;  // finished, waiting for the JavaScript thread
};

// Every live environment, for shutdown() and for startTask's lookup. Leaked on purpose: the
// addon's threads may still run while static destructors do at exit.
struct Environments {
  std::mutex mutex;
  std::unordered_map<napi_env, std::shared_ptr<EnvState>> byEnv;
};
Environments& environments() {
  static Environments* e = new Environments();
  return *e;
}

// --- the threads ---------------------------------------------------------------------------------

struct WorkItem {
  std::shared_ptr<EnvState> env;
  std::shared_ptr<AsyncTask> task;
};

void finish(WorkItem& item);

// A pool of detached threads that grows whenever every thread is busy (so a task that waits for
// the lock never delays another) and shrinks when threads stay idle.
class Runner {
 public:
  void submit(WorkItem item) {
    std::lock_guard<std::mutex> g(mutex_);
    queue_.push_back(std::move(item));
    if (queue_.size() <= idle_) {
      wake_.notify_one();
      return;
    }
    try {
      std::thread([this] { loop(); }).detach();
    } catch (...) {
      queue_.pop_back();
      throw;
    }
  }

 private:
  static constexpr auto kIdleLifetime = std::chrono::seconds(10);

  void loop() {
    std::unique_lock<std::mutex> lk(mutex_);
    for (;;) {
      if (queue_.empty()) {
        ++idle_;
        const bool got = wake_.wait_for(lk, kIdleLifetime, [this] { return !queue_.empty(); });
        --idle_;
        if (!got) return;  // idle too long: this thread ends
      }
      WorkItem item = std::move(queue_.front());
      queue_.pop_front();
      lk.unlock();
      try {
        item.task->execute();
      } catch (...) {  // execute() reports its own errors; nothing may escape a thread
      }
      finish(item);
      item = WorkItem{};  // let go of the task here, outside the runner's mutex
      lk.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<WorkItem> queue_;
  size_t idle_ = 0;
};

Runner& runner() {
  static Runner* r = new Runner();  // leaked on purpose, as environments()
  return *r;
}

// The addon's thread, after execute(): hand the task to its environment, or drop it if that is
// gone. The task moves there, so that its last reference (and so its Napi references) is let go
// on the JavaScript thread, never on this one.
void finish(WorkItem& item) {
  {
    std::lock_guard<std::mutex> g(item.env->mutex);
    if (item.env->alive) {
      item.env->done.push_back(std::move(item.task));
      uv_async_send(item.env->async);
      return;
    }
  }
  item.task->abandon();  // its JavaScript references were let go by the cleanup hook
}

// --- completion on the JavaScript thread ---------------------------------------------------------

void clearPendingException(napi_env env) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
  }
}

void deliver(EnvState& s, AsyncTask& task) {
  napi_handle_scope handles;
  if (napi_open_handle_scope(s.env, &handles) != napi_ok) return;
  napi_value resource;
  napi_callback_scope scope = nullptr;
  if (napi_create_object(s.env, &resource) == napi_ok)
    napi_open_callback_scope(s.env, resource, s.asyncContext, &scope);
  try {
    task.complete(Napi::Env(s.env));
  } catch (const std::exception& e) {
    clearPendingException(s.env);
    task.rejectWithMessage(s.env, std::string(task.name()) + ": " + e.what());
  } catch (...) {
    clearPendingException(s.env);
    task.rejectWithMessage(s.env, std::string(task.name()) + ": its result could not be delivered");
  }
  clearPendingException(s.env);
  // Closing the outermost callback scope runs the promise reactions.
  if (scope != nullptr) napi_close_callback_scope(s.env, scope);
  clearPendingException(s.env);
  napi_close_handle_scope(s.env, handles);
}

void onAsync(uv_async_t* handle) {
  auto* s = static_cast<EnvState*>(handle->data);
  std::vector<std::shared_ptr<AsyncTask>> done;
  {
    std::lock_guard<std::mutex> g(s->mutex);
    done.swap(s->done);
    for (auto& t : done) s->inFlight.erase(t.get());
    if (s->inFlight.empty()) uv_unref(reinterpret_cast<uv_handle_t*>(s->async));
  }
  for (auto& t : done) {
    deliver(*s, *t);
    t.reset();  // Napi references are deleted here, on the JavaScript thread
  }
}

// --- environment teardown ------------------------------------------------------------------------

// Cancels every task `s` started and lets go of their JavaScript references; a task still running
// drops its completion when it ends (finish()).
void teardown(const std::shared_ptr<EnvState>& s) {
  std::vector<std::shared_ptr<AsyncTask>> inFlight, done;
  {
    std::lock_guard<std::mutex> g(s->mutex);
    s->alive = false;
    for (auto& [_, t] : s->inFlight) inFlight.push_back(t);
    s->inFlight.clear();
    done.swap(s->done);
  }
  for (auto& t : inFlight) {
    t->gate().cancelAndWait();  // at most one slice: lock waits happen outside the gate
    t->releaseJs();
  }
  for (auto& t : done) t->abandon();
}

void onCleanup(napi_async_cleanup_hook_handle handle, void* arg) {
  auto* s = static_cast<EnvState*>(arg);
  auto* keep = new std::shared_ptr<EnvState>();  // keeps `s` alive until the handle is closed
  {
    auto& all = environments();
    std::lock_guard<std::mutex> g(all.mutex);
    auto it = all.byEnv.find(s->env);
    if (it != all.byEnv.end()) {
      *keep = it->second;
      all.byEnv.erase(it);
    }
  }
  if (*keep) teardown(*keep);
  if (s->asyncContext != nullptr) napi_async_destroy(s->env, s->asyncContext);
  s->asyncContext = nullptr;
  s->cleanupHandle = handle;
  s->async->data = keep;
  // The handle must be closed before the loop is: Node waits for this async cleanup hook.
  uv_close(reinterpret_cast<uv_handle_t*>(s->async), [](uv_handle_t* h) {
    auto* keep = static_cast<std::shared_ptr<EnvState>*>(h->data);
    EnvState* s = keep->get();
    napi_async_cleanup_hook_handle hook = s->cleanupHandle;
    s->async = nullptr;
    delete reinterpret_cast<uv_async_t*>(h);
    napi_remove_async_cleanup_hook(hook);
    delete keep;  // tasks still running may hold the state a while longer; its env is gone
  });
}

std::shared_ptr<EnvState> stateFor(Napi::Env env) {
  auto& all = environments();
  std::lock_guard<std::mutex> g(all.mutex);
  auto it = all.byEnv.find(env);
  if (it == all.byEnv.end())
    throw Napi::Error::New(env, "gil-lab: this environment is shutting down");
  return it->second;
}

// shutdown(): the main thread's process 'exit'. Cancels every task of every environment (without
// waiting: the process is ending and its memory stays mapped) and ends every lock wait, so that
// worker threads blocked in acquire() return and can be joined.
Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  {
    auto& all = environments();
    std::lock_guard<std::mutex> g(all.mutex);
    for (auto& [_, s] : all.byEnv) {
      std::lock_guard<std::mutex> gs(s->mutex);
      for (auto& [__, t] : s->inFlight) t->gate().cancel();
    }
  }
  gil::beginShutdown();
  return info.Env().Undefined();
}

}  // namespace

// --- AsyncTask -----------------------------------------------------------------------------------

AsyncTask::AsyncTask(Napi::Env env) {
  napi_value promise;
  NAPI_THROW_IF_FAILED_VOID(env, napi_create_promise(env, &deferred_, &promise));
  promise_ = Napi::Promise(env, promise);
}

void AsyncTask::resolve(napi_env env, napi_value value) noexcept {
  if (deferred_ == nullptr) return;
  if (napi_resolve_deferred(env, deferred_, value) == napi_ok) deferred_ = nullptr;
}

void AsyncTask::reject(napi_env env, napi_value error) noexcept {
  if (deferred_ == nullptr) return;
  if (napi_reject_deferred(env, deferred_, error) == napi_ok) deferred_ = nullptr;
}

void AsyncTask::rejectWithMessage(napi_env env, const std::string& message) noexcept {
  napi_value text, error;
  if (napi_create_string_utf8(env, message.c_str(), message.size(), &text) != napi_ok) return;
  if (napi_create_error(env, nullptr, text, &error) != napi_ok) return;
  reject(env, error);
}

void startTask(Napi::Env env, std::shared_ptr<AsyncTask> task) {
  std::shared_ptr<EnvState> s = stateFor(env);
  {
    std::lock_guard<std::mutex> g(s->mutex);
    s->inFlight.emplace(task.get(), task);
    // Pending work keeps the event loop alive, as it would on libuv's pool.
    if (s->inFlight.size() == 1) uv_ref(reinterpret_cast<uv_handle_t*>(s->async));
  }
  try {
    runner().submit(WorkItem{s, task});
  } catch (const std::exception& e) {
    std::lock_guard<std::mutex> g(s->mutex);
    s->inFlight.erase(task.get());
    if (s->inFlight.empty()) uv_unref(reinterpret_cast<uv_handle_t*>(s->async));
    throw Napi::Error::New(env, std::string(task->name()) + ": cannot start a thread: " + e.what());
  }
}

}  // namespace gil_addon

// Sets up this environment's completion handle and cleanup hook; exports shutdown().
void RegisterLifecycle(Napi::Env env, Napi::Object exports) {
  using gil_addon::EnvState;
  // Not enumerable: an irreversible, process-wide call for the exit listener only, not part of
  // what enumerates the addon's API (a fuzzer calling it would end every lock wait for good).
  exports.DefineProperty(Napi::PropertyDescriptor::Value(
      "shutdown", Napi::Function::New(env, gil_addon::Shutdown, "shutdown"), napi_default));
  {
    auto& all = gil_addon::environments();
    std::lock_guard<std::mutex> g(all.mutex);
    if (all.byEnv.count(env) != 0) return;  // loaded twice into one environment: set up once
  }
  auto s = std::make_shared<EnvState>();
  s->env = env;
  uv_loop_t* loop = nullptr;
  NAPI_THROW_IF_FAILED_VOID(env, napi_get_uv_event_loop(env, &loop));
  s->async = new uv_async_t;
  if (uv_async_init(loop, s->async, gil_addon::onAsync) != 0) {
    delete s->async;
    throw Napi::Error::New(env, "gil-lab: cannot create the completion handle (uv_async_init)");
  }
  s->async->data = s.get();
  uv_unref(reinterpret_cast<uv_handle_t*>(s->async));
  napi_value resource, name;
  NAPI_THROW_IF_FAILED_VOID(env, napi_create_object(env, &resource));
  NAPI_THROW_IF_FAILED_VOID(env,
                            napi_create_string_utf8(env, "gil-lab:async", NAPI_AUTO_LENGTH, &name));
  NAPI_THROW_IF_FAILED_VOID(env, napi_async_init(env, resource, name, &s->asyncContext));
  {
    auto& all = gil_addon::environments();
    std::lock_guard<std::mutex> g(all.mutex);
    all.byEnv[env] = s;
  }
  NAPI_THROW_IF_FAILED_VOID(
      env, napi_add_async_cleanup_hook(env, gil_addon::onCleanup, s.get(), nullptr));
}
