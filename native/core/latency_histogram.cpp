#include "latency_histogram.h"

#include <algorithm>
#include <iterator>

namespace gil {

// Latency histogram: 4 sub-buckets per power of two, so a percentile is within ~19% before
// interpolation and much closer after it.

namespace {
int bucketOf(uint64_t ns) {
  if (ns < 4) return static_cast<int>(ns);
  int log2 = 63 - __builtin_clzll(ns);
  int sub = static_cast<int>((ns >> (log2 - 2)) & 3);
  return log2 * 4 + sub;
}
uint64_t bucketLow(int b) {
  if (b < 4) return static_cast<uint64_t>(b);
  int log2 = b / 4, sub = b % 4;
  return (1ull << log2) + (static_cast<uint64_t>(sub) << (log2 - 2));
}
uint64_t bucketHigh(int b) {
  if (b < 4) return static_cast<uint64_t>(b) + 1;
  int log2 = b / 4;
  return bucketLow(b) + (1ull << (log2 - 2));
}
}  // namespace

void LatencyHistogram::record(uint64_t ns) {
  counts_[bucketOf(ns)]++;
  count_++;
  max_ = std::max(max_, ns);
}

void LatencyHistogram::reset() {
  std::fill(std::begin(counts_), std::end(counts_), 0);
  count_ = max_ = 0;
}

HandoffSummary LatencyHistogram::summary() const {
  HandoffSummary s;
  s.count = count_;
  s.maxNs = max_;
  if (count_ == 0) return s;
  auto percentile = [&](double q) -> uint64_t {
    double rank = q * static_cast<double>(count_);
    uint64_t seen = 0;
    for (int b = 0; b < kBuckets; b++) {
      if (counts_[b] == 0) continue;
      if (static_cast<double>(seen + counts_[b]) >= rank) {
        double within = (rank - static_cast<double>(seen)) / static_cast<double>(counts_[b]);
        double lo = static_cast<double>(bucketLow(b));
        double hi = static_cast<double>(std::min(bucketHigh(b), max_ + 1));
        return std::min(max_, static_cast<uint64_t>(lo + within * std::max(0.0, hi - lo)));
      }
      seen += counts_[b];
    }
    return max_;
  };
  s.p50Ns = percentile(0.50);
  s.p90Ns = percentile(0.90);
  s.p99Ns = percentile(0.99);
  return s;
}

}  // namespace gil
