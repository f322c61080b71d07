// server/sqlite_hq.cpp — SQL of the HQ dashboard on SQLite (server/sqlite_hq.h).
#include "server/sqlite_hq.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace fieldsync::server::sqlite_hq {

Status SqliteStatus(sqlite3* db, int rc, std::string_view what) {
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return Status::Unavailable(msg + " (the database is busy; retry)");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return Status::Corruption(msg);
    case SQLITE_CONSTRAINT: return Status::AlreadyExists(msg);
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY: return Status::IOError(msg);
    default: return Status::Internal(msg);
  }
}

const char* const kSchemaV2 = R"sql(
CREATE TABLE hq_users (
  name           TEXT PRIMARY KEY,
  role           TEXT NOT NULL,
  region         TEXT NOT NULL,
  password_hash  TEXT NOT NULL,
  created_at_ms  BIGINT NOT NULL,
  disabled_at_ms BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE hq_sessions (
  token_hash    TEXT PRIMARY KEY,
  user_name     TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  last_seen_ms  BIGINT NOT NULL
);
CREATE INDEX hq_sessions_by_expiry ON hq_sessions (expires_at_ms);
CREATE INDEX reports_inbox ON reports (received_at_ms, id);
CREATE INDEX reports_inbox_by_status ON reports (status, received_at_ms, id);
CREATE INDEX reports_inbox_by_project ON reports (project, received_at_ms, id);
CREATE INDEX reports_inbox_by_author ON reports (author, received_at_ms, id);
)sql";

// Version 3: search and charts that stay fast at 100,000 reports.
//  - the newest-first index also holds status, period, project and author,
//    so a filtered inbox walk reads the index only, not the reports;
//  - reports_fts: a full-text index of each report's id, author, project and
//    text answers (token prefixes: "espo" finds "Espoir").
//  - report_counts / report_sums: reports and sums of numeric answers per
//    (project, period, status), so charts and the follow-up report read a
//    few hundred rows instead of every report's JSON.
// Triggers on `reports` keep all three in step with every insert, upsert and
// delete, whoever writes the report (sync, review, correction), in the same
// transaction; the migration fills them from the reports already stored.
const char* const kSchemaV3 = R"sql(
DROP INDEX reports_inbox;
CREATE INDEX reports_inbox_covering ON reports
  (received_at_ms, id, status, period, project, author);
CREATE VIRTUAL TABLE reports_fts USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE report_counts (
  project TEXT NOT NULL,
  period  TEXT NOT NULL,
  status  TEXT NOT NULL,
  n       BIGINT NOT NULL,
  PRIMARY KEY (project, period, status)
);
CREATE TABLE report_sums (
  project TEXT NOT NULL,
  period  TEXT NOT NULL,
  status  TEXT NOT NULL,
  field   TEXT NOT NULL,
  total   REAL NOT NULL,
  PRIMARY KEY (project, period, status, field)
);
CREATE TRIGGER reports_hq_insert AFTER INSERT ON reports BEGIN
  INSERT INTO report_counts (project, period, status, n)
    VALUES (new.project, new.period, new.status, 1)
    ON CONFLICT (project, period, status) DO UPDATE SET n = n + 1;
  INSERT INTO report_sums (project, period, status, field, total)
    SELECT new.project, new.period, new.status, key, value FROM json_each(new.values_json)
    WHERE type IN ('integer', 'real')
    ON CONFLICT (project, period, status, field) DO UPDATE SET total = total + excluded.total;
  INSERT INTO reports_fts (rowid, body) VALUES (new.rowid,
    new.id || ' ' || new.author || ' ' || new.project || ' ' ||
    coalesce((SELECT group_concat(value, ' ') FROM json_each(new.values_json)
              WHERE type = 'text'), ''));
END;
CREATE TRIGGER reports_hq_delete AFTER DELETE ON reports BEGIN
  UPDATE report_counts SET n = n - 1
    WHERE project = old.project AND period = old.period AND status = old.status;
  DELETE FROM report_counts
    WHERE project = old.project AND period = old.period AND status = old.status AND n <= 0;
  UPDATE report_sums SET total = total - coalesce((SELECT value FROM json_each(old.values_json)
      WHERE key = report_sums.field AND type IN ('integer', 'real')), 0)
    WHERE project = old.project AND period = old.period AND status = old.status;
  DELETE FROM reports_fts WHERE rowid = old.rowid;
