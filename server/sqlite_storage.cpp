// server/sqlite_storage.cpp — the SQLite backend of server/storage.h.
#include "server/sqlite_storage.h"

#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>

#include "server/sqlite_hq.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

namespace fieldsync::server {
namespace {

// The whole schema of version 1. Types and constraints that PostgreSQL reads
// the same way (TEXT, BIGINT, BLOB→BYTEA being the one rename to make).
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE enroll_codes (
  code_hash     TEXT PRIMARY KEY,
  officer       TEXT NOT NULL,
  region        TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  used_at_ms    BIGINT NOT NULL DEFAULT 0,
  device_id     TEXT NOT NULL DEFAULT ''
);
CREATE TABLE devices (
  id             TEXT PRIMARY KEY,
  name           TEXT NOT NULL,
  officer        TEXT NOT NULL,
  region         TEXT NOT NULL,
  token_hash     TEXT NOT NULL UNIQUE,
  enrolled_at_ms BIGINT NOT NULL,
  revoked_at_ms  BIGINT NOT NULL DEFAULT 0,
  last_seen_ms   BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE projects (
  code   TEXT PRIMARY KEY,
  region TEXT NOT NULL,
  data   TEXT NOT NULL
);
CREATE TABLE forms (
  form_id    TEXT NOT NULL,
  version    INTEGER NOT NULL,
  definition TEXT NOT NULL,
  PRIMARY KEY (form_id, version)
);
CREATE TABLE reports (
  id             TEXT PRIMARY KEY,
  device_id      TEXT NOT NULL,
  project        TEXT NOT NULL,
  form_id        TEXT NOT NULL,
  form_version   INTEGER NOT NULL,
  period         TEXT NOT NULL,
  status         TEXT NOT NULL,
  author         TEXT NOT NULL,
  values_json    TEXT NOT NULL,
  field_versions TEXT NOT NULL,
  server_version BIGINT NOT NULL,
  max_seq        BIGINT NOT NULL,
  created_at_ms  BIGINT NOT NULL,
  updated_at_ms  BIGINT NOT NULL,
  received_at_ms BIGINT NOT NULL
);
CREATE INDEX reports_by_form ON reports (form_id, received_at_ms, id);
CREATE TABLE report_history (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  report_id      TEXT NOT NULL,
  at_ms          BIGINT NOT NULL,
  server_version BIGINT NOT NULL,
  source         TEXT NOT NULL,
  author         TEXT NOT NULL,
  field          TEXT NOT NULL,
  old_value      TEXT NOT NULL,
  new_value      TEXT NOT NULL,
  note           TEXT NOT NULL
);
CREATE INDEX history_by_report ON report_history (report_id, id);
CREATE TABLE reviews (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  report_id      TEXT NOT NULL,
  decision       TEXT NOT NULL,
  comment        TEXT NOT NULL,
  field_comments TEXT NOT NULL,
  reviewer       TEXT NOT NULL,
  at_ms          BIGINT NOT NULL,
  server_version BIGINT NOT NULL
);
CREATE INDEX reviews_by_report ON reviews (report_id, id);
CREATE TABLE device_seqs (
  device_id     TEXT NOT NULL,
  seq           BIGINT NOT NULL,
  report_id     TEXT NOT NULL,
  applied_at_ms BIGINT NOT NULL,
  result        TEXT,
  UNIQUE (device_id, seq)
);
CREATE TABLE feed (
  feed_seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind     TEXT NOT NULL,
  key      TEXT NOT NULL,
  scope    TEXT NOT NULL,
  data     TEXT NOT NULL,
  UNIQUE (kind, key)
);
CREATE TABLE attachments (
  sha256   TEXT PRIMARY KEY,
  total    BIGINT NOT NULL,
  received BIGINT NOT NULL,
  complete INTEGER NOT NULL
);
CREATE TABLE attachment_refs (
  sha256    TEXT NOT NULL,
  device_id TEXT NOT NULL,
  report_id TEXT NOT NULL,
  UNIQUE (sha256, device_id, report_id)
);
CREATE TABLE attachment_chunks (
  sha256   TEXT NOT NULL,
  start_at BIGINT NOT NULL,
  data     BLOB NOT NULL,
  PRIMARY KEY (sha256, start_at)
);
)sql";


// A cached prepared statement, borrowed for one use; reset on destruction.
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  ~Stmt() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); return *this; }
  Stmt& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& Bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Stmt& BindBlob(int i, std::string_view v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindJson(int i, const nlohmann::json& j) {
    return Bind(i, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }

  // true: a row; false: done.
  Result<bool> Step() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqlite_hq::SqliteStatus(db_, rc, "running a statement");
  }
  Status Run() {
    auto r = Step();
    if (!r.ok()) return r.status();
    return Status::Ok();
  }
  int64_t Int(int c) const { return sqlite3_column_int64(s_, c); }
  std::string Text(int c) const {
    const unsigned char* t = sqlite3_column_text(s_, c);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<size_t>(sqlite3_column_bytes(s_, c)))
             : std::string();
  }
  std::string_view Blob(int c) const {
    const void* b = sqlite3_column_blob(s_, c);
    return b ? std::string_view(static_cast<const char*>(b),
                                static_cast<size_t>(sqlite3_column_bytes(s_, c)))
             : std::string_view();
  }
  bool IsNull(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  nlohmann::json Json(int c) const {
    if (IsNull(c)) return nullptr;
    return nlohmann::json::parse(Text(c), nullptr, /*allow_exceptions=*/false);
  }
  int Changes() const { return sqlite3_changes(db_); }
  // Makes the statement ready to run again with new bindings.
  void Reset() { sqlite3_reset(s_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_;
};

// One connection with its statement cache.
class Connection {
 public:
  explicit Connection(sqlite3* db) : db_(db) {}
  ~Connection() {
    for (auto& [sql, s] : cache_) sqlite3_finalize(s);
    sqlite3_close_v2(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_; }

  // Statements are not re-entrant: a caller finishes with one (its Stmt goes
  // out of scope) before preparing the same SQL again.
  Result<std::unique_ptr<Stmt>> Prepare(const char* sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      sqlite3_stmt* s = nullptr;
      int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
      if (rc != SQLITE_OK) return sqlite_hq::SqliteStatus(db_, rc, "preparing a statement");
      it = cache_.emplace(sql, s).first;
    }
    return std::make_unique<Stmt>(db_, it->second);
  }

  Status Exec(const char* sql, std::string_view what) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      Status s = sqlite_hq::SqliteStatus(db_, rc, what);
      sqlite3_free(err);
      return s;
    }
    return Status::Ok();
  }

 private:
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;  // keyed by the literal's address
};

