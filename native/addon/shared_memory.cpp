// Node-API bindings for named shared memory (native/core/shared_memory.h).
//
// A SharedMemoryHandle owns one mapping and exposes it as an external ArrayBuffer (no copy).
// Lifetime, so that nothing in JavaScript can ever touch unmapped memory, and close() gives the
// memory back at once (200 create/fill/close cycles of 16 MiB must not keep 3.2 GB until a GC):
//  - the mapping is held by a shared_ptr; the handle holds one reference and the ArrayBuffer's
//    finalizer holds another;
//  - close() detaches the ArrayBuffer (every typed array over it then has length 0, and reads give
//    undefined instead of touching memory) and then unmaps at once: after the detach no JavaScript
//    can reach the bytes. If the buffer was already detached by someone else (transferred to
//    another thread), that thread may still use the bytes: the mapping is then left to the
//    finalizer, which runs when the last ArrayBuffer over it is gone;
//  - without close(), the mapping lives as long as the ArrayBuffer (any view keeps it alive).
// V8 counts the external ArrayBuffer's bytes as external memory (process.memoryUsage().external)
// while it is attached, so an unclosed segment adds GC pressure; no extra adjustment is needed.
// Native code must not keep a raw pointer past the call that received it: async kernels work on a
// private copy of a plain ArrayBuffer (native/addon/kernels.cpp), so close() cannot race them.
#include "shared_memory.h"

#include <napi.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "common.h"

namespace {

using Mapping = std::shared_ptr<gil::SharedMemoryMapping>;

// "16.0 MiB": sizes in messages, in the unit a reader compares with `df -h`.
std::string formatBytes(uint64_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  if (unit == 0) return std::to_string(bytes) + " bytes";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
  return text;
}

// Why a create found no room, and what to do: the usual cause is a container's small /dev/shm
// (Docker gives 64 MiB unless told otherwise).
std::string noSpaceAdvice(size_t requested) {
  gil::ShmSpace space{};
  std::string message = "not enough shared memory for " + formatBytes(requested);
  if (gil::shmSpace(&space)) {
    message += std::string(": ") + space.path + " has " + formatBytes(space.availableBytes) +
               " free of " + formatBytes(space.totalBytes) + ". Free space in " + space.path +
               " (stale gil_lab_* segments there can be removed) or make it larger (Docker: " +
               "--shm-size=1g; otherwise: mount -o remount,size=2G " + space.path + ")";
  } else {
    message += "; free shared memory or raise the system's limit on it";
  }
  return message;
}

[[noreturn]] void throwShmError(Napi::Env env, int code, int sysErrno, const std::string& what,
                                size_t requested = 0) {
  std::string message = what + ": " + gil::shmErrorMessage(code);
  if (code == gil::kShmNoSpace && sysErrno == ENOSPC && requested > 0)
    message = what + ": " + noSpaceAdvice(requested);
  if (sysErrno != 0) message += std::string(" (") + std::strerror(sysErrno) + ")";
  if (code == gil::kShmInvalidName || code == gil::kShmInvalidSize || code == gil::kShmOutOfRange) {
    throw Napi::RangeError::New(env, message);
  }
  Napi::Error error = Napi::Error::New(env, message);
  const char* codeName = code == gil::kShmExists       ? "EEXIST"
                         : code == gil::kShmNotFound   ? "ENOENT"
                         : code == gil::kShmPermission ? "EACCES"
                         : code == gil::kShmNoSpace    ? "ENOSPC"
                         : code == gil::kShmEmpty      ? "ERR_SHM_EMPTY"
                                                       : "ERR_SHM_SYSTEM";
  error.Set("code", Napi::String::New(env, codeName));
  throw error;
}

// The argument checks are the shared ones (common.h).
using gil_addon::int32Arg;
std::string nameArg(const Napi::CallbackInfo& info, size_t i) {
  return gil_addon::stringArg(info, i, "name");
}
// A size or index: a non-negative integer that fits in size_t (and in a double exactly).
size_t sizeArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  return static_cast<size_t>(gil_addon::integerArg(info, i, name, 0, (1ull << 53) - 1));
}

