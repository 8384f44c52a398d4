// Node-API bindings for native/core/platform.h, plus noop(), the cost floor of a Node-API call.
#include "platform.h"

#include <napi.h>

namespace {

Napi::Value HardwareConcurrency(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), gil::hardwareConcurrency());
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), gil::version());
}

// Does nothing: timing it measures the fixed cost every native call pays (bench suite "floor").
Napi::Value Noop(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

}  // namespace

void RegisterPlatform(Napi::Env env, Napi::Object exports) {
  exports.Set("hardwareConcurrency",
              Napi::Function::New(env, HardwareConcurrency, "hardwareConcurrency"));
  exports.Set("version", Napi::Function::New(env, Version, "version"));
  exports.Set("noop", Napi::Function::New(env, Noop, "noop"));
}
