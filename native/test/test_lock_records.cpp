// The lock's per-thread records: once found by a linear scan of every lock the thread had used and
// never freed, so an acquire+release on a thread that had used 40,000 interpreters cost ~160× a
// fresh thread's, and stats().threads of the main lock kept every dead worker thread. Now: records
// of threads that ended are freed (their counts folded into stats().exited, the lock's totals
// unchanged), and a thread drops its records of destroyed interpreters.
#include <algorithm>
#include <thread>
#include <vector>

#include "check.h"
#include "interpreter_lock.h"

using namespace gil;

namespace {

bool hasThread(const LockStats& s, uint32_t id) {
  return std::any_of(s.threads.begin(), s.threads.end(),
                     [&](const ThreadLockStats& t) { return t.threadId == id; });
}

void exitedThreadsAreForgotten() {
  InterpreterLock& lock = mainInterpreter()->lock();
  const LockStats before = lock.stats();
  constexpr int kThreads = 200, kBatch = 8, kPairs = 10;
  std::vector<uint32_t> ids(kThreads);
  for (int first = 0; first < kThreads; first += kBatch) {
    std::vector<std::thread> batch;
    for (int t = first; t < first + kBatch; t++) {
      batch.emplace_back([&, t] {
        ids[t] = currentThreadId();
        for (int i = 0; i < kPairs; i++) {
          CHECK_EQ(lock.acquire(), kOk);
          CHECK_EQ(lock.release(), kOk);
        }
      });
    }
    for (auto& th : batch) th.join();
  }
  const LockStats after = lock.stats();
  for (uint32_t id : ids) CHECK(!hasThread(after, id));
  CHECK_EQ(after.threads.size(), before.threads.size());
  // Totals unchanged: the lock's and the sum of the exited threads'.
  CHECK_EQ(after.acquisitions - before.acquisitions, static_cast<uint64_t>(kThreads * kPairs));
  CHECK_EQ(after.exitedThreads - before.exitedThreads, static_cast<uint64_t>(kThreads));
  CHECK_EQ(after.exited.acquisitions - before.exited.acquisitions,
           static_cast<uint64_t>(kThreads * kPairs));
  // resetStats() covers the exited threads' counts too.
  lock.resetStats();
  CHECK_EQ(lock.stats().exited.acquisitions, 0u);
}

void destroyedInterpretersAreForgotten() {
  std::thread user([] {
    const size_t before = threadRecordCacheSize();
    for (int i = 0; i < 10'000; i++) {
      auto interp = createInterpreter(LockConfig{});
      CHECK_EQ(interp->lock().acquire(), kOk);
      CHECK_EQ(interp->lock().release(), kOk);
      CHECK_EQ(destroyInterpreter(interp->id()), kOk);
    }
    // Destroyed locks' records go at the thread's next lock call.
    InterpreterLock fresh;
    CHECK_EQ(fresh.acquire(), kOk);
    CHECK_EQ(fresh.release(), kOk);
    CHECK_EQ(threadRecordCacheSize(), before + 1);
  });
  user.join();
}

}  // namespace

int main() {
  exitedThreadsAreForgotten();
  destroyedInterpretersAreForgotten();
  return gil_test::exitCode();
}