END;
CREATE TRIGGER reports_hq_update AFTER UPDATE ON reports BEGIN
  UPDATE report_counts SET n = n - 1
    WHERE project = old.project AND period = old.period AND status = old.status;
  DELETE FROM report_counts
    WHERE project = old.project AND period = old.period AND status = old.status AND n <= 0;
  UPDATE report_sums SET total = total - coalesce((SELECT value FROM json_each(old.values_json)
      WHERE key = report_sums.field AND type IN ('integer', 'real')), 0)
    WHERE project = old.project AND period = old.period AND status = old.status;
  INSERT INTO report_counts (project, period, status, n)
    VALUES (new.project, new.period, new.status, 1)
    ON CONFLICT (project, period, status) DO UPDATE SET n = n + 1;
  INSERT INTO report_sums (project, period, status, field, total)
    SELECT new.project, new.period, new.status, key, value FROM json_each(new.values_json)
    WHERE type IN ('integer', 'real')
    ON CONFLICT (project, period, status, field) DO UPDATE SET total = total + excluded.total;
  DELETE FROM reports_fts WHERE rowid = old.rowid;
  INSERT INTO reports_fts (rowid, body) VALUES (new.rowid,
    new.id || ' ' || new.author || ' ' || new.project || ' ' ||
    coalesce((SELECT group_concat(value, ' ') FROM json_each(new.values_json)
              WHERE type = 'text'), ''));
END;
INSERT INTO reports_fts (rowid, body)
  SELECT rowid, id || ' ' || author || ' ' || project || ' ' ||
    coalesce((SELECT group_concat(value, ' ') FROM json_each(reports.values_json)
              WHERE type = 'text'), '')
  FROM reports;
INSERT INTO report_counts (project, period, status, n)
  SELECT project, period, status, COUNT(*) FROM reports GROUP BY project, period, status;
INSERT INTO report_sums (project, period, status, field, total)
  SELECT r.project, r.period, r.status, j.key, SUM(j.value)
  FROM reports r, json_each(r.values_json) j WHERE j.type IN ('integer', 'real')
  GROUP BY r.project, r.period, r.status, j.key;
)sql";

// Version 4: the search index and the summaries leave the ingest path.
// Keeping them by triggers in every write transaction cost more than the
// write itself (an FTS5 segment per statement, json_each per report); now a
// write only marks the report's rowid in hq_dirty, and CatchUp() folds the
// marked reports in, many per statement, in a transaction of its own.
// hq_indexed remembers what each report contributed when it was last folded
// in (project, period, status and its numeric answers), so an update or a
// delete takes out exactly that before the new contribution goes in.
// (NOT EXISTS rather than INSERT OR IGNORE: an outer upsert's conflict
// policy would override the trigger's.)
const char* const kSchemaV4 = R"sql(
DROP TRIGGER reports_hq_insert;
DROP TRIGGER reports_hq_update;
DROP TRIGGER reports_hq_delete;
CREATE TABLE hq_dirty (report_rowid INTEGER PRIMARY KEY);
CREATE TABLE hq_indexed (
  report_rowid INTEGER PRIMARY KEY,
  project      TEXT NOT NULL,
  period       TEXT NOT NULL,
  status       TEXT NOT NULL,
  nums         TEXT NOT NULL
);
CREATE TRIGGER reports_hq_insert AFTER INSERT ON reports BEGIN
  INSERT INTO hq_dirty (report_rowid) SELECT new.rowid
    WHERE NOT EXISTS (SELECT 1 FROM hq_dirty WHERE report_rowid = new.rowid);
END;
CREATE TRIGGER reports_hq_update
  AFTER UPDATE OF id, author, project, period, status, values_json ON reports BEGIN
  INSERT INTO hq_dirty (report_rowid) SELECT old.rowid
    WHERE NOT EXISTS (SELECT 1 FROM hq_dirty WHERE report_rowid = old.rowid);
  INSERT INTO hq_dirty (report_rowid) SELECT new.rowid
    WHERE NOT EXISTS (SELECT 1 FROM hq_dirty WHERE report_rowid = new.rowid);
END;
CREATE TRIGGER reports_hq_delete AFTER DELETE ON reports BEGIN
  INSERT INTO hq_dirty (report_rowid) SELECT old.rowid
    WHERE NOT EXISTS (SELECT 1 FROM hq_dirty WHERE report_rowid = old.rowid);