#define FS_PREPARE(var, conn, sql)              \
  auto var##_r = (conn).Prepare(sql);           \
  if (!var##_r.ok()) return var##_r.status();   \
  Stmt& var = *var##_r.value()

#define FS_STEP(row, stmt)                      \
  auto row##_r = (stmt).Step();                 \
  if (!row##_r.ok()) return row##_r.status();   \
  bool row = row##_r.value()

nlohmann::json FieldVersionsToJson(const std::map<std::string, FieldVersion>& fv) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, v] : fv) j[name] = {v.version, v.hq_version};
  return j;
}

std::map<std::string, FieldVersion> FieldVersionsFromJson(const nlohmann::json& j) {
  std::map<std::string, FieldVersion> out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const auto& v = it.value();
    if (v.is_array() && v.size() == 2 && v[0].is_number_integer() && v[1].is_number_integer())
      out[it.key()] = {v[0].get<int64_t>(), v[1].get<int64_t>()};
  }
  return out;
}

constexpr const char* kReportColumns =
    "id, device_id, project, form_id, form_version, period, status, author, values_json, "
    "field_versions, server_version, max_seq, created_at_ms, updated_at_ms, received_at_ms";

StoredReport ReportFromRow(const Stmt& s) {
  StoredReport r;
  r.id = s.Text(0);
  r.device_id = s.Text(1);
  r.project = s.Text(2);
  r.form_id = s.Text(3);
  r.form_version = static_cast<int>(s.Int(4));
  r.period = s.Text(5);
  r.status = s.Text(6);
  r.author = s.Text(7);
  r.values = s.Json(8);
  if (!r.values.is_object()) r.values = nlohmann::json::object();
  r.field_versions = FieldVersionsFromJson(s.Json(9));
  r.server_version = s.Int(10);
  r.max_seq = s.Int(11);
  r.created_at_ms = s.Int(12);
  r.updated_at_ms = s.Int(13);
  r.received_at_ms = s.Int(14);
  return r;
}

Device DeviceFromRow(const Stmt& s) {
  Device d;
  d.id = s.Text(0);
  d.name = s.Text(1);
  d.officer = s.Text(2);
  d.region = s.Text(3);
  d.token_hash = s.Text(4);
  d.enrolled_at_ms = s.Int(5);
  d.revoked_at_ms = s.Int(6);
  d.last_seen_ms = s.Int(7);
  return d;
}

constexpr const char* kDeviceColumns =
    "id, name, officer, region, token_hash, enrolled_at_ms, revoked_at_ms, last_seen_ms";

// Every reader and writer operation on one connection.
class SqliteTx final : public StorageWriter {
 public:
  explicit SqliteTx(Connection& c) : c_(c) {}

  Result<std::optional<EnrollCode>> FindEnrollCode(const std::string& code_hash) override {
    FS_PREPARE(s, c_,
               "SELECT code_hash, officer, region, created_at_ms, expires_at_ms, used_at_ms, "
               "device_id FROM enroll_codes WHERE code_hash = ?1");
    s.Bind(1, code_hash);
    FS_STEP(row, s);
    if (!row) return std::optional<EnrollCode>();
    EnrollCode e{s.Text(0), s.Text(1), s.Text(2), s.Int(3), s.Int(4), s.Int(5), s.Text(6)};
    return std::optional<EnrollCode>(std::move(e));
  }

  Result<std::optional<Device>> FindDeviceByTokenHash(const std::string& token_hash) override {
    static const std::string sql =
        std::string("SELECT ") + kDeviceColumns + " FROM devices WHERE token_hash = ?1";
    return FindDeviceBy(sql.c_str(), token_hash);
  }

