// tests/faultproxy/framer_test.cpp — HTTP framing and fault schedules of the proxy.
#include <doctest/doctest.h>

#include <string>

#include "tools/faultproxy/http_framer.h"
#include "tools/faultproxy/link_queue.h"
#include "tools/faultproxy/proxy.h"

namespace http = fieldsync::faultproxy::http;
using fieldsync::faultproxy::Clock;
using fieldsync::faultproxy::LinkQueue;
using fieldsync::faultproxy::Trigger;
using namespace std::chrono_literals;

namespace {

// Frames the request at the start of `buf`; -1 when incomplete, -2 on error.
long RequestLen(const std::string& buf) {
  auto head = http::ParseRequestHead(buf);
  if (!head.ok()) return -2;
  if (!head->has_value()) return -1;
  auto len = http::RequestLength(buf, **head);
  if (!len.ok()) return -2;
  return len->has_value() ? static_cast<long>(**len) : -1;
}

long ResponseLen(const std::string& buf, std::string_view method = "GET", bool eof = false) {
  auto head = http::ParseResponseHead(buf);
  if (!head.ok()) return -2;
  if (!head->has_value()) return -1;
  auto len = http::ResponseLength(buf, **head, method, eof);
  if (!len.ok()) return -2;
  return len->has_value() ? static_cast<long>(**len) : -1;
}

}  // namespace

TEST_CASE("requests are framed by Content-Length, chunked, or no body") {
  std::string get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  CHECK(RequestLen(get) == static_cast<long>(get.size()));
  CHECK(RequestLen(get + "GET /next") == static_cast<long>(get.size()));
  CHECK(RequestLen("GET / HTTP/1.1\r\nHost: a\r\n") == -1);

  std::string post = "POST /x HTTP/1.1\r\ncontent-length: 5\r\n\r\n";
  CHECK(RequestLen(post + "abc") == -1);
  CHECK(RequestLen(post + "abcde") == static_cast<long>(post.size() + 5));
  CHECK(RequestLen("POST /x HTTP/1.1\r\nContent-Length: 5x\r\n\r\nabcde") == -2);

  std::string chunked = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string body = "3\r\nabc\r\nA;ext=1\r\n0123456789\r\n0\r\nTrailer: t\r\n\r\n";
  CHECK(RequestLen(chunked + body) == static_cast<long>(chunked.size() + body.size()));
  CHECK(RequestLen(chunked + body.substr(0, body.size() - 1)) == -1);
  CHECK(RequestLen(chunked + "3\r\nabcX\r\n") == -2);
  CHECK(RequestLen(chunked + "zz\r\n") == -2);

  CHECK(RequestLen("NOT HTTP\r\n\r\n") == -2);
  CHECK(RequestLen("GET / SPDY/3\r\n\r\n") == -2);
  CHECK(RequestLen(std::string(http::kMaxHead + 10, 'a')) == -2);
}

TEST_CASE("responses are framed by status, method, length, chunks or close") {
  std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
  CHECK(ResponseLen(ok) == static_cast<long>(ok.size()));
  CHECK(ResponseLen(ok, "HEAD") == static_cast<long>(ok.size() - 2));
  CHECK(ResponseLen("HTTP/1.1 204 No Content\r\n\r\n") == 27);
  CHECK(ResponseLen("HTTP/1.1 100 Continue\r\n\r\n") == 25);

  std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n";
  CHECK(ResponseLen(chunked + "2\r\nhi\r\n") == -1);
  CHECK(ResponseLen(chunked + "2\r\nhi\r\n0\r\n\r\n") == static_cast<long>(chunked.size() + 12));

  std::string until_close = "HTTP/1.0 200 OK\r\n\r\nbody";
  CHECK(ResponseLen(until_close) == -1);
  CHECK(ResponseLen(until_close, "GET", true) == static_cast<long>(until_close.size()));
  CHECK(ResponseLen("HTTP/1.1 2x0 OK\r\n\r\n") == -2);
}

