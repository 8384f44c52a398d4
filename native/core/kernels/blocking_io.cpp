// Blocking I/O kernels. See blocking_io.h.
#include "kernels/blocking_io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace gil {

namespace {

constexpr int kPollMs = 1;                                 // abort check while waiting
constexpr uint64_t kStallNs = 10ull * 1000 * 1000 * 1000;  // no progress this long: an error

[[noreturn]] void throwErrno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void setNonBlocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) throwErrno("fcntl(O_NONBLOCK)");
  if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) throwErrno("fcntl(FD_CLOEXEC)");
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  ~FileDescriptor() { reset(); }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

ssize_t writeSome(int fd, const uint8_t* data, size_t len, bool isSocket) {
  if (isSocket) {
#ifdef MSG_NOSIGNAL
    return ::send(fd, data, len, MSG_NOSIGNAL);
#else
    return ::send(fd, data, len, 0);
#endif
  }
  return ::write(fd, data, len);
}

// The echo peer: a thread that writes back whatever it reads, until end of file or stop().
// It owns no descriptors; the kernel closes them after joining it, so neither side can ever write
// into a closed pipe (no SIGPIPE).
class EchoThread {
 public:
  EchoThread(int in, int out, bool isSocket)
      : thread_([this, in, out, isSocket] { run(in, out, isSocket); }) {}
  ~EchoThread() { stopAndJoin(); }
  void stopAndJoin() {
    stop_.store(true, std::memory_order_relaxed);
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run(int in, int out, bool isSocket) {
    std::vector<uint8_t> buffer(64 * 1024);
    while (!stop_.load(std::memory_order_relaxed)) {
      pollfd p{in, POLLIN, 0};
      if (::poll(&p, 1, 10) <= 0) continue;
      ssize_t r = ::read(in, buffer.data(), buffer.size());
      if (r == 0) return;  // end of file: the kernel is done
      if (r < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
        return;  // the kernel sees the stall and reports it
      }
      size_t sent = 0;
      while (sent < static_cast<size_t>(r) && !stop_.load(std::memory_order_relaxed)) {
        ssize_t w = writeSome(out, buffer.data() + sent, static_cast<size_t>(r) - sent, isSocket);
        if (w > 0) {
          sent += static_cast<size_t>(w);
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
          pollfd q{out, POLLOUT, 0};
          ::poll(&q, 1, 10);
        } else {
          return;
        }
      }
    }
  }

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

bool exchange(const ExchangeFds& e, const uint8_t* out, uint8_t* in, size_t bytes,
              SliceHook& hook) {
  BlockingScope blocking(hook);
  size_t sent = 0, received = 0;
  uint64_t lastProgressNs = 0;
  while (received < bytes) {
    if (sent < bytes) {
      ssize_t w = writeSome(e.wfd, out + sent, bytes - sent, e.isSocket);
      if (w > 0) {
        sent += static_cast<size_t>(w);
        lastProgressNs = 0;
      } else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        throwErrno(e.isSocket ? "send" : "write");
      }
    }
    // The reply, the wake-up fd (if any), and room to write (while there is more to send).
    pollfd fds[3] = {{e.rfd, POLLIN, 0}, {e.wakeFd, POLLIN, 0}, {e.wfd, POLLOUT, 0}};
    if (sent >= bytes) fds[2].fd = -1;  // poll ignores negative fds
    int n = ::poll(fds, 3, e.pollMs);
    if (n < 0 && errno != EINTR) throwErrno("poll");
    if (n > 0 && e.wakeFd >= 0 && fds[1].revents != 0) return false;
    if (n > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t r = ::read(e.rfd, in + received, bytes - received);
      if (r > 0) {
        received += static_cast<size_t>(r);
        lastProgressNs = 0;
        continue;
      }
      if (r == 0) throw std::runtime_error(std::string(e.peer) + " closed the connection");
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) throwErrno("read");
    }
    if (hook.abortRequested()) return false;
    const uint64_t now = monotonicNs();
    if (lastProgressNs == 0) {
      lastProgressNs = now;
    } else if (now - lastProgressNs > kStallNs) {
      throw std::runtime_error(std::string(e.peer) + " made no progress for 10 s");
    }
  }
  return true;
}

namespace {

KernelStatus roundTrips(int wfd, int rfd, bool isSocket, uint64_t count, size_t bytes,
                        SliceHook& hook, RoundTripResult* result) {
  std::vector<uint8_t> out(bytes), in(bytes);
  for (uint64_t r = 0; r < count; ++r) {
    // A different pattern each time, so a stale echo cannot pass the check.
    for (size_t i = 0; i < bytes; ++i) out[i] = static_cast<uint8_t>(i * 31 + r * 7 + 1);
    ExchangeFds fds;
    fds.wfd = wfd;
    fds.rfd = rfd;
    fds.isSocket = isSocket;
    fds.pollMs = kPollMs;
    if (!exchange(fds, out.data(), in.data(), bytes, hook)) return KernelStatus::Aborted;
    if (in != out) throw std::runtime_error("echo returned different bytes");
    result->roundTrips++;
    result->bytes += bytes;
    if (r + 1 < count && !hook.betweenSlices()) return KernelStatus::Aborted;
  }
  return KernelStatus::Completed;
}

}  // namespace