  Result<std::optional<Device>> FindDevice(const std::string& device_id) override {
    static const std::string sql =
        std::string("SELECT ") + kDeviceColumns + " FROM devices WHERE id = ?1";
    return FindDeviceBy(sql.c_str(), device_id);
  }

  Result<std::vector<Device>> ListDevices() override {
    static const std::string sql =
        std::string("SELECT ") + kDeviceColumns + " FROM devices ORDER BY enrolled_at_ms, id";
    FS_PREPARE(s, c_, sql.c_str());
    std::vector<Device> out;
    while (true) {
      FS_STEP(row, s);
      if (!row) break;
      out.push_back(DeviceFromRow(s));
    }
    return out;
  }

  Result<std::optional<StoredProject>> FindProject(const std::string& code) override {
    FS_PREPARE(s, c_, "SELECT code, region, data FROM projects WHERE code = ?1");
    s.Bind(1, code);
    FS_STEP(row, s);
    if (!row) return std::optional<StoredProject>();
    return std::optional<StoredProject>(StoredProject{s.Text(0), s.Text(1), s.Json(2)});
  }

  Result<std::vector<StoredProject>> ListProjects() override {
    FS_PREPARE(s, c_, "SELECT code, region, data FROM projects ORDER BY code");
    std::vector<StoredProject> out;
    while (true) {
      FS_STEP(row, s);
      if (!row) break;
      out.push_back({s.Text(0), s.Text(1), s.Json(2)});
    }
    return out;
  }

  Result<std::vector<nlohmann::json>> ListForms() override {
    FS_PREPARE(s, c_, "SELECT definition FROM forms ORDER BY form_id, version");
    std::vector<nlohmann::json> out;
    while (true) {
      FS_STEP(row, s);
      if (!row) break;
      out.push_back(s.Json(0));
    }
    return out;
  }

  Result<std::optional<StoredReport>> FindReport(const std::string& id) override {
    static const std::string sql =
        std::string("SELECT ") + kReportColumns + " FROM reports WHERE id = ?1";
    FS_PREPARE(s, c_, sql.c_str());
    s.Bind(1, id);
    FS_STEP(row, s);
    if (!row) return std::optional<StoredReport>();
    return std::optional<StoredReport>(ReportFromRow(s));
  }

  Status ForEachReport(const std::function<Status(const StoredReport&)>& fn) override {
    static const std::string sql = std::string("SELECT ") + kReportColumns +
                                   " FROM reports ORDER BY form_id, received_at_ms, id";
    FS_PREPARE(s, c_, sql.c_str());
    while (true) {
      FS_STEP(row, s);
      if (!row) break;
      FS_RETURN_IF_ERROR(fn(ReportFromRow(s)));
    }
    return Status::Ok();
  }

  Result<std::vector<HistoryRow>> History(const std::string& report_id) override {
    FS_PREPARE(s, c_,
               "SELECT id, report_id, at_ms, server_version, source, author, field, old_value, "
               "new_value, note FROM report_history WHERE report_id = ?1 ORDER BY id");
    s.Bind(1, report_id);
    std::vector<HistoryRow> out;
    while (true) {
      FS_STEP(row, s);
      if (!row) break;
      HistoryRow h;
      h.id = s.Int(0);
      h.report_id = s.Text(1);
      h.at_ms = s.Int(2);
      h.server_version = s.Int(3);
      h.source = s.Text(4);
      h.author = s.Text(5);
      h.field = s.Text(6);
      h.old_value = s.Json(7);
      h.new_value = s.Json(8);
      h.note = s.Text(9);
      out.push_back(std::move(h));
    }
    return out;
  }