END;
INSERT INTO hq_indexed (report_rowid, project, period, status, nums)
  SELECT rowid, project, period, status,
    (SELECT json_group_object(key, value) FROM json_each(reports.values_json)
     WHERE type IN ('integer', 'real'))
  FROM reports;
)sql";

namespace {

// The statements of one CatchUp step over the rowids in temp.hq_batch.
// Upserts that read a SELECT need its WHERE clause (SQLite's parsing rule).
constexpr const char* kFoldOut = R"sql(
INSERT INTO report_counts (project, period, status, n)
  SELECT project, period, status, -COUNT(*) FROM hq_indexed
  WHERE report_rowid IN temp.hq_batch GROUP BY project, period, status
  ON CONFLICT (project, period, status) DO UPDATE SET n = n + excluded.n;
INSERT INTO report_sums (project, period, status, field, total)
  SELECT i.project, i.period, i.status, j.key, -SUM(j.value)
  FROM hq_indexed i, json_each(i.nums) j
  WHERE i.report_rowid IN temp.hq_batch GROUP BY i.project, i.period, i.status, j.key
  ON CONFLICT (project, period, status, field) DO UPDATE SET total = total + excluded.total;
DELETE FROM reports_fts WHERE rowid IN temp.hq_batch;
DELETE FROM hq_indexed WHERE report_rowid IN temp.hq_batch;
INSERT INTO hq_indexed (report_rowid, project, period, status, nums)
  SELECT r.rowid, r.project, r.period, r.status,
    (SELECT json_group_object(key, value) FROM json_each(r.values_json)
     WHERE type IN ('integer', 'real'))
  FROM reports r WHERE r.rowid IN temp.hq_batch;
INSERT INTO report_counts (project, period, status, n)
  SELECT project, period, status, COUNT(*) FROM hq_indexed
  WHERE report_rowid IN temp.hq_batch GROUP BY project, period, status
  ON CONFLICT (project, period, status) DO UPDATE SET n = n + excluded.n;
INSERT INTO report_sums (project, period, status, field, total)
  SELECT i.project, i.period, i.status, j.key, SUM(j.value)
  FROM hq_indexed i, json_each(i.nums) j
  WHERE i.report_rowid IN temp.hq_batch GROUP BY i.project, i.period, i.status, j.key
  ON CONFLICT (project, period, status, field) DO UPDATE SET total = total + excluded.total;
INSERT INTO reports_fts (rowid, body)
  SELECT r.rowid, r.id || ' ' || r.author || ' ' || r.project || ' ' ||
    coalesce((SELECT group_concat(value, ' ') FROM json_each(r.values_json)
              WHERE type = 'text'), '')
  FROM reports r WHERE r.rowid IN temp.hq_batch;
DELETE FROM report_counts WHERE n <= 0;
DELETE FROM report_sums WHERE NOT EXISTS (SELECT 1 FROM report_counts c
  WHERE c.project = report_sums.project AND c.period = report_sums.period
    AND c.status = report_sums.status);
DELETE FROM hq_dirty WHERE report_rowid IN temp.hq_batch;
)sql";

// A parameter of a statement built from a filter: a number or a text.
struct BindValue {
  BindValue(int64_t n) : is_int(true), number(n) {}  // NOLINT: implicit by design
  BindValue(std::string t) : text(std::move(t)) {}   // NOLINT
  bool is_int = false;
  int64_t number = 0;
  std::string text;
};

