// tests/faultproxy/proxy_test.cpp — the fault proxy against a real loopback server.
//
// Each case puts FaultProxy between a cpp-httplib client and server and checks
// both what the client saw and what reached the server. Timing checks are
// lower bounds only: the link must not be faster than configured.
#include "tools/faultproxy/proxy.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/faultproxy/upstream.h"

namespace {

using namespace std::chrono_literals;
using fieldsync::faultproxy::ByteFault;
using fieldsync::faultproxy::Direction;
using fieldsync::faultproxy::FaultProxy;
using fieldsync::faultproxy::FaultProxyOptions;
using fieldsync::faultproxy::LinkShape;
using fieldsync::faultproxy::Trigger;
using fieldsync::faultproxy::testing::Upstream;

FaultProxyOptions To(uint16_t upstream_port) {
  FaultProxyOptions o;
  o.upstream_port = upstream_port;
  return o;
}

struct Fixture {
  Upstream upstream;
  FaultProxy proxy{To(upstream.port())};
  Fixture() { REQUIRE(proxy.Start().ok()); }
};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Waits up to `limit` for `done()`.
template <typename F>
bool Eventually(F done, std::chrono::milliseconds limit = 3000ms) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// A blocking loopback socket connected to `port`, with a 3 s receive timeout.
int ConnectRaw(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  timeval tv{3, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// Reads until `needle` has arrived, the peer closes, or the timeout hits.
std::string ReadUntil(int fd, std::string_view needle) {
  std::string got;
  char buf[4096];
  while (got.find(needle) == std::string::npos) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

}  // namespace

TEST_CASE("forwards many requests over one keep-alive connection, byte for byte") {
  Fixture f;
  bool http_aware = false;
  SUBCASE("raw TCP") {}
  SUBCASE("HTTP-aware") {
    http_aware = true;
    f.proxy.SetHttpAware(true);
  }
  httplib::Client cli("127.0.0.1", f.proxy.port());
  cli.set_keep_alive(true);
  for (int i = 0; i < 10; ++i) {
    auto res = cli.Get("/hello");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->body == "hello");
  }
  std::string payload = Upstream::Blob(100 * 1024);
  auto echo = cli.Post("/echo", payload, "application/octet-stream");
  REQUIRE(echo);
  CHECK(echo->body == payload);
  auto chunked = cli.Get("/chunked");
  REQUIRE(chunked);
  CHECK(chunked->body.size() == 50 * 14);
  CHECK(chunked->body.substr(0, 14) == "chunk-of-data;");

  auto c = f.proxy.counters();
  CHECK(c.connections == 1);
  CHECK(c.bytes_up > payload.size());
  CHECK(c.bytes_down > payload.size() + 10 * 5);
  CHECK(c.faults() == 0);
  if (http_aware) {
    CHECK(c.requests == 12);
    CHECK(c.responses == 12);
  } else {
    CHECK(c.requests == 0);
  }
}

TEST_CASE("the bandwidth limit holds in both directions") {
  Fixture f;
  constexpr uint64_t kRate = 256'000;  // bits per second
  f.proxy.SetRate(kRate);
  httplib::Client cli("127.0.0.1", f.proxy.port());
  cli.set_keep_alive(true);
  cli.set_read_timeout(10, 0);

  auto start = std::chrono::steady_clock::now();
  auto res = cli.Get("/blob");
  double down_s = SecondsSince(start);
  REQUIRE(res);
  CHECK(res->body == Upstream::Blob(Upstream::kBlobSize));
  // 64 KiB at 256 kbit/s is 2.05 s; the lower bound proves the limit is applied.
  CHECK(down_s >= 1.6);
  MESSAGE("downstream: " << Upstream::kBlobSize << " bytes in " << down_s
                         << " s = " << Upstream::kBlobSize * 8 / down_s / 1000 << " kbit/s (limit "
                         << kRate / 1000 << ")");

  std::string payload = Upstream::Blob(32 * 1024);
  start = std::chrono::steady_clock::now();
  auto echo = cli.Post("/echo", payload, "application/octet-stream");
  double round_s = SecondsSince(start);
  REQUIRE(echo);
  CHECK(echo->body == payload);
  // 32 KiB up, then 32 KiB down: 2 x 1.02 s.
  CHECK(round_s >= 1.6);
  MESSAGE("32 KiB up and back: " << round_s << " s = " << 2 * payload.size() * 8 / round_s / 1000
                                 << " kbit/s");
}

TEST_CASE("connections share the link's bandwidth") {
  Fixture f;
  constexpr uint64_t kRate = 512'000;
  f.proxy.SetRate(kRate);
  auto fetch = [&](size_t& got) {
    httplib::Client cli("127.0.0.1", f.proxy.port());
    cli.set_read_timeout(10, 0);
    auto res = cli.Get("/blob");
    got = res ? res->body.size() : 0;
  };
  size_t a = 0, b = 0;
  auto start = std::chrono::steady_clock::now();
  std::thread ta(fetch, std::ref(a)), tb(fetch, std::ref(b));
  ta.join();
  tb.join();
  double s = SecondsSince(start);
  CHECK(a == Upstream::kBlobSize);
  CHECK(b == Upstream::kBlobSize);
  // 2 x 64 KiB at 512 kbit/s is 2.05 s; a rate per connection would take 1.02 s.
  CHECK(s >= 1.6);
  MESSAGE("two parallel downloads: " << 2 * Upstream::kBlobSize << " bytes in " << s
                                     << " s = " << 2 * Upstream::kBlobSize * 8 / s / 1000
                                     << " kbit/s (limit " << kRate / 1000 << ")");
}

TEST_CASE("latency applies to every exchange on a keep-alive connection") {
  Fixture f;
  f.proxy.SetDelay(150ms);  // a 300 ms round trip
  httplib::Client cli("127.0.0.1", f.proxy.port());
  cli.set_keep_alive(true);
  for (int i = 0; i < 3; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto res = cli.Get("/hello");
    double s = SecondsSince(start);
    REQUIRE(res);
    CHECK(res->body == "hello");
    // The first request also pays for the TCP handshake: two round trips.
    CHECK(s >= (i == 0 ? 0.6 : 0.3));
    MESSAGE("request " << i + 1 << " took " << s * 1000 << " ms");
  }
  CHECK(f.proxy.counters().connections == 1);
}

TEST_CASE("reset after N bytes cuts the connection at exactly N bytes") {
  Fixture f;
  f.proxy.SetReset(ByteFault{Trigger::Nth(1), 100, Direction::kDown, 0ms});
  httplib::Client cli("127.0.0.1", f.proxy.port());
  auto res = cli.Get("/blob");
  CHECK_FALSE(res);
  auto c = f.proxy.counters();
  CHECK(c.resets == 1);
  CHECK(c.bytes_down == 100);

  // Only the first connection was scheduled; the retry goes through.
  auto again = cli.Get("/blob");
  REQUIRE(again);
  CHECK(again->body.size() == Upstream::kBlobSize);
  CHECK(f.proxy.counters().resets == 1);
}

TEST_CASE("reset after N bytes upstream stops the request from reaching the server") {
  Fixture f;
  f.proxy.SetReset(ByteFault{Trigger::Always(), 20, Direction::kUp, 0ms});
  httplib::Client cli("127.0.0.1", f.proxy.port());
  auto res = cli.Post("/count", "x", "text/plain");
  CHECK_FALSE(res);
  CHECK(f.proxy.counters().resets == 1);
  CHECK(f.proxy.counters().bytes_up == 20);
  CHECK(f.upstream.count_calls() == 0);
}

TEST_CASE("a stall holds the connection until the client times out") {
  Fixture f;
  f.proxy.SetStall(ByteFault{Trigger::Always(), 50, Direction::kDown, 0ms});
  httplib::Client cli("127.0.0.1", f.proxy.port());
  cli.set_read_timeout(1, 0);
  auto res = cli.Get("/blob");
  CHECK_FALSE(res);
  CHECK(res.error() == httplib::Error::Read);
  auto c = f.proxy.counters();
  CHECK(c.stalls == 1);
  CHECK(c.bytes_down == 50);
  // The client gave up and closed; the stalled connection goes with it.
  CHECK(Eventually([&] { return f.proxy.counters().open_connections == 0; }));
}

TEST_CASE("a timed stall delays delivery and then resumes") {
  Fixture f;
  f.proxy.SetStall(ByteFault{Trigger::Always(), 10, Direction::kDown, 400ms});
  httplib::Client cli("127.0.0.1", f.proxy.port());
  auto start = std::chrono::steady_clock::now();
  auto res = cli.Get("/blob");
  double s = SecondsSince(start);
  REQUIRE(res);
  CHECK(res->body == Upstream::Blob(Upstream::kBlobSize));
  CHECK(s >= 0.4);
  CHECK(f.proxy.counters().stalls == 1);
}

TEST_CASE("a dropped response: the server committed, the client saw an error") {
  Fixture f;
  f.proxy.SetDropResponse(Trigger::Always());
  httplib::Client cli("127.0.0.1", f.proxy.port());
  auto res = cli.Post("/count", "x", "text/plain");
  CHECK_FALSE(res);
  CHECK(f.upstream.count_calls() == 1);
  auto c = f.proxy.counters();
  CHECK(c.dropped_responses == 1);
  CHECK(c.requests == 1);
  CHECK(c.responses == 1);
  CHECK(c.bytes_down == 0);

  f.proxy.SetDropResponse(Trigger::Never());
  auto retry = cli.Post("/count", "x", "text/plain");
  REQUIRE(retry);
  CHECK(retry->body == "2");
}

TEST_CASE("a duplicated request reaches the server twice; the client gets one response") {
  Fixture f;
  f.proxy.SetDuplicateRequest(Trigger::Always());
  httplib::Client cli("127.0.0.1", f.proxy.port());
  cli.set_keep_alive(true);
  auto res = cli.Post("/count", "x", "text/plain");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "2");  // the answer to the second copy
  CHECK(f.upstream.count_calls() == 2);
  auto c = f.proxy.counters();
  CHECK(c.duplicated_requests == 1);
  CHECK(c.requests == 1);
  CHECK(c.responses == 2);

  // The keep-alive connection still carries the next request normally.
  f.proxy.SetDuplicateRequest(Trigger::Never());
  auto next = cli.Post("/count", "x", "text/plain");
  REQUIRE(next);
  CHECK(next->body == "3");
  CHECK(f.proxy.counters().connections == 1);
}

TEST_CASE("a schedule picks which requests fail") {
  Fixture f;
  f.proxy.SetDropResponse(Trigger::Every(2));
  httplib::Client cli("127.0.0.1", f.proxy.port());
  cli.set_keep_alive(true);
  for (int i = 1; i <= 4; ++i) {
    auto res = cli.Post("/count", "x", "text/plain");
    CHECK(static_cast<bool>(res) == (i % 2 == 1));
    if (res) CHECK(res->body == std::to_string(i));
  }
  CHECK(f.upstream.count_calls() == 4);
  CHECK(f.proxy.counters().dropped_responses == 2);
}

TEST_CASE("Expect: 100-continue is answered by the proxy and not forwarded") {
  Fixture f;
  f.proxy.SetHttpAware(true);
  int fd = ConnectRaw(f.proxy.port());
  std::string head =
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n";
  REQUIRE(send(fd, head.data(), head.size(), 0) == static_cast<ssize_t>(head.size()));
  CHECK(ReadUntil(fd, "\r\n\r\n") == "HTTP/1.1 100 Continue\r\n\r\n");
  REQUIRE(send(fd, "hello", 5, 0) == 5);
  std::string response = ReadUntil(fd, "hello");
  close(fd);
  CHECK(response.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(response.find("\r\n\r\nhello") != std::string::npos);
  CHECK_FALSE(f.upstream.saw_expect_header());
}

TEST_CASE("ResetAllConnections resets open connections") {
  Fixture f;
  int fd = ConnectRaw(f.proxy.port());
  REQUIRE(Eventually([&] { return f.proxy.counters().open_connections == 1; }));
  f.proxy.ResetAllConnections();
  char byte;
  errno = 0;
  ssize_t n = recv(fd, &byte, 1, 0);
  close(fd);
  CHECK(n == -1);
  CHECK(errno == ECONNRESET);
  CHECK(Eventually([&] { return f.proxy.counters().open_connections == 0; }));
}

TEST_CASE("an unreachable upstream resets the client and is counted") {
  // A port nothing listens on: bind one, then close it.
  int probe = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  getsockname(probe, reinterpret_cast<sockaddr*>(&addr), &len);
  close(probe);

  FaultProxy proxy(To(ntohs(addr.sin_port)));
  REQUIRE(proxy.Start().ok());
  httplib::Client cli("127.0.0.1", proxy.port());
  CHECK_FALSE(cli.Get("/hello"));
  CHECK(proxy.counters().upstream_failures == 1);
}

TEST_CASE("Start reports a port in use") {
  Fixture f;
  FaultProxyOptions o = To(f.upstream.port());
  o.listen_port = f.proxy.port();
  FaultProxy second(o);
  auto st = second.Start();
  CHECK_FALSE(st.ok());
  CHECK(st.code() == fieldsync::Status::Code::kIOError);
  CHECK(st.message().find(std::to_string(f.proxy.port())) != std::string::npos);
}

TEST_CASE("Heal clears the link shape and the faults") {
  Fixture f;
  f.proxy.SetLink(LinkShape{100ms, 200ms, 1000, 2000});
  f.proxy.SetDropResponse(Trigger::Always());
  CHECK(f.proxy.link().delay_down == 200ms);
  CHECK(f.proxy.link().rate_up_bps == 1000);
  f.proxy.Heal();
  CHECK(f.proxy.link().delay_down == 0ms);
  CHECK(f.proxy.link().rate_up_bps == 0);
  httplib::Client cli("127.0.0.1", f.proxy.port());
  auto res = cli.Post("/count", "x", "text/plain");
  REQUIRE(res);
  CHECK(res->body == "1");
}