KernelStatus sleepFor(uint64_t ns, SliceHook& hook, uint64_t* sleptNs) {
  const uint64_t start = monotonicNs();
  const uint64_t deadline = start + ns;
  KernelStatus status = KernelStatus::Completed;
  {
    BlockingScope blocking(hook);
    for (uint64_t now = start; now < deadline; now = monotonicNs()) {
      if (hook.abortRequested()) {
        status = KernelStatus::Aborted;
        break;
      }
      // Sleep in pieces of at most 1 ms so that an abort is seen promptly.
      const uint64_t piece = std::min<uint64_t>(deadline - now, 1000 * 1000);
      timespec ts{static_cast<time_t>(piece / 1000000000), static_cast<long>(piece % 1000000000)};
      ::nanosleep(&ts, nullptr);
    }
  }
  *sleptNs = monotonicNs() - start;
  return status;
}

KernelStatus pipeRoundTrips(uint64_t count, size_t bytes, SliceHook& hook, RoundTripResult* out) {
  *out = RoundTripResult{};
  int request[2], reply[2];
  if (::pipe(request) < 0) throwErrno("pipe");
  FileDescriptor requestRead(request[0]), requestWrite(request[1]);
  if (::pipe(reply) < 0) throwErrno("pipe");
  FileDescriptor replyRead(reply[0]), replyWrite(reply[1]);
  for (int fd : {request[0], request[1], reply[0], reply[1]}) setNonBlocking(fd);
  EchoThread echo(requestRead.get(), replyWrite.get(), false);
  KernelStatus status =
      roundTrips(requestWrite.get(), replyRead.get(), false, count, bytes, hook, out);
  requestWrite.reset();  // end of file for the echo thread
  echo.stopAndJoin();
  return status;
}

KernelStatus socketRoundTrips(uint64_t count, size_t bytes, SliceHook& hook, RoundTripResult* out) {
  *out = RoundTripResult{};
  FileDescriptor listener(::socket(AF_INET, SOCK_STREAM, 0));
  if (listener.get() < 0) throwErrno("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // 127.0.0.1 only
  address.sin_port = 0;                              // an ephemeral port
  socklen_t length = sizeof address;
  if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) < 0)
    throwErrno("bind");
  if (::listen(listener.get(), 1) < 0) throwErrno("listen");
  if (::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &length) < 0)
    throwErrno("getsockname");
  FileDescriptor client(::socket(AF_INET, SOCK_STREAM, 0));
  if (client.get() < 0) throwErrno("socket");
  // On loopback the handshake completes inside connect(), and accept() finds it queued.
  if (::connect(client.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) < 0)
    throwErrno("connect");
  FileDescriptor server(::accept(listener.get(), nullptr, nullptr));
  if (server.get() < 0) throwErrno("accept");
  const int one = 1;
  for (int fd : {client.get(), server.get()}) {
    if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
      throwErrno("setsockopt(TCP_NODELAY)");
#ifdef SO_NOSIGPIPE
    ::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    setNonBlocking(fd);
  }
  EchoThread echo(server.get(), server.get(), true);
  KernelStatus status = roundTrips(client.get(), client.get(), true, count, bytes, hook, out);
  ::shutdown(client.get(), SHUT_WR);  // end of file for the echo thread
  echo.stopAndJoin();
  return status;
}

KernelStatus fileRead(const char* path, uint64_t offset, uint64_t length, size_t chunkBytes,
                      uint8_t* into, size_t intoLength, SliceHook& hook, FileReadResult* out) {
  *out = FileReadResult{};
  if (into != nullptr) length = std::min<uint64_t>(length, intoLength);
  FileDescriptor fd;
  int error = 0;  // errno, saved before re-acquiring the lock can change it
  {
    BlockingScope blocking(hook);  // open() can block too (network file systems)
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, where no abort
    // can reach it. (It changes nothing for a regular file.)
    fd.reset(::open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    error = errno;
  }
  if (fd.get() < 0) {
    errno = error;
    throwErrno(std::string("open '") + path + "'");
  }
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) throwErrno(std::string("fstat '") + path + "'");
  if (!S_ISREG(st.st_mode)) {
    const char* kind = S_ISFIFO(st.st_mode)   ? "a FIFO"
                       : S_ISDIR(st.st_mode)  ? "a directory"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "not a file";
    throw std::invalid_argument(std::string("path '") + path + "' is not a regular file (it is " +
                                kind + "); fileRead reads regular files only");
  }
  std::vector<uint8_t> scratch(into == nullptr ? chunkBytes : 0);
  while (out->bytesRead < length) {
    const size_t want =
        static_cast<size_t>(std::min<uint64_t>(chunkBytes, length - out->bytesRead));
    uint8_t* target = into != nullptr ? into + out->bytesRead : scratch.data();
    ssize_t r;
    {
      BlockingScope blocking(hook);
      do {
        r = ::pread(fd.get(), target, want, static_cast<off_t>(offset + out->bytesRead));
      } while (r < 0 && errno == EINTR);
      error = errno;
    }
    if (r < 0) {
      errno = error;
      throwErrno(std::string("pread '") + path + "'");
    }
    if (r == 0) break;  // end of file
    out->bytesRead += static_cast<uint64_t>(r);
    out->reads++;
    if (out->bytesRead < length && !hook.betweenSlices()) return KernelStatus::Aborted;
  }
  return KernelStatus::Completed;
}

}  // namespace gil
