// store/store.cpp — the device store: opening, reference data, reports,
// outbox, pull, device state.
//
// HOW A REPORT CHANGE IS WRITTEN (invariants 2 and 3 of store.h)
//  Every report change runs inside one Transaction and does, in order:
//   1. load the row (LoadReport) and compute the field changes;
//   2. add the changed fields to reports.dirty_fields — the set of fields the
//      device changed since the server version it is based on;
//   3. SaveReport (one upsert), one history row per change (AddHistory);
//   4. EnqueueReport: delete any outbox entry of the same report, take a fresh
//      sequence from meta.next_seq, insert the new entry whose payload is the
//      whole report, its base_version and "changed" = dirty fields ∪ the
//      deleted entry's changed fields.
//  Because the outbox holds at most one entry per report, an entry still in
//  the outbox is the newest for its report; AckPush relies on this.
//
// DIRTY FIELDS
//  Added by device edits; removed when an entry carrying them is acknowledged
//  (AckPush, any outcome but "rejected"). A pulled or merged server copy
//  replaces only fields that are not dirty, so nothing typed on the device
//  and not yet accepted by HQ is overwritten. "status" is tracked like a field.
#include "store/store.h"

#include <openssl/rand.h>
#include <sys/random.h>

#include <cctype>
#include <chrono>
#include <set>
#include <vector>

#include "store/migrations.h"
#include "store/store_impl.h"

