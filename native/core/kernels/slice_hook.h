// How a kernel talks to the interpreter lock. A kernel works in slices of at most ~50 µs and calls
// SliceHook::betweenSlices() after each one; the hook decides what "between slices" means:
//  - HoldHook: the kernel runs holding the lock, like interpreted code, so between slices it does
//    the eval-breaker check (InterpreterLock::checkpoint) and lets a waiting thread in.
//  - ReleaseHook: the kernel runs with the lock released (Py_BEGIN_ALLOW_THREADS around the whole
//    computation, see ReleaseScope), so between slices it only checks for an abort.
// Blocking I/O kernels additionally bracket each blocking system call with BlockingScope: with a
// ReleaseHook built with a lock, the lock is released around each call and re-acquired after it,
// exactly as CPython's socket and file calls do (so an I/O thread must win the lock back after
// every operation: the convoy effect).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "interpreter_lock.h"

namespace gil {

enum class KernelStatus : uint8_t { Completed = 0, Aborted = 1 };

// An abort flag shared with another thread (an Int32Array element, possibly in a
// SharedArrayBuffer): nonzero means "stop". Read with a relaxed atomic load: the flag carries no
// data, and the kernel only has to notice it within one slice.
inline bool abortFlagSet(const int32_t* flag) {
  return flag != nullptr && __atomic_load_n(flag, __ATOMIC_RELAXED) != 0;
}

// Guards memory a kernel works on that its owner may take away while the kernel runs (a Node.js
// environment that ends: its typed arrays and abort flag are freed). The kernel's thread is
// "inside" while it may touch that memory; the owner calls cancelAndWait(), after which the kernel
// never enters again and so never touches it. Lock waits happen outside, so cancelAndWait() waits
// at most one slice (or one ~1 ms blocking wait), never for the lock.
class CancelGate {
 public:
  // False once cancelled: the memory may be gone.
  bool enter() {
    std::lock_guard<std::mutex> g(mutex_);
    if (cancelled_.load(std::memory_order_relaxed)) return false;
    inside_ = true;
    return true;
  }
  void leave() {
    {
      std::lock_guard<std::mutex> g(mutex_);
      if (!inside_) return;
      inside_ = false;
    }
    left_.notify_all();
  }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }
  // Marks the gate cancelled without waiting (process exit: the memory stays mapped).
  void cancel() {
    std::lock_guard<std::mutex> g(mutex_);
    cancelled_.store(true, std::memory_order_relaxed);
  }
  // Marks it cancelled and waits until the kernel's thread is outside.
  void cancelAndWait() {
    std::unique_lock<std::mutex> lk(mutex_);
    cancelled_.store(true, std::memory_order_relaxed);
    left_.wait(lk, [this] { return !inside_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable left_;
  bool inside_ = false;
  std::atomic<bool> cancelled_{false};
};

class SliceHook {
 public:
  virtual ~SliceHook() = default;
  // Called between slices of work. false means stop: the kernel returns KernelStatus::Aborted.
  virtual bool betweenSlices() = 0;
  // Only the abort check, with no lock interaction: used while waiting inside a blocking call.
  virtual bool abortRequested() const = 0;
  // Around one blocking system call (see BlockingScope). Default: keep the lock as it is.
  virtual void beginBlocking() {}
  virtual void endBlocking() {}
};

// Hold mode: the calling thread holds `lock` for the whole kernel and checkpoints between slices.
class HoldHook final : public SliceHook {
 public:
  // With a gate (async kernels), the thread is outside it while the checkpoint waits for the lock,
  // and stops if the gate was cancelled meanwhile.
  HoldHook(InterpreterLock& lock, const int32_t* abortFlag, CancelGate* gate = nullptr)
      : lock_(lock), abortFlag_(abortFlag), gate_(gate) {}
  bool betweenSlices() override {
    if (abortRequested()) return false;
    int rc;
    if (gate_ != nullptr) {
      gate_->leave();
      rc = lock_.checkpoint();
      if (!gate_->enter()) return false;
    } else {
      rc = lock_.checkpoint();
    }
    if (rc < 0) {  // the lock was taken away (misuse elsewhere) or refused (shutdown): report it
      lockError_ = rc;
      return false;
    }
    yields_ += static_cast<uint64_t>(rc);
    // A checkpoint may have waited a whole switch interval for the lock: look again.
    return !abortRequested();
  }
  bool abortRequested() const override {
    return (gate_ != nullptr && gate_->cancelled()) || abortFlagSet(abortFlag_);
  }
  // A LockResult (< 0) if a checkpoint failed, else 0.
  int lockError() const { return lockError_; }
  // How many checkpoints yielded the lock to another thread.
  uint64_t yields() const { return yields_; }

 private:
  InterpreterLock& lock_;
  const int32_t* abortFlag_;
  CancelGate* gate_;
  int lockError_ = 0;
  uint64_t yields_ = 0;
};

// Release mode: the kernel runs without the lock; between slices only the abort flag is checked.
// With `lockPerCall` (blocking I/O kernels called by a thread that holds that lock), each blocking
// system call releases the lock and re-acquires it afterwards.
class ReleaseHook final : public SliceHook {
 public:
  // With a gate (async kernels, which never wait for the lock here), a cancelled gate stops it too.
  explicit ReleaseHook(const int32_t* abortFlag, InterpreterLock* lockPerCall = nullptr,
                       CancelGate* gate = nullptr)
      : abortFlag_(abortFlag), lockPerCall_(lockPerCall), gate_(gate) {}
  bool betweenSlices() override { return !abortRequested(); }
  bool abortRequested() const override {
    return (gate_ != nullptr && gate_->cancelled()) || abortFlagSet(abortFlag_);
  }
  void beginBlocking() override {
    if (lockPerCall_ != nullptr) released_ = lockPerCall_->release() == kOk;
  }
  void endBlocking() override {
    if (released_) {
      lockPerCall_->acquire();
      released_ = false;
    }
  }

 private:
  const int32_t* abortFlag_;
  InterpreterLock* lockPerCall_;
  CancelGate* gate_;
  bool released_ = false;
};

// A hook that never stops and never yields: for tests and standalone use.
class NoHook final : public SliceHook {
 public:
  bool betweenSlices() override { return true; }
  bool abortRequested() const override { return false; }
};

// Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS as RAII: releases the lock if the calling thread
// holds it, and re-acquires it when the scope ends — normally, on abort and on exceptions alike.
class ReleaseScope {
 public:
  explicit ReleaseScope(InterpreterLock& lock) : lock_(lock), released_(lock.release() == kOk) {}
  ~ReleaseScope() {
    if (released_) lock_.acquire();
  }
  bool released() const { return released_; }
  ReleaseScope(const ReleaseScope&) = delete;
  ReleaseScope& operator=(const ReleaseScope&) = delete;

 private:
  InterpreterLock& lock_;
  bool released_;
};

// Brackets one blocking system call inside an I/O kernel (see SliceHook::beginBlocking).
class BlockingScope {
 public:
  explicit BlockingScope(SliceHook& hook) : hook_(hook) { hook_.beginBlocking(); }
  ~BlockingScope() { hook_.endBlocking(); }
  BlockingScope(const BlockingScope&) = delete;
  BlockingScope& operator=(const BlockingScope&) = delete;

 private:
  SliceHook& hook_;
};

}  // namespace gil