TEST_CASE("connection reuse is read from the response head") {
  auto closes = [](const std::string& head_text) {
    auto head = http::ParseResponseHead(head_text);
    REQUIRE(head.ok());
    REQUIRE(head->has_value());
    return http::ResponseClosesConnection(**head, "GET");
  };
  CHECK_FALSE(closes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  CHECK(closes("HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n"));
  CHECK(closes("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"));
  CHECK_FALSE(closes("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"));
  CHECK(closes("HTTP/1.1 200 OK\r\n\r\n"));  // body until close
}

TEST_CASE("RemoveHeader drops every line of that header and keeps the body") {
  std::string msg = "POST / HTTP/1.1\r\nExpect: 100-continue\r\nHost: a\r\nexpect: x\r\n\r\nbody";
  auto head = http::ParseRequestHead(msg);
  REQUIRE(head.ok());
  REQUIRE(head->has_value());
  CHECK((*head)->HasToken("Expect", "100-CONTINUE"));
  CHECK(http::RemoveHeader(msg, **head, "Expect") == "POST / HTTP/1.1\r\nHost: a\r\n\r\nbody");
}

TEST_CASE("triggers parse, print and pick units") {
  for (const char* spec : {"never", "always", "nth:3", "first:2", "every:4", "p:0.25"}) {
    auto t = Trigger::Parse(spec);
    REQUIRE(t.ok());
    CHECK(t->ToString() == spec);
  }
  for (const char* bad : {"", "sometimes", "nth:0", "every:x", "p:1.5", "p:", "nth:-1"}) {
    auto t = Trigger::Parse(bad);
    CHECK_FALSE(t.ok());
    CHECK(t.status().message().find("bad fault schedule") != std::string::npos);
  }
  CHECK_FALSE(Trigger::Never().Fires(1, 1));
  CHECK(Trigger::Always().Fires(7, 1));
  CHECK(Trigger::Nth(3).Fires(3, 1));
  CHECK_FALSE(Trigger::Nth(3).Fires(6, 1));
  CHECK(Trigger::First(2).Fires(2, 1));
  CHECK_FALSE(Trigger::First(2).Fires(3, 1));
  CHECK(Trigger::Every(3).Fires(6, 1));
  CHECK_FALSE(Trigger::Every(3).Fires(7, 1));
}

TEST_CASE("probabilistic triggers are reproducible from the seed") {
  Trigger t = Trigger::WithProbability(0.3);
  int hits = 0, same = 0, differs = 0;
  for (uint64_t i = 1; i <= 2000; ++i) {
    bool a = t.Fires(i, 42);
    hits += a;
    same += a == t.Fires(i, 42);
    differs += a != t.Fires(i, 43);
  }
  CHECK(same == 2000);
  CHECK(differs > 100);
  CHECK(hits > 500);  // 600 expected
  CHECK(hits < 700);
  CHECK_FALSE(Trigger::WithProbability(0).Fires(5, 1));
  CHECK(Trigger::WithProbability(1).Fires(5, 1));
}

TEST_CASE("the link queue paces segments by rate and delay") {
  LinkQueue q;
  Clock::time_point t0 = Clock::now();
  q.Push(std::string(8000, 'x'), t0, 100ms, 64'000);  // 8000 bytes at 8000 B/s: 1 s
  CHECK(q.size() == 8000);
  CHECK(q.Ready(t0).empty());
  CHECK(q.Ready(t0 + 100ms).empty());              // the first segment is still on the wire
  CHECK(q.Ready(t0 + 100ms + 10ms).size() == 80);  // 80 bytes = 10 ms at 64 kbit/s
  // The last byte leaves after 1 s and arrives 100 ms later.
  CHECK(*q.NextDelivery() == t0 + 110ms);
  size_t delivered = 0;
  Clock::time_point t = t0 + 1100ms;
  while (!q.Ready(t).empty()) {
    size_t n = q.Ready(t).size();
    q.Consume(n);
    delivered += n;
  }
  CHECK(delivered == 8000);
  CHECK(q.empty());

  LinkQueue fast;
  fast.Push("abc", t0, 0ms, 0);
  CHECK(fast.Ready(t0) == "abc");
  fast.Consume(1);
  CHECK(fast.Ready(t0) == "bc");
  CHECK(LinkQueue::Capacity(0ms, 0) == 4u << 20);
  CHECK(LinkQueue::Capacity(300ms, 64'000) == 2400 + (64u << 10));
}
