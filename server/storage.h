// server/storage.h — what the HQ server keeps, behind an interface.
//
// The server's logic (server/service.h) talks to a Storage; the SQLite
// backend (server/sqlite_storage.h) is the only one built today, a PostgreSQL
// one comes later. Nothing here names a backend type: values cross as the
// plain structs below and JSON.
//
// Transactions: every operation runs inside Storage::Read (a consistent
// snapshot) or Storage::Write (one transaction: committed when the callback
// returns ok, rolled back otherwise). A sync batch is one Write.
//
// INVARIANTS every backend keeps
//  1. (device_id, seq) is unique, enforced by the database (a UNIQUE
//     constraint), not by check-then-insert: ClaimSeq answers false for a
//     pair already held, and nothing else about that entry is written.
//  2. The change feed holds at most one row per (kind, key); publishing a
//     change deletes the previous row and inserts one with a new feed_seq.
//     feed_seq values are never reused, and a reader never sees feed_seq n+1
//     committed without n (rows appear in feed_seq order) — a backend whose
//     sequences can commit out of order must serialise feed writes.
//  3. Tokens and enrollment codes are stored only as their SHA-256 (hex).
//  4. Write transactions are serialisable with respect to each other (SQLite:
//     BEGIN IMMEDIATE; PostgreSQL: a lock or SERIALIZABLE with retry).
//
// Thread safety: a Storage is shared by every request thread; the reader and
// writer handed to a callback belong to that call only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace fieldsync::server {

struct EnrollCode {
  std::string code_hash;  // SHA-256 hex of the normalised code
  std::string officer;
  std::string region;     // empty = every region
  int64_t created_at_ms = 0;
  int64_t expires_at_ms = 0;
  int64_t used_at_ms = 0;  // 0 = unused
  std::string device_id;   // the device it enrolled, once used
};

struct Device {
  std::string id;          // "d_" + 16 hex
  std::string name;        // as the device called itself at enrollment
  std::string officer;
  std::string region;      // empty = every region
  std::string token_hash;  // SHA-256 hex of the bearer token
  int64_t enrolled_at_ms = 0;
  int64_t revoked_at_ms = 0;  // 0 = active
  int64_t last_seen_ms = 0;
  bool revoked() const { return revoked_at_ms != 0; }
};

struct StoredProject {
  std::string code;
  std::string region;
  nlohmann::json data;  // schema::ProjectToJson
};

// Per-field versions: the report version at which a field last changed, and
// the version at which HQ last changed it (0 = never). A device edit based on
// version B conflicts on a field only when hq_version > B.
struct FieldVersion {
  int64_t version = 0;
  int64_t hq_version = 0;
};

struct StoredReport {
  std::string id;
  std::string device_id;  // the owning device; "" for none
  std::string project;
  std::string form_id;
  int form_version = 0;
  std::string period;
  nlohmann::json values = nlohmann::json::object();
  std::string status;     // "draft", "received", "approved", "returned"
  std::string author;
  int64_t server_version = 0;
  int64_t max_seq = 0;    // highest device seq applied to this report
  int64_t created_at_ms = 0;  // device clock, display only
  int64_t updated_at_ms = 0;  // device clock, display only
  int64_t received_at_ms = 0; // server clock: last change stored
  std::map<std::string, FieldVersion> field_versions;  // includes "status"
};

struct HistoryRow {
  int64_t id = 0;
  std::string report_id;
  int64_t at_ms = 0;            // server clock
  int64_t server_version = 0;   // the version this change produced
  std::string source;           // "device", "hq", "conflict", "review"
  std::string author;
  std::string field;            // "" for report-level rows (created)
  nlohmann::json old_value;
  nlohmann::json new_value;
  std::string note;
};

struct Review {
  std::string report_id;
  std::string decision;  // "approved" | "returned"
  std::string comment;
  nlohmann::json field_comments = nlohmann::json::object();
  std::string reviewer;
  int64_t at_ms = 0;
  int64_t server_version = 0;
};

struct FeedEntry {
  int64_t feed_seq = 0;
  std::string kind;   // "project", "form", "review", "report"
  std::string key;
  std::string scope;  // "" = everyone, "region:R", "device:ID"
  nlohmann::json data;
};

// What a device may see of the feed.
struct FeedFilter {
  std::string device_id;
  std::string region;  // empty: the device sees every region's projects
};

struct AttachmentState {
  std::string sha256;
  int64_t total = 0;     // declared size; 0 before the first chunk
  int64_t received = 0;  // contiguous bytes held
  bool complete = false;
};

