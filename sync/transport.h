// sync/transport.h — how the sync engine talks HTTP.
//
// The engine (sync/engine.h) never calls libcurl itself: it hands an
// HttpRequest to a Transport and gets back either an HttpResponse (any HTTP
// status, 2xx or not) or a transport Status. The two are kept apart on
// purpose: a 503 is an answer from the server, a reset connection is not.
//
//   CurlTransport  (sync/curl_transport.h)  — production: libcurl, keep-alive.
//   FaultTransport (sync/fault_transport.h) — tests: wraps another transport
//                                             and injects faults on demand.
//
// Transport failures are always Status::Unavailable (retry later) with a
// message that says what happened ("stalled: ...", "connection reset ...",
// "cannot connect ..."), except a TLS certificate that does not verify, which
// is FailedPrecondition (retrying will not help). The failure kind is also
// reported as a value, so the engine need not parse messages.
//
// Thread safety: a Transport is used by one thread at a time. The cancel flag
// (SetCancelFlag) may be set from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace fieldsync::sync {

using Headers = std::vector<std::pair<std::string, std::string>>;
// The first header with this name (case-insensitive), or "" when absent.
std::string FindHeader(const Headers& headers, std::string_view name);

struct HttpRequest {
  std::string method = "GET";  // GET, POST, PUT
  std::string url;             // absolute: http[s]://host:port/path?query
  Headers headers;             // sent as given (no automatic Accept-Encoding)
  std::string body;
};

struct HttpResponse {
  int status = 0;
  Headers headers;   // names as received; look them up with Header()
  std::string body;  // raw bytes as received (not decompressed)
  // The first header with this name (case-insensitive), or "" when absent.
  std::string Header(std::string_view name) const;
};

// Why a request got no HTTP answer.
enum class FailureKind {
  kNone,
  kConnect,    // could not connect (refused, unreachable, DNS, connect timeout)
  kStall,      // the transfer fell below the low-speed limit: a stalled link
  kReset,      // the connection broke mid-exchange (reset, closed, truncated)
  kTls,        // TLS handshake or certificate verification failed
  kCancelled,  // the cancel flag was raised
  kOther,      // anything else (bad URL, out of memory)
};
std::string_view FailureKindName(FailureKind k);  // "connect", "stall", ...

// Totals since the transport was made. Bytes are as on the wire: request and
// status line, headers and body (before TLS framing).
struct TransportCounters {
  int64_t requests = 0;  // exchanges attempted (failed ones included)
  int64_t bytes_up = 0;
  int64_t bytes_down = 0;
  int64_t connections = 0;  // new connections opened (keep-alive reuses)
};

class Transport {
 public:
  virtual ~Transport() = default;

  // Performs one exchange. Returns the response for any HTTP status; a
  // non-ok Status (with *failure set when non-null) when no answer came.
  virtual Result<HttpResponse> Send(const HttpRequest& request, FailureKind* failure = nullptr) = 0;
  virtual TransportCounters counters() const = 0;
  // While *flag is true, a running or new exchange fails promptly with
  // FailureKind::kCancelled. nullptr clears it. The flag must outlive its use.
  virtual void SetCancelFlag(const std::atomic<bool>* flag) = 0;

  // Conveniences over Send().
  Result<HttpResponse> Get(const std::string& url, Headers headers = {},
                           FailureKind* failure = nullptr);
  Result<HttpResponse> Post(const std::string& url, Headers headers, std::string body,
                            FailureKind* failure = nullptr);
  Result<HttpResponse> Put(const std::string& url, Headers headers, std::string body,
                           FailureKind* failure = nullptr);
};

}  // namespace fieldsync::sync