  Result<std::vector<Review>> Reviews(const std::string& report_id) override {
    FS_PREPARE(s, c_,
               "SELECT report_id, decision, comment, field_comments, reviewer, at_ms, "
               "server_version FROM reviews WHERE report_id = ?1 ORDER BY id");
    s.Bind(1, report_id);
    std::vector<Review> out;
    while (true) {
      FS_STEP(row, s);
      if (!row) break;
      out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Json(3), s.Text(4), s.Int(5), s.Int(6)});
    }
    return out;
  }

  Result<nlohmann::json> SeqResult(const std::string& device_id, int64_t seq) override {
    FS_PREPARE(s, c_, "SELECT result FROM device_seqs WHERE device_id = ?1 AND seq = ?2");
    s.Bind(1, device_id).Bind(2, seq);
    FS_STEP(row, s);
    if (!row) return nlohmann::json(nullptr);
    return s.Json(0);
  }

  Result<int64_t> MaxSeq(const std::string& device_id) override {
    FS_PREPARE(s, c_, "SELECT COALESCE(MAX(seq), 0) FROM device_seqs WHERE device_id = ?1");
    s.Bind(1, device_id);
    FS_STEP(row, s);
    return row ? s.Int(0) : int64_t{0};
  }

  Result<std::vector<FeedEntry>> ReadFeed(int64_t after, const FeedFilter& filter,
                                          int limit) override {
    FS_PREPARE(s, c_,
               "SELECT feed_seq, kind, key, scope, data FROM feed WHERE feed_seq > ?1 AND "
               "(scope = '' OR scope = ?2 OR scope = ?3 OR (?4 = 1 AND scope LIKE 'region:%')) "
               "ORDER BY feed_seq LIMIT ?5");
    s.Bind(1, after)
        .Bind(2, filter.region.empty() ? std::string("-") : "region:" + filter.region)
        .Bind(3, "device:" + filter.device_id)
        .Bind(4, filter.region.empty() ? 1 : 0)
        .Bind(5, limit);
    std::vector<FeedEntry> out;
    while (true) {
      FS_STEP(row, s);
      if (!row) break;
      out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Json(4)});
    }
    return out;
  }

  Result<std::optional<AttachmentState>> FindAttachment(const std::string& sha256) override {
    FS_PREPARE(s, c_, "SELECT sha256, total, received, complete FROM attachments WHERE sha256 = ?1");
    s.Bind(1, sha256);
    FS_STEP(row, s);
    if (!row) return std::optional<AttachmentState>();
    return std::optional<AttachmentState>(
        AttachmentState{s.Text(0), s.Int(1), s.Int(2), s.Int(3) != 0});
  }

  Result<bool> AttachmentReferencedBy(const std::string& sha256,
                                      const std::string& device_id) override {
    FS_PREPARE(s, c_,
               "SELECT 1 FROM attachment_refs WHERE sha256 = ?1 AND device_id = ?2 LIMIT 1");
    s.Bind(1, sha256).Bind(2, device_id);
    FS_STEP(row, s);
    return row;
  }

  Status ReadAttachment(const std::string& sha256,
                        const std::function<Status(std::string_view)>& fn) override {
    FS_PREPARE(s, c_, "SELECT data FROM attachment_chunks WHERE sha256 = ?1 ORDER BY start_at");
    s.Bind(1, sha256);
    while (true) {
      FS_STEP(row, s);
      if (!row) break;
      FS_RETURN_IF_ERROR(fn(s.Blob(0)));
    }
    return Status::Ok();
  }

  Result<Stats> GetStats() override {
    Stats st;
    {
      FS_PREPARE(s, c_, "SELECT status, COUNT(*) FROM reports GROUP BY status ORDER BY status");
      while (true) {
        FS_STEP(row, s);
        if (!row) break;
        st.reports_by_status[s.Text(0)] = s.Int(1);
        st.reports += s.Int(1);
      }
    }
    struct Count {
      const char* sql;
      int64_t* out;
    };
    const Count counts[] = {
        {"SELECT COUNT(*) FROM devices WHERE revoked_at_ms = 0", &st.devices_active},
        {"SELECT COUNT(*) FROM devices WHERE revoked_at_ms <> 0", &st.devices_revoked},
        {"SELECT COUNT(*) FROM projects", &st.projects},
        {"SELECT COUNT(*) FROM forms", &st.forms},
        {"SELECT COUNT(*) FROM attachments WHERE complete = 1", &st.attachments_complete},
        {"SELECT COUNT(*) FROM attachments WHERE complete = 0", &st.attachments_pending},
        {"SELECT COUNT(*) FROM feed", &st.feed_entries},
        {"SELECT COUNT(*) FROM report_history", &st.history_rows},
    };
    for (const Count& c : counts) {
      FS_PREPARE(s, c_, c.sql);
      FS_STEP(row, s);
      *c.out = row ? s.Int(0) : 0;
    }
    return st;
  }

  // --- writes ---

  Status InsertEnrollCode(const EnrollCode& e) override {
    FS_PREPARE(s, c_,
               "INSERT INTO enroll_codes (code_hash, officer, region, created_at_ms, "
               "expires_at_ms, used_at_ms, device_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    s.Bind(1, e.code_hash).Bind(2, e.officer).Bind(3, e.region).Bind(4, e.created_at_ms);
    s.Bind(5, e.expires_at_ms).Bind(6, e.used_at_ms).Bind(7, e.device_id);
    return s.Run();
  }

  Result<bool> UseEnrollCode(const std::string& code_hash, const std::string& device_id,
                             int64_t at_ms) override {
    FS_PREPARE(s, c_,
               "UPDATE enroll_codes SET used_at_ms = ?1, device_id = ?2 "
               "WHERE code_hash = ?3 AND used_at_ms = 0");
    s.Bind(1, at_ms).Bind(2, device_id).Bind(3, code_hash);
    FS_RETURN_IF_ERROR(s.Run());
    return s.Changes() == 1;
  }

  Status InsertDevice(const Device& d) override {
    FS_PREPARE(s, c_,
               "INSERT INTO devices (id, name, officer, region, token_hash, enrolled_at_ms, "
               "revoked_at_ms, last_seen_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    s.Bind(1, d.id).Bind(2, d.name).Bind(3, d.officer).Bind(4, d.region).Bind(5, d.token_hash);
    s.Bind(6, d.enrolled_at_ms).Bind(7, d.revoked_at_ms).Bind(8, d.last_seen_ms);
    return s.Run();
  }

  Status RevokeDevice(const std::string& device_id, int64_t at_ms) override {
    FS_PREPARE(s, c_,
               "UPDATE devices SET revoked_at_ms = CASE WHEN revoked_at_ms = 0 THEN ?1 "
               "ELSE revoked_at_ms END WHERE id = ?2");
    s.Bind(1, at_ms).Bind(2, device_id);
    FS_RETURN_IF_ERROR(s.Run());
    if (s.Changes() == 0) return Status::NotFound("no device '" + device_id + "'");
    return Status::Ok();
  }

  Status TouchDevice(const std::string& device_id, int64_t at_ms) override {
    FS_PREPARE(s, c_, "UPDATE devices SET last_seen_ms = ?1 WHERE id = ?2");
    s.Bind(1, at_ms).Bind(2, device_id);
    return s.Run();
  }

  Status UpsertProject(const StoredProject& p) override {
    FS_PREPARE(s, c_,
               "INSERT INTO projects (code, region, data) VALUES (?1, ?2, ?3) "
               "ON CONFLICT (code) DO UPDATE SET region = excluded.region, data = excluded.data");
    s.Bind(1, p.code).Bind(2, p.region).BindJson(3, p.data);
    return s.Run();
  }

  Status UpsertForm(const std::string& form_id, int version,
                    const nlohmann::json& definition) override {
    FS_PREPARE(s, c_,
               "INSERT INTO forms (form_id, version, definition) VALUES (?1, ?2, ?3) "
               "ON CONFLICT (form_id, version) DO UPDATE SET definition = excluded.definition");
    s.Bind(1, form_id).Bind(2, version).BindJson(3, definition);
    return s.Run();
  }

  Result<bool> ClaimSeq(const std::string& device_id, int64_t seq, const std::string& report_id,
                        int64_t at_ms) override {
    FS_PREPARE(s, c_,
               "INSERT INTO device_seqs (device_id, seq, report_id, applied_at_ms) "
               "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (device_id, seq) DO NOTHING");
    s.Bind(1, device_id).Bind(2, seq).Bind(3, report_id).Bind(4, at_ms);
    FS_RETURN_IF_ERROR(s.Run());
    return s.Changes() == 1;
  }

  Status SetSeqResult(const std::string& device_id, int64_t seq,
                      const nlohmann::json& result) override {
    FS_PREPARE(s, c_, "UPDATE device_seqs SET result = ?1 WHERE device_id = ?2 AND seq = ?3");
    s.BindJson(1, result).Bind(2, device_id).Bind(3, seq);
    return s.Run();
  }

  Status PutReport(const StoredReport& r) override {
    FS_PREPARE(s, c_,
               "INSERT INTO reports (id, device_id, project, form_id, form_version, period, "
               "status, author, values_json, field_versions, server_version, max_seq, "
               "created_at_ms, updated_at_ms, received_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
               "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) ON CONFLICT (id) DO UPDATE SET "
               "device_id = excluded.device_id, project = excluded.project, "
               "form_id = excluded.form_id, form_version = excluded.form_version, "
               "period = excluded.period, status = excluded.status, author = excluded.author, "
               "values_json = excluded.values_json, field_versions = excluded.field_versions, "
               "server_version = excluded.server_version, max_seq = excluded.max_seq, "
               "created_at_ms = excluded.created_at_ms, updated_at_ms = excluded.updated_at_ms, "
               "received_at_ms = excluded.received_at_ms");
    s.Bind(1, r.id).Bind(2, r.device_id).Bind(3, r.project).Bind(4, r.form_id);
    s.Bind(5, r.form_version).Bind(6, r.period).Bind(7, r.status).Bind(8, r.author);
    s.BindJson(9, r.values).BindJson(10, FieldVersionsToJson(r.field_versions));
    s.Bind(11, r.server_version).Bind(12, r.max_seq).Bind(13, r.created_at_ms);
    s.Bind(14, r.updated_at_ms).Bind(15, r.received_at_ms);
    return s.Run();
  }

  Status AddHistory(const std::vector<HistoryRow>& rows) override {
    if (rows.empty()) return Status::Ok();
    FS_PREPARE(s, c_,
               "INSERT INTO report_history (report_id, at_ms, server_version, source, author, "
               "field, old_value, new_value, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    for (const HistoryRow& h : rows) {
      s.Bind(1, h.report_id).Bind(2, h.at_ms).Bind(3, h.server_version).Bind(4, h.source);
      s.Bind(5, h.author).Bind(6, h.field).BindJson(7, h.old_value).BindJson(8, h.new_value);
      s.Bind(9, h.note);
      FS_RETURN_IF_ERROR(s.Run());
      s.Reset();
    }
    return Status::Ok();
  }

  Status AddReview(const Review& r) override {
    FS_PREPARE(s, c_,
               "INSERT INTO reviews (report_id, decision, comment, field_comments, reviewer, "
               "at_ms, server_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    s.Bind(1, r.report_id).Bind(2, r.decision).Bind(3, r.comment).BindJson(4, r.field_comments);
    s.Bind(5, r.reviewer).Bind(6, r.at_ms).Bind(7, r.server_version);
    return s.Run();
  }

  Result<int64_t> Publish(const std::string& kind, const std::string& key,
                          const std::string& scope, const nlohmann::json& data) override {
    {
      FS_PREPARE(d, c_, "DELETE FROM feed WHERE kind = ?1 AND key = ?2");
      d.Bind(1, kind).Bind(2, key);
      FS_RETURN_IF_ERROR(d.Run());
    }
    FS_PREPARE(s, c_,
               "INSERT INTO feed (kind, key, scope, data) VALUES (?1, ?2, ?3, ?4) "
               "RETURNING feed_seq");
    s.Bind(1, kind).Bind(2, key).Bind(3, scope).BindJson(4, data);
    FS_STEP(row, s);
    if (!row) return Status::Internal("inserting a feed row returned no feed_seq");
    int64_t seq = s.Int(0);
    FS_STEP(done, s);
    (void)done;
    return seq;
  }

  Status AddAttachmentRef(const std::string& sha256, const std::string& device_id,
                          const std::string& report_id) override {
    FS_PREPARE(s, c_,
               "INSERT INTO attachment_refs (sha256, device_id, report_id) VALUES (?1, ?2, ?3) "
               "ON CONFLICT (sha256, device_id, report_id) DO NOTHING");
    s.Bind(1, sha256).Bind(2, device_id).Bind(3, report_id);
    return s.Run();
  }

  Status PutAttachment(const AttachmentState& a) override {
    FS_PREPARE(s, c_,
               "INSERT INTO attachments (sha256, total, received, complete) "
               "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (sha256) DO UPDATE SET "
               "total = excluded.total, received = excluded.received, "
               "complete = excluded.complete");
    s.Bind(1, a.sha256).Bind(2, a.total).Bind(3, a.received).Bind(4, a.complete ? 1 : 0);
    return s.Run();
  }

  Status AppendAttachmentChunk(const std::string& sha256, int64_t offset,
                               std::string_view bytes) override {
    FS_PREPARE(s, c_,
               "INSERT INTO attachment_chunks (sha256, start_at, data) VALUES (?1, ?2, ?3) "
               "ON CONFLICT (sha256, start_at) DO UPDATE SET data = excluded.data");
    s.Bind(1, sha256).Bind(2, offset).BindBlob(3, bytes);
    return s.Run();
  }

  Status DiscardAttachmentChunks(const std::string& sha256) override {
    FS_PREPARE(s, c_, "DELETE FROM attachment_chunks WHERE sha256 = ?1");
    s.Bind(1, sha256);
    return s.Run();
  }

  // --- HQ users, sessions and dashboard queries: server/sqlite_hq.cpp ---
  Result<std::optional<HqUser>> FindHqUser(const std::string& name) override {
    return sqlite_hq::FindUser(c_.db(), name);
  }
  Result<std::vector<HqUser>> ListHqUsers() override { return sqlite_hq::ListUsers(c_.db()); }
  Result<std::optional<HqSession>> FindHqSession(const std::string& token_hash) override {
    return sqlite_hq::FindSession(c_.db(), token_hash);
  }
  Result<InboxPage> QueryInbox(const InboxQuery& query) override {
    return sqlite_hq::QueryInbox(c_.db(), query);
  }
  Result<std::vector<ReportAggregate>> AggregateReports(
      const ReportFilter& filter, const std::vector<std::string>& fields) override {
    return sqlite_hq::AggregateReports(c_.db(), filter, fields);
  }
  Result<std::vector<ReportPoint>> ReportPoints(const ReportFilter& filter, int limit) override {
    return sqlite_hq::ReportPoints(c_.db(), filter, limit);
  }
  Result<std::vector<std::string>> ReportAuthors(const ReportFilter& filter) override {
    return sqlite_hq::ReportAuthors(c_.db(), filter);
  }
  Status InsertHqUser(const HqUser& user) override { return sqlite_hq::InsertUser(c_.db(), user); }
  Status UpdateHqUser(const HqUser& user) override { return sqlite_hq::UpdateUser(c_.db(), user); }
  Status InsertHqSession(const HqSession& session) override {
    return sqlite_hq::InsertSession(c_.db(), session);
  }
  Status TouchHqSession(const std::string& token_hash, int64_t at_ms) override {
    return sqlite_hq::TouchSession(c_.db(), token_hash, at_ms);
  }
  Status DeleteHqSession(const std::string& token_hash) override {
    return sqlite_hq::DeleteSession(c_.db(), token_hash);
  }
  Result<int64_t> DeleteExpiredHqSessions(int64_t now_ms) override {
    return sqlite_hq::DeleteExpiredSessions(c_.db(), now_ms);
  }

 private:
  Result<std::optional<Device>> FindDeviceBy(const char* sql, const std::string& key) {
    FS_PREPARE(s, c_, sql);
    s.Bind(1, key);
    FS_STEP(row, s);
    if (!row) return std::optional<Device>();
    return std::optional<Device>(DeviceFromRow(s));
  }

  Connection& c_;
};

class SqliteStorage final : public Storage {
 public:
  SqliteStorage(std::filesystem::path path, StorageOptions options)
      : path_(std::move(path)), options_(std::move(options)) {}

  ~SqliteStorage() override {
    closing_ = true;
    {
      std::lock_guard<std::mutex> lock(catch_up_mu_);
      catch_up_stop_ = true;
    }
    catch_up_cv_.notify_all();
    if (catch_up_thread_.joinable()) catch_up_thread_.join();
  }

  Status Init() {
    auto w = OpenConnection();
    if (!w.ok()) return w.status();
    writer_ = std::move(w).value();
    FS_RETURN_IF_ERROR(Migrate(*writer_));
    // Whatever an earlier run (or another process) left unfolded is folded
    // in by the background step; readers that need it exact catch up first.
    catch_up_wake_ = true;
    last_write_ = std::chrono::steady_clock::now();  // a quiet delay first, as after a write
    // The step is a library thread: it takes no process signals (a server's
    // SIGTERM belongs to the thread that waits for it), so it starts with
    // every signal blocked.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    catch_up_thread_ = std::thread([this] { CatchUpLoop(); });
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return Status::Ok();
  }

  Status CatchUpDerived() override {
    while (true) {
      int64_t folded = 0;
      FS_RETURN_IF_ERROR(Write([&](StorageWriter&) -> Status {
        auto n = sqlite_hq::CatchUp(writer_->db(), kCatchUpChunk);
        if (!n.ok()) return n.status();
        folded = n.value();
        return Status::Ok();
      }, /*wake_catch_up=*/false));
      // Closing: what is left stays marked and is folded in after the next open.
      if (folded < kCatchUpChunk || closing_) return Status::Ok();
    }
  }

  std::string_view backend() const override { return "sqlite"; }

  Status Read(const std::function<Status(StorageReader&)>& fn) override {
    std::unique_ptr<Connection> conn;
    {
      std::lock_guard<std::mutex> lock(pool_mu_);
      if (!pool_.empty()) {
        conn = std::move(pool_.back());
        pool_.pop_back();
      }
    }
    if (!conn) {
      auto c = OpenConnection();
      if (!c.ok()) return c.status();
      conn = std::move(c).value();
    }
    Status st = conn->Exec("BEGIN", "starting a read");
    if (st.ok()) {
      SqliteTx tx(*conn);
      st = Guarded([&] { return fn(tx); });
      Status end = conn->Exec("COMMIT", "ending a read");
      if (st.ok()) st = end;
    }
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (pool_.size() < 16) pool_.push_back(std::move(conn));
    return st;
  }

  Status Write(const std::function<Status(StorageWriter&)>& fn) override {
    return Write(fn, /*wake_catch_up=*/true);
  }

 private:
  // Reports folded per catch-up transaction: large enough that the FTS5
  // index gets few big segments, small enough that an ingest batch waiting
  // for the write lock waits well under a second.
  static constexpr int64_t kCatchUpChunk = 5000;

  Status Write(const std::function<Status(StorageWriter&)>& fn, bool wake_catch_up) {
    {
      std::lock_guard<std::mutex> lock(write_mu_);
      FS_RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE", "starting a write transaction"));
      SqliteTx tx(*writer_);
      Status st = Guarded([&] { return fn(tx); });
      if (!st.ok()) {
        (void)writer_->Exec("ROLLBACK", "rolling back");
        return st;
      }
      Status commit = writer_->Exec("COMMIT", "committing");
      if (!commit.ok()) {
        (void)writer_->Exec("ROLLBACK", "rolling back");
        return commit;
      }
    }
    if (wake_catch_up) {
      {
        std::lock_guard<std::mutex> lock(catch_up_mu_);
        catch_up_wake_ = true;
        last_write_ = std::chrono::steady_clock::now();
      }
      catch_up_cv_.notify_one();
    }
    return Status::Ok();
  }

  // The background step. Ingest comes first: marked reports are folded in
  // once writes have been quiet for catch_up_delay_ms, or sooner when the
  // backlog reaches catch_up_max_backlog (so that a reader's on-demand
  // catch-up stays short under sustained ingest). A failure (say the
  // database is busy) is retried after the next write or delay.
  void CatchUpLoop() {
    using std::chrono::steady_clock;
    const auto delay = std::chrono::milliseconds(options_.catch_up_delay_ms);
    std::unique_lock<std::mutex> lock(catch_up_mu_);
    while (!catch_up_stop_) {
      catch_up_cv_.wait(lock, [&] { return catch_up_stop_ || catch_up_wake_; });
      auto next_backlog_check = steady_clock::now() + std::chrono::seconds(1);
      while (!catch_up_stop_) {
        const auto now = steady_clock::now();
        if (now >= last_write_ + delay) break;
        if (now >= next_backlog_check) {
          lock.unlock();
          int64_t backlog = 0;
          {
            std::lock_guard<std::mutex> w(write_mu_);
            auto n = sqlite_hq::PendingCatchUp(writer_->db());
            if (n.ok()) backlog = n.value();
          }
          lock.lock();
          if (backlog >= options_.catch_up_max_backlog) break;
          next_backlog_check = steady_clock::now() + std::chrono::seconds(1);
        }
        catch_up_cv_.wait_until(lock, std::min(last_write_ + delay, next_backlog_check));
      }
      if (catch_up_stop_) break;
      catch_up_wake_ = false;
      lock.unlock();
      Status st = CatchUpDerived();
      lock.lock();
      if (!st.ok()) {
        catch_up_wake_ = true;
        last_write_ = steady_clock::now();  // retry after another delay
      }
    }
  }

  template <typename Fn>
  static Status Guarded(Fn&& fn) {
    try {
      return fn();
    } catch (const std::exception& e) {
      return Status::Internal(std::string("storage operation failed: ") + e.what());
    }
  }

  Result<std::unique_ptr<Connection>> OpenConnection() {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path_.c_str(), &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) {
      Status s = Status::IOError("cannot open database '" + path_.string() +
                                 "': " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
      sqlite3_close_v2(db);
      return s;
    }
    auto conn = std::make_unique<Connection>(db);
    sqlite3_busy_timeout(db, options_.busy_timeout_ms);
    std::string sync = options_.sqlite_synchronous == "NORMAL" ? "NORMAL" : "FULL";
    std::string pragmas = "PRAGMA journal_mode = WAL; PRAGMA synchronous = " + sync +
                          "; PRAGMA foreign_keys = ON; PRAGMA cache_size = -16000; "
                          "PRAGMA temp_store = MEMORY;";
    Status st = conn->Exec(pragmas.c_str(), "configuring '" + path_.string() + "'");
    if (!st.ok()) {
      if (st.code() == Status::Code::kInternal || st.code() == Status::Code::kCorruption)
        return Status::IOError("'" + path_.string() + "' is not a fieldsync server database (" +
                               st.message() + ")");
      return st;
    }
    return conn;
  }

  Status Migrate(Connection& c) {
    FS_RETURN_IF_ERROR(c.Exec("BEGIN IMMEDIATE", "migrating"));
    auto rollback = [&](Status s) {
      (void)c.Exec("ROLLBACK", "rolling back");
      return s;
    };
    int version = 0;
    {
      auto s = c.Prepare("PRAGMA user_version");
      if (!s.ok()) return rollback(s.status());
      auto row = s.value()->Step();
      if (!row.ok()) return rollback(row.status());
      version = static_cast<int>(s.value()->Int(0));
    }
    if (version > kSqliteSchemaVersion)
      return rollback(Status::FailedPrecondition(
          "database '" + path_.string() + "' has schema version " + std::to_string(version) +
          " but this fieldsync-server knows only up to " +
          std::to_string(kSqliteSchemaVersion) + "; use a newer fieldsync-server"));
    if (version == 0) {
      // A fresh file, or an unrelated SQLite file: refuse the latter.
      int64_t objects = 0;
      {
        auto s = c.Prepare("SELECT COUNT(*) FROM sqlite_master");
        if (!s.ok()) return rollback(s.status());
        auto row = s.value()->Step();
        if (!row.ok()) return rollback(row.status());
        objects = s.value()->Int(0);
      }
      if (objects != 0)
        return rollback(Status::FailedPrecondition(
            "'" + path_.string() + "' is a SQLite database but not a fieldsync server one"));
      Status st = c.Exec(kSchemaV1, "creating the server schema");
      if (!st.ok()) return rollback(st);
      st = c.Exec("PRAGMA user_version = 1", "recording the schema version");
      if (!st.ok()) return rollback(st);
      version = 1;
    }
    if (version < 2) {  // HQ users, sessions and the inbox indexes
      Status st = c.Exec(sqlite_hq::kSchemaV2, "adding the HQ dashboard tables");
      if (!st.ok()) return rollback(st);
      st = c.Exec("PRAGMA user_version = 2", "recording the schema version");
      if (!st.ok()) return rollback(st);
    }
    if (version < 3) {  // search index, chart summaries (kept by triggers)
      Status st = c.Exec(sqlite_hq::kSchemaV3, "adding the search index and chart summaries");
      if (!st.ok()) return rollback(st);
      st = c.Exec("PRAGMA user_version = 3", "recording the schema version");
      if (!st.ok()) return rollback(st);
    }
    if (version < 4) {  // search index and summaries folded in after the commit
      Status st = c.Exec(sqlite_hq::kSchemaV4, "moving index upkeep off the write path");
      if (!st.ok()) return rollback(st);
      st = c.Exec("PRAGMA user_version = 4", "recording the schema version");
      if (!st.ok()) return rollback(st);
    }
    return c.Exec("COMMIT", "committing the migration");
  }

  std::filesystem::path path_;
  StorageOptions options_;
  std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> pool_;
  std::mutex catch_up_mu_;
  std::condition_variable catch_up_cv_;
  bool catch_up_wake_ = false;
  bool catch_up_stop_ = false;
  std::chrono::steady_clock::time_point last_write_;  // of a write that may mark reports
  std::atomic<bool> closing_{false};
  std::thread catch_up_thread_;  // last: started when everything else exists
};

}  // namespace

Result<std::unique_ptr<Storage>> OpenSqliteStorage(const std::filesystem::path& path,
                                                   const StorageOptions& options) {
  auto storage = std::make_unique<SqliteStorage>(path, options);
  FS_RETURN_IF_ERROR(storage->Init());
  return std::unique_ptr<Storage>(std::move(storage));
}

Result<std::unique_ptr<Storage>> OpenStorage(const std::string& spec,
                                             const StorageOptions& options) {
  if (spec.empty()) return Status::InvalidArgument("--db is empty; give a file path");
  if (spec.rfind("postgresql://", 0) == 0 || spec.rfind("postgres://", 0) == 0)
    return Status::FailedPrecondition(
        "PostgreSQL backend not built yet; use a SQLite file path for --db");
  return OpenSqliteStorage(spec, options);
}

}  // namespace fieldsync::server
