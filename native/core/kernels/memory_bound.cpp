// sum and triad over Float64Arrays: memory-bound kernels, sliced. See kernels.h.
// No fused multiply-add in triad (see mandelbrot.cpp), so the twin gets the same bits.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#include <algorithm>

#include "kernels/kernels.h"

namespace gil {

static_assert(kSumElementsPerSlice % kSumLanes == 0, "slices must keep each index in its lane");

KernelStatus sum(const double* a, size_t n, SliceHook& hook, double* result) {
  double lanes[kSumLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t i = 0;
  KernelStatus status = KernelStatus::Completed;
  while (i < n) {
    const size_t end = std::min(n, i + static_cast<size_t>(kSumElementsPerSlice));
    const size_t vectorEnd = i + (end - i) / kSumLanes * kSumLanes;
    for (; i < vectorEnd; i += kSumLanes) {
      for (size_t l = 0; l < kSumLanes; ++l) lanes[l] += a[i + l];
    }
    for (size_t l = 0; i < end; ++i, ++l) lanes[l] += a[i];  // only in the last slice
    if (i < n && !hook.betweenSlices()) {
      status = KernelStatus::Aborted;
      break;
    }
  }
  *result = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
            ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
  return status;
}

KernelStatus triad(double* a, const double* b, const double* c, double scalar, size_t n,
                   SliceHook& hook) {
  size_t i = 0;
  while (i < n) {
    const size_t end = std::min(n, i + static_cast<size_t>(kTriadElementsPerSlice));
    for (; i < end; ++i) a[i] = b[i] + scalar * c[i];
    if (i < n && !hook.betweenSlices()) return KernelStatus::Aborted;
  }
  return KernelStatus::Completed;
}

}  // namespace gil
