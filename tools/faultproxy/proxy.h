// tools/faultproxy/proxy.h — a fault-injecting TCP proxy that plays a bad link.
//
// FaultProxy listens on a loopback port and forwards every accepted connection
// to one upstream host:port. Sync tests and benchmarks put it between the
// device client and the server to emulate a 2G link: latency, a bandwidth cap,
// connections reset or stalled part-way, responses lost after the server
// committed, requests delivered twice.
//
// USE (a 600 ms round trip at 64 kbit/s each way, the third request's answer lost):
//   FaultProxyOptions options;
//   options.upstream_port = server_port;
//   options.link = LinkShape{300ms, 300ms, 64'000, 64'000};
//   FaultProxy proxy(options);
//   FS_RETURN_IF_ERROR(proxy.Start());
//   std::string url = "http://" + proxy.address();   // give this to the client
//   proxy.SetDropResponse(Trigger::Nth(3));
//   ... run the sync ...;  proxy.counters().dropped_responses == 1
//
// THE LINK MODEL
//  1. Each connection has two directions: "up" (client -> upstream) and "down"
//     (upstream -> client). Each direction is a FIFO of segments, each stamped
//     with the time it may be delivered; the proxy keeps reading while the
//     FIFO is below a cap (about one bandwidth-delay product plus 64 KiB, or
//     4 MiB when the rate is unlimited), so back-pressure reaches the sender.
//  2. Bandwidth is a serialisation clock (a token bucket with no burst): bytes
//     are cut into segments of about 10 ms of transmission; a segment leaves at
//     max(now, when the previous one finished) + size*8/rate. There is one
//     clock per direction for the whole proxy: connections share the link's
//     bandwidth, first read first sent, as on one real link. Over a long
//     transfer the delivered rate equals the configured rate. Bytes queued
//     for a connection that is then reset still use the link (as packets in a
//     router's buffer would).
//  3. Latency is added after serialisation: a segment is delivered `delay`
//     after it left. So a request/response round trip costs at least
//     delay_up + delay_down, on every exchange of a keep-alive connection.
//     A new connection costs one more round trip: the proxy accepts at once,
//     but reads the client's first bytes only delay_up + delay_down later,
//     as a TCP handshake would.
//  4. The link shape (delay, rate) is read live: a change applies to bytes the
//     proxy reads after the change, on open connections too.
//  5. Byte faults (reset, stall) count bytes *delivered* by the link in the
//     chosen direction(s) of one connection. They are decided when the
//     connection is accepted, from the settings at that moment.
//     - reset: once `after_bytes` were delivered (exactly that many: the last
//       write is cut short), both sockets are closed with SO_LINGER 0, so each
//       peer sees a TCP RST (ECONNRESET) — or EOF if it had already closed.
//     - stall: once `after_bytes` were delivered, nothing more is delivered in
//       either direction for `duration` (zero: until the connection ends); the
//       sockets stay open. A stalled-forever connection is closed when the
//       client closes its side or when the proxy stops.
//  6. HTTP-aware connections (http_aware, or any HTTP fault set when the
//     connection was accepted) are framed as HTTP/1.1: requests by
//     Content-Length or chunked, responses by Content-Length, chunked, or
//     until close (1xx interim responses are skipped; HEAD, 204 and 304 have no
//     body). The link model sits on the client side; the proxy exchanges one
//     request at a time with upstream over its own keep-alive connection,
//     reconnecting when upstream closes it. "Expect: 100-continue" is answered
//     by the proxy and removed from the forwarded request. Upgrades
//     (101 Switching Protocols) are not supported.
//     - drop response: the request is forwarded, the complete response read,
//       and then the client connection is reset without a byte of it.
//     - duplicate request: the request is sent upstream twice in sequence on
//       the same upstream connection (a new one if upstream closed it); the
//       client receives the second response only.
//     Both may hit the same request (sent twice, then dropped).
//  7. Faults are scheduled by a Trigger over units — connections for byte
//     faults, requests for HTTP faults — counted from 1 since the fault was
//     last set. Probabilistic triggers hash (seed, fault, unit index), so a
//     given seed hits the same units on every run regardless of thread timing.
//
// Errors on either socket are passed on: a reset from one peer resets the
// other; an EOF is passed on as a half-close once the queued bytes are
// delivered. An upstream that cannot be reached resets the client.
//
// Thread safety: every public method may be called from any thread while the
// proxy runs. Start/Stop must not race each other.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace fieldsync::faultproxy {

// Which bytes a byte fault counts.
enum class Direction {
  kUp,      // client -> upstream
  kDown,    // upstream -> client
  kEither,  // the sum of both
};

// Which units (connections or requests) a fault hits. Units are numbered from 1
// since the fault was last set. A value; cheap to copy.
class Trigger {
 public:
  enum class Kind { kNever, kAlways, kNth, kFirst, kEvery, kProbability };

  Trigger() = default;  // Never
  static Trigger Never() { return Trigger(); }
  static Trigger Always() { return Trigger(Kind::kAlways, 0, 0); }
  // Unit n only. REQUIRES: n >= 1.
  static Trigger Nth(uint64_t n) { return Trigger(Kind::kNth, n, 0); }
  // Units 1..n.
  static Trigger First(uint64_t n) { return Trigger(Kind::kFirst, n, 0); }
  // Units n, 2n, 3n, ... REQUIRES: n >= 1.
  static Trigger Every(uint64_t n) { return Trigger(Kind::kEvery, n, 0); }
  // Each unit independently with probability p (clamped to [0, 1]).
  static Trigger WithProbability(double p) { return Trigger(Kind::kProbability, 0, p); }