// One prepared statement, finalized on destruction. These statements are
// built from a filter each time, so they are not cached.
class Query {
 public:
  Query(sqlite3* db, const std::string& sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &s_, nullptr);
  }
  ~Query() { sqlite3_finalize(s_); }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Status Prepared() const {
    return rc_ == SQLITE_OK ? Status::Ok() : SqliteStatus(db_, rc_, "preparing a dashboard query");
  }
  Query& Bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Query& Bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  void BindAll(const std::vector<BindValue>& values) {
    for (size_t i = 0; i < values.size(); ++i) {
      int index = static_cast<int>(i) + 1;
      if (values[i].is_int)
        Bind(index, values[i].number);
      else
        Bind(index, values[i].text);
    }
  }
  Result<bool> Step() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return SqliteStatus(db_, rc, "running a dashboard query");
  }
  Status Run() {
    auto r = Step();
    return r.ok() ? Status::Ok() : r.status();
  }
  int64_t Int(int c) const { return sqlite3_column_int64(s_, c); }
  double Real(int c) const { return sqlite3_column_double(s_, c); }
  std::string Text(int c) const {
    const unsigned char* t = sqlite3_column_text(s_, c);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<size_t>(sqlite3_column_bytes(s_, c)))
             : std::string();
  }
  int Changes() const { return sqlite3_changes(db_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
  int rc_ = SQLITE_OK;
};

#define HQ_PREPARE(var, db, sql) \
  Query var(db, sql);            \
  FS_RETURN_IF_ERROR(var.Prepared())

#define HQ_STEP(row, q)                       \
  auto row##_r = (q).Step();                  \
  if (!row##_r.ok()) return row##_r.status(); \
  bool row = row##_r.value()

// "%text%" for LIKE, with the wildcards of `text` escaped by '\'.
std::string LikePattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('%');
  return out;
}

// The WHERE clause (without the keyword; "1" when empty) of a filter over
// `reports r`, appending its parameters to `binds`.
std::string WhereClause(const ReportFilter& f, std::vector<BindValue>* binds) {
  std::vector<std::string> conds;
  auto param = [&](BindValue v) {
    binds->push_back(std::move(v));
    return "?" + std::to_string(binds->size());
  };
  // Project-level filters become one subquery on the (small) registry.
  std::vector<std::string> pconds;
  if (!f.region.empty()) pconds.push_back("p.region = " + param(f.region));
  if (!f.sector.empty()) pconds.push_back("json_extract(p.data, '$.sector') = " + param(f.sector));
  if (!f.country.empty()) {
    std::string c = param(f.country);
    pconds.push_back(
        "(EXISTS (SELECT 1 FROM json_each(p.data, '$.beneficiaries') WHERE value = " + c +
        ") OR EXISTS (SELECT 1 FROM json_each(p.data, '$.providers') WHERE value = " + c + "))");
  }
  if (f.measure > 0)
    pconds.push_back("EXISTS (SELECT 1 FROM json_each(p.data, '$.measures') WHERE value = " +
                     param(int64_t{f.measure}) + ")");
  if (!pconds.empty()) {
    std::string sub = "r.project IN (SELECT p.code FROM projects p WHERE ";
    for (size_t i = 0; i < pconds.size(); ++i) sub += (i ? " AND " : "") + pconds[i];
    conds.push_back(sub + ")");
  }
  if (!f.project.empty()) conds.push_back("r.project = " + param(f.project));
  if (!f.form_id.empty()) conds.push_back("r.form_id = " + param(f.form_id));
  if (!f.status.empty()) conds.push_back("r.status = " + param(f.status));
  if (!f.statuses.empty()) {
    std::string in = "r.status IN (";
    for (size_t i = 0; i < f.statuses.size(); ++i) in += (i ? ", " : "") + param(f.statuses[i]);
    conds.push_back(in + ")");
  }
  if (!f.officer.empty()) conds.push_back("r.author = " + param(f.officer));
  if (!f.period_from.empty()) conds.push_back("r.period >= " + param(f.period_from));
  if (!f.period_to.empty()) conds.push_back("r.period <= " + param(f.period_to));
  if (!f.search.empty()) {
    // Every word of the search as a token prefix of the report's text, or
    // the whole search within its project's title.
    std::string match;
    for (const std::string& t : SearchTokens(f.search))
      match += (match.empty() ? "\"" : " \"") + t + "\"*";
    std::string in_text =
        match.empty() ? "0"
                      : "r.rowid IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH " +
                            param(match) + ")";
    conds.push_back("(" + in_text +
                    " OR r.project IN (SELECT code FROM projects WHERE "
                    "json_extract(data, '$.title') LIKE " +
                    param(LikePattern(f.search)) + " ESCAPE '\\'))");
  }
  if (conds.empty()) return "1";
  std::string out;
  for (size_t i = 0; i < conds.size(); ++i) out += (i ? " AND " : "") + conds[i];
  return out;
}

HqUser UserFromRow(const Query& q) {
  HqUser u;
  u.name = q.Text(0);
  u.role = q.Text(1);
  u.region = q.Text(2);
  u.password_hash = q.Text(3);
  u.created_at_ms = q.Int(4);
  u.disabled_at_ms = q.Int(5);
  return u;
}

constexpr const char* kUserColumns =
    "name, role, region, password_hash, created_at_ms, disabled_at_ms";

}  // namespace

// --- users ---