namespace fieldsync::store {

using internal::DumpJson;
using internal::MetaGet;
using internal::MetaSet;
using internal::ParseStoredJson;
using internal::StatementCache;
using internal::Stmt;
using internal::Transaction;
using json = nlohmann::json;

namespace {

constexpr const char* kHqAuthor = "HQ";

// A report as stored, with its device-local bookkeeping.
struct StoredReport {
  Report report;
  std::set<std::string> dirty;
};

struct FieldChange {
  std::string field;
  json old_value;
  json new_value;
};

constexpr const char* kReportColumns =
    "id, project_code, form_id, form_version, period, values_json, status, author, server_version, "
    "created_at_ms, updated_at_ms, review_json, has_conflict, dirty_fields";

std::string PeriodOf(const json& values) {
  if (values.is_object()) {
    auto it = values.find("period");
    if (it != values.end() && it->is_string()) return it->get<std::string>();
  }
  return std::string();
}

json ToJsonArray(const std::set<std::string>& names) {
  json a = json::array();
  for (const auto& n : names) a.push_back(n);
  return a;
}

// The member as a string, or "" when absent or not a string.
std::string StringMember(const json& j, const char* member) {
  if (!j.is_object()) return std::string();
  auto it = j.find(member);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The member, or null when absent (or `j` is not an object).
json Member(const json& j, const char* member) {
  if (!j.is_object()) return json();
  auto it = j.find(member);
  return it != j.end() ? *it : json();
}

void AddNames(const json& array, std::set<std::string>* names) {
  if (!array.is_array()) return;
  for (const auto& n : array)
    if (n.is_string()) names->insert(n.get<std::string>());
}

// Reads a row selected with kReportColumns.
Result<StoredReport> ReportFromRow(const Stmt& st) {
  StoredReport s;
  Report& r = s.report;
  r.id = st.Text(0);
  r.project_code = st.Text(1);
  r.form_id = st.Text(2);
  r.form_version = static_cast<int>(st.Int(3));
  r.period = st.Text(4);
  STORE_ASSIGN_OR_RETURN(r.values, ParseStoredJson(st.Text(5), "values of report " + r.id));
  std::string status = st.Text(6);
  if (!ParseReportStatus(status, &r.status))
    return Status::Corruption("report " + r.id + " has an unknown stored status '" + status + "'");
  r.author = st.Text(7);
  r.server_version = st.Int(8);
  r.created_at_ms = st.Int(9);
  r.updated_at_ms = st.Int(10);
  if (!st.IsNull(11)) {
    STORE_ASSIGN_OR_RETURN(r.review, ParseStoredJson(st.Text(11), "review of report " + r.id));
  }
  r.has_conflict = st.Int(12) != 0;
  STORE_ASSIGN_OR_RETURN(json dirty,
                         ParseStoredJson(st.Text(13), "changed fields of report " + r.id));
  AddNames(dirty, &s.dirty);
  return s;
}

Result<std::optional<StoredReport>> LoadReport(StatementCache& c, const std::string& id) {
  static const std::string sql =
      std::string("SELECT ") + kReportColumns + " FROM reports WHERE id = ?1";
  STORE_ASSIGN_OR_RETURN(Stmt st, c.Prepare(sql));
  st.Bind(1, id);
  STORE_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<StoredReport>();
  STORE_ASSIGN_OR_RETURN(StoredReport s, ReportFromRow(st));
  return std::optional<StoredReport>(std::move(s));
}

Result<StoredReport> LoadExistingReport(StatementCache& c, const std::string& id) {
  STORE_ASSIGN_OR_RETURN(std::optional<StoredReport> s, LoadReport(c, id));
  if (!s) return Status::NotFound("report " + id + " is not on this device");
  return std::move(*s);
}

Status SaveReport(StatementCache& c, StoredReport& s) {
  Report& r = s.report;
  r.period = PeriodOf(r.values);
  STORE_ASSIGN_OR_RETURN(
      Stmt st,
      c.Prepare("INSERT INTO reports(id, project_code, form_id, form_version, period, values_json, "
                "status, author, server_version, created_at_ms, updated_at_ms, review_json, "
                "has_conflict, dirty_fields) "
                "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
                "ON CONFLICT(id) DO UPDATE SET project_code = excluded.project_code, "
                "form_id = excluded.form_id, form_version = excluded.form_version, "
                "period = excluded.period, values_json = excluded.values_json, "
                "status = excluded.status, author = excluded.author, "
                "server_version = excluded.server_version, updated_at_ms = excluded.updated_at_ms, "
                "review_json = excluded.review_json, has_conflict = excluded.has_conflict, "
                "dirty_fields = excluded.dirty_fields"));
  st.Bind(1, r.id)
      .Bind(2, r.project_code)
      .Bind(3, r.form_id)
      .Bind(4, r.form_version)
      .Bind(5, r.period);
  st.Bind(6, DumpJson(r.values)).Bind(7, ReportStatusName(r.status)).Bind(8, r.author);
  st.Bind(9, r.server_version).Bind(10, r.created_at_ms).Bind(11, r.updated_at_ms);
  if (r.review.is_null()) {
    st.BindNull(12);
  } else {
    st.Bind(12, DumpJson(r.review));
  }
  st.Bind(13, r.has_conflict ? 1 : 0).Bind(14, DumpJson(ToJsonArray(s.dirty)));
  return st.Run();
}

Status AddHistory(StatementCache& c, const std::string& report_id, int64_t at_ms,
                  const std::string& author, std::string_view source, const FieldChange& change,
                  std::string_view note = "") {
  STORE_ASSIGN_OR_RETURN(
      Stmt st, c.Prepare("INSERT INTO history(report_id, at_ms, author, source, field, "
                         "old_json, new_json, note) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  st.Bind(1, report_id).Bind(2, at_ms).Bind(3, author).Bind(4, source).Bind(5, change.field);
  st.Bind(6, DumpJson(change.old_value)).Bind(7, DumpJson(change.new_value)).Bind(8, note);
  return st.Run();
}

Status AddHistoryRows(StatementCache& c, const std::string& report_id, int64_t at_ms,
                      const std::string& author, std::string_view source,
                      const std::vector<FieldChange>& changes) {
  for (const auto& ch : changes)
    FS_RETURN_IF_ERROR(AddHistory(c, report_id, at_ms, author, source, ch));
  return Status::Ok();
}

Result<int64_t> AllocateSeq(StatementCache& c) {
  STORE_ASSIGN_OR_RETURN(std::optional<std::string> next, MetaGet(c, "next_seq"));
  int64_t seq = 0;
  try {
    seq = next ? std::stoll(*next) : 0;
  } catch (const std::exception&) {
    seq = 0;
  }
  if (seq <= 0)
    return Status::Corruption("the outbox sequence counter (meta.next_seq) is missing or damaged");
  FS_RETURN_IF_ERROR(MetaSet(c, "next_seq", std::to_string(seq + 1)));
  return seq;
}

// Replaces the report's outbox entry (if any) by a new one with a fresh seq.
Status EnqueueReport(StatementCache& c, const StoredReport& s, int64_t now) {
  std::set<std::string> changed = s.dirty;
  {
    STORE_ASSIGN_OR_RETURN(Stmt st,
                           c.Prepare("SELECT json_extract(payload, '$.changed') FROM outbox "
                                     "WHERE report_id = ?1"));
    st.Bind(1, s.report.id);
    for (;;) {
      STORE_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      if (st.IsNull(0)) continue;
      STORE_ASSIGN_OR_RETURN(json old, ParseStoredJson(st.Text(0), "outbox entry"));
      AddNames(old, &changed);
    }
  }
  {
    STORE_ASSIGN_OR_RETURN(Stmt st, c.Prepare("DELETE FROM outbox WHERE report_id = ?1"));
    FS_RETURN_IF_ERROR(st.Bind(1, s.report.id).Run());
  }
  STORE_ASSIGN_OR_RETURN(int64_t seq, AllocateSeq(c));
  json payload = {{"report", ReportToJson(s.report)},
                  {"base_version", s.report.server_version},
                  {"changed", ToJsonArray(changed)}};
  STORE_ASSIGN_OR_RETURN(
      Stmt st, c.Prepare("INSERT INTO outbox(seq, report_id, kind, payload, created_at_ms) "
                         "VALUES(?1, ?2, 'report', ?3, ?4)"));
  st.Bind(1, seq).Bind(2, s.report.id).Bind(3, DumpJson(payload)).Bind(4, now);
  return st.Run();
}

// Writes a device-side change: row, history, outbox (steps 2–4 above).
Status RecordDeviceChange(StatementCache& c, StoredReport& s,
                          const std::vector<FieldChange>& changes, const std::string& author,
                          int64_t now) {
  for (const auto& ch : changes) s.dirty.insert(ch.field);
  FS_RETURN_IF_ERROR(SaveReport(c, s));
  FS_RETURN_IF_ERROR(AddHistoryRows(c, s.report.id, now, author, "device", changes));
  return EnqueueReport(c, s, now);
}

// Takes the server's copy for every field not in `keep` (and not dirty),
// returning what changed. server_version, the review and the report's
// identity fields are taken as well.
std::vector<FieldChange> MergeServerCopy(StoredReport& local, const Report& server,
                                         const std::set<std::string>& skip_history) {
  std::vector<FieldChange> changes;
  Report& r = local.report;
  if (!r.values.is_object()) r.values = json::object();
  for (const auto& [name, value] : server.values.items()) {
    if (local.dirty.count(name)) continue;
    auto it = r.values.find(name);
    if (it != r.values.end() && *it == value) continue;
    json old_value = it != r.values.end() ? *it : json();
    if (value.is_null()) {
      if (it == r.values.end()) continue;
      r.values.erase(it);
    } else {
      r.values[name] = value;
    }
    if (!skip_history.count(name)) changes.push_back({name, std::move(old_value), value});
  }
  std::vector<std::string> removed;
  for (const auto& [name, value] : r.values.items())
    if (!server.values.contains(name) && !local.dirty.count(name)) removed.push_back(name);
  for (const auto& name : removed) {
    if (!skip_history.count(name)) changes.push_back({name, r.values[name], json()});
    r.values.erase(name);
  }
  if (!local.dirty.count("status") && r.status != server.status) {
    changes.push_back({"status", std::string(ReportStatusName(r.status)),
                       std::string(ReportStatusName(server.status))});
    r.status = server.status;
  }
  if (!server.project_code.empty()) r.project_code = server.project_code;
  if (!server.form_id.empty()) r.form_id = server.form_id;
  if (server.form_version > 0) r.form_version = server.form_version;
  if (server.server_version > r.server_version) r.server_version = server.server_version;
  if (!server.review.is_null()) r.review = server.review;
  return changes;
}

Status UpsertProjectRow(StatementCache& c, const json& project, const std::string& fallback_code) {
  if (!project.is_object()) return Status::InvalidArgument("a project must be a JSON object");
  std::string code = fallback_code;
  if (auto it = project.find("code"); it != project.end()) {
    if (!it->is_string()) return Status::InvalidArgument("project \"code\" must be a string");
    code = it->get<std::string>();
  }
  if (code.empty()) return Status::InvalidArgument("a project needs a \"code\"");
  json stored = project;
  stored["code"] = code;
  STORE_ASSIGN_OR_RETURN(
      Stmt st, c.Prepare("INSERT INTO projects(code, json, updated_at_ms) VALUES(?1, ?2, ?3) "
                         "ON CONFLICT(code) DO UPDATE SET json = excluded.json, "
                         "updated_at_ms = excluded.updated_at_ms"));
  return st.Bind(1, code).Bind(2, DumpJson(stored)).Bind(3, NowMs()).Run();
}

Status UpsertFormRow(StatementCache& c, const json& form) {
  if (!form.is_object()) return Status::InvalidArgument("a form definition must be a JSON object");
  auto id = form.find("id");
  if (id == form.end() || !id->is_string() || id->get<std::string>().empty())
    return Status::InvalidArgument("a form definition needs an \"id\" (a non-empty string)");
  auto version = form.find("version");
  if (version == form.end() || !version->is_number_integer() || version->get<int64_t>() < 1 ||
      version->get<int64_t>() > INT32_MAX)
    return Status::InvalidArgument("form '" + id->get<std::string>() +
                                   "' needs a \"version\" (a whole number from 1)");
  STORE_ASSIGN_OR_RETURN(Stmt st,
                         c.Prepare("INSERT INTO forms(id, version, json) VALUES(?1, ?2, ?3) "
                                   "ON CONFLICT(id, version) DO UPDATE SET json = excluded.json"));
  return st.Bind(1, id->get<std::string>())
      .Bind(2, version->get<int64_t>())
      .Bind(3, DumpJson(form))
      .Run();
}

// The WHERE clause and its parameters for a filter; parameters are numbered
// in order from ?1.
struct FilterSql {
  std::string where;
  std::vector<std::string> params;
};

FilterSql BuildFilter(const ReportFilter& f) {
  FilterSql out;
  auto add = [&](const std::string& clause, const std::string& value) {
    out.where += out.where.empty() ? " WHERE " : " AND ";
    out.params.push_back(value);
    std::string n = "?" + std::to_string(out.params.size());
    std::string c = clause;
    for (size_t pos; (pos = c.find("?N")) != std::string::npos;) c.replace(pos, 2, n);
    out.where += c;
  };
  if (f.status) add("status = ?N", std::string(ReportStatusName(*f.status)));
  if (!f.form_id.empty()) add("form_id = ?N", f.form_id);
  if (!f.project_code.empty()) add("project_code = ?N", f.project_code);
  if (!f.period.empty()) add("period = ?N", f.period);
  if (!f.search.empty()) {
    std::string needle;
    for (char ch : f.search)
      needle += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    add("(instr(id, ?N) > 0 OR instr(lower(project_code), ?N) > 0 OR instr(lower(values_json), ?N) "
        "> 0)",
        needle);
  }
  return out;
}

Status ApplyReportChange(StatementCache& c, const PullChange& change, int64_t now) {
  STORE_ASSIGN_OR_RETURN(Report server, ReportFromJson(change.data));
  STORE_ASSIGN_OR_RETURN(std::optional<StoredReport> local, LoadReport(c, server.id));
  if (!local) {
    // A report this device does not hold (e.g. created before a reinstall).
    StoredReport s;
    s.report = server;
    if (s.report.created_at_ms == 0) s.report.created_at_ms = now;
    s.report.updated_at_ms = now;
    FS_RETURN_IF_ERROR(SaveReport(c, s));
    return AddHistory(c, s.report.id, now, kHqAuthor, "server",
                      {"status", json(), std::string(ReportStatusName(s.report.status))},
                      "received from HQ");
  }
  if (server.server_version < local->report.server_version) return Status::Ok();  // stale copy
  std::vector<FieldChange> changes = MergeServerCopy(*local, server, {});
  if (!changes.empty()) local->report.updated_at_ms = now;
  FS_RETURN_IF_ERROR(SaveReport(c, *local));
  return AddHistoryRows(c, local->report.id, now, kHqAuthor, "server", changes);
}

Status ApplyReviewChange(StatementCache& c, const PullChange& change, int64_t now) {
  const json& d = change.data;
  if (!d.is_object()) return Status::InvalidArgument("a review must be a JSON object");
  std::string report_id = change.key;
  if (auto it = d.find("report_id"); it != d.end()) {
    if (!it->is_string()) return Status::InvalidArgument("review \"report_id\" must be a string");
    report_id = it->get<std::string>();
  }
  if (report_id.empty()) return Status::InvalidArgument("a review needs a \"report_id\"");
  auto decision = d.find("decision");
  ReportStatus status;
  if (decision == d.end() || !decision->is_string() ||
      (*decision != "approved" && *decision != "returned") ||
      !ParseReportStatus(decision->get<std::string>(), &status))
    return Status::InvalidArgument("review of report " + report_id +
                                   " needs a \"decision\" of \"approved\" or \"returned\"");
  int64_t server_version = 0;
  if (auto it = d.find("server_version"); it != d.end() && !it->is_null()) {
    if (!it->is_number_integer())
      return Status::InvalidArgument("review \"server_version\" must be a whole number");
    server_version = it->get<int64_t>();
  }
  auto text = [&](const char* member) { return StringMember(d, member); };
  STORE_ASSIGN_OR_RETURN(std::optional<StoredReport> local, LoadReport(c, report_id));
  if (!local) return Status::Ok();  // nothing on this device to attach it to
  Report& r = local->report;
  if (server_version != 0 && server_version < r.server_version)
    return Status::Ok();  // stale review
  json field_comments = Member(d, "field_comments");
  if (!field_comments.is_object()) field_comments = json::object();
  r.review = {{"decision", decision->get<std::string>()},
              {"comment", text("comment")},
              {"field_comments", field_comments},
              {"reviewer", text("reviewer")},
              {"at", Member(d, "at")}};
  FieldChange ch{"status", std::string(ReportStatusName(r.status)),
                 std::string(ReportStatusName(status))};
  r.status = status;
  if (server_version > r.server_version) r.server_version = server_version;
  r.updated_at_ms = now;
  FS_RETURN_IF_ERROR(SaveReport(c, *local));
  std::string reviewer = text("reviewer");
  return AddHistory(c, r.id, now, reviewer.empty() ? kHqAuthor : reviewer, "review", ch,
                    text("comment"));
}

Status ApplyOneChange(StatementCache& c, const PullChange& change, int64_t now) {
  if (change.kind == "project") return UpsertProjectRow(c, change.data, change.key);
  if (change.kind == "form") return UpsertFormRow(c, change.data);
  if (change.kind == "report") return ApplyReportChange(c, change, now);
  if (change.kind == "review") return ApplyReviewChange(c, change, now);
  return Status::InvalidArgument(
      "unknown change kind '" + change.kind +
      "' (this build knows project, form, report, review; update fieldsync)");
}

Status SetMetaInt(StatementCache& c, std::string_view key, int64_t v) {
  return MetaSet(c, key, std::to_string(v));
}

}  // namespace

namespace internal {

Result<std::optional<std::string>> MetaGet(StatementCache& c, std::string_view key) {
  STORE_ASSIGN_OR_RETURN(Stmt st, c.Prepare("SELECT value FROM meta WHERE key = ?1"));
  st.Bind(1, key);
  STORE_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(st.Text(0));
}

Status MetaSet(StatementCache& c, std::string_view key, std::string_view value) {
  STORE_ASSIGN_OR_RETURN(Stmt st,
                         c.Prepare("INSERT INTO meta(key, value) VALUES(?1, ?2) "
                                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
  return st.Bind(1, key).Bind(2, value).Run();
}

}  // namespace internal

int CurrentSchemaVersion() { return internal::LatestSchemaVersion(); }

std::string NewReportId() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    // OpenSSL's generator failed to seed; the kernel's is as good.
    size_t got = 0;
    while (got < sizeof bytes) {
      ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
      if (n > 0) got += static_cast<size_t>(n);
    }
  }
  static const char* kHex = "0123456789abcdef";
  std::string id(32, '0');
  for (size_t i = 0; i < sizeof bytes; ++i) {
    id[2 * i] = kHex[bytes[i] >> 4];
    id[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return id;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// --- opening ---

Store::Store() = default;

Store::~Store() {
  impl_.reset();  // statements before the connection
  if (db_) sqlite3_close_v2(db_);
}

Result<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir / "attachments", ec);
  if (ec)
    return Status::IOError("cannot create the data folder '" + data_dir.string() +
                           "': " + ec.message());
  std::unique_ptr<Store> store(new Store());
  store->data_dir_ = data_dir;
  std::filesystem::path path = data_dir / "fieldsync.db";
  int rc =
      sqlite3_open_v2(path.c_str(), &store->db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s =
        internal::SqliteStatus(store->db_, rc, "cannot open the database '" + path.string() + "'");
    return Status::IOError(s.message());
  }
  sqlite3* db = store->db_;
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  std::string where = "cannot set up the database '" + path.string() + "'";
  FS_RETURN_IF_ERROR(internal::ExecSql(db, "PRAGMA foreign_keys = ON", where));
  // Refuse a newer file before touching it (the journal mode is written to it).
  FS_RETURN_IF_ERROR(internal::CheckNotNewer(db));
  {
    sqlite3_stmt* st = nullptr;
    rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, nullptr);
    std::string mode;
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
      mode = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (mode != "wal") {
      if (rc != SQLITE_ROW) return internal::SqliteStatus(db, rc, where);
      return Status::IOError(
          where + ": the file system does not support write-ahead logging (journal mode is '" +
          mode + "'); keep the data folder on a local disk");
    }
  }
  FS_RETURN_IF_ERROR(internal::ExecSql(db, "PRAGMA synchronous = FULL", where));
  // Savepoint journals (store calls nested in a caller's transaction) and
  // sorts stay in memory; they are small and a temp file per call is slow.
  FS_RETURN_IF_ERROR(internal::ExecSql(db, "PRAGMA temp_store = MEMORY", where));
  FS_RETURN_IF_ERROR(internal::ExecSql(db, "PRAGMA cache_size = -16384", where));
  FS_RETURN_IF_ERROR(internal::Migrate(db).WithContext(path.string()));
  store->impl_ = std::make_unique<Impl>(db);
  return store;
}

// --- reference data ---

Status Store::UpsertProject(const json& project) {
  Transaction tx(db_);
  FS_RETURN_IF_ERROR(tx.Begin());
  FS_RETURN_IF_ERROR(UpsertProjectRow(impl_->stmts, project, ""));
  return tx.Commit();
}

Result<std::vector<json>> Store::ListProjects() {
  STORE_ASSIGN_OR_RETURN(Stmt st,
                         impl_->stmts.Prepare("SELECT code, json FROM projects ORDER BY code"));
  std::vector<json> out;
  for (;;) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    STORE_ASSIGN_OR_RETURN(json p, ParseStoredJson(st.Text(1), "project " + st.Text(0)));
    out.push_back(std::move(p));
  }
  return out;
}

Result<json> Store::GetProject(const std::string& code) {
  STORE_ASSIGN_OR_RETURN(Stmt st,
                         impl_->stmts.Prepare("SELECT json FROM projects WHERE code = ?1"));
  st.Bind(1, code);
  STORE_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row)
    return Status::NotFound("project '" + code +
                            "' is not on this device; sync to fetch the project list");
  return ParseStoredJson(st.Text(0), "project " + code);
}

Status Store::UpsertForm(const json& definition) {
  Transaction tx(db_);
  FS_RETURN_IF_ERROR(tx.Begin());
  FS_RETURN_IF_ERROR(UpsertFormRow(impl_->stmts, definition));
  return tx.Commit();
}

Result<std::vector<json>> Store::ListForms() {
  STORE_ASSIGN_OR_RETURN(
      Stmt st,
      impl_->stmts.Prepare("SELECT f.id, f.json FROM forms f WHERE f.version = "
                           "(SELECT MAX(version) FROM forms g WHERE g.id = f.id) ORDER BY f.id"));
  std::vector<json> out;
  for (;;) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    STORE_ASSIGN_OR_RETURN(json f, ParseStoredJson(st.Text(1), "form " + st.Text(0)));
    out.push_back(std::move(f));
  }
  return out;
}

Result<json> Store::GetForm(const std::string& id, int version) {
  STORE_ASSIGN_OR_RETURN(
      Stmt st,
      impl_->stmts.Prepare("SELECT json FROM forms WHERE id = ?1 AND (?2 = 0 OR version = ?2) "
                           "ORDER BY version DESC LIMIT 1"));
  st.Bind(1, id).Bind(2, version);
  STORE_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) {
    std::string what =
        version ? "form '" + id + "' version " + std::to_string(version) : "form '" + id + "'";
    return Status::NotFound(what + " is not on this device; sync to fetch the forms");
  }
  return ParseStoredJson(st.Text(0), "form " + id);
}

