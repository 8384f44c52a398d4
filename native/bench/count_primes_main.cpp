// The classic trial-division prime count as a standalone -O3 program: the yardstick for the
// countPrimes kernel (bench/suites/kernels.ts compiles and runs it in the same run).
//   count_primes_main LO HI REPEATS   ->  prints "<count> <best ns per run>"
// Same loop as the kernel, without slices or hooks: 32-bit division when HI <= 2^32.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

template <typename U>
static bool isPrime(U n) {
  if (n < 2) return false;
  for (U i = 2; static_cast<uint64_t>(i) * i <= n; ++i) {
    if (n % i == 0) return false;
  }
  return true;
}

template <typename U>
static uint64_t countPrimes(uint64_t lo, uint64_t hi) {
  uint64_t count = 0;
  for (uint64_t n = lo; n < hi; ++n) count += isPrime(static_cast<U>(n));
  return count;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s LO HI REPEATS\n", argv[0]);
    return 2;
  }
  const uint64_t lo = std::strtoull(argv[1], nullptr, 10);
  const uint64_t hi = std::strtoull(argv[2], nullptr, 10);
  const int repeats = std::atoi(argv[3]);
  uint64_t count = 0;
  int64_t best = INT64_MAX;
  for (int r = 0; r < (repeats > 0 ? repeats : 1); ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    count =
        hi <= (uint64_t{1} << 32) ? countPrimes<uint32_t>(lo, hi) : countPrimes<uint64_t>(lo, hi);
    const auto t1 = std::chrono::steady_clock::now();
    const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
    if (ns < best) best = ns;
  }
  std::printf("%llu %lld\n", static_cast<unsigned long long>(count), static_cast<long long>(best));
  return 0;
}
