// sync/codec.h — request and response bodies of the sync protocol.
//
// A body is a JSON value carried as JSON text or MessagePack, optionally
// compressed with zstd (docs/protocol.md, "Transport"). Both the device and the
// server use these functions, so the two sides cannot disagree on framing.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace fieldsync::sync {

enum class BodyFormat { kJson, kMsgpack };

inline constexpr std::string_view kJsonType = "application/json";
inline constexpr std::string_view kMsgpackType = "application/msgpack";
// Largest body accepted as sent, and largest after decompression.
inline constexpr size_t kMaxWireBody = 8u << 20;
inline constexpr size_t kMaxDecodedBody = 64u << 20;

std::string_view ContentTypeOf(BodyFormat f);
// Maps a Content-Type header (parameters ignored) to a format; InvalidArgument
// (answered 415) for anything else. An empty header means JSON.
Result<BodyFormat> FormatFromContentType(std::string_view content_type);

// Serialises and, when `zstd` is true, compresses at `level`.
std::string EncodeBody(const nlohmann::json& value, BodyFormat format, bool zstd, int level = 3);

// Decompresses (when content_encoding is "zstd"; "" or "identity" = none) and
// parses. Errors: TooLarge when the result would exceed max_decoded,
// InvalidArgument for an unknown encoding, corrupt compression or malformed
// JSON/MessagePack — the message says which.
Result<nlohmann::json> DecodeBody(std::string_view body, BodyFormat format,
                                  std::string_view content_encoding,
                                  size_t max_decoded = kMaxDecodedBody);

// Raw zstd helpers (bundles, benchmarks).
std::string ZstdCompress(std::string_view raw, int level = 3);
Result<std::string> ZstdDecompress(std::string_view compressed,
                                   size_t max_decoded = kMaxDecodedBody);

// A JSON error body: {"error": {"code": "<CodeName>", "message": "..."}}.
nlohmann::json ErrorBody(const Status& status);
// Reads an error body back; falls back to `fallback` text when the body is not
// one (e.g. a proxy's HTML page).
Status StatusFromErrorBody(const nlohmann::json& body, Status::Code code,
                           std::string_view fallback);
// The HTTP status for a Status code (400, 401, 403, 404, 409, 413, 422, 500, 503...).
int HttpStatusFor(Status::Code code);

}  // namespace fieldsync::sync