// --- reports ---

Result<Report> Store::CreateReport(const Report& draft) {
  if (draft.status != ReportStatus::kDraft && draft.status != ReportStatus::kFinalized)
    return Status::InvalidArgument("a new report is a draft or finalized, not " +
                                   std::string(ReportStatusName(draft.status)));
  if (draft.form_id.empty()) return Status::InvalidArgument("a report needs a form");
  if (draft.project_code.empty()) return Status::InvalidArgument("a report needs a project");
  if (!draft.values.is_object() && !draft.values.is_null())
    return Status::InvalidArgument("report values must be an object of field names to values");
  for (char ch : draft.id)
    if (!isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_')
      return Status::InvalidArgument("report id '" + draft.id +
                                     "' may only hold letters, digits, '-' and '_'");
  auto& c = impl_->stmts;
  int64_t now = NowMs();
  StoredReport s;
  s.report = draft;
  Report& r = s.report;
  if (r.id.empty()) r.id = NewReportId();
  if (r.values.is_null()) r.values = json::object();
  if (r.created_at_ms == 0) r.created_at_ms = now;
  r.updated_at_ms = now;
  r.review = json();
  r.has_conflict = false;
  std::vector<FieldChange> changes;
  for (auto& [name, value] : r.values.items())
    if (!value.is_null()) changes.push_back({name, json(), value});
  changes.push_back({"status", json(), std::string(ReportStatusName(r.status))});

  Transaction tx(db_);
  FS_RETURN_IF_ERROR(tx.Begin());
  STORE_ASSIGN_OR_RETURN(std::optional<StoredReport> existing, LoadReport(c, r.id));
  if (existing) return Status::AlreadyExists("report " + r.id + " already exists");
  FS_RETURN_IF_ERROR(RecordDeviceChange(c, s, changes, r.author, now));
  FS_RETURN_IF_ERROR(tx.Commit());
  return r;
}

Result<Report> Store::SetValues(const std::string& id, const json& changes,
                                const std::string& author) {
  if (!changes.is_object())
    return Status::InvalidArgument("changes must be an object of field names to values");
  auto& c = impl_->stmts;
  int64_t now = NowMs();
  Transaction tx(db_);
  FS_RETURN_IF_ERROR(tx.Begin());
  STORE_ASSIGN_OR_RETURN(StoredReport s, LoadExistingReport(c, id));
  Report& r = s.report;
  if (r.status == ReportStatus::kReceived || r.status == ReportStatus::kApproved)
    return Status::FailedPrecondition("report " + id + " is with HQ for review (" +
                                      std::string(ReportStatusName(r.status)) +
                                      "); it can be edited again if HQ returns it");
  std::vector<FieldChange> diff;
  for (const auto& [name, value] : changes.items()) {
    if (name.empty()) return Status::InvalidArgument("a field name is empty");
    auto it = r.values.find(name);
    if (value.is_null()) {
      if (it == r.values.end()) continue;
      diff.push_back({name, *it, json()});
      r.values.erase(it);
    } else if (it == r.values.end() || *it != value) {
      diff.push_back({name, it == r.values.end() ? json() : *it, value});
      r.values[name] = value;
    }
  }
  if (diff.empty()) return std::move(r);  // nothing changed: no history, no outbox entry
  r.updated_at_ms = now;
  FS_RETURN_IF_ERROR(RecordDeviceChange(c, s, diff, author, now));
  FS_RETURN_IF_ERROR(tx.Commit());
  return std::move(r);
}

Result<Report> Store::Finalize(const std::string& id, const std::string& author) {
  auto& c = impl_->stmts;
  int64_t now = NowMs();
  Transaction tx(db_);
  FS_RETURN_IF_ERROR(tx.Begin());
  STORE_ASSIGN_OR_RETURN(StoredReport s, LoadExistingReport(c, id));
  Report& r = s.report;
  switch (r.status) {
    case ReportStatus::kDraft:
    case ReportStatus::kReturned:
      break;
    case ReportStatus::kFinalized:
      return Status::FailedPrecondition("report " + id + " is already finalized");
    case ReportStatus::kReceived:
    case ReportStatus::kApproved:
      return Status::FailedPrecondition("report " + id + " is with HQ for review (" +
                                        std::string(ReportStatusName(r.status)) +
                                        "); it can be finalized again only if HQ returns it");
  }
  FieldChange ch{"status", std::string(ReportStatusName(r.status)), "finalized"};
  r.status = ReportStatus::kFinalized;
  r.updated_at_ms = now;
  FS_RETURN_IF_ERROR(RecordDeviceChange(c, s, {ch}, author, now));
  FS_RETURN_IF_ERROR(tx.Commit());
  return std::move(r);
}

Result<Report> Store::GetReport(const std::string& id) {
  STORE_ASSIGN_OR_RETURN(StoredReport s, LoadExistingReport(impl_->stmts, id));
  return std::move(s.report);
}

Result<std::vector<Report>> Store::ListReports(const ReportFilter& filter) {
  FilterSql f = BuildFilter(filter);
  std::string sql = std::string("SELECT ") + kReportColumns + " FROM reports" + f.where +
                    " ORDER BY updated_at_ms DESC, id DESC LIMIT ?" +
                    std::to_string(f.params.size() + 1) + " OFFSET ?" +
                    std::to_string(f.params.size() + 2);
  STORE_ASSIGN_OR_RETURN(Stmt st, impl_->stmts.Prepare(sql));
  for (size_t i = 0; i < f.params.size(); ++i) st.Bind(static_cast<int>(i + 1), f.params[i]);
  st.Bind(static_cast<int>(f.params.size() + 1), filter.limit > 0 ? filter.limit : -1);
  st.Bind(static_cast<int>(f.params.size() + 2), filter.offset > 0 ? filter.offset : 0);
  std::vector<Report> out;
  for (;;) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    STORE_ASSIGN_OR_RETURN(StoredReport s, ReportFromRow(st));
    out.push_back(std::move(s.report));
  }
  return out;
}

