#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "platform.h"

int main() {
  CHECK(gil::hardwareConcurrency() >= 1);
  unsigned reported = std::thread::hardware_concurrency();
  if (reported != 0) CHECK_EQ(gil::hardwareConcurrency(), reported);

  CHECK_EQ(gil::version(), std::string(GIL_LAB_VERSION));
  CHECK(!gil::version().empty());

  // Safe to call from many threads at once (the sanitizer builds run this too).
  std::vector<std::thread> threads;
  std::vector<unsigned> seen(4, 0);
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&seen, i] { seen[i] = gil::hardwareConcurrency(); });
  }
  for (auto& t : threads) t.join();
  for (unsigned n : seen) CHECK_EQ(n, gil::hardwareConcurrency());

  return gil_test::exitCode();
}
