// An I/O channel to an echo thread. See io_channel.h.
#include "kernels/io_channel.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <system_error>

namespace gil {

namespace {

[[noreturn]] void throwErrno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void openPipe(int* readEnd, int* writeEnd) {
  int fds[2];
  if (::pipe(fds) < 0) throwErrno("pipe");
  *readEnd = fds[0];
  *writeEnd = fds[1];
  for (int fd : fds) {
    // Non-blocking: every wait is a poll() that also watches the wake-up pipe.
    const int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) throwErrno("fcntl(O_NONBLOCK)");
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) throwErrno("fcntl(FD_CLOEXEC)");
  }
}

void closeFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

void wake(int fd) {
  if (fd < 0) return;
  const uint8_t one = 1;
  // A full pipe already wakes; nothing else can fail that matters here.
  [[maybe_unused]] ssize_t w = ::write(fd, &one, 1);
}

}  // namespace

IoChannel::IoChannel(size_t maxBytes) : maxBytes_(maxBytes) {
  if (maxBytes == 0) throw std::invalid_argument("IoChannel: maxBytes must be at least 1");
  try {
    openPipe(&requestRead_, &requestWrite_);
    openPipe(&replyRead_, &replyWrite_);
    openPipe(&wakeRead_, &wakeWrite_);
    openPipe(&echoWakeRead_, &echoWakeWrite_);
    out_.resize(maxBytes);
    in_.resize(maxBytes);
    echo_ = std::thread([this] { echoLoop(); });
  } catch (...) {
    close();
    throw;
  }
}

IoChannel::~IoChannel() { close(); }

void IoChannel::close() {
  if (closed_) return;
  closed_ = true;
  spent_.store(true, std::memory_order_relaxed);
  wake(echoWakeWrite_);
  if (echo_.joinable()) echo_.join();
  // Only now: the echo thread never writes into a closed pipe (no SIGPIPE).
  for (int* fd : {&requestRead_, &requestWrite_, &replyRead_, &replyWrite_, &wakeRead_, &wakeWrite_,
                  &echoWakeRead_, &echoWakeWrite_})
    closeFd(*fd);
}

void IoChannel::interrupt() {
  interrupted_.store(true, std::memory_order_relaxed);
  wake(wakeWrite_);
}

// The echo: blocks until a request arrives (or close() wakes it), writes it back, needs no lock.
void IoChannel::echoLoop() {
  std::vector<uint8_t> buffer(64 * 1024);
  for (;;) {
    pollfd fds[2] = {{requestRead_, POLLIN, 0}, {echoWakeRead_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;  // the caller sees the stall and reports it
    }
    if (fds[1].revents != 0) return;
    const ssize_t r = ::read(requestRead_, buffer.data(), buffer.size());
    if (r == 0) return;
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      return;
    }
    size_t sent = 0;
    while (sent < static_cast<size_t>(r)) {
      const ssize_t w = ::write(replyWrite_, buffer.data() + sent, static_cast<size_t>(r) - sent);
      if (w > 0) {
        sent += static_cast<size_t>(w);
        continue;
      }
      if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return;
      pollfd q[2] = {{replyWrite_, POLLOUT, 0}, {echoWakeRead_, POLLIN, 0}};
      if (::poll(q, 2, -1) < 0 && errno != EINTR) return;
      if (q[1].revents != 0) return;
    }
  }
}

// One round trip: write the request, wait for the reply and read it. Large messages interleave
// writing and reading, so that neither pipe's buffer can fill up and deadlock.
bool IoChannel::roundTrip(const uint8_t* out, uint8_t* in, size_t bytes, SliceHook& hook) {
  ExchangeFds fds;
  fds.wfd = requestWrite_;
  fds.rfd = replyRead_;
  fds.wakeFd = wakeRead_;  // interrupt() and close() end the wait at once
  fds.pollMs = kFlagCheckMs;
  fds.peer = "the echo thread";
  return exchange(fds, out, in, bytes, hook);
}

KernelStatus IoChannel::roundTrips(uint64_t count, size_t bytes, SliceHook& hook,
                                   RoundTripResult* result) {
  *result = RoundTripResult{};
  if (closed_) throw std::logic_error("the channel is closed");
  if (spent()) {
    throw std::logic_error(
        "the channel was interrupted in the middle of a round trip; open a new one");
  }
  if (bytes == 0 || bytes > maxBytes_) {
    throw std::invalid_argument("bytes must be between 1 and the channel's maxBytes (" +
                                std::to_string(maxBytes_) + ")");
  }
  for (uint64_t r = 0; r < count; ++r) {
    // A different pattern each time, so a stale echo cannot pass the check.
    for (size_t i = 0; i < bytes; ++i) out_[i] = static_cast<uint8_t>(i * 31 + r * 7 + 1);
    bool completed;
    try {
      completed = !interrupted_.load(std::memory_order_relaxed) &&
                  roundTrip(out_.data(), in_.data(), bytes, hook);
    } catch (...) {
      spent_.store(true, std::memory_order_relaxed);
      throw;
    }
    if (!completed) {
      spent_.store(true, std::memory_order_relaxed);
      return KernelStatus::Aborted;
    }
    for (size_t i = 0; i < bytes; ++i) {
      if (in_[i] != out_[i]) {
        spent_.store(true, std::memory_order_relaxed);
        throw std::runtime_error("the echo returned different bytes");
      }
    }
    result->roundTrips++;
    result->bytes += bytes;
    if (r + 1 < count && !hook.betweenSlices()) return KernelStatus::Aborted;
  }
  return KernelStatus::Completed;
}

}  // namespace gil