Result<int64_t> Store::CountReports(const ReportFilter& filter) {
  FilterSql f = BuildFilter(filter);
  STORE_ASSIGN_OR_RETURN(Stmt st, impl_->stmts.Prepare("SELECT COUNT(*) FROM reports" + f.where));
  for (size_t i = 0; i < f.params.size(); ++i) st.Bind(static_cast<int>(i + 1), f.params[i]);
  STORE_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Result<std::vector<HistoryEntry>> Store::History(const std::string& report_id) {
  auto& c = impl_->stmts;
  STORE_ASSIGN_OR_RETURN(std::optional<StoredReport> s, LoadReport(c, report_id));
  if (!s) return Status::NotFound("report " + report_id + " is not on this device");
  STORE_ASSIGN_OR_RETURN(
      Stmt st, c.Prepare("SELECT id, at_ms, author, source, field, old_json, new_json, note "
                         "FROM history WHERE report_id = ?1 ORDER BY id"));
  st.Bind(1, report_id);
  std::vector<HistoryEntry> out;
  for (;;) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    HistoryEntry h;
    h.id = st.Int(0);
    h.report_id = report_id;
    h.at_ms = st.Int(1);
    h.author = st.Text(2);
    h.source = st.Text(3);
    h.field = st.Text(4);
    STORE_ASSIGN_OR_RETURN(h.old_value, ParseStoredJson(st.Text(5), "history"));
    STORE_ASSIGN_OR_RETURN(h.new_value, ParseStoredJson(st.Text(6), "history"));
    h.note = st.Text(7);
    out.push_back(std::move(h));
  }
  return out;
}

