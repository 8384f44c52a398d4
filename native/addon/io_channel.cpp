// Node-API binding of the I/O channel (native/core/kernels/io_channel.h): exports.IoChannel.
//   new IoChannel(maxBytes)
//   channel.roundTrips(interpreterId, mode, abortFlag, count, bytes) -> { roundTrips, bytes }
//     the kernel calling protocol of kernel_job.h (sync only: a channel serves one thread)
//   channel.interrupt()   ends a wait in progress with an AbortError; the channel is then spent
//   channel.close()       stops its echo thread and closes its pipes (also done when collected)
#include "kernels/io_channel.h"

#include <napi.h>

#include <memory>
#include <new>
#include <string>

#include "common.h"
#include "kernel_job.h"

namespace gil_addon {
namespace {

constexpr uint64_t kMaxChannelBytes = 64ull << 20;  // as the other I/O kernels: 64 MiB
constexpr size_t A = 3;                             // after (interpreterId, mode, abortFlag)

class ChannelJob final : public Job {
 public:
  ChannelJob(const Napi::CallbackInfo& info, std::shared_ptr<gil::IoChannel> channel)
      : Job("ioChannel.roundTrips"), channel_(std::move(channel)) {
    REQUIRE(!channel_->closed(), Error, "ioChannel.roundTrips: the channel is closed");
    REQUIRE(!channel_->spent(), Error,
            "ioChannel.roundTrips: the channel was interrupted in the middle of a round trip; "
            "open a new one");
    ARG_INTEGER(count, A, "count", 0, 1000000000);
    ARG_INTEGER(bytes, A + 1, "bytes", 1, channel_->maxBytes());
    count_ = count;
    bytes_ = bytes;
  }
  gil::KernelStatus run(gil::SliceHook& hook) override {
    return channel_->roundTrips(count_, bytes_, hook, &result_);
  }
  Napi::Value result(Napi::Env env) override { return roundTripsToJs(env, result_); }
  bool blockingIo() const override { return true; }

 private:
  std::shared_ptr<gil::IoChannel> channel_;
  uint64_t count_ = 0;
  size_t bytes_ = 0;
  gil::RoundTripResult result_;
};

class IoChannelWrap : public Napi::ObjectWrap<IoChannelWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "IoChannel",
                       {InstanceMethod<&IoChannelWrap::RoundTrips>("roundTrips"),
                        InstanceMethod<&IoChannelWrap::Interrupt>("interrupt"),
                        InstanceMethod<&IoChannelWrap::Close>("close"),
                        InstanceAccessor<&IoChannelWrap::Closed>("closed"),
                        InstanceAccessor<&IoChannelWrap::Spent>("spent"),
                        InstanceAccessor<&IoChannelWrap::MaxBytes>("maxBytes")});
  }

  explicit IoChannelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<IoChannelWrap>(info) {
    ARG_INTEGER(maxBytes, 0, "maxBytes", 1, kMaxChannelBytes);
    try {
      channel_ = std::make_shared<gil::IoChannel>(static_cast<size_t>(maxBytes));
    } catch (const std::bad_alloc&) {
      throw Napi::RangeError::New(info.Env(), "IoChannel: out of memory");
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), std::string("IoChannel: ") + e.what());
    }
  }
  // Collected: the echo thread stops at once (its wait watches a wake-up pipe) and is joined.
  ~IoChannelWrap() override {
    if (channel_) channel_->close();
  }

 private:
  Napi::Value RoundTrips(const Napi::CallbackInfo& info) {
    return dispatch<ChannelJob>(info, false, channel_);
  }
  Napi::Value Interrupt(const Napi::CallbackInfo& info) {
    channel_->interrupt();
    return info.Env().Undefined();
  }
  Napi::Value Close(const Napi::CallbackInfo& info) {
    channel_->close();
    return info.Env().Undefined();
  }
  Napi::Value Closed(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), channel_->closed());
  }
  Napi::Value Spent(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), channel_->spent());
  }
  Napi::Value MaxBytes(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(channel_->maxBytes()));
  }

  std::shared_ptr<gil::IoChannel> channel_;
};

}  // namespace
}  // namespace gil_addon

void RegisterIoChannel(Napi::Env env, Napi::Object exports) {
  exports.Set("IoChannel", gil_addon::IoChannelWrap::Define(env));
}
