// sync/bundle.h — sync by file (sneakernet): the /api/v1/sync exchange
// written to files and carried by hand when there is no link at all.
//
//   device: ExportBundle      → push bundle (outbox + cursor + photos)
//   HQ:     ReadPushBundle    → the /sync request body; answer it exactly as
//           WriteReplyBundle     the endpoint does (same idempotent path), and
//                                write the answer to a reply bundle
//   device: ImportReplyBundle → AckPush + ApplyPull, photos marked uploaded
//
// A bundle file is one zstd frame (with its content checksum: a damaged file
// is refused, never applied) holding one JSON object:
//   {"format": "fieldsync-bundle", "version": 1, "kind": "push" | "reply",
//    "device_id": "d_…", "created_at_ms": n, ...}
//   push:  "request": {"batch": [...], "cursor": "...", "pull_limit": n}
//          (the /sync request body, every outbox entry),
//          "photos": [{"sha256", "mime", "data_base64"}] (pending attachments)
//   reply: "request_last_seq": the highest seq of the push bundle's batch,
//          "request_cursor": its cursor, "answer": the /sync answer
//          {"acked_seq", "results", "changes", "cursor", "more"},
//          "photos_received": [sha256, ...] (stored completely at HQ)
// Importing a bundle twice changes nothing the second time: acknowledged
// entries are gone, results for them are ignored, and a pull whose cursor is
// not the device's current one is skipped (the device has moved on).
//
// Errors: InvalidArgument naming what is wrong with a file that is not a
// bundle of the expected kind, version or device; IOError for files that
// cannot be read or written (the message names the path).
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace fieldsync::sync {

inline constexpr char kBundleFormat[] = "fieldsync-bundle";
inline constexpr int kBundleVersion = 1;

struct BundleExport {
  int64_t entries = 0;  // outbox entries written
  int64_t photos = 0;   // attachments written
  int64_t bytes = 0;    // size of the file
};

// Writes every outbox entry, the pull cursor and the pending photos of an
// enrolled device to `file` (replaced atomically). FailedPrecondition when
// the device is not enrolled.
Result<BundleExport> ExportBundle(store::Store& store, const std::filesystem::path& file);

struct PushBundle {
  std::string device_id;
  int64_t created_at_ms = 0;
  nlohmann::json request;  // the /sync request body
  struct Photo {
    std::string sha256;
    std::string mime;
    std::string data;  // raw bytes
  };
  std::vector<Photo> photos;
  int64_t LastSeq() const;  // highest seq in request["batch"]; 0 when empty
};
// HQ side: reads a push bundle. Photos are checked against their hash.
Result<PushBundle> ReadPushBundle(const std::filesystem::path& file);

// HQ side: writes the reply to `push` (the /sync answer HQ computed for its
// request, and the photos it now holds completely).
Status WriteReplyBundle(const std::filesystem::path& file, const PushBundle& push,
                        const nlohmann::json& answer,
                        const std::vector<std::string>& photos_received);

struct BundleImport {
  int64_t acknowledged = 0;   // outbox entries removed
  int64_t rejected = 0;       // of which moved to the dead-letter list
  int64_t pulled = 0;         // changes applied (0 when the pull was skipped)
  bool pull_skipped = false;  // the device's cursor moved since the export
  bool more = false;          // HQ has further changes: export and carry again
  int64_t photos = 0;         // attachments marked uploaded
};
// Device side: applies a reply bundle addressed to this device.
Result<BundleImport> ImportReplyBundle(store::Store& store, const std::filesystem::path& file);

}  // namespace fieldsync::sync
