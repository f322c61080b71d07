// sync/transport.cpp — the Transport conveniences and names.
#include "sync/transport.h"

#include <strings.h>

namespace fieldsync::sync {

std::string HttpResponse::Header(std::string_view name) const { return FindHeader(headers, name); }

std::string FindHeader(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  }
  return {};
}

std::string_view FailureKindName(FailureKind k) {
  switch (k) {
    case FailureKind::kNone:
      return "none";
    case FailureKind::kConnect:
      return "connect";
    case FailureKind::kStall:
      return "stall";
    case FailureKind::kReset:
      return "reset";
    case FailureKind::kTls:
      return "tls";
    case FailureKind::kCancelled:
      return "cancelled";
    case FailureKind::kOther:
      return "other";
  }
  return "other";
}

Result<HttpResponse> Transport::Get(const std::string& url, Headers headers, FailureKind* failure) {
  return Send(HttpRequest{"GET", url, std::move(headers), {}}, failure);
}

Result<HttpResponse> Transport::Post(const std::string& url, Headers headers, std::string body,
                                     FailureKind* failure) {
  return Send(HttpRequest{"POST", url, std::move(headers), std::move(body)}, failure);
}

Result<HttpResponse> Transport::Put(const std::string& url, Headers headers, std::string body,
                                    FailureKind* failure) {
  return Send(HttpRequest{"PUT", url, std::move(headers), std::move(body)}, failure);
}

}  // namespace fieldsync::sync
