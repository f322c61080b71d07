// sync/policy.h — the two adaptive policies of the sync engine, as values.
//
// BatchSizer: how many bytes the next push request may carry on the wire.
// Backoff: how long to wait before retrying a failed request.
// Both are pure (no clock, no I/O), so their bounds are unit-tested directly.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <random>

namespace fieldsync::sync {

struct BatchLimits {
  size_t initial_bytes = 64u << 10;  // first request of a sync (8 s at 64 kbit/s)
  size_t min_bytes = 2u << 10;       // never below: one report always fits anyway
  size_t max_bytes = 1u << 20;       // far below the server's 8 MiB limit
};

// The byte budget of the next batch, measured as sent (compressed).
//   success → ×2 up to max;  timeout/stall/reset → ÷2 down to min;
//   413 of a batch of n wire bytes → n/2 (down to min).
// INVARIANT: min_bytes <= budget() <= max_bytes.
class BatchSizer {
 public:
  explicit BatchSizer(BatchLimits limits = {})
      : limits_(Sanitize(limits)),
        budget_(std::clamp(limits_.initial_bytes, limits_.min_bytes, limits_.max_bytes)) {}
  size_t budget() const { return budget_; }
  const BatchLimits& limits() const { return limits_; }
  void OnSuccess() { budget_ = std::min(budget_ * 2, limits_.max_bytes); }
  void OnTimeout() { budget_ = std::max(budget_ / 2, limits_.min_bytes); }
  void OnTooLarge(size_t sent_bytes) {
    budget_ = std::clamp(sent_bytes / 2, limits_.min_bytes, limits_.max_bytes);
  }

 private:
  static BatchLimits Sanitize(BatchLimits l) {
    if (l.min_bytes == 0) l.min_bytes = 1;
    if (l.max_bytes < l.min_bytes) l.max_bytes = l.min_bytes;
    return l;
  }
  BatchLimits limits_;
  size_t budget_;
};

// Exponential backoff with full jitter: the n-th consecutive failure (n from
// 0) waits a uniformly random time in [0, min(cap, base · 2^n)].
// Success resets n. Deterministic for a given seed.
class Backoff {
 public:
  using ms = std::chrono::milliseconds;
  Backoff(ms base, ms cap, uint64_t seed) : base_(base), cap_(cap), rng_(seed) {}
  // The ceiling the next delay is drawn under.
  ms Ceiling() const {
    int64_t c = base_.count();
    for (int i = 0; i < attempts_ && c < cap_.count(); ++i) c *= 2;
    return ms(std::min<int64_t>(c, cap_.count()));
  }
  ms Next() {
    ms ceiling = Ceiling();
    ++attempts_;
    std::uniform_int_distribution<int64_t> d(0, std::max<int64_t>(0, ceiling.count()));
    return ms(d(rng_));
  }
  void Reset() { attempts_ = 0; }
  int attempts() const { return attempts_; }

 private:
  ms base_, cap_;
  std::mt19937_64 rng_;
  int attempts_ = 0;
};

}  // namespace fieldsync::sync
