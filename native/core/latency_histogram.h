// The hand-off latency histogram of the interpreter lock's statistics. Pure C++17.
#pragma once

#include <cstdint>

namespace gil {

struct HandoffSummary {  // latency from a drop request to another thread holding the lock
  uint64_t count = 0;
  uint64_t p50Ns = 0, p90Ns = 0, p99Ns = 0, maxNs = 0;
};

// Log2-bucketed latency histogram (1 ns .. ~1 h), percentiles by interpolation inside a bucket.
class LatencyHistogram {
 public:
  void record(uint64_t ns);
  HandoffSummary summary() const;
  void reset();

 private:
  static constexpr int kBuckets = 64 * 4;  // 4 sub-buckets per power of two
  uint64_t counts_[kBuckets] = {};
  uint64_t count_ = 0, max_ = 0;
};

}  // namespace gil
