// sync/curl_transport.cpp — libcurl behind the Transport interface.
#include "sync/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

namespace fieldsync::sync {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Exchange {
  HttpResponse response;
  int64_t bytes_up = 0;
  int64_t bytes_down = 0;
  const std::atomic<bool>* cancel = nullptr;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  ex->response.body.append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    ex->response.headers.clear();  // a new response (after 100 Continue, say)
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' '))
      s.remove_suffix(1);
    return s;
  };
  ex->response.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                    std::string(trim(line.substr(colon + 1))));
  return size * n;
}

// Counts the HTTP bytes both ways (headers and bodies, before TLS).
int OnDebug(CURL*, curl_infotype type, char*, size_t size, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  if (type == CURLINFO_HEADER_OUT || type == CURLINFO_DATA_OUT) ex->bytes_up += size;
  if (type == CURLINFO_HEADER_IN || type == CURLINFO_DATA_IN) ex->bytes_down += size;
  return 0;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* ex = static_cast<Exchange*>(user);
  return (ex->cancel != nullptr && ex->cancel->load()) ? 1 : 0;
}

}  // namespace

struct CurlTransport::Impl {
  CURL* handle = nullptr;
  char error[CURL_ERROR_SIZE] = {};
};

CurlTransport::CurlTransport(CurlOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  GlobalInitOnce();
  impl_->handle = curl_easy_init();
}

CurlTransport::~CurlTransport() {
  if (impl_->handle != nullptr) curl_easy_cleanup(impl_->handle);
}

Result<HttpResponse> CurlTransport::Send(const HttpRequest& request, FailureKind* failure) {
  auto fail = [&](FailureKind kind, Status status) -> Result<HttpResponse> {
    if (failure != nullptr) *failure = kind;
    return status;
  };
  if (failure != nullptr) *failure = FailureKind::kNone;
  CURL* h = impl_->handle;
  if (h == nullptr)
    return fail(FailureKind::kOther, Status::Internal("libcurl did not initialise"));
  if (cancel_ != nullptr && cancel_->load())
    return fail(FailureKind::kCancelled, Status::Unavailable("sync cancelled"));

  Exchange ex;
  ex.cancel = cancel_;
  // Options are set afresh on each exchange; the handle keeps its connection
  // cache across curl_easy_reset.
  curl_easy_reset(h);
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, impl_->error);
  impl_->error[0] = '\0';
  curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, options_.connect_timeout_s);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_bytes);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, options_.low_speed_seconds);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, options_.keepalive_idle_s);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 20L);
  curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);  // feeds OnDebug; nothing is printed
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, OnDebug);
  curl_easy_setopt(h, CURLOPT_DEBUGDATA, &ex);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, OnProgress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &ex);

  if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    if (request.method != "POST")
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  curl_slist* list = nullptr;
  for (const auto& [k, v] : request.headers) list = curl_slist_append(list, (k + ": " + v).c_str());
  // No "Expect: 100-continue": it costs a round trip per request on a 600 ms link.
  list = curl_slist_append(list, "Expect:");
  if (request.method != "GET" && FindHeader(request.headers, "Content-Type").empty()) {
    list = curl_slist_append(list, "Content-Type: application/octet-stream");
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);

  CURLcode rc = curl_easy_perform(h);
  curl_slist_free_all(list);

  long connects = 0;
  curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
  counters_.requests += 1;
  counters_.bytes_up += ex.bytes_up;
  counters_.bytes_down += ex.bytes_down;
  counters_.connections += connects;

  if (rc == CURLE_OK) {
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    ex.response.status = static_cast<int>(code);
    return std::move(ex.response);
  }

  std::string detail = impl_->error[0] != '\0' ? impl_->error : curl_easy_strerror(rc);
  std::string where = request.method + " " + request.url;
  curl_off_t connect_us = 0;
  curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
  switch (rc) {
    case CURLE_ABORTED_BY_CALLBACK:
      return fail(FailureKind::kCancelled, Status::Unavailable("sync cancelled"));
    case CURLE_OPERATION_TIMEDOUT:
      if (connect_us == 0 && ex.bytes_up == 0) {
        return fail(
            FailureKind::kConnect,
            Status::Unavailable("cannot connect to the server: no answer within " +
                                std::to_string(options_.connect_timeout_s) + " s (" + where + ")"));
      }
      return fail(
          FailureKind::kStall,
          Status::Unavailable("link stalled: less than " +
                              std::to_string(options_.low_speed_bytes) + " B/s for " +
                              std::to_string(options_.low_speed_seconds) + " s (" + where + ")"));
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return fail(
          FailureKind::kConnect,
          Status::Unavailable("cannot connect to the server: " + detail + " (" + where + ")"));
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return fail(FailureKind::kReset,
                  Status::Unavailable("connection reset during the exchange: " + detail + " (" +
                                      where + ")"));
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return fail(FailureKind::kTls,
                  Status::FailedPrecondition("the server's TLS certificate is not trusted: " +
                                             detail + " (check the CA file)"));
    case CURLE_SSL_CONNECT_ERROR:
      return fail(FailureKind::kTls,
                  Status::Unavailable("TLS handshake failed: " + detail + " (" + where + ")"));
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return fail(FailureKind::kOther,
                  Status::InvalidArgument("bad server URL '" + request.url + "': " + detail));
    default:
      return fail(FailureKind::kOther,
                  Status::Unavailable("request failed: " + detail + " (" + where + ")"));
  }
}

}  // namespace fieldsync::sync
