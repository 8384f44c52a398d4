// matmul: cache-blocked dense multiply, sliced. See kernels.h.
// No fused multiply-add (see mandelbrot.cpp), so the twin gets the same bits.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#include <algorithm>
#include <cstring>

#include "kernels/kernels.h"

namespace gil {

KernelStatus matmul(const double* a, const double* b, double* c, size_t n, SliceHook& hook) {
  std::memset(c, 0, n * n * sizeof(double));
  const size_t block = kMatmulBlock;
  uint64_t work = 0;  // multiply-adds since the last slice boundary
  // Blocks of i, then k, then j: for a fixed c[i][j], k still runs 0, 1, ..., n-1 in order.
  for (size_t ii = 0; ii < n; ii += block) {
    const size_t iEnd = std::min(ii + block, n);
    for (size_t kk = 0; kk < n; kk += block) {
      const size_t kEnd = std::min(kk + block, n);
      for (size_t jj = 0; jj < n; jj += block) {
        const size_t jEnd = std::min(jj + block, n);
        for (size_t i = ii; i < iEnd; ++i) {
          double* ci = c + i * n;
          for (size_t k = kk; k < kEnd; ++k) {
            const double aik = a[i * n + k];
            const double* bk = b + k * n;
            for (size_t j = jj; j < jEnd; ++j) ci[j] += aik * bk[j];
          }
          work += (kEnd - kk) * (jEnd - jj);
          if (work >= kMatmulMultiplyAddsPerSlice) {
            if (!hook.betweenSlices()) return KernelStatus::Aborted;
            work = 0;
          }
        }
      }
    }
  }
  return KernelStatus::Completed;
}

}  // namespace gil