class SharedMemoryHandle : public Napi::ObjectWrap<SharedMemoryHandle> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "SharedMemoryHandle",
                       {
                           InstanceAccessor<&SharedMemoryHandle::Name>("name"),
                           InstanceAccessor<&SharedMemoryHandle::Size>("size"),
                           InstanceAccessor<&SharedMemoryHandle::Closed>("closed"),
                           InstanceAccessor<&SharedMemoryHandle::Buffer>("buffer"),
                           InstanceMethod<&SharedMemoryHandle::Close>("close"),
                           InstanceMethod<&SharedMemoryHandle::Load>("load"),
                           InstanceMethod<&SharedMemoryHandle::Store>("store"),
                           InstanceMethod<&SharedMemoryHandle::CompareExchange>("compareExchange"),
                           InstanceMethod<&SharedMemoryHandle::Add>("add"),
                       });
  }

  // new SharedMemoryHandle('create', name, size) | new SharedMemoryHandle('attach', name)
  explicit SharedMemoryHandle(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<SharedMemoryHandle>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsString()) {
      throw Napi::TypeError::New(
          env, "SharedMemoryHandle(mode, name[, size]): mode must be 'create' or 'attach'");
    }
    std::string mode = info[0].As<Napi::String>().Utf8Value();
    std::string name = nameArg(info, 1);
    int sysErrno = 0;
    int rc;
    if (mode == "create") {
      if (info.Length() < 3) throw Napi::TypeError::New(env, "size must be a number");
      size_t size = sizeArg(info, 2, "size");
      // Reserved below, once Node has agreed to an ArrayBuffer this large.
      rc = gil::shmCreate(name, size, &mapping_, &sysErrno, gil::ShmReserve::kLater);
      if (rc != gil::kShmOk) throwShmError(env, rc, sysErrno, "create '" + name + "'", size);
    } else if (mode == "attach") {
      rc = gil::shmAttach(name, &mapping_, &sysErrno);
    } else {
      throw Napi::RangeError::New(env, "mode must be 'create' or 'attach'");
    }
    if (rc != gil::kShmOk) throwShmError(env, rc, sysErrno, mode + " '" + name + "'");
    name_ = name;
    size_ = mapping_->size();
    // The finalizer's own reference keeps the memory mapped while V8 may still read it.
    auto* keepAlive = new Mapping(mapping_);
    napi_value buffer;
    napi_status status = napi_create_external_arraybuffer(
        env, mapping_->data(), size_,
        [](napi_env, void*, void* hint) { delete static_cast<Mapping*>(hint); }, keepAlive,
        &buffer);
    if (status != napi_ok) {
      // Node refuses an ArrayBuffer larger than buffer.constants.MAX_LENGTH, and then it has run
      // the finalizer itself (keepAlive is gone): undo the segment and say why, cleanly.
      bool pending = false;
      napi_is_exception_pending(env, &pending);
      if (pending) {
        napi_value ignored;
        napi_get_and_clear_last_exception(env, &ignored);
      }
      mapping_.reset();
      if (mode == "create") {
        int unlinkErrno = 0;
        gil::shmUnlink(name, &unlinkErrno);
      }
      throw Napi::RangeError::New(env, "size: " + std::to_string(size_) +
                                           " bytes is more than the largest ArrayBuffer this "
                                           "Node.js can make (buffer.constants.MAX_LENGTH)");
    }
    if (mode == "create") {
      rc = mapping_->reserve(&sysErrno);
      if (rc != gil::kShmOk) {
        // Nothing has seen the buffer yet; detach it so that its finalizer is all that is left.
        napi_detach_arraybuffer(env, buffer);
        mapping_->unmap();
        mapping_.reset();
        int unlinkErrno = 0;
        gil::shmUnlink(name, &unlinkErrno);
        throwShmError(env, rc, sysErrno, "create '" + name + "'", size_);
      }
    }
    buffer_ = Napi::Persistent(Napi::ArrayBuffer(env, buffer));
  }

 private:
  Napi::Value Name(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), name_); }
  Napi::Value Size(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(size_));
  }
  Napi::Value Closed(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), mapping_ == nullptr);
  }

  Napi::Value Buffer(const Napi::CallbackInfo& info) {
    if (mapping_ == nullptr) throw Napi::Error::New(info.Env(), "the shared memory is closed");
    return buffer_.Value();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (mapping_ != nullptr) {
      Napi::ArrayBuffer buffer = buffer_.Value();
      // A buffer that was transferred to another thread is already detached here, and that thread
      // may still read it: its finalizer unmaps then. Otherwise nothing can reach the bytes once
      // the buffer is detached, so they are given back now.
      if (!buffer.IsDetached()) {
        buffer.Detach();
        mapping_->unmap();
      }
      buffer_.Reset();
      mapping_.reset();
    }
    return info.Env().Undefined();
  }

  gil::SharedMemoryMapping& cell(const Napi::CallbackInfo& info, size_t* index) {
    if (mapping_ == nullptr) throw Napi::Error::New(info.Env(), "the shared memory is closed");
    if (info.Length() < 1) throw Napi::TypeError::New(info.Env(), "index must be a number");
    *index = sizeArg(info, 0, "index");
    if (!mapping_->validInt32Index(*index)) {
      throw Napi::RangeError::New(info.Env(), "index " + std::to_string(*index) +
                                                  " is outside the segment's " +
                                                  std::to_string(size_ / 4) + " int32 cells");
    }
    return *mapping_;
  }

  Napi::Value Load(const Napi::CallbackInfo& info) {
    size_t index;
    auto& m = cell(info, &index);
    return Napi::Number::New(info.Env(), m.atomicLoad(index));
  }

  Napi::Value Store(const Napi::CallbackInfo& info) {
    size_t index;
    auto& m = cell(info, &index);
    int32_t value = int32Arg(info, 1, "value");
    m.atomicStore(index, value);
    return Napi::Number::New(info.Env(), value);
  }

  Napi::Value CompareExchange(const Napi::CallbackInfo& info) {
    size_t index;
    auto& m = cell(info, &index);
    int32_t expected = int32Arg(info, 1, "expected");
    int32_t replacement = int32Arg(info, 2, "replacement");
    return Napi::Number::New(info.Env(), m.atomicCompareExchange(index, expected, replacement));
  }

  Napi::Value Add(const Napi::CallbackInfo& info) {
    size_t index;
    auto& m = cell(info, &index);
    int32_t delta = int32Arg(info, 1, "delta");
    return Napi::Number::New(info.Env(), m.atomicAdd(index, delta));
  }

  Mapping mapping_;
  Napi::Reference<Napi::ArrayBuffer> buffer_;
  std::string name_;
  size_t size_ = 0;
};

Napi::Value ShmUnlink(const Napi::CallbackInfo& info) {
  if (info.Length() < 1) throw Napi::TypeError::New(info.Env(), "name must be a string");
  std::string name = nameArg(info, 0);
  int sysErrno = 0;
  int rc = gil::shmUnlink(name, &sysErrno);
  if (rc != gil::kShmOk) throwShmError(info.Env(), rc, sysErrno, "unlink '" + name + "'");
  return info.Env().Undefined();
}

}  // namespace

void RegisterSharedMemory(Napi::Env env, Napi::Object exports) {
  exports.Set("SharedMemoryHandle", SharedMemoryHandle::Define(env));
  exports.Set("shmUnlink", Napi::Function::New(env, ShmUnlink, "shmUnlink"));
}
