// store/store.h — the device's SQLite store.
//
// One database file per device data folder (DIR/fieldsync.db) and a folder of
// content-addressed attachments (DIR/attachments/ab/abcdef...). The store knows
// nothing of forms' meaning: values are JSON, validated by the caller
// (client/app) with schema/ before they reach the store.
//
// INVARIANTS
//  1. Durability: WAL, synchronous=FULL, foreign_keys=ON, busy_timeout. A call
//     that returned ok is on disk; a crash at any moment leaves either the
//     whole change or none of it (each mutating call is one transaction).
//  2. Every change to a report (create, set values, finalize) writes, in the
//     same transaction: the report row, one history row per changed field
//     (field, old → new, when, author, source), and an outbox entry.
//  3. Outbox sequence numbers are per device and strictly increasing, never
//     reused, even across deletes (kept in the meta table, not MAX(seq)).
//     An unsent entry for the same report is collapsed into the new one: the
//     old entry is deleted and a new entry with a fresh, higher sequence
//     carries the whole report and the union of changed fields.
//  4. Outbox entries are removed only by AckPush up to the acknowledged
//     sequence. A rejected entry moves to the dead-letter list and never blocks
//     the entries behind it.
//  5. The pull cursor is stored in the same transaction as what it brought.
//  6. A newer database than this build knows is refused with a message naming
//     both versions; an older one is migrated forward in one transaction.
//
// Thread safety: a Store is used from one thread at a time (the caller
// serialises); several Store objects on the same file (other processes, the
// sync thread) are safe through SQLite's locking.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

struct sqlite3;

namespace fieldsync::store {

// The schema version this build writes (PRAGMA user_version).
int CurrentSchemaVersion();

enum class ReportStatus { kDraft, kFinalized, kReceived, kApproved, kReturned };
std::string_view ReportStatusName(ReportStatus s);  // "draft", "finalized", ...
bool ParseReportStatus(std::string_view name, ReportStatus* out);

struct Report {
  std::string id;            // 32 hex chars, random, generated on the device
  std::string project_code;
  std::string form_id;
  int form_version = 0;
  std::string period;        // values["period"] when present ("YYYY-MM"), for filtering
  nlohmann::json values = nlohmann::json::object();
  ReportStatus status = ReportStatus::kDraft;
  std::string author;
  int64_t server_version = 0;  // the server's version this copy is based on; 0 = never synced
  int64_t created_at_ms = 0;   // device clock: display only, never ordering
  int64_t updated_at_ms = 0;
  nlohmann::json review;       // latest HQ review, null when none:
                               // {"decision","comment","field_comments":{..},"reviewer","at"}
  bool has_conflict = false;   // a losing value is in the history and not yet seen
};

// The report as it travels (outbox payloads, pull changes, the sync engine):
// {"id","project","form_id","form_version","period","values","status",
//  "author","server_version","created_at_ms","updated_at_ms"}, plus "review"
// when the report has one. has_conflict is device-local and not included.
nlohmann::json ReportToJson(const Report& report);
// The inverse. "id" is required; other members default as in Report when
// absent. InvalidArgument naming the member when one has the wrong type or
// an unknown status. Never throws.
Result<Report> ReportFromJson(const nlohmann::json& json);

struct HistoryEntry {
  int64_t id = 0;
  std::string report_id;
  int64_t at_ms = 0;
  std::string author;
  std::string source;  // "device", "server", "conflict", "review"
  std::string field;   // empty for status changes; "status" for status
  nlohmann::json old_value;
  nlohmann::json new_value;
  std::string note;    // e.g. "HQ's value kept; device value 12 lost the conflict"
};

struct OutboxEntry {
  int64_t seq = 0;
  std::string report_id;
  std::string kind;          // "report"
  nlohmann::json payload;    // {"report": {...full report...}, "base_version": n,
                             //  "changed": ["field", ...]}
  int64_t created_at_ms = 0;
  size_t payload_bytes = 0;  // serialized size, for byte-sized batches
};

struct DeadLetter {
  int64_t seq = 0;
  std::string report_id;
  std::string reason;  // the server's reason, for a person
  int64_t at_ms = 0;
};

struct Attachment {
  std::string sha256;
  int64_t size = 0;
  std::string mime;
  std::string original_name;
  int64_t uploaded_bytes = 0;  // what the server has acknowledged
  bool uploaded = false;
};

struct ReportFilter {
  std::optional<ReportStatus> status;
  std::string form_id;       // empty = any
  std::string project_code;  // empty = any
  std::string period;        // empty = any; exact "YYYY-MM"
  std::string search;        // substring of id, project or values text; empty = none
  int limit = 50;
  int offset = 0;
};

// Device identity and sync state, from the meta table.
struct DeviceState {
  std::string device_id;     // assigned by the server at enrollment; empty before
  std::string server_url;
  std::string token;         // bearer token; empty before enrollment
  std::string officer;
  std::string region;
  std::string cursor;        // pull cursor; empty = from the beginning
  int64_t last_sync_ok_ms = 0;
  std::string last_error;
  int64_t last_error_ms = 0;
};

// The server's answer to one pushed entry.
struct PushResult {
  int64_t seq = 0;
  std::string outcome;       // "applied", "merged", "conflict", "rejected"
  int64_t server_version = 0;
  std::string reason;        // for rejected; a person's sentence
  nlohmann::json report;     // for merged/conflict: the server's merged report
  nlohmann::json conflicts;  // [{"field","kept","lost","winner"}] for conflict
};

// One change from the server's feed.
struct PullChange {
  std::string kind;      // "project", "form", "report", "review"
  std::string key;       // project code, "form@version", report id
  nlohmann::json data;   // the record (project/form JSON, report, review)
};

class Store {
 public:
  // Opens (creating when missing) DIR/fieldsync.db and DIR/attachments.
  // Fails with FailedPrecondition when the database is newer than this build,
  // IOError when the folder cannot be created or the file cannot be opened.
  static Result<std::unique_ptr<Store>> Open(const std::filesystem::path& data_dir);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::filesystem::path& data_dir() const { return data_dir_; }
  sqlite3* raw() { return db_; }  // for tests and benchmarks only