struct Stats {
  std::map<std::string, int64_t> reports_by_status;
  int64_t reports = 0;
  int64_t devices_active = 0;
  int64_t devices_revoked = 0;
  int64_t projects = 0;
  int64_t forms = 0;
  int64_t attachments_complete = 0;
  int64_t attachments_pending = 0;
  int64_t feed_entries = 0;
  int64_t history_rows = 0;
};

// --- HQ users, sessions and the dashboard's queries (docs/hq.md) ---

struct HqUser {
  std::string name;           // unique; what a person types to sign in
  std::string role;           // "admin", "reviewer" or "viewer"
  std::string region;         // empty = every region
  std::string password_hash;  // libsodium crypto_pwhash_str (Argon2id)
  int64_t created_at_ms = 0;
  int64_t disabled_at_ms = 0;  // 0 = may sign in
};

// A dashboard session. Only the SHA-256 of its cookie token is stored.
struct HqSession {
  std::string token_hash;
  std::string user;
  int64_t created_at_ms = 0;
  int64_t expires_at_ms = 0;  // absolute end
  int64_t last_seen_ms = 0;   // idle expiry counts from here
};

// What a dashboard user asks of the reports. Empty strings and 0 mean "any".
// Project-level filters (region, sector, country, measure) select the
// reports whose project, as the registry holds it now, matches.
struct ReportFilter {
  std::string region;       // the project's region must equal it
  std::string sector;
  std::string country;      // a provider or beneficiary country (alpha-3)
  int measure = 0;          // a Framework measure the project implements
  std::string project;
  std::string form_id;
  std::string status;       // "draft", "received", "approved", "returned"
  std::vector<std::string> statuses;  // any of these (when non-empty)
  std::string officer;      // the report's author
  std::string period_from;  // "YYYY-MM", inclusive
  std::string period_to;    // "YYYY-MM", inclusive
  // Matches when every word of it begins a word of the report's id, author,
  // project code or text answers (case-insensitive), or when the whole of it
  // is within the project's title. Words: see SearchTokens.
  std::string search;
};

