#include "platform.h"

#include <thread>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

// Both builds pass the package version in (binding.gyp and CMakeLists.txt read package.json),
// so the native side can never disagree with the npm package about what it is.
#ifndef GIL_LAB_VERSION
#error "GIL_LAB_VERSION must be defined by the build (read from package.json)"
#endif

namespace gil {

unsigned hardwareConcurrency() {
  unsigned n = std::thread::hardware_concurrency();
#if defined(_SC_NPROCESSORS_ONLN)
  // hardware_concurrency() may return 0 when it cannot tell; ask the OS directly.
  if (n == 0) {
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (online > 0) n = static_cast<unsigned>(online);
  }
#endif
  return n == 0 ? 1 : n;
}

std::string version() { return GIL_LAB_VERSION; }

}  // namespace gil
