// server/sqlite_hq.h — the SQLite side of the HQ dashboard: users, sessions,
// the inbox query, aggregates for charts and the follow-up report.
//
// Internal to the SQLite backend (server/sqlite_storage.cpp delegates its
// StorageReader/StorageWriter HQ methods here, on the connection of the
// transaction it is in). Every function runs plain statements on `db` and
// leaves transactions to the caller.
//
// Schema version 2 (kSchemaV2) adds the hq_users and hq_sessions tables and
// the inbox indexes: (received_at_ms, id), and (status | project | author,
// received_at_ms, id), so that the newest-first page of a filtered inbox is
// an index walk that stops after a page, whatever the number of reports.
// Version 3 (kSchemaV3) widens the newest-first index into a covering one
// (status, period, project, author), adds a full-text index of reports
// for the search, and per (project, period, status) counts and sums kept by
// triggers, so charts and the follow-up report do not read every report.
// Version 4 (kSchemaV4) takes that upkeep off the write path: a write marks
// the report in hq_dirty (one small insert); CatchUp() folds marked reports
// into the index and the summaries later, many at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/storage.h"

struct sqlite3;

namespace fieldsync::server::sqlite_hq {

// The Status for SQLite result code `rc` while doing `what` (a phrase:
// "running a statement"): Unavailable when busy or locked (retry),
// Corruption, AlreadyExists for a constraint, IOError for a full disk, I/O,
// open or read-only failure, Internal otherwise. Shared by the whole backend.
Status SqliteStatus(sqlite3* db, int rc, std::string_view what);

// The DDL that takes a version-1 database to version 2, and 2 to 3.
extern const char* const kSchemaV2;
extern const char* const kSchemaV3;
extern const char* const kSchemaV4;

// Folds up to `limit` reports marked since their last fold into the search
// index and the summaries (inside the caller's write transaction); returns
// how many it folded, 0 when everything is up to date.
Result<int64_t> CatchUp(sqlite3* db, int64_t limit);
// How many reports wait to be folded in.
Result<int64_t> PendingCatchUp(sqlite3* db);

Result<std::optional<HqUser>> FindUser(sqlite3* db, const std::string& name);
Result<std::vector<HqUser>> ListUsers(sqlite3* db);
Status InsertUser(sqlite3* db, const HqUser& user);
Status UpdateUser(sqlite3* db, const HqUser& user);

Result<std::optional<HqSession>> FindSession(sqlite3* db, const std::string& token_hash);
Status InsertSession(sqlite3* db, const HqSession& session);
Status TouchSession(sqlite3* db, const std::string& token_hash, int64_t at_ms);
Status DeleteSession(sqlite3* db, const std::string& token_hash);
Result<int64_t> DeleteExpiredSessions(sqlite3* db, int64_t now_ms);

Result<InboxPage> QueryInbox(sqlite3* db, const InboxQuery& query);
Result<std::vector<ReportAggregate>> AggregateReports(sqlite3* db, const ReportFilter& filter,
                                                      const std::vector<std::string>& fields);
Result<std::vector<ReportPoint>> ReportPoints(sqlite3* db, const ReportFilter& filter, int limit);
Result<std::vector<std::string>> ReportAuthors(sqlite3* db, const ReportFilter& filter);

}  // namespace fieldsync::server::sqlite_hq