// The words of a search or of a report's text: runs of ASCII letters and
// digits and of non-ASCII (UTF-8) bytes, lower-cased, with the accents of
// Latin-1 letters dropped (é -> e, ç -> c, ñ -> n, as SQLite's unicode61
// tokenizer does); everything else separates words ("SSC-HLT-001" is "ssc",
// "hlt", "001").
inline std::vector<std::string> SearchTokens(std::string_view text) {
  // U+00C0..U+00FF folded; ' ' for the two signs (× ÷) among them.
  static constexpr std::string_view kLatin1 =
      "aaaaaaaceeeeiiiidnooooo ouuuuyts"
      "aaaaaaaceeeeiiiidnooooo ouuuuyty";
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0xC3 && i + 1 < text.size()) {
      unsigned char n = static_cast<unsigned char>(text[i + 1]);
      if (n >= 0x80 && n <= 0xBF) {
        ++i;
        char folded = kLatin1[n - 0x80];
        if (folded != ' ') {
          cur.push_back(folded);
          continue;
        }
        c = ' ';
      }
    }
    const char ch = static_cast<char>(c);
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c >= 0x80) {
      cur.push_back(ch);
    } else if (c >= 'A' && c <= 'Z') {
      cur.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// Keyset paging over (received_at_ms DESC, id DESC): the newest first.
struct InboxQuery {
  ReportFilter filter;
  bool has_after = false;  // continue after (after_received_ms, after_id)
  int64_t after_received_ms = 0;
  std::string after_id;
  int limit = 50;
  int count_limit = 0;  // > 0: count matches, stopping at this many
};

struct InboxRow {
  std::string id;
  std::string device_id;
  std::string project;
  std::string form_id;
  int form_version = 0;
  std::string period;
  std::string status;
  std::string author;
  int64_t server_version = 0;
  int64_t received_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct InboxPage {
  std::vector<InboxRow> rows;
  bool more = false;      // rows exist after the last one
  int64_t total = -1;     // matches counted (capped at count_limit); -1 = not counted
};

// Reports and the sums of numeric answers per (project, period).
struct ReportAggregate {
  std::string project;
  std::string period;
  int64_t reports = 0;
  std::map<std::string, double> sums;  // field name -> sum of its numeric answers
};

// A report's first geopoint answer.
struct ReportPoint {
  std::string report_id;
  std::string project;
  std::string status;
  double lat = 0;
  double lon = 0;
};

class StorageReader {
 public:
  virtual ~StorageReader() = default;

  // --- devices and enrollment ---
  virtual Result<std::optional<EnrollCode>> FindEnrollCode(const std::string& code_hash) = 0;
  virtual Result<std::optional<Device>> FindDeviceByTokenHash(const std::string& token_hash) = 0;
  virtual Result<std::optional<Device>> FindDevice(const std::string& device_id) = 0;
  virtual Result<std::vector<Device>> ListDevices() = 0;  // by enrollment time

  // --- reference data ---
  virtual Result<std::optional<StoredProject>> FindProject(const std::string& code) = 0;
  virtual Result<std::vector<StoredProject>> ListProjects() = 0;  // by code
  // Every stored form definition (JSON), by id then version.
  virtual Result<std::vector<nlohmann::json>> ListForms() = 0;

  // --- reports ---
  virtual Result<std::optional<StoredReport>> FindReport(const std::string& id) = 0;
  // Every report, by (form_id, received_at_ms, id); stops at the first error fn returns.
  virtual Status ForEachReport(const std::function<Status(const StoredReport&)>& fn) = 0;
  virtual Result<std::vector<HistoryRow>> History(const std::string& report_id) = 0;
  virtual Result<std::vector<Review>> Reviews(const std::string& report_id) = 0;

  // --- the device sequence ledger ---
  // The stored result of (device, seq), null when the pair is not held or its
  // result was not recorded.
  virtual Result<nlohmann::json> SeqResult(const std::string& device_id, int64_t seq) = 0;
  // The highest seq held for the device; 0 when none.
  virtual Result<int64_t> MaxSeq(const std::string& device_id) = 0;

  // --- the change feed ---
  // At most `limit` entries with feed_seq > after that `filter` may see, in
  // feed_seq order.
  virtual Result<std::vector<FeedEntry>> ReadFeed(int64_t after, const FeedFilter& filter,
                                                  int limit) = 0;

  // --- attachments ---
  virtual Result<std::optional<AttachmentState>> FindAttachment(const std::string& sha256) = 0;
  virtual Result<bool> AttachmentReferencedBy(const std::string& sha256,
                                              const std::string& device_id) = 0;
  // Streams the held bytes in offset order.
  virtual Status ReadAttachment(const std::string& sha256,
                                const std::function<Status(std::string_view)>& fn) = 0;

  virtual Result<Stats> GetStats() = 0;

  // --- HQ users, sessions and dashboard queries ---
  // The defaults let a backend (or a test fake) that does not keep them say
  // so; the SQLite backend implements them all.
  virtual Result<std::optional<HqUser>> FindHqUser(const std::string& name) {
    (void)name;
    return NotKept("users");
  }
  virtual Result<std::vector<HqUser>> ListHqUsers() { return NotKept("users"); }  // by name
  virtual Result<std::optional<HqSession>> FindHqSession(const std::string& token_hash) {
    (void)token_hash;
    return NotKept("sessions");
  }
  // One page of the inbox (see InboxQuery).
  virtual Result<InboxPage> QueryInbox(const InboxQuery& query) {
    (void)query;
    return NotKept("inbox queries");
  }
  // Per (project, period): the number of matching reports and, for each name
  // in `fields`, the sum of its numeric answers. Ordered by project, period.
  virtual Result<std::vector<ReportAggregate>> AggregateReports(
      const ReportFilter& filter, const std::vector<std::string>& fields) {
    (void)filter;
    (void)fields;
    return NotKept("report aggregates");
  }
  // Of the newest `limit` matching reports, those with a geopoint answer
  // (its first one), newest first.
  virtual Result<std::vector<ReportPoint>> ReportPoints(const ReportFilter& filter, int limit) {
    (void)filter;
    (void)limit;
    return NotKept("report locations");
  }
  // The distinct authors of the matching reports, sorted.
  virtual Result<std::vector<std::string>> ReportAuthors(const ReportFilter& filter) {
    (void)filter;
    return NotKept("report authors");
  }

 protected:
  static Status NotKept(const char* what) {
    return Status::FailedPrecondition(std::string("this storage backend keeps no HQ ") + what);
  }
};

class StorageWriter : public StorageReader {
 public:
  virtual Status InsertEnrollCode(const EnrollCode& code) = 0;
  // Marks an unused code used by `device_id`. false when it was already used
  // (by a concurrent enrollment) or does not exist.
  virtual Result<bool> UseEnrollCode(const std::string& code_hash, const std::string& device_id,
                                     int64_t at_ms) = 0;
  virtual Status InsertDevice(const Device& device) = 0;
  // NotFound for an unknown id. Revoking twice keeps the first time.
  virtual Status RevokeDevice(const std::string& device_id, int64_t at_ms) = 0;
  virtual Status TouchDevice(const std::string& device_id, int64_t at_ms) = 0;

  virtual Status UpsertProject(const StoredProject& project) = 0;
  virtual Status UpsertForm(const std::string& form_id, int version,
                            const nlohmann::json& definition) = 0;

  // Claims (device, seq) for report_id: true when new, false when the pair is
  // already held (invariant 1).
  virtual Result<bool> ClaimSeq(const std::string& device_id, int64_t seq,
                                const std::string& report_id, int64_t at_ms) = 0;
  virtual Status SetSeqResult(const std::string& device_id, int64_t seq,
                              const nlohmann::json& result) = 0;

  // Inserts or replaces the report row (keyed by id).
  virtual Status PutReport(const StoredReport& report) = 0;
  virtual Status AddHistory(const std::vector<HistoryRow>& rows) = 0;
  virtual Status AddReview(const Review& review) = 0;

  // Invariant 2. Returns the new feed_seq.
  virtual Result<int64_t> Publish(const std::string& kind, const std::string& key,
                                  const std::string& scope, const nlohmann::json& data) = 0;

  // Records that a report of `device_id` refers to the attachment.
  virtual Status AddAttachmentRef(const std::string& sha256, const std::string& device_id,
                                  const std::string& report_id) = 0;
  // Creates or updates the attachment's state row.
  virtual Status PutAttachment(const AttachmentState& state) = 0;
  virtual Status AppendAttachmentChunk(const std::string& sha256, int64_t offset,
                                       std::string_view bytes) = 0;
  // Drops every chunk (after a hash mismatch).
  virtual Status DiscardAttachmentChunks(const std::string& sha256) = 0;

  // --- HQ users and sessions ---
  // AlreadyExists when a user of that name exists.
  virtual Status InsertHqUser(const HqUser& user) {
    (void)user;
    return NotKept("users");
  }
  // Replaces role, region, password hash and disabled time; NotFound if unknown.
  virtual Status UpdateHqUser(const HqUser& user) {
    (void)user;
    return NotKept("users");
  }
  virtual Status InsertHqSession(const HqSession& session) {
    (void)session;
    return NotKept("sessions");
  }
  virtual Status TouchHqSession(const std::string& token_hash, int64_t at_ms) {
    (void)token_hash;
    (void)at_ms;
    return NotKept("sessions");
  }
  virtual Status DeleteHqSession(const std::string& token_hash) {
    (void)token_hash;
    return NotKept("sessions");
  }
  // Deletes sessions whose absolute end is before `now_ms`; returns how many.
  virtual Result<int64_t> DeleteExpiredHqSessions(int64_t now_ms) {
    (void)now_ms;
    return NotKept("sessions");
  }
};

class Storage {
 public:
  virtual ~Storage() = default;
  // "sqlite" (later "postgresql"), as /healthz reports it.
  virtual std::string_view backend() const = 0;
  // Runs fn on a consistent snapshot. Returns fn's status, or the backend's
  // error (Unavailable when busy, IOError, Corruption).
  virtual Status Read(const std::function<Status(StorageReader&)>& fn) = 0;
  // Runs fn in one write transaction: committed when fn returns ok, rolled
  // back otherwise (fn's status is returned). REQUIRES: fn does not call
  // Read or Write on the same Storage.
  virtual Status Write(const std::function<Status(StorageWriter&)>& fn) = 0;
  // The search index and the chart summaries behind QueryInbox (search,
  // totals) and AggregateReports may trail the reports by a moment: a
  // backend may fold writes into them after the commit, off the ingest path.
  // This brings them up to date with every write committed before the call;
  // readers that need exact search results or totals call it first. Errors
  // are the backend's (Unavailable when busy). REQUIRES: not inside Read or
  // Write.
  virtual Status CatchUpDerived() { return Status::Ok(); }
};

struct StorageOptions {
  // SQLite: "FULL" (an acknowledged batch survives power loss; the default)
  // or "NORMAL" (faster; the last commits may be lost on power loss).
  std::string sqlite_synchronous = "FULL";
  // SQLite: how long a write waits for another process's lock.
  int busy_timeout_ms = 10000;
  // SQLite: the search index and chart summaries are folded in by a
  // background step once writes have been quiet for catch_up_delay_ms (a
  // burst of batches is folded at once, after it), or sooner when this many
  // reports wait (≈ 40 µs each to fold). Readers that need them exact call
  // Storage::CatchUpDerived(), so neither setting ever shows stale results.
  int catch_up_delay_ms = 250;
  int64_t catch_up_max_backlog = 20000;
};

// Opens the storage named by `spec`: a SQLite file path (created when
// missing, with its folder's parent required to exist), or a
// postgresql://… URL (not built yet: FailedPrecondition saying so).
Result<std::unique_ptr<Storage>> OpenStorage(const std::string& spec,
                                             const StorageOptions& options = {});

}  // namespace fieldsync::server