Status Store::MarkConflictSeen(const std::string& id) {
  Transaction tx(db_);
  FS_RETURN_IF_ERROR(tx.Begin());
  STORE_ASSIGN_OR_RETURN(Stmt st,
                         impl_->stmts.Prepare("UPDATE reports SET has_conflict = 0 WHERE id = ?1"));
  FS_RETURN_IF_ERROR(st.Bind(1, id).Run());
  if (st.Changes() == 0) return Status::NotFound("report " + id + " is not on this device");
  return tx.Commit();
}

// --- outbox ---

Result<int64_t> Store::PendingCount() {
  STORE_ASSIGN_OR_RETURN(Stmt st, impl_->stmts.Prepare("SELECT COUNT(*) FROM outbox"));
  STORE_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Result<std::vector<OutboxEntry>> Store::PeekOutbox(int64_t after_seq, size_t max_bytes,
                                                   int max_entries) {
  STORE_ASSIGN_OR_RETURN(Stmt st,
                         impl_->stmts.Prepare("SELECT seq, report_id, kind, payload, created_at_ms "
                                              "FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2"));
  st.Bind(1, after_seq).Bind(2, max_entries > 0 ? max_entries : 1);
  std::vector<OutboxEntry> out;
  size_t total = 0;
  for (;;) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    OutboxEntry e;
    e.seq = st.Int(0);
    std::string text = st.Text(3);
    e.payload_bytes = text.size();
    if (!out.empty() && total + e.payload_bytes > max_bytes) break;
    e.report_id = st.Text(1);
    e.kind = st.Text(2);
    STORE_ASSIGN_OR_RETURN(e.payload,
                           ParseStoredJson(text, "outbox entry " + std::to_string(e.seq)));
    e.created_at_ms = st.Int(4);
    total += e.payload_bytes;
    out.push_back(std::move(e));
  }
  return out;
}

