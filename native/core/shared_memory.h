// Named shared memory between processes: POSIX shm_open + mmap, the machinery behind Python's
// multiprocessing.shared_memory. Pure C++17, no Node headers; errors are codes plus a message.
//
// A segment has a name (POSIX: "/" followed by up to 254 bytes, no other "/"). One process creates
// it with a size, reserving the space (so a full /dev/shm is an error at create time, not a SIGBUS
// at the first write); others attach by name and see the same bytes. unlink() removes the name
// (existing mappings stay valid); the memory goes away when the last mapping is unmapped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace gil {

enum ShmResult : int {
  kShmOk = 0,
  kShmInvalidName = -1,  // not "/name" with 1..254 bytes, no other '/' or NUL, not "." or ".."
  kShmInvalidSize = -2,  // 0, or more than the address space can map
  kShmExists = -3,       // create: the name is taken
  kShmNotFound = -4,     // attach/unlink: no such name
  kShmPermission = -5,   // EACCES / EPERM
  kShmNoSpace = -6,      // ENOSPC / ENOMEM / EMFILE / ENFILE / EFBIG
  kShmEmpty = -7,        // attach: the segment has size 0 (created but never sized)
  kShmSystem = -8,       // any other errno
  kShmOutOfRange = -9,   // an atomic cell index or offset outside the mapping, or misaligned
};

// A short English description of a ShmResult.
const char* shmErrorMessage(int code);

// The longest name after the leading '/', in bytes (the file name in /dev/shm, NAME_MAX less one
// so that the whole "/name" fits in NAME_MAX).
constexpr std::size_t kShmMaxNameBytes = 254;

// Whether `name` is a valid POSIX shared-memory name: "/" + 1..254 bytes without '/' or NUL, and
// not "/." or "/.." (the directory that holds the segments and its parent).
bool validShmName(const std::string& name);

// Size and free space of the filesystem that holds the segments (/dev/shm on Linux), for messages
// that say why a create failed. Returns false when it cannot be determined.
struct ShmSpace {
  const char* path;
  uint64_t totalBytes;
  uint64_t availableBytes;
};
bool shmSpace(ShmSpace* out);

// When shmCreate reserves the segment's memory: at once, or when the caller calls reserve() (the
// addon first checks that Node can make an ArrayBuffer that large, so that an impossible size
// costs no memory).
enum class ShmReserve { kNow, kLater };

// One mapping of a segment into this process. Unmapped in the destructor: hold it through a
// shared_ptr for as long as anything may touch the bytes.
class SharedMemoryMapping {
 public:
  ~SharedMemoryMapping();
  SharedMemoryMapping(const SharedMemoryMapping&) = delete;
  SharedMemoryMapping& operator=(const SharedMemoryMapping&) = delete;

  const std::string& name() const { return name_; }
  std::size_t size() const { return size_; }
  // Null once unmapped.
  uint8_t* data() const { return static_cast<uint8_t*>(addr_); }
  bool mapped() const { return addr_ != nullptr; }

  // Unmaps now rather than when the last reference goes; idempotent. The caller guarantees that
  // nothing touches the bytes afterwards (e.g. the ArrayBuffer over them has been detached).
  void unmap();

  // For a segment created with ShmReserve::kLater: reserves its memory now (see shmCreate) and
  // lets go of the descriptor. kShmOk when there is nothing left to reserve. On failure the caller
  // unmaps and unlinks.
  int reserve(int* sysErrno);

  // Sequentially consistent atomic operations on the int32 cell at byte offset 4 * index; they
  // work across processes (lock-free atomics on memory both processes map). The caller checks
  // the index with validInt32Index() first.
  bool validInt32Index(std::size_t index) const { return index < size_ / sizeof(int32_t); }
  int32_t atomicLoad(std::size_t index) const;
  void atomicStore(std::size_t index, int32_t value);
  // Returns the old value; stores `replacement` if it was `expected`.
  int32_t atomicCompareExchange(std::size_t index, int32_t expected, int32_t replacement);
  // Returns the old value.
  int32_t atomicAdd(std::size_t index, int32_t delta);

 private:
  friend int shmCreate(const std::string&, std::size_t, std::shared_ptr<SharedMemoryMapping>*, int*,
                       ShmReserve);
  friend int shmAttach(const std::string&, std::shared_ptr<SharedMemoryMapping>*, int*);
  SharedMemoryMapping(std::string name, void* addr, std::size_t size)
      : name_(std::move(name)), addr_(addr), size_(size) {}
  std::string name_;
  void* addr_;
  std::size_t size_;
  int fd_ = -1;  // kept only until reserve() for ShmReserve::kLater
};

// Creates a new segment of `size` bytes (zero-filled), reserves its memory (posix_fallocate on
// Linux: a /dev/shm without room fails here with kShmNoSpace / ENOSPC instead of killing the
// process with SIGBUS at the first write) and maps it. Fails with kShmExists if the name is taken
// (O_EXCL, as Python's SharedMemory(create=True)). Any failure leaves no segment behind.
// `sysErrno` (may be null) receives errno for system failures.
int shmCreate(const std::string& name, std::size_t size, std::shared_ptr<SharedMemoryMapping>* out,
              int* sysErrno, ShmReserve when = ShmReserve::kNow);

// Maps an existing segment; its size is the segment's size (fstat).
int shmAttach(const std::string& name, std::shared_ptr<SharedMemoryMapping>* out, int* sysErrno);

// Removes the name. Mappings stay valid until unmapped.
int shmUnlink(const std::string& name, int* sysErrno);

}  // namespace gil
