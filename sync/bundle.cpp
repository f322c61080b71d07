// sync/bundle.cpp — push and reply bundles (see sync/bundle.h).
#include "sync/bundle.h"

#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/sha256.h"
#include "sync/codec.h"
#include "sync/messages.h"

namespace fieldsync::sync {
namespace {

using nlohmann::json;

// Bundles may carry photos: allow more than a request body.
constexpr size_t kMaxBundleBytes = 1ull << 30;

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += {kB64[v >> 18], kB64[(v >> 12) & 63], kB64[(v >> 6) & 63], kB64[v & 63]};
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += {kB64[v >> 18], kB64[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {kB64[v >> 18], kB64[(v >> 12) & 63], kB64[(v >> 6) & 63], '='};
  }
  return out;
}

bool Base64Decode(std::string_view in, std::string* out) {
  auto value = [](char c) -> int {
    const char* p = std::strchr(kB64, c);
    return (c != '\0' && p != nullptr) ? static_cast<int>(p - kB64) : -1;
  };
  if (in.size() % 4 != 0) return false;
  out->clear();
  out->reserve(in.size() / 4 * 3);
  for (size_t i = 0; i < in.size(); i += 4) {
    int a = value(in[i]), b = value(in[i + 1]);
    int c = in[i + 2] == '=' ? 0 : value(in[i + 2]);
    int d = in[i + 3] == '=' ? 0 : value(in[i + 3]);
    if (a < 0 || b < 0 || c < 0 || d < 0) return false;
    uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
    out->push_back(static_cast<char>(v >> 16));
    if (in[i + 2] != '=') out->push_back(static_cast<char>((v >> 8) & 255));
    if (in[i + 3] != '=') out->push_back(static_cast<char>(v & 255));
  }
  return true;
}

Result<std::string> ReadAll(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::IOError("cannot read " + file.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IOError("error reading " + file.string());
  return ss.str();
}

// Writes `bytes` to a temporary file beside `file`, fsyncs it and renames it
// over `file`: a crash leaves the old file or the new one, never half of it.
Status WriteAtomically(const std::filesystem::path& file, const std::string& bytes) {
  std::filesystem::path tmp = file;
  tmp += ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return Status::IOError("cannot write " + tmp.string());
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size() && std::fflush(f) == 0 &&
            fsync(fileno(f)) == 0;
  ok = std::fclose(f) == 0 && ok;
  std::error_code ec;
  if (ok) std::filesystem::rename(tmp, file, ec);
  if (!ok || ec) {
    std::filesystem::remove(tmp, ec);
    return Status::IOError("cannot write " + file.string() + " (disk full or read-only?)");
  }
  return Status::Ok();
}

// A bundle travels on USB sticks and memory cards: its zstd frame carries a
// content checksum, so a damaged byte is refused on reading (ZstdDecompress
// verifies it) instead of being applied as a changed value.
Status WriteBundle(const std::filesystem::path& file, const json& bundle) {
  const std::string raw = EncodeBody(bundle, BodyFormat::kJson, false);
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  if (cctx == nullptr) return Status::Internal("out of memory for zstd");
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 9);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  size_t n = ZSTD_compress2(cctx, out.data(), out.size(), raw.data(), raw.size());
  ZSTD_freeCCtx(cctx);
  if (ZSTD_isError(n))
    return Status::Internal(std::string("cannot compress the bundle: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return WriteAtomically(file, out);
}

// Reads a bundle and checks its header: format, version, kind.
Result<json> ReadBundle(const std::filesystem::path& file, std::string_view kind) {
  auto bytes = ReadAll(file);
  if (!bytes.ok()) return bytes.status();
  auto body = DecodeBody(*bytes, BodyFormat::kJson, "zstd", kMaxBundleBytes);
  if (!body.ok()) {
    return Status::InvalidArgument(file.string() + " is not a fieldsync bundle (" +
                                   body.status().message() + ")");
  }
  const json& b = *body;
  if (!b.is_object() || JsonString(b, "format") != kBundleFormat) {
    return Status::InvalidArgument(file.string() + " is not a fieldsync bundle");
  }
  if (JsonInt(b, "version") != kBundleVersion) {
    return Status::InvalidArgument(file.string() + " is a bundle of version " +
                                   std::to_string(JsonInt(b, "version")) + "; this build reads " +
                                   std::to_string(kBundleVersion));
  }
  if (JsonString(b, "kind") != kind) {
    return Status::InvalidArgument(
        file.string() + " is a " + JsonString(b, "kind") + " bundle, not a " + std::string(kind) +
        " bundle" +
        (kind == "reply" ? " (HQ's answer to an exported bundle)" : " (exported by a device)"));
  }
  return body;
}

}  // namespace

int64_t PushBundle::LastSeq() const {
  int64_t last = 0;
  if (request.is_object() && request.contains("batch") && request["batch"].is_array()) {
    for (const auto& e : request["batch"]) last = std::max(last, JsonInt(e, "seq"));
  }
  return last;
}

Result<BundleExport> ExportBundle(store::Store& store, const std::filesystem::path& file) {
  auto state = store.GetDeviceState();
  if (!state.ok()) return state.status();
  if (state->device_id.empty()) {
    return Status::FailedPrecondition(
        "this device is not enrolled; a bundle must name the device HQ knows it as "
        "(run 'fieldsync-cli enroll' once where there is a link)");
  }
  auto entries = store.PeekOutbox(0, SIZE_MAX);
  if (!entries.ok()) return entries.status().WithContext("reading the outbox");
  auto pending = store.PendingAttachments();
  if (!pending.ok()) return pending.status().WithContext("listing photos");

  json photos = json::array();
  for (const auto& a : *pending) {
    auto data = ReadAll(store.AttachmentPath(a.sha256));
    if (!data.ok()) return data.status().WithContext("photo " + a.sha256.substr(0, 12));
    photos.push_back(
        {{"sha256", a.sha256}, {"mime", a.mime}, {"data_base64", Base64Encode(*data)}});
  }
  json bundle = {{"format", kBundleFormat},
                 {"version", kBundleVersion},
                 {"kind", "push"},
                 {"device_id", state->device_id},
                 {"created_at_ms", store::NowMs()},
                 {"request", SyncRequest(*entries, state->cursor, 100000)},
                 {"photos", std::move(photos)}};
  FS_RETURN_IF_ERROR(WriteBundle(file, bundle));
  BundleExport out;
  out.entries = static_cast<int64_t>(entries->size());
  out.photos = static_cast<int64_t>(pending->size());
  std::error_code ec;
  out.bytes = static_cast<int64_t>(std::filesystem::file_size(file, ec));
  return out;
}

Result<PushBundle> ReadPushBundle(const std::filesystem::path& file) {
  auto b = ReadBundle(file, "push");
  if (!b.ok()) return b.status();
  PushBundle p;
  p.device_id = JsonString(*b, "device_id");
  p.created_at_ms = JsonInt(*b, "created_at_ms");
  if (p.device_id.empty()) return Status::InvalidArgument(file.string() + " names no device");
  if (!b->contains("request") || !(*b)["request"].is_object()) {
    return Status::InvalidArgument(file.string() + " holds no sync request");
  }
  p.request = (*b)["request"];
  if (b->contains("photos") && (*b)["photos"].is_array()) {
    for (const auto& ph : (*b)["photos"]) {
      PushBundle::Photo photo;
      photo.sha256 = JsonString(ph, "sha256");
      photo.mime = JsonString(ph, "mime");
      if (!Base64Decode(JsonString(ph, "data_base64"), &photo.data) ||
          Sha256Hex(photo.data) != photo.sha256) {
        return Status::InvalidArgument(file.string() + ": photo " + photo.sha256.substr(0, 12) +
                                       " is damaged (its bytes do not match its hash)");
      }
      p.photos.push_back(std::move(photo));
    }
  }
  return p;
}

Status WriteReplyBundle(const std::filesystem::path& file, const PushBundle& push,
                        const json& answer, const std::vector<std::string>& photos_received) {
  json bundle = {{"format", kBundleFormat},
                 {"version", kBundleVersion},
                 {"kind", "reply"},
                 {"device_id", push.device_id},
                 {"created_at_ms", store::NowMs()},
                 {"request_last_seq", push.LastSeq()},
                 {"request_cursor", JsonString(push.request, "cursor")},
                 {"answer", answer},
                 {"photos_received", photos_received}};
  return WriteBundle(file, bundle);
}

Result<BundleImport> ImportReplyBundle(store::Store& store, const std::filesystem::path& file) {
  auto b = ReadBundle(file, "reply");
  if (!b.ok()) return b.status();
  auto state = store.GetDeviceState();
  if (!state.ok()) return state.status();
  if (JsonString(*b, "device_id") != state->device_id || state->device_id.empty()) {
    return Status::InvalidArgument(file.string() + " is addressed to device '" +
                                   JsonString(*b, "device_id") + "', not to this one ('" +
                                   state->device_id + "')");
  }
  auto answer = ParseSyncAnswer(b->value("answer", json::object()));
  if (!answer.ok()) return answer.status().WithContext(file.string());

  BundleImport out;
  // The same acknowledgement rule as online (docs/protocol.md): only up to
  // the last entry the exported bundle carried.
  const int64_t last = std::min(answer->acked_seq, JsonInt(*b, "request_last_seq"));
  if (last > 0) {
    auto pending_before = store.PendingCount();
    auto dead_before = store.DeadLetters();
    std::vector<store::PushResult> results;
    for (auto& r : answer->results)
      if (r.seq <= last) results.push_back(std::move(r));
    FS_RETURN_IF_ERROR(store.AckPush(last, results).WithContext("applying " + file.string()));
    auto pending_after = store.PendingCount();
    auto dead_after = store.DeadLetters();
    if (pending_before.ok() && pending_after.ok())
      out.acknowledged = *pending_before - *pending_after;
    if (dead_before.ok() && dead_after.ok())
      out.rejected = static_cast<int64_t>(dead_after->size() - dead_before->size());
  }
  if (JsonString(*b, "request_cursor") == state->cursor && answer->cursor) {
    FS_RETURN_IF_ERROR(
        store.ApplyPull(answer->changes, *answer->cursor).WithContext("applying " + file.string()));
    out.pulled = static_cast<int64_t>(answer->changes.size());
    out.more = answer->more;
  } else {
    out.pull_skipped = true;
  }
  if (b->contains("photos_received") && (*b)["photos_received"].is_array()) {
    for (const auto& sha : (*b)["photos_received"]) {
      if (!sha.is_string()) continue;
      auto a = store.GetAttachment(sha.get<std::string>());
      if (!a.ok() || a->uploaded) continue;
      FS_RETURN_IF_ERROR(store.SetAttachmentProgress(a->sha256, a->size, true));
      ++out.photos;
    }
  }
  return out;
}

}  // namespace fieldsync::sync