Status Store::AckPush(int64_t acked_seq, const std::vector<PushResult>& results) {
  auto& c = impl_->stmts;
  int64_t now = NowMs();
  Transaction tx(db_);
  FS_RETURN_IF_ERROR(tx.Begin());
  for (const PushResult& res : results) {
    std::string report_id, kind, payload_text;
    {
      STORE_ASSIGN_OR_RETURN(
          Stmt st, c.Prepare("SELECT report_id, kind, payload FROM outbox WHERE seq = ?1"));
      st.Bind(1, res.seq);
      STORE_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) continue;  // already acknowledged, or collapsed into a newer entry
      report_id = st.Text(0);
      kind = st.Text(1);
      payload_text = st.Text(2);
    }
    std::string where = "push result for entry " + std::to_string(res.seq);
    if (res.outcome == "rejected") {
      STORE_ASSIGN_OR_RETURN(
          Stmt ins,
          c.Prepare("INSERT INTO dead_letters(seq, report_id, kind, payload, reason, at_ms) "
                    "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(seq) DO NOTHING"));
      std::string reason =
          res.reason.empty() ? "HQ rejected the change without giving a reason" : res.reason;
      FS_RETURN_IF_ERROR(ins.Bind(1, res.seq)
                             .Bind(2, report_id)
                             .Bind(3, kind)
                             .Bind(4, payload_text)
                             .Bind(5, reason)
                             .Bind(6, now)
                             .Run());
      STORE_ASSIGN_OR_RETURN(Stmt del, c.Prepare("DELETE FROM outbox WHERE seq = ?1"));
      FS_RETURN_IF_ERROR(del.Bind(1, res.seq).Run());
      continue;  // the fields stay dirty: the officer's values were not accepted
    }
    if (res.outcome != "applied" && res.outcome != "merged" && res.outcome != "conflict")
      return Status::InvalidArgument(where + " has an unknown outcome '" + res.outcome +
                                     "' (expected applied, merged, conflict or rejected)");
    if (res.seq > acked_seq) continue;  // not acknowledged yet; it will be sent again
    STORE_ASSIGN_OR_RETURN(
        json payload, ParseStoredJson(payload_text, "outbox entry " + std::to_string(res.seq)));
    STORE_ASSIGN_OR_RETURN(StoredReport s, LoadExistingReport(c, report_id));
    std::set<std::string> sent;
    AddNames(Member(payload, "changed"), &sent);
    for (const auto& f : sent) s.dirty.erase(f);
    if (res.server_version > s.report.server_version) s.report.server_version = res.server_version;

    std::set<std::string> conflict_fields;
    if (res.outcome == "conflict") {
      if (!res.conflicts.is_array())
        return Status::InvalidArgument(where + ": \"conflicts\" must be a list");
      for (const auto& cf : res.conflicts)
        if (cf.is_object() && cf.contains("field") && cf["field"].is_string())
          conflict_fields.insert(cf["field"].get<std::string>());
    }
    std::vector<FieldChange> changes;
    if (res.report.is_object()) {
      Result<Report> server = ReportFromJson(res.report);
      if (!server.ok()) return server.status().WithContext(where);
      changes = MergeServerCopy(s, server.value(), conflict_fields);
      if (!changes.empty()) s.report.updated_at_ms = now;
    }
    FS_RETURN_IF_ERROR(AddHistoryRows(c, s.report.id, now, kHqAuthor, "server", changes));
    for (const auto& cf : res.conflicts) {
      if (!cf.is_object() || !cf.contains("field") || !cf["field"].is_string()) continue;
      bool device_won = StringMember(cf, "winner") == "device";
      json kept = Member(cf, "kept");
      json lost = Member(cf, "lost");
      std::string note =
          device_won ? "device value kept; HQ's value " + DumpJson(lost) + " lost the conflict"
                     : "HQ's value kept; device value " + DumpJson(lost) + " lost the conflict";
      FS_RETURN_IF_ERROR(AddHistory(c, s.report.id, now, kHqAuthor, "conflict",
                                    {cf["field"].get<std::string>(), lost, kept}, note));
      s.report.has_conflict = true;
    }
    FS_RETURN_IF_ERROR(SaveReport(c, s));
  }
  // Entries acknowledged without a result of their own were applied as sent.
  {
    std::vector<std::pair<std::string, json>> acked;
    {
      STORE_ASSIGN_OR_RETURN(Stmt st,
                             c.Prepare("SELECT seq, report_id, json_extract(payload, '$.changed') "
                                       "FROM outbox WHERE seq <= ?1"));
      st.Bind(1, acked_seq);
      for (;;) {
        STORE_ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        json changed;
        if (!st.IsNull(2)) {
          STORE_ASSIGN_OR_RETURN(
              changed, ParseStoredJson(st.Text(2), "outbox entry " + std::to_string(st.Int(0))));
        }
        acked.emplace_back(st.Text(1), std::move(changed));
      }
    }
    for (const auto& [report_id, changed] : acked) {
      std::set<std::string> sent;
      AddNames(changed, &sent);
      if (sent.empty()) continue;
      STORE_ASSIGN_OR_RETURN(StoredReport s, LoadExistingReport(c, report_id));
      size_t before = s.dirty.size();
      for (const auto& f : sent) s.dirty.erase(f);
      if (s.dirty.size() != before) FS_RETURN_IF_ERROR(SaveReport(c, s));
    }
    STORE_ASSIGN_OR_RETURN(Stmt del, c.Prepare("DELETE FROM outbox WHERE seq <= ?1"));
    FS_RETURN_IF_ERROR(del.Bind(1, acked_seq).Run());
  }
  return tx.Commit();
}

