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

#include <cstdint>

#include "interpreter_lock.h"

namespace gil {

enum class KernelStatus : uint8_t { Completed = 0, Aborted = 1 };

// An abort flag shared with another thread (an Int32Array element, possibly in a
// SharedArrayBuffer): nonzero means "stop". Read with a relaxed atomic load: the flag carries no
// data, and the kernel only has to notice it within one slice.
inline bool abortFlagSet(const int32_t* flag) {
  return flag != nullptr && __atomic_load_n(flag, __ATOMIC_RELAXED) != 0;
}

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
  HoldHook(InterpreterLock& lock, const int32_t* abortFlag) : lock_(lock), abortFlag_(abortFlag) {}
  bool betweenSlices() override {
    if (abortFlagSet(abortFlag_)) return false;
    int rc = lock_.checkpoint();
    if (rc < 0) {  // the lock was taken away from under us (misuse elsewhere): stop, report it
      lockError_ = rc;
      return false;
    }
    yields_ += static_cast<uint64_t>(rc);
    // A checkpoint may have waited a whole switch interval for the lock: look again.
    return !abortFlagSet(abortFlag_);
  }
  bool abortRequested() const override { return abortFlagSet(abortFlag_); }
  // A LockResult (< 0) if a checkpoint failed, else 0.
  int lockError() const { return lockError_; }
  // How many checkpoints yielded the lock to another thread.
  uint64_t yields() const { return yields_; }

 private:
  InterpreterLock& lock_;
  const int32_t* abortFlag_;
  int lockError_ = 0;
  uint64_t yields_ = 0;
};

// Release mode: the kernel runs without the lock; between slices only the abort flag is checked.
// With `lockPerCall` (blocking I/O kernels called by a thread that holds that lock), each blocking
// system call releases the lock and re-acquires it afterwards.
class ReleaseHook final : public SliceHook {
 public:
  explicit ReleaseHook(const int32_t* abortFlag, InterpreterLock* lockPerCall = nullptr)
      : abortFlag_(abortFlag), lockPerCall_(lockPerCall) {}
  bool betweenSlices() override { return !abortFlagSet(abortFlag_); }
  bool abortRequested() const override { return abortFlagSet(abortFlag_); }
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
