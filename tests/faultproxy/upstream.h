// tests/faultproxy/upstream.h — a tiny real HTTP server for the proxy tests.
//
// cpp-httplib on an ephemeral loopback port, started in the constructor and
// stopped in the destructor. It counts calls so tests can tell what reached it.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace fieldsync::faultproxy::testing {

class Upstream {
 public:
  static constexpr size_t kBlobSize = 64 * 1024;

  Upstream() {
    server_.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("hello", "text/plain");
    });
    server_.Get("/blob", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(Blob(kBlobSize), "application/octet-stream");
    });
    server_.Post("/echo", [this](const httplib::Request& req, httplib::Response& res) {
      saw_expect_header_ = saw_expect_header_ || req.has_header("Expect");
      res.set_content(req.body, "application/octet-stream");
    });
    // Counts calls; answers with the count so far.
    server_.Post("/count", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::to_string(++count_calls_), "text/plain");
    });
    server_.Get("/chunked", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/plain", [](size_t, httplib::DataSink& sink) {
        for (int i = 0; i < 50; ++i) sink.write("chunk-of-data;", 14);
        sink.done();
        return true;
      });
    });
    server_.set_keep_alive_max_count(1000);  // tests count client connections
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Upstream() {
    server_.stop();
    thread_.join();
  }

  // Deterministic bytes, so corruption anywhere shows.
  static std::string Blob(size_t n) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
    return s;
  }

  uint16_t port() const { return static_cast<uint16_t>(port_); }
  int count_calls() const { return count_calls_.load(); }
  bool saw_expect_header() const { return saw_expect_header_.load(); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> count_calls_{0};
  std::atomic<bool> saw_expect_header_{false};
};

}  // namespace fieldsync::faultproxy::testing
