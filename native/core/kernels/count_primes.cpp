// countPrimes: classic trial division, sliced. See kernels.h.
#include "kernels/kernels.h"

namespace gil {

namespace {

// U is the type of the division: uint32_t when every n fits (a 32-bit divide costs about half a
// 64-bit one), else uint64_t. i*i is formed in 64 bits, so it cannot wrap for n near 2^32.
template <typename U>
KernelStatus countPrimesIn(uint64_t lo, uint64_t hi, SliceHook& hook, uint64_t* count) {
  uint64_t primes = 0;
  uint64_t work = 0;  // trial divisions (plus one per n) since the last slice boundary
  for (uint64_t n64 = lo < 2 ? 2 : lo; n64 < hi; ++n64) {
    const U n = static_cast<U>(n64);
    U i = 2;
    bool composite = false;
    for (;;) {
      // Divide until the slice's budget is spent: the classic loop with one extra bound.
      const U iEnd = static_cast<U>(i + (kPrimeDivisionsPerSlice - work));
      const U iStart = i;
      for (; static_cast<uint64_t>(i) * i <= n && i != iEnd; ++i) {
        if (n % i == 0) {
          composite = true;
          break;
        }
      }
      work += i - iStart;
      if (composite || static_cast<uint64_t>(i) * i > n) break;
      // The budget ran out inside one n (only for n > kPrimeDivisionsPerSlice^2).
      if (!hook.betweenSlices()) {
        *count = primes;
        return KernelStatus::Aborted;
      }
      work = 0;
    }
    if (!composite) ++primes;
    if (++work >= kPrimeDivisionsPerSlice) {
      if (!hook.betweenSlices()) {
        *count = primes;
        return KernelStatus::Aborted;
      }
      work = 0;
    }
  }
  *count = primes;
  return KernelStatus::Completed;
}

}  // namespace

KernelStatus countPrimes(uint64_t lo, uint64_t hi, SliceHook& hook, uint64_t* count) {
  if (hi <= (uint64_t{1} << 32)) return countPrimesIn<uint32_t>(lo, hi, hook, count);
  return countPrimesIn<uint64_t>(lo, hi, hook, count);
}

}  // namespace gil