Result<std::optional<HqUser>> FindUser(sqlite3* db, const std::string& name) {
  HQ_PREPARE(q, db, std::string("SELECT ") + kUserColumns + " FROM hq_users WHERE name = ?1");
  q.Bind(1, name);
  HQ_STEP(row, q);
  if (!row) return std::optional<HqUser>();
  return std::optional<HqUser>(UserFromRow(q));
}

Result<std::vector<HqUser>> ListUsers(sqlite3* db) {
  HQ_PREPARE(q, db, std::string("SELECT ") + kUserColumns + " FROM hq_users ORDER BY name");
  std::vector<HqUser> out;
  while (true) {
    HQ_STEP(row, q);
    if (!row) break;
    out.push_back(UserFromRow(q));
  }
  return out;
}

Status InsertUser(sqlite3* db, const HqUser& u) {
  HQ_PREPARE(q, db,
             "INSERT INTO hq_users (name, role, region, password_hash, created_at_ms, "
             "disabled_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO NOTHING");
  q.Bind(1, u.name).Bind(2, u.role).Bind(3, u.region).Bind(4, u.password_hash);
  q.Bind(5, u.created_at_ms).Bind(6, u.disabled_at_ms);
  FS_RETURN_IF_ERROR(q.Run());
  if (q.Changes() == 0) return Status::AlreadyExists("a user named '" + u.name + "' exists");
  return Status::Ok();
}

Status UpdateUser(sqlite3* db, const HqUser& u) {
  HQ_PREPARE(q, db,
             "UPDATE hq_users SET role = ?2, region = ?3, password_hash = ?4, "
             "disabled_at_ms = ?5 WHERE name = ?1");
  q.Bind(1, u.name).Bind(2, u.role).Bind(3, u.region).Bind(4, u.password_hash);
  q.Bind(5, u.disabled_at_ms);
  FS_RETURN_IF_ERROR(q.Run());
  if (q.Changes() == 0) return Status::NotFound("no user named '" + u.name + "'");
  return Status::Ok();
}

// --- sessions ---

Result<std::optional<HqSession>> FindSession(sqlite3* db, const std::string& token_hash) {
  HQ_PREPARE(q, db,
             "SELECT token_hash, user_name, created_at_ms, expires_at_ms, last_seen_ms "
             "FROM hq_sessions WHERE token_hash = ?1");
  q.Bind(1, token_hash);
  HQ_STEP(row, q);
  if (!row) return std::optional<HqSession>();
  return std::optional<HqSession>(HqSession{q.Text(0), q.Text(1), q.Int(2), q.Int(3), q.Int(4)});
}

Status InsertSession(sqlite3* db, const HqSession& s) {
  HQ_PREPARE(q, db,
             "INSERT INTO hq_sessions (token_hash, user_name, created_at_ms, expires_at_ms, "
             "last_seen_ms) VALUES (?1, ?2, ?3, ?4, ?5)");
  q.Bind(1, s.token_hash).Bind(2, s.user).Bind(3, s.created_at_ms).Bind(4, s.expires_at_ms);
  q.Bind(5, s.last_seen_ms);
  return q.Run();
}

Status TouchSession(sqlite3* db, const std::string& token_hash, int64_t at_ms) {
  HQ_PREPARE(q, db, "UPDATE hq_sessions SET last_seen_ms = ?2 WHERE token_hash = ?1");
  q.Bind(1, token_hash).Bind(2, at_ms);
  return q.Run();
}

Status DeleteSession(sqlite3* db, const std::string& token_hash) {
  HQ_PREPARE(q, db, "DELETE FROM hq_sessions WHERE token_hash = ?1");
  q.Bind(1, token_hash);
  return q.Run();
}

Result<int64_t> DeleteExpiredSessions(sqlite3* db, int64_t now_ms) {
  HQ_PREPARE(q, db, "DELETE FROM hq_sessions WHERE expires_at_ms < ?1");
  q.Bind(1, now_ms);
  FS_RETURN_IF_ERROR(q.Run());
  return int64_t{q.Changes()};
}

// --- dashboard queries ---

