// server/http_server.h — the HTTP face of the HQ server (docs/protocol.md).
//
// Routes: GET /healthz; POST /api/v1/enroll; POST /api/v1/sync;
// GET /api/v1/attachments/{sha}/status; PUT /api/v1/attachments/{sha}.
// Every /api/v1 route but enroll needs "Authorization: Bearer <token>",
// checked on every request (a revoked device is refused at once).
//
// Bodies go through sync/codec.h: JSON or MessagePack by Content-Type (415
// otherwise), zstd by Content-Encoding (415 for any other encoding), answered
// in the request's format and zstd-compressed when Accept-Encoding names zstd.
// Error answers are always plain (uncompressed) JSON
// {"error": {"code", "message"}} — for routing misses (404), oversize bodies
// (413, above sync::kMaxWireBody as sent), malformed requests and exceptions
// (500) too. One line per request goes to the log:
//   POST /api/v1/sync 200 in=5120 out=311 4.2ms d_0123456789abcdef
//
// Lifecycle: Bind() (port 0 picks a free port; port() tells which), then
// Run() blocks serving on a thread pool until Stop(); Stop() stops accepting,
// lets in-flight requests finish and returns once Run() has. Start() is
// Bind() + Run() on a background thread (tests, benchmarks).
//
// Thread safety: Stop() may be called from any thread (a signal watcher).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "common/status.h"
#include "server/service.h"
#include "server/web_routes.h"

namespace fieldsync::server {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  std::string tls_cert;  // both set: HTTPS
  std::string tls_key;
  int threads = 8;
  int read_timeout_s = 30;   // per read: slow links, not whole requests
  int write_timeout_s = 30;
  int keep_alive_timeout_s = 5;  // also bounds how long a clean stop waits for idle connections
  // Receives each request's log line (without newline); null: stderr.
  std::function<void(const std::string&)> log;
  bool log_requests = true;
  // The web dashboard and its /api/v1/hq/ routes (server/web_routes.h).
  WebOptions web;
};

class HttpServer {
 public:
  // The service must outlive the server.
  HttpServer(Service& service, HttpOptions options);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // InvalidArgument for a bad TLS certificate/key, Unavailable when the
  // address cannot be bound (in use, no permission).
  Status Bind();
  int port() const { return port_; }
  // "http://HOST:PORT" (https with TLS).
  std::string url() const;
  // REQUIRES: Bind() succeeded. Blocks until Stop().
  Status Run();
  // Bind() and Run() on a background thread.
  Status Start();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Service& service_;
  HttpOptions options_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace fieldsync::server
