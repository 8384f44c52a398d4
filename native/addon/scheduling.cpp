// Node-API bindings for native/core/scheduling.h: the clocks and CPU placement the scaling sweep
// records per task, and pinning of the calling thread (a worker thread, or a child's main thread).
//   monotonicClockNs()  CLOCK_MONOTONIC ns as a double: one clock across threads and processes
//                       (exact to the ns for ~104 days of uptime, 2^53 ns; coarser only after)
//   threadCpuTimeNs()   CPU time of the calling thread, ns
//   currentCpu()        the CPU the calling thread runs on, or null where the OS cannot say
//   allowedCpus()       the CPUs the calling thread may run on, ascending (empty where unknown)
//   pinThread(cpu)      restricts the calling thread to `cpu`; throws if it cannot
#include "scheduling.h"

#include <napi.h>

#include <cmath>
#include <cstdio>
#include <string>

namespace {

std::string describe(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

void checkNoArguments(const Napi::CallbackInfo& info, const char* name) {
  if (info.Length() != 0) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " takes no arguments");
  }
}

Napi::Value MonotonicClockNs(const Napi::CallbackInfo& info) {
  checkNoArguments(info, "monotonicClockNs");
  return Napi::Number::New(info.Env(), static_cast<double>(gil::monotonicClockNs()));
}

Napi::Value ThreadCpuTimeNs(const Napi::CallbackInfo& info) {
  checkNoArguments(info, "threadCpuTimeNs");
  return Napi::Number::New(info.Env(), static_cast<double>(gil::threadCpuTimeNs()));
}

Napi::Value CurrentCpu(const Napi::CallbackInfo& info) {
  checkNoArguments(info, "currentCpu");
  int cpu = gil::currentCpu();
  if (cpu < 0) return info.Env().Null();
  return Napi::Number::New(info.Env(), cpu);
}

Napi::Value AllowedCpus(const Napi::CallbackInfo& info) {
  checkNoArguments(info, "allowedCpus");
  std::vector<int> cpus = gil::allowedCpus();
  Napi::Array array = Napi::Array::New(info.Env(), cpus.size());
  for (size_t i = 0; i < cpus.size(); ++i) {
    array.Set(static_cast<uint32_t>(i), Napi::Number::New(info.Env(), cpus[i]));
  }
  return array;
}

Napi::Value PinThread(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1) throw Napi::TypeError::New(env, "pinThread takes one argument, cpu");
  if (!info[0].IsNumber()) throw Napi::TypeError::New(env, "cpu must be a number");
  double value = info[0].As<Napi::Number>().DoubleValue();
  int limit = gil::cpuSetSize();
  if (limit == 0) throw Napi::Error::New(env, "pinThread: thread affinity is not supported here");
  if (!std::isfinite(value) || std::floor(value) != value || value < 0 || value >= limit) {
    throw Napi::RangeError::New(env, "cpu must be an integer in [0, " + std::to_string(limit) +
                                         "), got " + describe(value));
  }
  int cpu = static_cast<int>(value);
  switch (gil::pinCurrentThread(cpu)) {
    case gil::PinStatus::kPinned:
      return env.Undefined();
    case gil::PinStatus::kNotAllowed:
      throw Napi::RangeError::New(
          env, "cpu " + std::to_string(cpu) + " is offline or not in this thread's allowed CPUs");
    case gil::PinStatus::kNoPermission:
      throw Napi::Error::New(env, "pinThread: not permitted to set this thread's affinity");
    case gil::PinStatus::kOutOfRange:
      throw Napi::RangeError::New(env, "cpu " + std::to_string(cpu) + " is out of range");
    case gil::PinStatus::kUnsupported:
      break;
  }
  throw Napi::Error::New(env, "pinThread: thread affinity is not supported here");
}

}  // namespace

void RegisterScheduling(Napi::Env env, Napi::Object exports) {
  exports.Set("monotonicClockNs", Napi::Function::New(env, MonotonicClockNs, "monotonicClockNs"));
  exports.Set("threadCpuTimeNs", Napi::Function::New(env, ThreadCpuTimeNs, "threadCpuTimeNs"));
  exports.Set("currentCpu", Napi::Function::New(env, CurrentCpu, "currentCpu"));
  exports.Set("allowedCpus", Napi::Function::New(env, AllowedCpus, "allowedCpus"));
  exports.Set("pinThread", Napi::Function::New(env, PinThread, "pinThread"));
}
