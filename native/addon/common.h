// Argument checks and small helpers shared by the addon's binding files. Each check throws a
// TypeError (wrong type) or RangeError (wrong value) that names the argument.
#pragma once

#include <napi.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include "interpreter_lock.h"

namespace gil_addon {

inline std::string fmt(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", d);
  return buffer;
}

[[noreturn]] inline void throwType(Napi::Env env, const std::string& message) {
  throw Napi::TypeError::New(env, message);
}
[[noreturn]] inline void throwRange(Napi::Env env, const std::string& message) {
  throw Napi::RangeError::New(env, message);
}

// Throws `e` into JavaScript and returns an empty value for the callback to return. Unlike a C++
// `throw` out of a callback, this never aborts: node-addon-api rethrows as a C++ exception when
// napi_throw fails (a worker being terminated cannot run JavaScript), and that exception would
// escape a callback that cannot throw. A thread that waited for the lock is exactly such a case.
inline Napi::Value throwSafely(Napi::Env env, const Napi::Error& e) noexcept {
  try {
    napi_throw(env, e.Value());
  } catch (...) {  // the environment is going away: nobody is left to see the error
  }
  return Napi::Value();
}

// A finite number.
inline double finiteArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) throwType(info.Env(), std::string(name) + " must be a number");
  const double d = info[i].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d))
    throwRange(info.Env(), std::string(name) + " must be finite, got " + fmt(d));
  return d;
}

// An integer in [min, max] (max <= 2^53).
inline uint64_t integerArg(const Napi::CallbackInfo& info, size_t i, const char* name, uint64_t min,
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

// A signed 32-bit integer (the value a shared Int32Array cell holds).
inline int32_t int32Arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) throwType(info.Env(), std::string(name) + " must be an integer");
  const double d = info[i].As<Napi::Number>().DoubleValue();
  if (!(d >= -2147483648.0 && d <= 2147483647.0) || std::floor(d) != d)
    throwRange(info.Env(), std::string(name) + " must be an int32, got " + fmt(d));
  return static_cast<int32_t>(d);
}

// A string.
inline std::string stringArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsString()) throwType(info.Env(), std::string(name) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

// An interpreter id: an integer in [0, 2^32). Every binding that takes one checks it here.
inline uint32_t interpreterIdArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  return static_cast<uint32_t>(integerArg(info, i, name, 0, 0xffffffffull));
}

// The live interpreter with that id; a RangeError "<name>: no interpreter with id N" otherwise.
inline std::shared_ptr<gil::Interpreter> interpreterArg(const Napi::CallbackInfo& info, size_t i,
                                                        const char* name) {
  const uint32_t id = interpreterIdArg(info, i, name);
  auto interp = gil::findInterpreter(id);
  if (!interp || !interp->alive())
    throwRange(info.Env(), std::string(name) + ": no interpreter with id " + std::to_string(id));
  return interp;
}

// The buffer behind a typed array (an ArrayBuffer or a SharedArrayBuffer).
inline napi_value bufferOf(Napi::Env env, napi_value array) {
  napi_value buffer;
  NAPI_THROW_IF_FAILED(
      env, napi_get_typedarray_info(env, array, nullptr, nullptr, nullptr, &buffer, nullptr),
      nullptr);
  return buffer;
}

// True for a SharedArrayBuffer-backed view (which can never be detached).
inline bool isSharedBuffer(Napi::Env env, napi_value array) {
  bool isArrayBuffer = false;
  NAPI_THROW_IF_FAILED(env, napi_is_arraybuffer(env, bufferOf(env, array), &isArrayBuffer), false);
  return !isArrayBuffer;
}

inline bool isDetached(Napi::Env env, napi_value array) {
  if (isSharedBuffer(env, array)) return false;
  bool detached = false;
  NAPI_THROW_IF_FAILED(env, napi_is_detached_arraybuffer(env, bufferOf(env, array), &detached),
                       false);
  return detached;
}

// A typed array of the given element type, not detached; `typeName` is for the message.
inline Napi::TypedArray typedArrayArg(const Napi::CallbackInfo& info, size_t i, const char* name,
                                      napi_typedarray_type type, const char* typeName) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != type) {
    throwType(info.Env(), std::string(name) + " must be a " + typeName);
  }
  Napi::TypedArray array = info[i].As<Napi::TypedArray>();
  if (isDetached(info.Env(), array))
    throwType(info.Env(), std::string(name) + " is backed by a detached ArrayBuffer");
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

// An abort flag: undefined or null (none), or an Int32Array whose element 0 becoming nonzero asks
// the work to stop. `array` is valid during the call only.
struct AbortFlagArg {
  const int32_t* cell = nullptr;
  Napi::Value array;
};
inline AbortFlagArg abortFlagArg(const Napi::CallbackInfo& info, size_t i) {
  AbortFlagArg flag;
  if (info[i].IsUndefined() || info[i].IsNull()) return flag;
  Napi::TypedArray array = typedArrayArg(info, i, "abort flag", napi_int32_array, "Int32Array");
  if (array.ElementLength() < 1)
    throwRange(info.Env(), "abort flag must have at least one element");
  flag.cell = dataOf<int32_t>(array);
  flag.array = array;
  return flag;
}

}  // namespace gil_addon

#define ARG_FINITE(var, i, name) const double var = ::gil_addon::finiteArg(info, (i), name)
#define ARG_INTEGER(var, i, name, min, max) \
  const uint64_t var = ::gil_addon::integerArg(info, (i), name, (min), (max))
#define ARG_TYPED(var, i, name, type, typeName) \
  Napi::TypedArray var = ::gil_addon::typedArrayArg(info, (i), name, type, typeName)
#define REQUIRE(cond, Kind, message) \
  if (!(cond)) throw Napi::Kind::New(info.Env(), message)