Result<InboxPage> QueryInbox(sqlite3* db, const InboxQuery& query) {
  InboxPage page;
  const int limit = query.limit > 0 ? query.limit : 50;
  {
    std::vector<BindValue> binds;
    std::string where = WhereClause(query.filter, &binds);
    if (query.has_after) {
      binds.push_back(query.after_received_ms);
      std::string a = "?" + std::to_string(binds.size());
      binds.push_back(query.after_id);
      std::string b = "?" + std::to_string(binds.size());
      where += " AND (r.received_at_ms, r.id) < (" + a + ", " + b + ")";
    }
    binds.push_back(int64_t{limit} + 1);
    std::string sql =
        "SELECT r.id, r.device_id, r.project, r.form_id, r.form_version, r.period, r.status, "
        "r.author, r.server_version, r.received_at_ms, r.updated_at_ms FROM reports r WHERE " +
        where + " ORDER BY r.received_at_ms DESC, r.id DESC LIMIT ?" + std::to_string(binds.size());
    HQ_PREPARE(q, db, sql);
    q.BindAll(binds);
    while (true) {
      HQ_STEP(row, q);
      if (!row) break;
      if (static_cast<int>(page.rows.size()) == limit) {
        page.more = true;
        break;
      }
      InboxRow r;
      r.id = q.Text(0);
      r.device_id = q.Text(1);
      r.project = q.Text(2);
      r.form_id = q.Text(3);
      r.form_version = static_cast<int>(q.Int(4));
      r.period = q.Text(5);
      r.status = q.Text(6);
      r.author = q.Text(7);
      r.server_version = q.Int(8);
      r.received_at_ms = q.Int(9);
      r.updated_at_ms = q.Int(10);
      page.rows.push_back(std::move(r));
    }
  }
  const ReportFilter& f = query.filter;
  if (query.count_limit > 0 && f.officer.empty() && f.form_id.empty() && f.search.empty()) {
    // The per (project, period, status) counts answer without reading reports.
    std::vector<BindValue> binds;
    HQ_PREPARE(q, db,
               "SELECT COALESCE(SUM(r.n), 0) FROM report_counts r WHERE " + WhereClause(f, &binds));
    q.BindAll(binds);
    HQ_STEP(row, q);
    page.total = row ? std::min<int64_t>(q.Int(0), query.count_limit) : 0;
  } else if (query.count_limit > 0) {
    std::vector<BindValue> binds;
    std::string where = WhereClause(query.filter, &binds);
    binds.push_back(int64_t{query.count_limit});
    std::string sql = "SELECT COUNT(*) FROM (SELECT 1 FROM reports r WHERE " + where + " LIMIT ?" +
                      std::to_string(binds.size()) + ")";
    HQ_PREPARE(q, db, sql);
    q.BindAll(binds);
    HQ_STEP(row, q);
    page.total = row ? q.Int(0) : 0;
  }
  return page;
}

Result<std::vector<ReportAggregate>> AggregateReports(sqlite3* db, const ReportFilter& filter,
                                                      const std::vector<std::string>& fields) {
  std::vector<ReportAggregate> out;
  // The summaries are kept per (project, period, status): a filter on
  // nothing else reads them; officer, form and search need the reports.
  const bool summary = filter.officer.empty() && filter.form_id.empty() && filter.search.empty();
  {
    std::vector<BindValue> binds;
    std::string sql = summary ? "SELECT r.project, r.period, SUM(r.n) FROM report_counts r WHERE " +
                                    WhereClause(filter, &binds) +
                                    " GROUP BY r.project, r.period ORDER BY r.project, r.period"
                              : "SELECT r.project, r.period, COUNT(*) FROM reports r WHERE " +
                                    WhereClause(filter, &binds) +
                                    " GROUP BY r.project, r.period ORDER BY r.project, r.period";
    HQ_PREPARE(q, db, sql);
    q.BindAll(binds);
    while (true) {
      HQ_STEP(row, q);
      if (!row) break;
      ReportAggregate a;
      a.project = q.Text(0);
      a.period = q.Text(1);
      a.reports = q.Int(2);
      out.push_back(std::move(a));
    }
  }
  if (fields.empty() || out.empty()) return out;
  // One pass over the answers: each report's JSON is parsed once by json_each.
  std::vector<BindValue> binds;
  std::string where = WhereClause(filter, &binds);
  std::string in;
  for (const std::string& f : fields) {
    binds.push_back(f);
    in += (in.empty() ? "?" : ", ?") + std::to_string(binds.size());
  }
  std::string sql =
      summary ? "SELECT r.project, r.period, r.field, SUM(r.total) FROM report_sums r WHERE " +
                    where + " AND r.field IN (" + in +
                    ") GROUP BY r.project, r.period, r.field ORDER BY r.project, r.period"
              : "SELECT r.project, r.period, j.key, SUM(j.value) FROM reports r, "
                "json_each(r.values_json) j WHERE " +
                    where + " AND j.type IN ('integer', 'real') AND j.key IN (" + in +
                    ") GROUP BY r.project, r.period, j.key ORDER BY r.project, r.period";
  HQ_PREPARE(q, db, sql);
  q.BindAll(binds);
  size_t at = 0;  // both result sets are ordered by (project, period)
  while (true) {
    HQ_STEP(row, q);
    if (!row) break;
    std::string project = q.Text(0), period = q.Text(1);
    while (at < out.size() && std::tie(out[at].project, out[at].period) < std::tie(project, period))
      ++at;
    if (at == out.size()) break;
    if (out[at].project == project && out[at].period == period) {
      // Summaries add and subtract: round away the float dust.
      double v = std::round(q.Real(3) * 1e6) / 1e6;
      if (v != 0 || !summary) out[at].sums[q.Text(2)] = v;
    }
  }
  return out;
}

