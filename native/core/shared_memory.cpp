#include "shared_memory.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <limits>

namespace gil {

const char* shmErrorMessage(int code) {
  switch (code) {
    case kShmOk:
      return "ok";
    case kShmInvalidName:
      return "invalid shared memory name (expected '/' followed by 1 to 254 bytes, none of them "
             "'/' or NUL, and not '.' or '..')";
    case kShmInvalidSize:
      return "invalid size (must be at least 1 byte and mappable)";
    case kShmExists:
      return "a shared memory segment with this name already exists";
    case kShmNotFound:
      return "no shared memory segment with this name";
    case kShmPermission:
      return "permission denied";
    case kShmNoSpace:
      return "out of memory or file descriptors";
    case kShmEmpty:
      return "the shared memory segment has size 0";
    case kShmSystem:
      return "system error";
    case kShmOutOfRange:
      return "index out of range";
    default:
      return "unknown shared memory error";
  }
}

bool validShmName(const std::string& name) {
  if (name.size() < 2 || name.size() > kShmMaxNameBytes + 1 || name[0] != '/') return false;
  if (name == "/." || name == "/..") return false;
  for (std::size_t i = 1; i < name.size(); ++i) {
    if (name[i] == '/' || name[i] == '\0') return false;
  }
  return true;
}

bool shmSpace(ShmSpace* out) {
  // glibc and musl keep POSIX shared memory in /dev/shm; elsewhere there is no file system to ask.
#if defined(__linux__)
  struct statvfs fs {};
  if (statvfs("/dev/shm", &fs) != 0) return false;
  out->path = "/dev/shm";
  out->totalBytes = static_cast<uint64_t>(fs.f_blocks) * fs.f_frsize;
  out->availableBytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  return true;
#else
  (void)out;
  return false;
#endif
}

namespace {

int fromErrno(int e, int* sysErrno) {
  if (sysErrno != nullptr) *sysErrno = e;
  switch (e) {
    case EEXIST:
      return kShmExists;
    case ENOENT:
      return kShmNotFound;
    case EACCES:
    case EPERM:
      return kShmPermission;
    case ENOSPC:
    case ENOMEM:
    case EMFILE:
    case ENFILE:
    case EFBIG:
      return kShmNoSpace;
    case EINVAL:
    case ENAMETOOLONG:
      return kShmInvalidName;
    default:
      return kShmSystem;
  }
}

// Maps `size` bytes of fd, or returns nullptr with *rc set. The caller closes the descriptor:
// a mapping does not need it.
void* mapFd(int fd, std::size_t size, int* rc, int* sysErrno) {
  void* addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) {
    *rc = fromErrno(errno, sysErrno);
    return nullptr;
  }
  *rc = kShmOk;
  return addr;
}

// ftruncate only sets the size: tmpfs hands out pages at the first touch, and a touch it cannot
// back is SIGBUS. Reserving them turns a small /dev/shm into ENOSPC at create time.
int reserveFd(int fd, std::size_t size, int* sysErrno) {
#if defined(__linux__)
  int e;
  do {
    e = posix_fallocate(fd, 0, static_cast<off_t>(size));
  } while (e == EINTR);
  if (e != 0) return fromErrno(e, sysErrno);
#else
  (void)fd;
  (void)size;
  (void)sysErrno;
#endif
  return kShmOk;
}

}  // namespace

SharedMemoryMapping::~SharedMemoryMapping() {
  unmap();
  if (fd_ >= 0) close(fd_);
}

int SharedMemoryMapping::reserve(int* sysErrno) {
  if (fd_ < 0) return kShmOk;
  int rc = reserveFd(fd_, size_, sysErrno);
  close(fd_);
  fd_ = -1;
  return rc;
}

void SharedMemoryMapping::unmap() {
  if (addr_ != nullptr) munmap(addr_, size_);
  addr_ = nullptr;
}

// The mapping is MAP_SHARED and int32 cells are 4-byte aligned (mmap returns page-aligned memory),
// so the GCC/Clang __atomic builtins compile to plain lock-free instructions that other processes
// observe.
int32_t SharedMemoryMapping::atomicLoad(std::size_t index) const {
  return __atomic_load_n(reinterpret_cast<const int32_t*>(addr_) + index, __ATOMIC_SEQ_CST);
}

void SharedMemoryMapping::atomicStore(std::size_t index, int32_t value) {
  __atomic_store_n(reinterpret_cast<int32_t*>(addr_) + index, value, __ATOMIC_SEQ_CST);
}

int32_t SharedMemoryMapping::atomicCompareExchange(std::size_t index, int32_t expected,
                                                   int32_t replacement) {
  __atomic_compare_exchange_n(reinterpret_cast<int32_t*>(addr_) + index, &expected, replacement,
                              false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  return expected;  // on failure the builtin wrote the current value here; on success it is
                    // unchanged
}

int32_t SharedMemoryMapping::atomicAdd(std::size_t index, int32_t delta) {
  return __atomic_fetch_add(reinterpret_cast<int32_t*>(addr_) + index, delta, __ATOMIC_SEQ_CST);
}

int shmCreate(const std::string& name, std::size_t size, std::shared_ptr<SharedMemoryMapping>* out,
              int* sysErrno, ShmReserve when) {
  if (!validShmName(name)) return kShmInvalidName;
  if (size == 0 || size > static_cast<std::size_t>(std::numeric_limits<off_t>::max()))
    return kShmInvalidSize;
  int fd = shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0) return fromErrno(errno, sysErrno);
  // ftruncate zero-fills; a failure leaves no half-made segment behind.
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) {
    int e = errno;
    close(fd);
    shm_unlink(name.c_str());
    return fromErrno(e, sysErrno);
  }
  int rc = when == ShmReserve::kNow ? reserveFd(fd, size, sysErrno) : kShmOk;
  void* addr = rc == kShmOk ? mapFd(fd, size, &rc, sysErrno) : nullptr;
  if (addr == nullptr) {
    close(fd);
    shm_unlink(name.c_str());
    return rc;
  }
  auto* mapping = new SharedMemoryMapping(name, addr, size);
  if (when == ShmReserve::kLater) {
    mapping->fd_ = fd;
  } else {
    close(fd);
  }
  out->reset(mapping);
  return kShmOk;
}

int shmAttach(const std::string& name, std::shared_ptr<SharedMemoryMapping>* out, int* sysErrno) {
  if (!validShmName(name)) return kShmInvalidName;
  int fd = shm_open(name.c_str(), O_RDWR, 0600);
  if (fd < 0) return fromErrno(errno, sysErrno);
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return fromErrno(e, sysErrno);
  }
  if (st.st_size <= 0) {
    close(fd);
    return kShmEmpty;
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  int rc = kShmOk;
  void* addr = mapFd(fd, size, &rc, sysErrno);
  close(fd);
  if (addr == nullptr) return rc;
  out->reset(new SharedMemoryMapping(name, addr, size));
  return kShmOk;
}

int shmUnlink(const std::string& name, int* sysErrno) {
  if (!validShmName(name)) return kShmInvalidName;
  if (shm_unlink(name.c_str()) != 0) return fromErrno(errno, sysErrno);
  return kShmOk;
}

}  // namespace gil
