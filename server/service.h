// server/service.h — the HQ server's logic, independent of HTTP.
//
// The HTTP layer (server/http_server.h) and the admin CLI (server/cli.h) are
// thin adapters over a Service. A Service owns the Storage and a cache of the
// parsed form definitions (seeded from schema::ShippedForms() on a new
// database). Every pushed report is validated with schema::Validate against
// its form version — kFinalize for finalized reports, kDraft for drafts and
// returned reports under correction — the
// same code the device runs.
//
// Sync (docs/protocol.md, POST /api/v1/sync):
//  1. The request's envelope is checked first (batch an array of objects, each
//     with an integer seq > 0 in increasing order, a string kind; cursor a
//     decimal string; pull_limit an integer). Any fault there is
//     InvalidArgument (400) and nothing is written: without a well-formed seq
//     no outcome can be recorded.
//  2. Each entry's content is checked outside the write transaction (shape of
//     the report, its form exists, schema::Validate). Faults become a
//     `rejected` outcome with every error in the reason; they never fail the
//     request.
//  3. One write transaction applies the batch: per entry, ClaimSeq (the
//     UNIQUE (device, seq) constraint decides whether the entry is new; a held
//     pair is answered with its stored result), then project / region /
//     ownership checks, the stale check (seq below the report's max_seq is
//     answered `applied` without a change), MergeDeviceEdit, and the result
//     stored with the seq.
//  4. The pull page is read after the commit from a snapshot.
//
// Thread safety: every method may be called from any thread concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "schema/catalogue.h"
#include "schema/form.h"
#include "server/storage.h"

namespace fieldsync::server {

inline constexpr std::string_view kServerVersion = "0.1.0";
inline constexpr int kDefaultPullLimit = 500;
inline constexpr int kMaxPullLimit = 1000;
inline constexpr size_t kMaxChunkBytes = 1u << 20;          // one attachment chunk
inline constexpr int64_t kMaxAttachmentBytes = 64ll << 20;  // one attachment
inline constexpr std::chrono::hours kEnrollCodeLifetime{24};

struct ServiceOptions {
  // The server's clock (ms since the epoch). Tests move it; defaults to the
  // wall clock. Used for expiry and history times, never for ordering.
  std::function<int64_t()> now_ms;
  // "YYYY-MM-DD" for today() in form expressions; empty = the system date.
  std::string today;
};

struct Enrollment {
  std::string device_id;
  std::string token;  // 64 hex chars; shown once, stored only as its hash
  std::string officer;
  std::string region;
};

class Service {
 public:
  // Seeds the shipped forms into a database that has none, then loads every
  // stored form. Errors: the storage's, or Corruption for a stored form that
  // no longer parses.
  static Result<std::unique_ptr<Service>> Open(std::unique_ptr<Storage> storage,
                                               ServiceOptions options = {});

  Storage& storage() { return *storage_; }
  int64_t Now() const { return options_.now_ms(); }

  // --- the device API ---

  // Trades a one-time code for a device identity. `device_token`, when not
  // empty, is the bearer token the device chose (64 hex digits: 256 random
  // bits); the server keeps only its hash. Asking again with the same code
  // and the same token — the device lost the first answer — answers the
  // same enrollment again while the code has not expired; a used code with
  // any other token is refused. Without `device_token` the server draws
  // one (older devices), and a lost answer burns the code.
  // Unauthenticated naming the reason for an unknown, used or expired code;
  // InvalidArgument for a malformed device_token.
  Result<Enrollment> Enroll(std::string_view code, std::string_view device_name,
                            std::string_view device_token = {});
  // The device holding `token`; Unauthenticated for a malformed, unknown or
  // revoked token.
  Result<Device> Authenticate(std::string_view token);
  // The device named `device_id`, for a sync that arrives by file (a bundle
  // carries the device id, not its token): NotFound for an unknown device,
  // Unauthenticated for a revoked one (the same refusal as Authenticate).
  Result<Device> DeviceForBundle(const std::string& device_id);
  // One /api/v1/sync exchange on a decoded body; the answer body. Errors:
  // InvalidArgument for a malformed envelope (nothing written), the storage's.
  Result<nlohmann::json> Sync(const Device& device, const nlohmann::json& request);

  // Attachments. `state` is filled in whenever the attachment is known,
  // including on Conflict (the offset did not match state->received).
  // Errors: InvalidArgument (bad hash, offset past total), PermissionDenied
  // (no report of this device refers to the hash), TooLarge (chunk above
  // 1 MiB, total above 64 MiB), Conflict (offset is not the received count),
  // FailedPrecondition (the complete upload does not hash to its name; it was
  // discarded and restarts from 0).
  Status AttachmentStatus(const Device& device, const std::string& sha256,
                          AttachmentState* state);
  Status PutAttachmentChunk(const Device& device, const std::string& sha256, int64_t offset,
                            int64_t total, std::string_view bytes, AttachmentState* state);

  // --- HQ administration ---

  // A one-time code "XXXX-XXXX-XXXX" valid for `lifetime` (negative: already
  // expired, for tests).
  Result<std::string> CreateEnrollCode(const std::string& officer, const std::string& region,
                                       std::chrono::milliseconds lifetime = kEnrollCodeLifetime);
  Status RevokeDevice(const std::string& device_id);
  Result<std::vector<Device>> ListDevices();
  // All or nothing; publishes each project to the feed. Returns the count.
  Result<size_t> ImportProjects(const std::vector<schema::Project>& projects);
  Result<size_t> ImportProjectsCsv(std::string_view csv_text);
  // Stores a form definition (a new version) and publishes it.
  Status AddForm(const schema::Form& form);
  // The parsed form, or null when unknown.
  std::shared_ptr<const schema::Form> FindForm(const std::string& id, int version);

  // A reviewer's decision on a finalized report: status becomes approved or
  // returned, the version goes up, a review goes to the owning device's feed.
  // decision: "approve"/"approved" or "return"/"returned".
  // NotFound, FailedPrecondition (a draft cannot be reviewed).
  Result<StoredReport> ReviewReport(const std::string& report_id, const std::string& decision,
                                    const std::string& comment,
                                    const nlohmann::json& field_comments,
                                    const std::string& reviewer);
  // HQ corrects values (name → value; null clears). Validated against the
  // form; published to the owning device's feed as a "report" change.
  Result<StoredReport> CorrectReport(const std::string& report_id, const nlohmann::json& changes,
                                     const std::string& editor);
  Result<std::optional<StoredReport>> GetReport(const std::string& report_id);
  Result<std::vector<HistoryRow>> History(const std::string& report_id);
  Result<Stats> GetStats();

 private:
  Service(std::unique_ptr<Storage> storage, ServiceOptions options);
  Status LoadForms();

  std::unique_ptr<Storage> storage_;
  ServiceOptions options_;
  std::shared_mutex forms_mu_;
  std::map<std::string, std::shared_ptr<const schema::Form>> forms_;  // "id@version"
};

// The lowercase-hex SHA-256 used to store codes and tokens.
std::string HashSecret(std::string_view secret);
// NormalizeEnrollCode (what a person may type of a code): common/text.h.

}  // namespace fieldsync::server