Result<std::vector<ReportPoint>> ReportPoints(sqlite3* db, const ReportFilter& filter, int limit) {
  std::vector<BindValue> binds;
  std::string where = WhereClause(filter, &binds);
  binds.push_back(int64_t{limit > 0 ? limit : 1000});
  // Among the newest `limit` matching reports (an index walk), those with a
  // geopoint answer.
  std::string sql =
      "SELECT r.id, r.project, r.status, json_extract(j.value, '$.lat'), "
      "json_extract(j.value, '$.lon') FROM (SELECT r.id, r.project, r.status, r.values_json, "
      "r.received_at_ms FROM reports r WHERE " +
      where + " ORDER BY r.received_at_ms DESC, r.id DESC LIMIT ?" + std::to_string(binds.size()) +
      ") r, json_each(r.values_json) j WHERE j.type = 'object' "
      "AND json_type(j.value, '$.lat') IN ('integer', 'real') "
      "AND json_type(j.value, '$.lon') IN ('integer', 'real') "
      "GROUP BY r.id ORDER BY r.received_at_ms DESC, r.id DESC";
  HQ_PREPARE(q, db, sql);
  q.BindAll(binds);
  std::vector<ReportPoint> out;
  while (true) {
    HQ_STEP(row, q);
    if (!row) break;
    out.push_back({q.Text(0), q.Text(1), q.Text(2), q.Real(3), q.Real(4)});
  }
  return out;
}

Result<std::vector<std::string>> ReportAuthors(sqlite3* db, const ReportFilter& filter) {
  std::vector<BindValue> binds;
  HQ_PREPARE(q, db,
             "SELECT DISTINCT r.author FROM reports r WHERE r.author <> '' AND " +
                 WhereClause(filter, &binds) + " ORDER BY r.author");
  q.BindAll(binds);
  std::vector<std::string> out;
  while (true) {
    HQ_STEP(row, q);
    if (!row) break;
    out.push_back(q.Text(0));
  }
  return out;
}

Result<int64_t> CatchUp(sqlite3* db, int64_t limit) {
  auto exec = [&](const std::string& sql) -> Status {
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? Status::Ok()
                           : SqliteStatus(db, rc, "updating the search index and chart summaries");
  };
  FS_RETURN_IF_ERROR(exec(
      "CREATE TEMP TABLE IF NOT EXISTS hq_batch (report_rowid INTEGER PRIMARY KEY);"
      "DELETE FROM temp.hq_batch;"
      "INSERT INTO temp.hq_batch SELECT report_rowid FROM hq_dirty ORDER BY report_rowid "
      "LIMIT " + std::to_string(std::max<int64_t>(limit, 1))));
  HQ_PREPARE(q, db, "SELECT COUNT(*) FROM temp.hq_batch");
  HQ_STEP(row, q);
  const int64_t n = row ? q.Int(0) : 0;
  if (n == 0) return int64_t{0};
  FS_RETURN_IF_ERROR(exec(kFoldOut));
  return n;
}

Result<int64_t> PendingCatchUp(sqlite3* db) {
  HQ_PREPARE(q, db, "SELECT COUNT(*) FROM hq_dirty");
  HQ_STEP(row, q);
  return row ? q.Int(0) : int64_t{0};
}

}  // namespace fieldsync::server::sqlite_hq