Result<std::vector<DeadLetter>> Store::DeadLetters() {
  STORE_ASSIGN_OR_RETURN(
      Stmt st, impl_->stmts.Prepare("SELECT seq, report_id, reason, at_ms FROM dead_letters "
                                    "ORDER BY seq"));
  std::vector<DeadLetter> out;
  for (;;) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({st.Int(0), st.Text(1), st.Text(2), st.Int(3)});
  }
  return out;
}

Status Store::Resend(int64_t dead_letter_seq) {
  auto& c = impl_->stmts;
  int64_t now = NowMs();
  Transaction tx(db_);
  FS_RETURN_IF_ERROR(tx.Begin());
  std::string report_id, payload_text;
  {
    STORE_ASSIGN_OR_RETURN(Stmt st,
                           c.Prepare("SELECT report_id, payload FROM dead_letters WHERE seq = ?1"));
    st.Bind(1, dead_letter_seq);
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row)
      return Status::NotFound("there is no rejected change number " +
                              std::to_string(dead_letter_seq));
    report_id = st.Text(0);
    payload_text = st.Text(1);
  }
  STORE_ASSIGN_OR_RETURN(json payload, ParseStoredJson(payload_text, "rejected change"));
  STORE_ASSIGN_OR_RETURN(StoredReport s, LoadExistingReport(c, report_id));
  AddNames(Member(payload, "changed"), &s.dirty);
  FS_RETURN_IF_ERROR(SaveReport(c, s));
  FS_RETURN_IF_ERROR(EnqueueReport(c, s, now));
  STORE_ASSIGN_OR_RETURN(Stmt del, c.Prepare("DELETE FROM dead_letters WHERE seq = ?1"));
  FS_RETURN_IF_ERROR(del.Bind(1, dead_letter_seq).Run());
  return tx.Commit();
}