  // --- reference data (HQ → device) ---
  Status UpsertProject(const nlohmann::json& project);  // keyed by "code"
  Result<std::vector<nlohmann::json>> ListProjects();
  Result<nlohmann::json> GetProject(const std::string& code);
  // Keyed by (id, version); keeps every version (reports refer to theirs).
  Status UpsertForm(const nlohmann::json& definition);
  Result<std::vector<nlohmann::json>> ListForms();  // the latest version of each id
  // version 0 = the latest.
  Result<nlohmann::json> GetForm(const std::string& id, int version = 0);

  // --- reports ---
  // Creates a report (status draft or finalized as given) with a new id,
  // its history and its outbox entry. Returns the stored report.
  // draft.id, when set, is used instead of a new id (AlreadyExists when
  // taken; letters, digits, '-' and '_' only). InvalidArgument for another
  // status or a missing project or form.
  Result<Report> CreateReport(const Report& draft);
  // Merges `changes` (name → value; null clears) into the values, writes
  // history and outbox. Returns NotFound for an unknown id; FailedPrecondition
  // when the report is not editable (received or approved: HQ owns it).
  Result<Report> SetValues(const std::string& id, const nlohmann::json& changes,
                           const std::string& author);
  // draft/returned → finalized, with history and outbox.
  Result<Report> Finalize(const std::string& id, const std::string& author);
  Result<Report> GetReport(const std::string& id);
  // Newest first (updated_at desc, then id desc). Uses an index; no full scan
  // for status-filtered pages. filter.limit <= 0 returns every match.
  Result<std::vector<Report>> ListReports(const ReportFilter& filter);
  Result<int64_t> CountReports(const ReportFilter& filter);
  // Oldest first. NotFound for an unknown report.
  Result<std::vector<HistoryEntry>> History(const std::string& report_id);
  // Clears has_conflict once the officer has seen the losing values (the
  // history keeps them). NotFound for an unknown report.
  Status MarkConflictSeen(const std::string& id);

  // --- outbox (device → HQ) ---
  Result<int64_t> PendingCount();
  // Entries with seq > after_seq in order, stopping before max_bytes of payload
  // is exceeded (always at least one entry when any is pending).
  Result<std::vector<OutboxEntry>> PeekOutbox(int64_t after_seq, size_t max_bytes,
                                              int max_entries = 100000);
  // In one transaction: applies each result (server_version, merged values,
  // conflicts into history, rejected → dead letter) and deletes every outbox
  // entry with seq <= acked_seq. Results for entries no longer in the outbox
  // are ignored (idempotent).
  Status AckPush(int64_t acked_seq, const std::vector<PushResult>& results);
  Result<std::vector<DeadLetter>> DeadLetters();
  // Re-queues a dead letter's report as a new outbox entry (after the officer
  // fixed it) and removes the dead letter.
  Status Resend(int64_t dead_letter_seq);

  // --- pull (HQ → device) ---
  // Applies the changes and stores the new cursor in one transaction.
  // Reports: the server's copy replaces fields the device has not changed
  // since (fields changed locally stay, and their outbox entry is kept).
  // Reviews: set report.review and the status (approved/returned) and a
  // history row.
  Status ApplyPull(const std::vector<PullChange>& changes, const std::string& new_cursor);

  // --- attachments ---
  // Copies the file into the content-addressed folder (fsync'd) and records it.
  // Adding the same content twice returns the same hash.
  Result<Attachment> AddAttachment(const std::filesystem::path& file,
                                   const std::string& mime = "");
  Result<Attachment> GetAttachment(const std::string& sha256);
  std::filesystem::path AttachmentPath(const std::string& sha256) const;
  Result<std::vector<Attachment>> PendingAttachments();
  Status SetAttachmentProgress(const std::string& sha256, int64_t uploaded_bytes, bool done);

  // --- device identity and sync state ---
  Result<DeviceState> GetDeviceState();
  Status SetEnrollment(const std::string& server_url, const std::string& device_id,
                       const std::string& token, const std::string& officer,
                       const std::string& region);
  Status RecordSyncSuccess(int64_t at_ms);
  Status RecordSyncError(const std::string& message, int64_t at_ms);
  // Free-form settings (language, theme, ...) for the apps.
  Result<std::string> GetSetting(const std::string& key, const std::string& fallback = "");
  Status SetSetting(const std::string& key, const std::string& value);

 private:
  struct Impl;  // prepared statements; defined in store.cpp
  Store();
  std::filesystem::path data_dir_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<Impl> impl_;
};

// A new random report id (32 lowercase hex chars from a CSPRNG).
std::string NewReportId();
// Wall clock in ms since the epoch (display only).
int64_t NowMs();

}  // namespace fieldsync::store
