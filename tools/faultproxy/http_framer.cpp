// tools/faultproxy/http_framer.cpp — HTTP/1.1 message framing for the proxy.
#include "tools/faultproxy/http_framer.h"

#include <cctype>
#include <charconv>
#include <cstdint>

namespace fieldsync::faultproxy::http {
namespace {

constexpr std::string_view kCrlf = "\r\n";

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 60)) {
    out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  }
  return out;
}

// Splits the head into its start line and header lines; fills head.headers.
// Returns the start line, or nullopt (incomplete) / an error.
Result<std::optional<std::string_view>> SplitHead(std::string_view buf, Head& head) {
  size_t end = buf.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (buf.size() > kMaxHead) {
      return Status::InvalidArgument("HTTP head longer than " + std::to_string(kMaxHead) +
                                     " bytes");
    }
    return std::optional<std::string_view>();
  }
  if (end + 4 > kMaxHead) {
    return Status::InvalidArgument("HTTP head longer than " + std::to_string(kMaxHead) + " bytes");
  }
  head.size = end + 4;
  std::string_view rest = buf.substr(0, end + 2);  // every line ends with CRLF
  size_t eol = rest.find(kCrlf);
  std::string_view start_line = rest.substr(0, eol);
  rest.remove_prefix(eol + 2);
  while (!rest.empty()) {
    eol = rest.find(kCrlf);
    std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || line.front() == ' ' ||
        line.front() == '\t') {
      return Status::InvalidArgument("malformed HTTP header line '" + Printable(line) + "'");
    }
    head.headers.emplace_back(std::string(line.substr(0, colon)),
                              std::string(Trim(line.substr(colon + 1))));
  }
  return std::optional<std::string_view>(start_line);
}

Result<bool> ParseVersion(std::string_view v) {
  if (v == "HTTP/1.1") return false;
  if (v == "HTTP/1.0") return true;
  return Status::InvalidArgument("not an HTTP/1.x message (version '" + Printable(v) + "')");
}

Result<uint64_t> ParseContentLength(std::string_view value) {
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (value.empty() || ec != std::errc() || ptr != value.data() + value.size()) {
    return Status::InvalidArgument("bad Content-Length '" + Printable(value) + "'");
  }
  return n;
}

// End of a chunked body that starts at `pos`, or nullopt while incomplete.
Result<std::optional<size_t>> ChunkedEnd(std::string_view buf, size_t pos) {
  while (true) {
    size_t eol = buf.find(kCrlf, pos);
    if (eol == std::string_view::npos) {
      if (buf.size() - pos > 4096) return Status::InvalidArgument("chunk size line too long");
      return std::optional<size_t>();
    }
    std::string_view line = buf.substr(pos, eol - pos);
    line = Trim(line.substr(0, line.find(';')));
    uint64_t size = 0;
    auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
    if (line.empty() || line.size() > 15 || ec != std::errc() || ptr != line.data() + line.size()) {
      return Status::InvalidArgument("bad chunk size '" + Printable(line) + "'");
    }
    pos = eol + 2;
    if (size == 0) {  // trailers, then a blank line
      while (true) {
        eol = buf.find(kCrlf, pos);
        if (eol == std::string_view::npos) return std::optional<size_t>();
        if (eol == pos) return std::optional<size_t>(pos + 2);
        pos = eol + 2;
      }
    }
    if (buf.size() < pos + size + 2) return std::optional<size_t>();
    if (buf.substr(pos + size, 2) != kCrlf) {
      return Status::InvalidArgument("chunk of " + std::to_string(size) +
                                     " bytes not followed by CRLF");
    }
    pos += size + 2;
  }
}

bool IsChunked(const Head& head) {
  auto te = head.Find("Transfer-Encoding");
  if (!te) return false;
  std::string_view v = Trim(*te);
  size_t comma = v.rfind(',');
  std::string_view last = Trim(comma == std::string_view::npos ? v : v.substr(comma + 1));
  return EqualsIgnoreCase(last, "chunked");
}

}  // namespace