// --- pull ---

Status Store::ApplyPull(const std::vector<PullChange>& changes, const std::string& new_cursor) {
  auto& c = impl_->stmts;
  int64_t now = NowMs();
  Transaction tx(db_);
  FS_RETURN_IF_ERROR(tx.Begin());
  for (size_t i = 0; i < changes.size(); ++i) {
    Status s = ApplyOneChange(c, changes[i], now);
    if (!s.ok())
      return s.WithContext("change " + std::to_string(i + 1) + " of " +
                           std::to_string(changes.size()) + " from HQ (" + changes[i].kind + " " +
                           changes[i].key + ")");
  }
  FS_RETURN_IF_ERROR(MetaSet(c, "cursor", new_cursor));
  return tx.Commit();
}

// --- device identity and sync state ---

Result<DeviceState> Store::GetDeviceState() {
  STORE_ASSIGN_OR_RETURN(Stmt st, impl_->stmts.Prepare("SELECT key, value FROM meta"));
  DeviceState d;
  auto to_int = [](const std::string& v) -> int64_t {
    try {
      return std::stoll(v);
    } catch (const std::exception&) {
      return 0;
    }
  };
  for (;;) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    std::string key = st.Text(0), value = st.Text(1);
    if (key == "device_id")
      d.device_id = value;
    else if (key == "server_url")
      d.server_url = value;
    else if (key == "token")
      d.token = value;
    else if (key == "officer")
      d.officer = value;
    else if (key == "region")
      d.region = value;
    else if (key == "cursor")
      d.cursor = value;
    else if (key == "last_sync_ok_ms")
      d.last_sync_ok_ms = to_int(value);
    else if (key == "last_error")
      d.last_error = value;
    else if (key == "last_error_ms")
      d.last_error_ms = to_int(value);
  }
  return d;
}

Status Store::SetEnrollment(const std::string& server_url, const std::string& device_id,
                            const std::string& token, const std::string& officer,
                            const std::string& region) {
  auto& c = impl_->stmts;
  Transaction tx(db_);
  FS_RETURN_IF_ERROR(tx.Begin());
  FS_RETURN_IF_ERROR(MetaSet(c, "server_url", server_url));
  FS_RETURN_IF_ERROR(MetaSet(c, "device_id", device_id));
  FS_RETURN_IF_ERROR(MetaSet(c, "token", token));
  FS_RETURN_IF_ERROR(MetaSet(c, "officer", officer));
  FS_RETURN_IF_ERROR(MetaSet(c, "region", region));
  return tx.Commit();
}

Status Store::RecordSyncSuccess(int64_t at_ms) {
  auto& c = impl_->stmts;
  Transaction tx(db_);
  FS_RETURN_IF_ERROR(tx.Begin());
  FS_RETURN_IF_ERROR(SetMetaInt(c, "last_sync_ok_ms", at_ms));
  FS_RETURN_IF_ERROR(MetaSet(c, "last_error", ""));
  FS_RETURN_IF_ERROR(SetMetaInt(c, "last_error_ms", 0));
  return tx.Commit();
}

Status Store::RecordSyncError(const std::string& message, int64_t at_ms) {
  auto& c = impl_->stmts;
  Transaction tx(db_);
  FS_RETURN_IF_ERROR(tx.Begin());
  FS_RETURN_IF_ERROR(MetaSet(c, "last_error", message));
  FS_RETURN_IF_ERROR(SetMetaInt(c, "last_error_ms", at_ms));
  return tx.Commit();
}

Result<std::string> Store::GetSetting(const std::string& key, const std::string& fallback) {
  STORE_ASSIGN_OR_RETURN(Stmt st,
                         impl_->stmts.Prepare("SELECT value FROM settings WHERE key = ?1"));
  st.Bind(1, key);
  STORE_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Text(0) : fallback;
}

Status Store::SetSetting(const std::string& key, const std::string& value) {
  Transaction tx(db_);
  FS_RETURN_IF_ERROR(tx.Begin());
  STORE_ASSIGN_OR_RETURN(
      Stmt st, impl_->stmts.Prepare("INSERT INTO settings(key, value) VALUES(?1, ?2) "
                                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
  FS_RETURN_IF_ERROR(st.Bind(1, key).Bind(2, value).Run());
  return tx.Commit();
}

}  // namespace fieldsync::store
