// Compute kernels. Each works in slices of ~10-50 µs and calls hook.betweenSlices() after each;
// if that returns false the kernel stops and returns KernelStatus::Aborted (outputs are then
// partial). The same algorithms exist in TypeScript (src/kernels/reference.ts) and produce the
// same results: bitwise for the integer kernels, and for the floating-point ones too as long as
// the operations are evaluated in the same order without fused multiply-add (these sources turn
// FP contraction off; see the note in each .cpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/slice_hook.h"

namespace gil {

// Work per slice, chosen so a slice takes ~3-9 µs on a ~2-4 GHz core (see bench/suites/kernels.ts,
// which reports the measured slice length). A drop request waits for the holder's next slice
// boundary — CPython's eval breaker is checked every few bytecodes — so a slice adds up to its
// length to every hand-off; a checkpoint's fast path costs ~3 ns (~20 ns from a TypeScript twin),
// under 1% of these slices. The TypeScript twins checkpoint at the same counts.
// X(constant, key, value, what): the one list of slice budgets. The addon exports it as
// kernels.sliceBudgets[key]; the TypeScript twins' SLICE_BUDGETS must match it (a test checks).
#define GIL_SLICE_BUDGETS(X)                                               \
  X(kPrimeDivisionsPerSlice, primeDivisions, 2048, "trial divisions")      \
  X(kMandelbrotIterationsPerSlice, mandelbrotIterations, 2048,             \
    "escape-time iterations (+1 per pixel)")                               \
  X(kSha256BlocksPerSlice, sha256Blocks, 16, "64-byte compressions")       \
  X(kMatmulMultiplyAddsPerSlice, matmulMultiplyAdds, 16384, "c += a*b")    \
  X(kMatmulBlock, matmulBlock, 64, "cache block (64x64 doubles = 32 KiB)") \
  X(kSumElementsPerSlice, sumElements, 8192, "a multiple of kSumLanes")    \
  X(kTriadElementsPerSlice, triadElements, 4096, "elements")               \
  X(kSpinIterationsPerSlice, spinIterations, 4096, "xorshift32 steps")

#define GIL_DECLARE_SLICE_BUDGET(constant, key, value, what) constexpr uint64_t constant = value;
GIL_SLICE_BUDGETS(GIL_DECLARE_SLICE_BUDGET)
#undef GIL_DECLARE_SLICE_BUDGET

// countPrimes: the number of primes n in [lo, hi) by classic trial division — n < 2 is not prime,
// otherwise try i = 2, 3, 4, ... while i*i <= n. The workload of the usual GIL demo, not a fast
// prime counter. 32-bit division when hi <= 2^32, 64-bit otherwise. Requires lo <= hi <= 2^53.
KernelStatus countPrimes(uint64_t lo, uint64_t hi, SliceHook& hook, uint64_t* count);

struct MandelbrotParams {
  uint32_t width = 0, height = 0;
  uint32_t maxIter = 0;  // >= 1
  double x0 = -2, y0 = -1.5, x1 = 1, y1 = 1.5;
};
// Escape-time Mandelbrot over the rectangle [x0, x1) x [y0, y1) sampled at width x height points
// (cr = x0 + px * ((x1 - x0) / width), likewise ci). Sums the iteration counts; if `image` is not
// null it receives each pixel's count, row-major.
KernelStatus mandelbrot(const MandelbrotParams& params, uint32_t* image, SliceHook& hook,
                        uint64_t* totalIterations);

// SHA-256 (FIPS 180-4), written out here.
class Sha256 {
 public:
  Sha256() { reset(); }
  void reset();
  void update(const uint8_t* data, size_t len);
  void finish(uint8_t digest[32]);
  static void hash(const uint8_t* data, size_t len, uint8_t digest[32]);

 private:
  void compress(const uint8_t block[64]);
  uint32_t h_[8];
  uint8_t buffer_[64];
  size_t buffered_ = 0;
  uint64_t totalBytes_ = 0;
};

// digest = SHA-256^rounds(data): round 1 hashes `data`, each further round hashes the previous
// 32-byte digest. rounds >= 1.
KernelStatus sha256Chain(const uint8_t* data, size_t len, uint64_t rounds, SliceHook& hook,
                         uint8_t digest[32]);

// c = a * b for n x n row-major matrices; c must not overlap a or b. Cache-blocked (i, k, j
// blocks), and every c[i][j] accumulates its products in ascending k from +0.0 — the same order as
// the naive i-k-j loop, so the result is bitwise that of the naive loop.
KernelStatus matmul(const double* a, const double* b, double* c, size_t n, SliceHook& hook);

// The sum of a[0..n) with kSumLanes interleaved partial sums (lane = index mod 8), combined as
// ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)). Several accumulators let the loop run at memory speed, as
// numpy's pairwise sum does; the order is fixed, so the TypeScript twin gets the same bits.
constexpr size_t kSumLanes = 8;
KernelStatus sum(const double* a, size_t n, SliceHook& hook, double* result);

// STREAM triad: a[i] = b[i] + scalar * c[i].
KernelStatus triad(double* a, const double* b, const double* c, double scalar, size_t n,
                   SliceHook& hook);

// Busy work: `iterations` xorshift32 steps from `state` (a cheap dependent chain that the compiler
// cannot shortcut). state must be nonzero; the final state is returned through `state`.
KernelStatus spinIterations(uint64_t iterations, uint32_t* state, SliceHook& hook);
constexpr uint32_t kSpinSeed = 2463534242u;  // Marsaglia's xorshift32 example seed
// xorshift32 steps per nanosecond on this machine, measured once per process (best of several
// short runs, so that a descheduled run does not skew it).
double spinIterationsPerNs();
// About `ns` nanoseconds of busy work: round(ns * spinIterationsPerNs()) steps. Counting steps
// rather than reading the clock makes it a fixed amount of work: two threads taking turns under
// one lock each still do all of theirs, so they take twice as long.
KernelStatus spin(uint64_t ns, SliceHook& hook, uint64_t* iterationsDone, uint32_t* state);

}  // namespace gil
