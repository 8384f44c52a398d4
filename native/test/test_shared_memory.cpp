// SharedMemory core: create/attach by name, the same bytes through two mappings and across a
// fork(), unlink, error codes for bad names/sizes/duplicates, and the atomic cells.
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>

#include "check.h"
#include "shared_memory.h"

using gil::SharedMemoryMapping;

static std::string uniqueName(const char* tag) {
  return std::string("/gil_lab_test_") + tag + "_" + std::to_string(getpid());
}

int main() {
  // Names.
  CHECK(gil::validShmName("/a"));
  CHECK(!gil::validShmName("a"));
  CHECK(!gil::validShmName("/"));
  CHECK(!gil::validShmName("/a/b"));
  CHECK(!gil::validShmName("/" + std::string(255, 'x')));

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

  CHECK(std::string(gil::shmErrorMessage(gil::kShmExists)).find("exists") != std::string::npos);
  return gil_test::exitCode();
}
