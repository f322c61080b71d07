// tools/faultproxy/http_framer.h — the least HTTP/1.1 framing the proxy needs.
//
// Finds where one request or response ends in a byte buffer, so the proxy can
// hold, repeat or drop whole messages. It does not validate more than framing
// needs. Internal to faultproxy; exposed for its tests.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace fieldsync::faultproxy::http {

// Heads larger than this are refused (InvalidArgument).
inline constexpr size_t kMaxHead = 64 * 1024;

struct Head {
  std::string method;                                        // requests: "GET", "POST", ...
  int status = 0;                                            // responses: 200, 404, ...
  std::vector<std::pair<std::string, std::string>> headers;  // in order, values trimmed
  bool http10 = false;                                       // "HTTP/1.0" rather than "HTTP/1.1"
  size_t size = 0;  // bytes of the start line and headers, with the blank line

  // The first header named `name` (case-insensitive), if any.
  std::optional<std::string_view> Find(std::string_view name) const;
  // Whether a comma-separated header (Connection, Transfer-Encoding, Expect)
  // carries `token` (case-insensitive).
  bool HasToken(std::string_view name, std::string_view token) const;
};

// Parses the head at the start of `buf`. nullopt while the blank line has not
// arrived; InvalidArgument when the bytes are not an HTTP/1.x head.
Result<std::optional<Head>> ParseRequestHead(std::string_view buf);
Result<std::optional<Head>> ParseResponseHead(std::string_view buf);

// The length of the whole message (head + body) at the start of `buf`, given
// its parsed head; nullopt while incomplete. Requests: chunked, Content-Length
// or no body. Responses: none for 1xx/204/304 or a HEAD request, else chunked,
// Content-Length, or until the connection closes (complete only when `eof`).
// InvalidArgument for a malformed length or chunk.
Result<std::optional<size_t>> RequestLength(std::string_view buf, const Head& head);
Result<std::optional<size_t>> ResponseLength(std::string_view buf, const Head& head,
                                             std::string_view request_method, bool eof);

// Whether the connection ends after this response (Connection: close, HTTP/1.0
// without keep-alive, or a body that runs until close).
bool ResponseClosesConnection(const Head& head, std::string_view request_method);

// A copy of the request head without the named header lines (case-insensitive).
std::string RemoveHeader(std::string_view message, const Head& head, std::string_view name);

}  // namespace fieldsync::faultproxy::http
