// A tiny assertion header for the C++ tests of native/core (plain ctest executables).
// CHECK/CHECK_EQ print file:line and record a failure; the test's main returns
// gil_test::exitCode(), so ctest sees a non-zero status if anything failed.
#pragma once

#include <iostream>

namespace gil_test {

inline int& failures() {
  static int count = 0;
  return count;
}

inline int exitCode() {
  if (failures() != 0) {
    std::cerr << failures() << " check(s) failed\n";
    return 1;
  }
  return 0;
}

}  // namespace gil_test

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::cerr << __FILE__ << ":" << __LINE__ << ": CHECK failed: " #cond << "\n"; \
      ++gil_test::failures();                                                       \
    }                                                                               \
  } while (0)

#define CHECK_EQ(a, b)                                                                    \
  do {                                                                                    \
    const auto& check_a_ = (a);                                                           \
    const auto& check_b_ = (b);                                                           \
    if (!(check_a_ == check_b_)) {                                                        \
      std::cerr << __FILE__ << ":" << __LINE__ << ": CHECK_EQ failed: " #a " == " #b " (" \
                << check_a_ << " vs " << check_b_ << ")\n";                               \
      ++gil_test::failures();                                                             \
    }                                                                                     \
  } while (0)
