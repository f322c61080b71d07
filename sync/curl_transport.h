// sync/curl_transport.h — the production Transport, over libcurl.
//
// One CURL easy handle is reused for every exchange, so libcurl keeps the
// connection alive between requests (one TCP + TLS handshake per sync, not per
// request). Stalls are detected by a low-speed limit (below low_speed_bytes
// per second for low_speed_seconds), never by a total timeout: a slow 2G link
// moving a large batch is fine, a link that stopped moving is not.
//
// Compression is the caller's business: this class sends the headers it is
// given and returns bodies as received (libcurl's own Accept-Encoding handling
// is off), so the bytes counted are the bytes on the wire.
//
// Thread safety: one thread at a time (the handle is not shareable); the
// cancel flag may be raised from any thread and aborts a running transfer
// within about a second.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "sync/transport.h"

namespace fieldsync::sync {

struct CurlOptions {
  std::string ca_file;     // PEM bundle to trust; empty = the system's
  bool verify_tls = true;  // off only for tests against self-signed certs
  long connect_timeout_s = 30;
  long low_speed_bytes = 10;    // a transfer below this rate ...
  long low_speed_seconds = 30;  // ... for this long has stalled
  long keepalive_idle_s = 60;   // TCP keepalive probes after this idle time
  std::string user_agent = "fieldsync/0.1.0";
};

class CurlTransport : public Transport {
 public:
  explicit CurlTransport(CurlOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request, FailureKind* failure = nullptr) override;
  TransportCounters counters() const override { return counters_; }
  void SetCancelFlag(const std::atomic<bool>* flag) override { cancel_ = flag; }

 private:
  struct Impl;
  CurlOptions options_;
  std::unique_ptr<Impl> impl_;
  TransportCounters counters_;
  const std::atomic<bool>* cancel_ = nullptr;
};

}  // namespace fieldsync::sync
