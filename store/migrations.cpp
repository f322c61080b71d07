// store/migrations.cpp — the schema steps and the runner.
//
// Tables (after step 2):
//   meta          key/value: next_seq (the next outbox sequence; only grows),
//                 device identity, server URL, token, pull cursor, sync state.
//   projects      reference data from HQ, keyed by code (the JSON as sent).
//   forms         form definitions, every (id, version) kept.
//   reports       one row per report; values and review as JSON text;
//                 dirty_fields = the fields (and "status") changed on the device
//                 since the server version it is based on, as a JSON array.
//   history       one row per changed field: who, when, source, old → new.
//   outbox        unsent changes in sequence order; at most one per report.
//   dead_letters  entries HQ rejected, kept for the officer to fix and resend.
//   attachments   content-addressed files and their upload progress.
//   settings      the apps' preferences.
#include "store/migrations.h"

#include <string>

#include "store/sqlite_util.h"

namespace fieldsync::store::internal {
namespace {

// Step 1 — the first shipped schema. Do not edit: write a new step.
constexpr const char* kStep1 = R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO meta(key, value) VALUES ('next_seq', '1');

CREATE TABLE projects (
  code          TEXT PRIMARY KEY,
  json          TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
);

CREATE TABLE forms (
  id      TEXT NOT NULL,
  version INTEGER NOT NULL,
  json    TEXT NOT NULL,
  PRIMARY KEY (id, version)
);

CREATE TABLE reports (
  id             TEXT PRIMARY KEY,
  project_code   TEXT NOT NULL,
  form_id        TEXT NOT NULL,
  form_version   INTEGER NOT NULL,
  period         TEXT NOT NULL DEFAULT '',
  values_json    TEXT NOT NULL,
  status         TEXT NOT NULL
                 CHECK (status IN ('draft','finalized','received','approved','returned')),
  author         TEXT NOT NULL,
  server_version INTEGER NOT NULL DEFAULT 0,
  created_at_ms  INTEGER NOT NULL,
  updated_at_ms  INTEGER NOT NULL,
  review_json    TEXT
);

CREATE TABLE history (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  report_id TEXT NOT NULL REFERENCES reports(id),
  at_ms     INTEGER NOT NULL,
  author    TEXT NOT NULL,
  source    TEXT NOT NULL,
  field     TEXT NOT NULL,
  old_json  TEXT NOT NULL,
  new_json  TEXT NOT NULL,
  note      TEXT NOT NULL DEFAULT ''
);

CREATE TABLE outbox (
  seq           INTEGER PRIMARY KEY,
  report_id     TEXT NOT NULL REFERENCES reports(id),
  kind          TEXT NOT NULL,
  payload       TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);

CREATE TABLE attachments (
  sha256         TEXT PRIMARY KEY,
  size           INTEGER NOT NULL,
  mime           TEXT NOT NULL,
  original_name  TEXT NOT NULL,
  uploaded_bytes INTEGER NOT NULL DEFAULT 0,
  uploaded       INTEGER NOT NULL DEFAULT 0,
  created_at_ms  INTEGER NOT NULL
);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
)sql";

// Step 2 — conflicts, local-change tracking, dead letters, list indexes.
// Reports that had an unsent entry under step 1 get that entry's changed
// fields as their dirty fields, so a pull after the upgrade cannot overwrite
// what the officer typed.
constexpr const char* kStep2 = R"sql(
ALTER TABLE reports ADD COLUMN has_conflict INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN dirty_fields TEXT NOT NULL DEFAULT '[]';
UPDATE reports SET dirty_fields = coalesce(
  (SELECT json_extract(o.payload, '$.changed') FROM outbox o
    WHERE o.report_id = reports.id ORDER BY o.seq DESC LIMIT 1), '[]')
 WHERE id IN (SELECT report_id FROM outbox);

CREATE TABLE dead_letters (
  seq       INTEGER PRIMARY KEY,
  report_id TEXT NOT NULL REFERENCES reports(id),
  kind      TEXT NOT NULL,
  payload   TEXT NOT NULL,
  reason    TEXT NOT NULL,
  at_ms     INTEGER NOT NULL
);

CREATE INDEX reports_by_status_updated ON reports(status, updated_at_ms, id);
CREATE INDEX reports_by_updated ON reports(updated_at_ms, id);
CREATE INDEX history_by_report ON history(report_id, id);
CREATE INDEX outbox_by_report ON outbox(report_id);
CREATE INDEX dead_letters_by_report ON dead_letters(report_id);
CREATE INDEX attachments_pending ON attachments(uploaded, created_at_ms);
)sql";

constexpr const char* kSteps[] = {kStep1, kStep2};
constexpr int kStepCount = static_cast<int>(sizeof(kSteps) / sizeof(kSteps[0]));

Result<int> ReadUserVersion(sqlite3* db) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(db, rc, "cannot read the database schema version");
  rc = sqlite3_step(stmt);
  int version = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  if (version < 0) return SqliteStatus(db, rc, "cannot read the database schema version");
  return version;
}

Status RefuseNewer(int found) {
  return Status::FailedPrecondition("database schema version " + std::to_string(found) +
                                    " is newer than this build supports (" +
                                    std::to_string(kStepCount) + "); install a newer fieldsync");
}

}  // namespace

int LatestSchemaVersion() { return kStepCount; }

const char* MigrationSql(int version) {
  if (version < 1 || version > kStepCount) return nullptr;
  return kSteps[version - 1];
}

Status CheckNotNewer(sqlite3* db) {
  STORE_ASSIGN_OR_RETURN(int found, ReadUserVersion(db));
  if (found > kStepCount) return RefuseNewer(found);
  return Status::Ok();
}

Status Migrate(sqlite3* db) {
  STORE_ASSIGN_OR_RETURN(int found, ReadUserVersion(db));
  if (found > kStepCount) return RefuseNewer(found);
  if (found == kStepCount) return Status::Ok();

  Transaction tx(db);
  FS_RETURN_IF_ERROR(tx.Begin());
  // Another process may have migrated while we waited for the write lock.
  STORE_ASSIGN_OR_RETURN(found, ReadUserVersion(db));
  if (found > kStepCount) return RefuseNewer(found);
  for (int v = found + 1; v <= kStepCount; ++v) {
    FS_RETURN_IF_ERROR(ExecSql(
        db, kSteps[v - 1], "cannot upgrade the database to schema version " + std::to_string(v)));
  }
  std::string set_version = "PRAGMA user_version = " + std::to_string(kStepCount);
  FS_RETURN_IF_ERROR(ExecSql(db, set_version.c_str(), "cannot record the database schema version"));
  return tx.Commit();
}

}  // namespace fieldsync::store::internal
