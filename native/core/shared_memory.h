// Named shared memory between processes: POSIX shm_open + mmap, the machinery behind Python's
// multiprocessing.shared_memory. Pure C++17, no Node headers; errors are codes plus a message.
//
// A segment has a name (POSIX: "/" followed by up to 254 characters, no other "/"). One process
// creates it with a size; others attach by name and see the same bytes. unlink() removes the
// name (existing mappings stay valid); the memory goes away when the last mapping is unmapped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace gil {

enum ShmResult : int {
  kShmOk = 0,
  kShmInvalidName = -1,  // not "/name" with 1..254 characters and no other '/'
  kShmInvalidSize = -2,  // 0, or more than the address space can map
  kShmExists = -3,       // create: the name is taken
  kShmNotFound = -4,     // attach/unlink: no such name
  kShmPermission = -5,   // EACCES / EPERM
  kShmNoSpace = -6,      // ENOSPC / ENOMEM / EMFILE / ENFILE
  kShmEmpty = -7,        // attach: the segment has size 0 (created but never sized)
  kShmSystem = -8,       // any other errno
  kShmOutOfRange = -9,   // an atomic cell index or offset outside the mapping, or misaligned
};

// A short English description of a ShmResult.
const char* shmErrorMessage(int code);

// Whether `name` is a valid POSIX shared-memory name: "/" + 1..254 characters without '/' or NUL.
bool validShmName(const std::string& name);

// One mapping of a segment into this process. Unmapped in the destructor: hold it through a
// shared_ptr for as long as anything may touch the bytes.
class SharedMemoryMapping {
 public:
  ~SharedMemoryMapping();
  SharedMemoryMapping(const SharedMemoryMapping&) = delete;
  SharedMemoryMapping& operator=(const SharedMemoryMapping&) = delete;

  const std::string& name() const { return name_; }
  std::size_t size() const { return size_; }
  uint8_t* data() const { return static_cast<uint8_t*>(addr_); }

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
  friend int shmCreate(const std::string&, std::size_t, std::shared_ptr<SharedMemoryMapping>*,
                       int*);
  friend int shmAttach(const std::string&, std::shared_ptr<SharedMemoryMapping>*, int*);
  SharedMemoryMapping(std::string name, void* addr, std::size_t size)
      : name_(std::move(name)), addr_(addr), size_(size) {}
  std::string name_;
  void* addr_;
  std::size_t size_;
};

// Creates a new segment of `size` bytes (zero-filled) and maps it. Fails with kShmExists if the
// name is taken (O_EXCL, as Python's SharedMemory(create=True)). `sysErrno` (may be null) receives
// errno for system failures.
int shmCreate(const std::string& name, std::size_t size, std::shared_ptr<SharedMemoryMapping>* out,
              int* sysErrno);

// Maps an existing segment; its size is the segment's size (fstat).
int shmAttach(const std::string& name, std::shared_ptr<SharedMemoryMapping>* out, int* sysErrno);

// Removes the name. Mappings stay valid until unmapped.
int shmUnlink(const std::string& name, int* sysErrno);

}  // namespace gil
