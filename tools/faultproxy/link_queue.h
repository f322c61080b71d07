// tools/faultproxy/link_queue.h — one direction of the emulated link.
//
// A FIFO of byte segments, each stamped with the time it may be delivered
// (proxy.h, THE LINK MODEL, 1-3). A LinkQueue is owned by one connection and
// is not thread-safe; the LinkClock it serialises on is shared by every
// connection in that direction, and locks itself.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace fieldsync::faultproxy {

using Clock = std::chrono::steady_clock;

// When one direction of the link has finished sending what was queued on it.
struct LinkClock {
  std::mutex mu;
  Clock::time_point free_at{};
};

class LinkQueue {
 public:
  // Serialises on `clock` (shared), or on a clock of its own when null.
  explicit LinkQueue(LinkClock* clock = nullptr) : clock_(clock ? clock : &own_clock_) {}
  LinkQueue(const LinkQueue&) = delete;
  LinkQueue& operator=(const LinkQueue&) = delete;

  // Queues `data`, read at `now`, for a link of `delay` one way and
  // `rate_bps` bits per second (0: unlimited).
  void Push(std::string_view data, Clock::time_point now, std::chrono::milliseconds delay,
            uint64_t rate_bps) {
    std::lock_guard<std::mutex> lock(clock_->mu);
    Clock::time_point& link_free_at = clock_->free_at;
    size_t piece = data.size();
    if (rate_bps > 0) {  // ~10 ms of transmission per segment
      piece = static_cast<size_t>(std::clamp<uint64_t>(rate_bps / 800, 64, 16384));
    }
    while (!data.empty()) {
      std::string_view part = data.substr(0, piece);
      data.remove_prefix(part.size());
      Clock::time_point start = std::max(now, link_free_at);
      if (rate_bps > 0) {
        start += std::chrono::nanoseconds(part.size() * 8 * 1'000'000'000ull / rate_bps);
      }
      link_free_at = start;
      Clock::time_point at = start + delay;
      // FIFO: a shorter delay set mid-flow must not overtake queued bytes.
      if (!segments_.empty()) at = std::max(at, segments_.back().deliver_at);
      segments_.push_back(Segment{at, std::string(part), 0});
      queued_ += part.size();
    }
  }

  // The bytes of the head segment deliverable at `now`; empty when none.
  std::string_view Ready(Clock::time_point now) const {
    if (segments_.empty() || segments_.front().deliver_at > now) return {};
    const Segment& s = segments_.front();
    return std::string_view(s.bytes).substr(s.offset);
  }

  // Marks `n` bytes of the head segment delivered. REQUIRES: n <= Ready().size().
  void Consume(size_t n) {
    Segment& s = segments_.front();
    s.offset += n;
    queued_ -= n;
    if (s.offset == s.bytes.size()) segments_.pop_front();
  }

  std::optional<Clock::time_point> NextDelivery() const {
    if (segments_.empty()) return std::nullopt;
    return segments_.front().deliver_at;
  }

  size_t size() const { return queued_; }
  bool empty() const { return segments_.empty(); }

  // How many bytes may wait in the queue before the proxy stops reading:
  // the bytes in flight plus 64 KiB, or 4 MiB on an unlimited link.
  static size_t Capacity(std::chrono::milliseconds delay, uint64_t rate_bps) {
    if (rate_bps == 0) return 4u << 20;
    uint64_t in_flight = rate_bps / 8 * static_cast<uint64_t>(delay.count()) / 1000;
    return static_cast<size_t>(std::min<uint64_t>(in_flight + (64u << 10), 4u << 20));
  }

 private:
  struct Segment {
    Clock::time_point deliver_at;
    std::string bytes;
    size_t offset;
  };
  LinkClock own_clock_;
  LinkClock* clock_;
  std::deque<Segment> segments_;
  size_t queued_ = 0;
};

}  // namespace fieldsync::faultproxy