  // Parses "never", "always", "nth:N", "first:N", "every:N" or "p:P" (0 <= P <= 1).
  // InvalidArgument naming the bad spec otherwise.
  static Result<Trigger> Parse(std::string_view spec);
  // The form Parse reads.
  std::string ToString() const;

  // Whether unit `index` (1-based) is hit. Deterministic in (seed, salt, index);
  // `salt` keeps different faults from hitting the same units.
  bool Fires(uint64_t index, uint64_t seed, uint64_t salt = 0) const;

  Kind kind() const { return kind_; }
  bool never() const { return kind_ == Kind::kNever; }

 private:
  Trigger(Kind kind, uint64_t n, double p) : kind_(kind), n_(n), p_(p) {}
  Kind kind_ = Kind::kNever;
  uint64_t n_ = 0;
  double p_ = 0;
};

// A fault triggered by bytes delivered on one connection (reset or stall).
struct ByteFault {
  Trigger when;  // over connections; Never disables the fault
  uint64_t after_bytes = 0;
  Direction direction = Direction::kEither;
  // Stall only: how long nothing is delivered; zero means until the end.
  std::chrono::milliseconds duration{0};
};

// The shape of the emulated link. Zero means no delay / unlimited rate.
struct LinkShape {
  std::chrono::milliseconds delay_up{0};    // one way, client -> upstream
  std::chrono::milliseconds delay_down{0};  // one way, upstream -> client
  uint64_t rate_up_bps = 0;                 // bits per second
  uint64_t rate_down_bps = 0;
};

struct FaultProxyOptions {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 0;  // 0: the kernel picks one; see FaultProxy::port()
  std::string upstream_host = "127.0.0.1";
  uint16_t upstream_port = 0;
  uint64_t seed = 1;  // for probabilistic triggers
  LinkShape link;
  ByteFault reset;
  ByteFault stall;
  Trigger drop_response;      // over requests; implies HTTP framing
  Trigger duplicate_request;  // over requests; implies HTTP framing
  bool http_aware = false;    // frame HTTP (and count requests) with no HTTP fault set
};

// A snapshot of what the proxy did since it started.
struct FaultProxyCounters {
  uint64_t connections = 0;       // accepted
  uint64_t open_connections = 0;  // accepted and not yet finished
  uint64_t bytes_up = 0;          // delivered by the link toward upstream
  uint64_t bytes_down = 0;        // delivered to clients
  uint64_t requests = 0;          // complete requests framed (HTTP-aware connections)
  uint64_t responses = 0;         // complete responses read from upstream (duplicates too)
  uint64_t resets = 0;            // connections reset by the reset fault
  uint64_t stalls = 0;            // connections stalled by the stall fault
  uint64_t dropped_responses = 0;
  uint64_t duplicated_requests = 0;
  uint64_t upstream_failures = 0;  // upstream unreachable or broke mid-exchange

  // Faults injected: resets + stalls + dropped_responses + duplicated_requests.
  uint64_t faults() const { return resets + stalls + dropped_responses + duplicated_requests; }
  // One line of "name=value" pairs, for logs and the CLI.
  std::string ToString() const;
};

class FaultProxy {
 public:
  explicit FaultProxy(FaultProxyOptions options);
  ~FaultProxy();  // Stop()s
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // Resolves upstream, binds and listens, and starts accepting on a thread.
  // Errors: InvalidArgument for an unresolvable host, IOError when the listen
  // socket cannot be made (the message says which call failed and why),
  // FailedPrecondition when already started. Upstream is not contacted here.
  Status Start();
  // Stops accepting, resets every open connection and joins all threads.
  // Idempotent; counters stay readable.
  void Stop();

  // The bound port (valid after a successful Start) and "host:port"
  // ("[host]:port" for an IPv6 host).
  uint16_t port() const;
  std::string address() const;

  // Link shape; applies to bytes read from now on (see THE LINK MODEL, 4).
  void SetLink(const LinkShape& link);
  void SetDelay(std::chrono::milliseconds one_way);  // both directions
  void SetRate(uint64_t bits_per_second);            // both directions; 0 = unlimited
  LinkShape link() const;

  // Faults; each setter restarts that fault's unit count at 1. Byte faults apply
  // to connections accepted from now on; HTTP faults to requests framed from
  // now on, on connections that are HTTP-aware (accepted after an HTTP fault
  // was set or http_aware was on).
  void SetReset(const ByteFault& fault);
  void SetStall(const ByteFault& fault);
  void SetDropResponse(const Trigger& when);
  void SetDuplicateRequest(const Trigger& when);
  void SetHttpAware(bool on);
  // Sets every fault to Never and the link to no delay, unlimited rate.
  void Heal();

  // Resets (RST) every connection open now, as if the link went down.
  // Returns at once; each connection closes within about 50 ms.
  void ResetAllConnections();

  FaultProxyCounters counters() const;

  struct Shared;  // state shared with the connection threads

 private:
  std::unique_ptr<Shared> shared_;
};

}  // namespace fieldsync::faultproxy