std::optional<std::string_view> Head::Find(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

bool Head::HasToken(std::string_view name, std::string_view token) const {
  for (const auto& [n, v] : headers) {
    if (!EqualsIgnoreCase(n, name)) continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      if (EqualsIgnoreCase(Trim(rest.substr(0, comma)), token)) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

Result<std::optional<Head>> ParseRequestHead(std::string_view buf) {
  Head head;
  auto start = SplitHead(buf, head);
  if (!start.ok()) return start.status();
  if (!start->has_value()) return std::optional<Head>();
  std::string_view line = **start;
  size_t sp1 = line.find(' ');
  size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp1 == sp2 || sp1 == 0) {
    return Status::InvalidArgument("malformed HTTP request line '" + Printable(line) + "'");
  }
  auto http10 = ParseVersion(line.substr(sp2 + 1));
  if (!http10.ok()) return http10.status();
  head.http10 = *http10;
  head.method = std::string(line.substr(0, sp1));
  return std::optional<Head>(std::move(head));
}

Result<std::optional<Head>> ParseResponseHead(std::string_view buf) {
  Head head;
  auto start = SplitHead(buf, head);
  if (!start.ok()) return start.status();
  if (!start->has_value()) return std::optional<Head>();
  std::string_view line = **start;
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos) {
    return Status::InvalidArgument("malformed HTTP status line '" + Printable(line) + "'");
  }
  auto http10 = ParseVersion(line.substr(0, sp));
  if (!http10.ok()) return http10.status();
  head.http10 = *http10;
  std::string_view code = line.substr(sp + 1, 3);
  int status = 0;
  auto [ptr, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
  if (code.size() != 3 || ec != std::errc() || ptr != code.data() + 3 || status < 100) {
    return Status::InvalidArgument("malformed HTTP status line '" + Printable(line) + "'");
  }
  head.status = status;
  return std::optional<Head>(std::move(head));
}

Result<std::optional<size_t>> RequestLength(std::string_view buf, const Head& head) {
  if (head.Find("Transfer-Encoding")) {
    if (!IsChunked(head)) {
      return Status::InvalidArgument("request Transfer-Encoding without chunked");
    }
    return ChunkedEnd(buf, head.size);
  }
  uint64_t length = 0;
  if (auto cl = head.Find("Content-Length")) {
    auto n = ParseContentLength(*cl);
    if (!n.ok()) return n.status();
    length = *n;
  }
  if (buf.size() - head.size < length) return std::optional<size_t>();
  return std::optional<size_t>(head.size + length);
}

Result<std::optional<size_t>> ResponseLength(std::string_view buf, const Head& head,
                                             std::string_view request_method, bool eof) {
  if (head.status < 200 || head.status == 204 || head.status == 304 || request_method == "HEAD") {
    return std::optional<size_t>(head.size);
  }
  if (IsChunked(head)) return ChunkedEnd(buf, head.size);
  if (!head.Find("Transfer-Encoding")) {
    if (auto cl = head.Find("Content-Length")) {
      auto n = ParseContentLength(*cl);
      if (!n.ok()) return n.status();
      if (buf.size() - head.size < *n) return std::optional<size_t>();
      return std::optional<size_t>(head.size + *n);
    }
  }
  if (!eof) return std::optional<size_t>();
  return std::optional<size_t>(buf.size());
}

bool ResponseClosesConnection(const Head& head, std::string_view request_method) {
  if (head.HasToken("Connection", "close")) return true;
  if (head.http10 && !head.HasToken("Connection", "keep-alive")) return true;
  bool bodiless =
      head.status < 200 || head.status == 204 || head.status == 304 || request_method == "HEAD";
  if (bodiless || IsChunked(head)) return false;
  return head.Find("Transfer-Encoding").has_value() || !head.Find("Content-Length");
}

std::string RemoveHeader(std::string_view message, const Head& head, std::string_view name) {
  std::string out;
  out.reserve(message.size());
  std::string_view rest = message.substr(0, head.size);
  while (!rest.empty()) {
    size_t eol = rest.find(kCrlf);
    std::string_view line = rest.substr(0, eol + 2);
    rest.remove_prefix(eol + 2);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos && EqualsIgnoreCase(line.substr(0, colon), name)) {
      continue;
    }
    out += line;
  }
  out += message.substr(head.size);
  return out;
}

}  // namespace fieldsync::faultproxy::http
