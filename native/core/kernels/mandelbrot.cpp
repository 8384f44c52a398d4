// mandelbrot: escape-time iteration counts, sliced. See kernels.h.
//
// Results must match the TypeScript twin bit for bit, so no fused multiply-add: GCC in ISO mode
// (-std=c++17) already defaults to -ffp-contract=off; clang needs the pragma.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#include "kernels/kernels.h"

namespace gil {

KernelStatus mandelbrot(const MandelbrotParams& p, uint32_t* image, SliceHook& hook,
                        uint64_t* totalIterations) {
  const double dx = (p.x1 - p.x0) / p.width;
  const double dy = (p.y1 - p.y0) / p.height;
  const uint32_t maxIter = p.maxIter;
  uint64_t total = 0;
  uint64_t left = kMandelbrotIterationsPerSlice;  // budget left in this slice, >= 1
  for (uint32_t py = 0; py < p.height; ++py) {
    const double ci = p.y0 + py * dy;
    for (uint32_t px = 0; px < p.width; ++px) {
      const double cr = p.x0 + px * dx;
      double zr = 0, zi = 0;
      uint32_t it = 0;
      bool escaped = false;
      for (;;) {
        // Iterate until escape, maxIter, or the end of the slice's budget.
        const uint32_t chunkEnd =
            static_cast<uint64_t>(maxIter - it) > left ? it + static_cast<uint32_t>(left) : maxIter;
        const uint32_t start = it;
        while (it < chunkEnd) {
          const double zr2 = zr * zr;
          const double zi2 = zi * zi;
          if (zr2 + zi2 > 4.0) {
            escaped = true;
            break;
          }
          zi = 2.0 * zr * zi + ci;
          zr = zr2 - zi2 + cr;
          ++it;
        }
        left -= it - start;
        if (escaped || it == maxIter) break;
        // One pixel outlasted the slice (large maxIter): a boundary inside the pixel.
        if (!hook.betweenSlices()) {
          *totalIterations = total + it;
          return KernelStatus::Aborted;
        }
        left = kMandelbrotIterationsPerSlice;
      }
      total += it;
      if (image != nullptr) image[static_cast<size_t>(py) * p.width + px] = it;
      if (left <= 1) {
        if (!hook.betweenSlices()) {
          *totalIterations = total;
          return KernelStatus::Aborted;
        }
        left = kMandelbrotIterationsPerSlice;
      } else {
        --left;  // each pixel costs at least one unit, so maxIter = 1 images still slice
      }
    }
  }
  *totalIterations = total;
  return KernelStatus::Completed;
}

}  // namespace gil
