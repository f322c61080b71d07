// sync/codec.cpp — JSON/MessagePack bodies with optional zstd compression.
#include "sync/codec.h"

#include <zstd.h>

namespace fieldsync::sync {

std::string_view ContentTypeOf(BodyFormat f) {
  return f == BodyFormat::kMsgpack ? kMsgpackType : kJsonType;
}

Result<BodyFormat> FormatFromContentType(std::string_view content_type) {
  std::string_view base = content_type.substr(0, content_type.find(';'));
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  if (base.empty() || base == kJsonType) return BodyFormat::kJson;
  if (base == kMsgpackType || base == "application/x-msgpack") return BodyFormat::kMsgpack;
  return Status::InvalidArgument("unsupported content type '" + std::string(base) +
                                 "'; send application/json or application/msgpack");
}

std::string ZstdCompress(std::string_view raw, int level) {
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), level);
  if (ZSTD_isError(n)) return {};
  out.resize(n);
  return out;
}

Result<std::string> ZstdDecompress(std::string_view compressed, size_t max_decoded) {
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  if (dctx == nullptr) return Status::Internal("out of memory for zstd");
  std::string out;
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  std::string chunk(ZSTD_DStreamOutSize(), '\0');
  size_t last = 1;
  while (in.pos < in.size) {
    ZSTD_outBuffer ob{chunk.data(), chunk.size(), 0};
    last = ZSTD_decompressStream(dctx, &ob, &in);
    if (ZSTD_isError(last)) {
      ZSTD_freeDCtx(dctx);
      return Status::InvalidArgument(std::string("body is not valid zstd: ") +
                                     ZSTD_getErrorName(last));
    }
    if (out.size() + ob.pos > max_decoded) {
      ZSTD_freeDCtx(dctx);
      return Status::TooLarge("body decompresses to more than " +
                              std::to_string(max_decoded >> 20) + " MiB");
    }
    out.append(chunk.data(), ob.pos);
    if (last == 0 && in.pos < in.size) continue;  // concatenated frames
  }
  ZSTD_freeDCtx(dctx);
  if (last != 0) return Status::InvalidArgument("body is a truncated zstd frame");
  return out;
}

std::string EncodeBody(const nlohmann::json& value, BodyFormat format, bool zstd, int level) {
  std::string raw;
  if (format == BodyFormat::kMsgpack) {
    std::vector<uint8_t> bytes = nlohmann::json::to_msgpack(value);
    raw.assign(bytes.begin(), bytes.end());
  } else {
    raw = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return zstd ? ZstdCompress(raw, level) : raw;
}

Result<nlohmann::json> DecodeBody(std::string_view body, BodyFormat format,
                                  std::string_view content_encoding, size_t max_decoded) {
  std::string decompressed;
  std::string_view raw = body;
  if (content_encoding == "zstd") {
    auto r = ZstdDecompress(body, max_decoded);
    if (!r.ok()) return r.status();
    decompressed = std::move(r).value();
    raw = decompressed;
  } else if (!content_encoding.empty() && content_encoding != "identity") {
    return Status::InvalidArgument("unsupported content encoding '" +
                                   std::string(content_encoding) + "'; use zstd or none");
  } else if (raw.size() > max_decoded) {
    return Status::TooLarge("body is larger than " + std::to_string(max_decoded >> 20) + " MiB");
  }
  try {
    if (format == BodyFormat::kMsgpack) return nlohmann::json::from_msgpack(raw);
    return nlohmann::json::parse(raw);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("malformed ") +
                                   (format == BodyFormat::kMsgpack ? "MessagePack" : "JSON") +
                                   " body: " + e.what());
  }
}

nlohmann::json ErrorBody(const Status& status) {
  return {
      {"error",
       {{"code", std::string(Status::CodeName(status.code()))}, {"message", status.message()}}}};
}

Status StatusFromErrorBody(const nlohmann::json& body, Status::Code code,
                           std::string_view fallback) {
  std::string message(fallback);
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const auto& e = body["error"];
    if (e.contains("message") && e["message"].is_string()) message = e["message"];
    if (e.contains("code") && e["code"].is_string())
      code = Status::CodeFromName(e["code"].get<std::string>());
  }
  switch (code) {
    case Status::Code::kInvalidArgument:
      return Status::InvalidArgument(message);
    case Status::Code::kNotFound:
      return Status::NotFound(message);
    case Status::Code::kAlreadyExists:
      return Status::AlreadyExists(message);
    case Status::Code::kFailedPrecondition:
      return Status::FailedPrecondition(message);
    case Status::Code::kPermissionDenied:
      return Status::PermissionDenied(message);
    case Status::Code::kUnauthenticated:
      return Status::Unauthenticated(message);
    case Status::Code::kConflict:
      return Status::Conflict(message);
    case Status::Code::kCorruption:
      return Status::Corruption(message);
    case Status::Code::kIOError:
      return Status::IOError(message);
    case Status::Code::kUnavailable:
      return Status::Unavailable(message);
    case Status::Code::kTooLarge:
      return Status::TooLarge(message);
    case Status::Code::kOk:
    case Status::Code::kInternal:
      break;
  }
  return Status::Internal(message);
}

int HttpStatusFor(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return 200;
    case Status::Code::kInvalidArgument:
      return 400;
    case Status::Code::kUnauthenticated:
      return 401;
    case Status::Code::kPermissionDenied:
      return 403;
    case Status::Code::kNotFound:
      return 404;
    case Status::Code::kAlreadyExists:
    case Status::Code::kConflict:
      return 409;
    case Status::Code::kTooLarge:
      return 413;
    case Status::Code::kFailedPrecondition:
      return 422;
    case Status::Code::kUnavailable:
      return 503;
    case Status::Code::kCorruption:
    case Status::Code::kIOError:
    case Status::Code::kInternal:
      return 500;
  }
  return 500;
}

}  // namespace fieldsync::sync
