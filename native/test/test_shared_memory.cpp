// SharedMemory core: create/attach by name, the same bytes through two mappings and across a
// fork(), unlink, error codes for bad names/sizes/duplicates, the atomic cells, unmap() giving the
// memory back at once, and the size of the file system behind the segments.
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "check.h"
#include "shared_memory.h"

using gil::SharedMemoryMapping;

static std::string uniqueName(const char* tag) {
  return std::string("/gil_lab_test_") + tag + "_" + std::to_string(getpid());
}

// Whether /proc/self/maps shows a mapping of /dev/shm<name> (Linux; elsewhere: unknown, false).
static bool mappedInMaps(const std::string& name) {
  std::ifstream maps("/proc/self/maps");
  std::stringstream text;
  text << maps.rdbuf();
  return text.str().find("/dev/shm" + name) != std::string::npos;
}

int main() {
  // Names.
  CHECK(gil::validShmName("/a"));
  CHECK(!gil::validShmName("a"));
  CHECK(!gil::validShmName("/"));
  CHECK(!gil::validShmName("/a/b"));
  CHECK(!gil::validShmName("/" + std::string(255, 'x')));
  CHECK(gil::validShmName("/" + std::string(gil::kShmMaxNameBytes, 'x')));
  // "." and ".." are the directory of the segments and its parent, never a segment.
  CHECK(!gil::validShmName("/."));
  CHECK(!gil::validShmName("/.."));
  CHECK(gil::validShmName("/..."));
  CHECK(gil::validShmName("/.a"));
  // The limit is in bytes: 127 two-byte characters fit, 128 do not.
  std::string e127, e128;
  for (int i = 0; i < 127; ++i) e127 += "\xc3\xa9";
  e128 = e127 + "\xc3\xa9";
  CHECK(gil::validShmName("/" + e127));
  CHECK(!gil::validShmName("/" + e128));

  std::shared_ptr<SharedMemoryMapping> m;
  int err = 0;
  CHECK_EQ(gil::shmCreate("noslash", 16, &m, &err), gil::kShmInvalidName);
  CHECK_EQ(gil::shmCreate(uniqueName("zero"), 0, &m, &err), gil::kShmInvalidSize);
  CHECK_EQ(gil::shmAttach(uniqueName("missing"), &m, &err), gil::kShmNotFound);
  CHECK_EQ(gil::shmUnlink(uniqueName("missing"), &err), gil::kShmNotFound);

  const std::string name = uniqueName("rt");
  std::shared_ptr<SharedMemoryMapping> a, b;
  CHECK_EQ(gil::shmCreate(name, 1000, &a, &err), gil::kShmOk);
  CHECK(a != nullptr);
  CHECK_EQ(a->size(), static_cast<size_t>(1000));
  CHECK_EQ(a->data()[999], 0);  // zero-filled
  CHECK_EQ(gil::shmCreate(name, 1000, &b, &err), gil::kShmExists);

  // A second mapping of the same name sees the same bytes.
  CHECK_EQ(gil::shmAttach(name, &b, &err), gil::kShmOk);
  CHECK_EQ(b->size(), static_cast<size_t>(1000));
  std::memcpy(a->data(), "hello", 5);
  CHECK(std::memcmp(b->data(), "hello", 5) == 0);
  CHECK(b->data() != a->data());

  // Atomic cells.
  CHECK(a->validInt32Index(249));
  CHECK(!a->validInt32Index(250));
  a->atomicStore(10, 7);
  CHECK_EQ(b->atomicLoad(10), 7);
  CHECK_EQ(b->atomicCompareExchange(10, 7, 9), 7);  // succeeded: returns the old value
  CHECK_EQ(a->atomicLoad(10), 9);
  CHECK_EQ(b->atomicCompareExchange(10, 7, 11), 9);  // failed: returns the current value
  CHECK_EQ(a->atomicLoad(10), 9);

  // Across processes: a child increments a counter 100000 times while the parent does too.
  a->atomicStore(20, 0);
  pid_t child = fork();
  if (child == 0) {
    std::shared_ptr<SharedMemoryMapping> c;
    int e = 0;
    if (gil::shmAttach(name, &c, &e) != gil::kShmOk) _exit(2);
    for (int i = 0; i < 100000; ++i) c->atomicAdd(20, 1);
    c->data()[500] = 42;
    _exit(0);
  }
  for (int i = 0; i < 100000; ++i) a->atomicAdd(20, 1);
  int status = 0;
  CHECK_EQ(waitpid(child, &status, 0), child);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK_EQ(a->atomicLoad(20), 200000);
  CHECK_EQ(b->data()[500], 42);

  // unlink removes the name; existing mappings stay usable until released.
  CHECK_EQ(gil::shmUnlink(name, &err), gil::kShmOk);
  CHECK_EQ(gil::shmAttach(name, &m, &err), gil::kShmNotFound);
  a->data()[1] = 'X';
  CHECK_EQ(b->data()[1], 'X');
  a.reset();
  CHECK_EQ(b->data()[1], 'X');
  b.reset();

  // unmap() gives the memory back now, whoever else holds the object; it is idempotent.
  const std::string unmapName = uniqueName("unmap");
  std::shared_ptr<SharedMemoryMapping> u;
  CHECK_EQ(gil::shmCreate(unmapName, 1 << 20, &u, &err), gil::kShmOk);
  std::shared_ptr<SharedMemoryMapping> stillHeld = u;
  CHECK(u->mapped());
#if defined(__linux__)
  CHECK(mappedInMaps(unmapName));
#endif
  u->unmap();
  CHECK(!stillHeld->mapped());
  CHECK(stillHeld->data() == nullptr);
  CHECK(!mappedInMaps(unmapName));
  u->unmap();
  u.reset();
  stillHeld.reset();
  CHECK_EQ(gil::shmUnlink(unmapName, &err), gil::kShmOk);

#if defined(__linux__)
  // The file system behind the segments, for "not enough shared memory" messages.
  gil::ShmSpace space{};
  CHECK(gil::shmSpace(&space));
  CHECK(std::string(space.path) == "/dev/shm");
  CHECK(space.totalBytes > 0);
  CHECK(space.availableBytes <= space.totalBytes);

  // More than the whole file system holds: ENOSPC at create (the space is reserved), not a
  // segment whose first write past the end is SIGBUS; and nothing is left behind. (Larger than
  // the total, so tmpfs refuses at once without allocating anything.)
  const std::string tooBig = uniqueName("toobig");
  std::shared_ptr<SharedMemoryMapping> big;
  const auto bigSize = static_cast<std::size_t>(space.totalBytes + (std::size_t{1} << 30));
  CHECK_EQ(gil::shmCreate(tooBig, bigSize, &big, &err), gil::kShmNoSpace);
  CHECK(big == nullptr);
  CHECK_EQ(gil::shmAttach(tooBig, &big, &err), gil::kShmNotFound);
  // Deferred: the same, at reserve().
  CHECK_EQ(gil::shmCreate(tooBig, bigSize, &big, &err, gil::ShmReserve::kLater), gil::kShmOk);
  CHECK_EQ(big->reserve(&err), gil::kShmNoSpace);
  big.reset();
  CHECK_EQ(gil::shmUnlink(tooBig, &err), gil::kShmOk);
#endif

  // A deferred reservation that fits; reserve() is then a no-op.
  const std::string later = uniqueName("later");
  std::shared_ptr<SharedMemoryMapping> l;
  CHECK_EQ(gil::shmCreate(later, 1 << 16, &l, &err, gil::ShmReserve::kLater), gil::kShmOk);
  CHECK_EQ(l->reserve(&err), gil::kShmOk);
  CHECK_EQ(l->reserve(&err), gil::kShmOk);
  l->data()[(1 << 16) - 1] = 1;
  l.reset();
  CHECK_EQ(gil::shmUnlink(later, &err), gil::kShmOk);

  CHECK(std::string(gil::shmErrorMessage(gil::kShmExists)).find("exists") != std::string::npos);
  CHECK(std::string(gil::shmErrorMessage(gil::kShmInvalidName)).find("bytes") != std::string::npos);
  return gil_test::exitCode();
}
