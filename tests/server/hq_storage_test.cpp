// tests/server/hq_storage_test.cpp — the SQLite side of the dashboard: the
// chart summaries and the search index, folded in after the commit, agree
// with the reports through inserts, upserts (reviews, corrections,
// resubmissions) and deletes once Storage::CatchUpDerived() returns, and the
// background step folds on its own; version-1 and version-3 databases
// migrate with their reports indexed; users and sessions store what they
// should.
#include <sqlite3.h>

#include <cmath>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "server/dashboard.h"
#include "server/export.h"
#include "server/sqlite_hq.h"
#include "tests/server/hq_test_util.h"

namespace fieldsync::server::hq_testing {
namespace {

StoredReport Report(int n, const std::string& project, const std::string& status, json values) {
  StoredReport r;
  r.id = Id(7, n);
  r.device_id = "d_0000000000000001";
  r.project = project;
  r.form_id = "agriculture";
  r.form_version = 1;
  r.period = values.value("period", "2026-01");
  r.values = std::move(values);
  r.status = status;
  r.author = "Amina";
  r.server_version = 1;
  r.received_at_ms = 1000 + n;
  return r;
}

using Totals = std::map<std::pair<std::string, std::string>,
                        std::pair<int64_t, std::map<std::string, double>>>;

// What the summaries should say, from the reports themselves.
Totals Expected(Storage& storage, const std::vector<std::string>& fields,
                const std::string& status) {
  Totals t;
  Status s = storage.Read([&](StorageReader& tx) {
    return tx.ForEachReport([&](const StoredReport& r) {
      if (!status.empty() && r.status != status) return Status::Ok();
      auto& cell = t[{r.project, r.period}];
      cell.first += 1;
      for (const std::string& f : fields) {
        auto it = r.values.find(f);
        if (it != r.values.end() && it->is_number()) cell.second[f] += it->get<double>();
      }
      return Status::Ok();
    });
  });
  REQUIRE(s.ok());
  return t;
}

Totals FromSummaries(Storage& storage, const std::vector<std::string>& fields,
                     const std::string& status) {
  Totals t;
  ReportFilter f;
  f.status = status;
  Status s = storage.Read([&](StorageReader& tx) -> Status {
    auto a = tx.AggregateReports(f, fields);
    REQUIRE_MESSAGE(a.ok(), a.status().ToString());
    for (const ReportAggregate& x : *a) {
      auto& cell = t[{x.project, x.period}];
      cell.first = x.reports;
      for (const auto& [k, v] : x.sums)
        if (v != 0) cell.second[k] = v;
    }
    return Status::Ok();
  });
  REQUIRE(s.ok());
  return t;
}

// How many reports the inbox search for `text` finds, as stored now (no
// catching up first).
size_t SearchHits(Storage& storage, const std::string& text) {
  InboxQuery q;
  q.filter.search = text;
  size_t hits = 0;
  REQUIRE(storage.Read([&](StorageReader& tx) -> Status {
                   auto p = tx.QueryInbox(q);
                   REQUIRE(p.ok());
                   hits = p->rows.size();
                   return Status::Ok();
                 }).ok());
  return hits;
}

void CheckSame(const Totals& a, const Totals& b) {
  REQUIRE(a.size() == b.size());
  for (const auto& [key, cell] : a) {
    auto it = b.find(key);
    REQUIRE_MESSAGE(it != b.end(), key.first << " " << key.second);
    CHECK(cell.first == it->second.first);
    for (const auto& [f, v] : cell.second) {
      auto jt = it->second.second.find(f);
      double other = jt == it->second.second.end() ? 0 : jt->second;
      CHECK_MESSAGE(std::fabs(v - other) < 1e-6, key.first << " " << key.second << " " << f);
    }
  }
}

TEST_CASE("chart summaries follow every insert, upsert and delete of reports") {
  TempDir dir;
  auto storage = OpenSqliteStorage(dir.path() / "hq.db");
  REQUIRE(storage.ok());
  Storage& st = **storage;
  const std::vector<std::string> fields = {"farmers_trained", "hectares_planted"};
  std::mt19937 rng(3);
  const char* projects[] = {"TRI-AGR-001", "SSC-AGR-002", "REG-AGR-003"};
  const char* statuses[] = {"received", "approved", "returned", "draft"};
  std::vector<StoredReport> reports;
  for (int i = 0; i < 200; ++i) {
    json v = AgricultureValues("2026-0" + std::to_string(1 + i % 4), static_cast<int>(rng() % 500),
                               static_cast<int>(rng() % 1000) / 4.0, false);
    if (i % 7 == 0) v.erase("hectares_planted");
    reports.push_back(Report(i, projects[i % 3], statuses[i % 4], v));
  }
  REQUIRE(st.Write([&](StorageWriter& tx) -> Status {
              for (const StoredReport& r : reports) FS_RETURN_IF_ERROR(tx.PutReport(r));
              return Status::Ok();
            }).ok());
  REQUIRE(st.CatchUpDerived().ok());
  for (const char* s : {"", "received", "approved"})
    CheckSame(Expected(st, fields, s), FromSummaries(st, fields, s));

  // Upserts: reviews change the status, corrections the values, a resubmit
  // both and the period; a report may even move to another project.
  REQUIRE(st.Write([&](StorageWriter& tx) -> Status {
              for (int i = 0; i < 200; i += 3) {
                StoredReport r = reports[static_cast<size_t>(i)];
                r.status = statuses[(i / 3) % 4];
                r.values["farmers_trained"] = static_cast<int>(rng() % 900);
                if (i % 2) r.values.erase("farmers_trained");
                if (i % 5 == 0) r.values["hectares_planted"] = 1.25;
                if (i % 9 == 0) {
                  r.period = "2026-09";
                  r.values["period"] = "2026-09";
                  r.project = "SSC-AGR-002";
                }
                FS_RETURN_IF_ERROR(tx.PutReport(r));
              }
              return Status::Ok();
            }).ok());
  REQUIRE(st.CatchUpDerived().ok());
  for (const char* s : {"", "received", "returned", "draft"})
    CheckSame(Expected(st, fields, s), FromSummaries(st, fields, s));

  // Deletes (no code path deletes reports today; the summaries still agree).
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir.path() / "hq.db").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "DELETE FROM reports WHERE received_at_ms % 4 = 1", nullptr, nullptr,
                       nullptr) == SQLITE_OK);
  sqlite3_close(db);
  REQUIRE(st.CatchUpDerived().ok());
  CheckSame(Expected(st, fields, ""), FromSummaries(st, fields, ""));
}

TEST_CASE("search finds word prefixes of the id, author, project and text answers") {
  TempDir dir;
  auto storage = OpenSqliteStorage(dir.path() / "hq.db");
  REQUIRE(storage.ok());
  Storage& st = **storage;
  json v = AgricultureValues("2026-03", 10, 1.0, false);
  v["narrative"] = "Réunion à Kédougou: pompes réparées";
  StoredReport a = Report(1, "TRI-AGR-001", "received", v);
  StoredReport b =
      Report(2, "SSC-AGR-002", "received", AgricultureValues("2026-03", 10, 1.0, false));
  b.author = "Juma Mwangi";
  REQUIRE(st.Write([&](StorageWriter& tx) -> Status {
              FS_RETURN_IF_ERROR(tx.PutReport(a));
              return tx.PutReport(b);
            }).ok());
  auto find = [&](const std::string& q) {
    REQUIRE(st.CatchUpDerived().ok());
    std::set<std::string> ids;
    InboxQuery query;
    query.filter.search = q;
    query.count_limit = 100;
    Status s = st.Read([&](StorageReader& tx) -> Status {
      auto p = tx.QueryInbox(query);
      REQUIRE(p.ok());
      for (const InboxRow& r : p->rows) ids.insert(r.id);
      CHECK(p->total == static_cast<int64_t>(ids.size()));
      return Status::Ok();
    });
    REQUIRE(s.ok());
    return ids;
  };
  CHECK(find("kedou") == std::set<std::string>{a.id});  // accents do not matter
  CHECK(find("POMPES rep") == std::set<std::string>{a.id});
  CHECK(find("juma") == std::set<std::string>{b.id});
  CHECK(find("mwan jum") == std::set<std::string>{b.id});
  CHECK(find("agr").size() == 2);
  CHECK(find("ssc agr") == std::set<std::string>{b.id});
  CHECK(find(a.id) == std::set<std::string>{a.id});
  CHECK(find(a.id.substr(0, 10)).size() == 2);  // a prefix both ids share
  CHECK(find("pumps").empty());
  CHECK(find("-- %").empty());
  // An upsert reindexes.
  b.values["narrative"] = "wells dug";
  REQUIRE(st.Write([&](StorageWriter& tx) { return tx.PutReport(b); }).ok());
  CHECK(find("wells") == std::set<std::string>{b.id});
  // The exports' matcher follows the same rules.
  ReportFilter f;
  f.search = "kedou";
  ReportMatcher m(f, {});
  CHECK_FALSE(m.Matches(b));
  f.search = "pompes rep";
  CHECK(ReportMatcher(f, {}).Matches(a));
  f.search = "KÉDOUGOU";
  CHECK(ReportMatcher(f, {}).Matches(a));
  CHECK(find("KÉDOUGOU") == std::set<std::string>{a.id});
  CHECK(SearchTokens("Réunion à Kédougou: SSC-HLT-001") ==
        std::vector<std::string>{"reunion", "a", "kedougou", "ssc", "hlt", "001"});
  f.search = "mwan";
  CHECK(ReportMatcher(f, {}).Matches(b));
}

TEST_CASE("a version-1 database migrates, its reports indexed and summed") {
  TempDir dir;
  const auto path = dir.path() / "hq.db";
  {
    auto storage = OpenSqliteStorage(path);
    REQUIRE(storage.ok());
    REQUIRE((*storage)
                ->Write([&](StorageWriter& tx) -> Status {
                  for (int i = 0; i < 10; ++i)
                    FS_RETURN_IF_ERROR(
                        tx.PutReport(Report(i, "TRI-AGR-001", "received",
                                            AgricultureValues("2026-05", 10, 2.0, false))));
                  return Status::Ok();
                })
                .ok());
  }
  // Take the file back to version 1: what the HQ dashboard added, gone.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  const char* down =
      "DROP TRIGGER reports_hq_insert; DROP TRIGGER reports_hq_update; DROP TRIGGER "
      "reports_hq_delete;"
      "DROP TABLE reports_fts; DROP TABLE report_counts; DROP TABLE report_sums;"
      "DROP TABLE hq_users; DROP TABLE hq_sessions; DROP INDEX reports_inbox_covering;"
      "DROP INDEX reports_inbox_by_status; DROP INDEX reports_inbox_by_project;"
      "DROP INDEX reports_inbox_by_author; DROP TABLE hq_dirty; DROP TABLE hq_indexed;"
      "PRAGMA user_version = 1;";
  char* err = nullptr;
  REQUIRE_MESSAGE(sqlite3_exec(db, down, nullptr, nullptr, &err) == SQLITE_OK, (err ? err : ""));
  sqlite3_close(db);

  auto storage = OpenSqliteStorage(path);
  REQUIRE_MESSAGE(storage.ok(), storage.status().ToString());
  REQUIRE((*storage)->CatchUpDerived().ok());
  Status s = (*storage)->Read([&](StorageReader& tx) -> Status {
    auto a = tx.AggregateReports({}, {"farmers_trained"});
    REQUIRE(a.ok());
    REQUIRE(a->size() == 1);
    CHECK((*a)[0].reports == 10);
    CHECK((*a)[0].sums.at("farmers_trained") == 100);
    InboxQuery q;
    q.filter.search = Id(7, 3);
    auto p = tx.QueryInbox(q);
    REQUIRE(p.ok());
    CHECK(p->rows.size() == 1);
    auto users = tx.ListHqUsers();
    CHECK(users.ok());
    return Status::Ok();
  });
  CHECK(s.ok());
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(sqlite3_column_int(stmt, 0) == kSqliteSchemaVersion);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_CASE("summaries trail the reports until CatchUpDerived, then agree exactly") {
  TempDir dir;
  StorageOptions options;
  options.catch_up_delay_ms = 600'000;  // the background step stays out of the way
  options.catch_up_max_backlog = 1'000'000;
  auto storage = OpenSqliteStorage(dir.path() / "hq.db", options);
  REQUIRE(storage.ok());
  Storage& st = **storage;
  const std::vector<std::string> fields = {"farmers_trained"};
  auto put = [&](int n, const std::string& status, int farmers) {
    REQUIRE(st.Write([&](StorageWriter& tx) {
                return tx.PutReport(Report(n, "TRI-AGR-001", status,
                                           AgricultureValues("2026-02", farmers, 1.0, false)));
              }).ok());
  };
  put(1, "received", 10);
  put(2, "received", 20);
  // Folded in only on demand here: before it, the summaries do not show them.
  CHECK(FromSummaries(st, fields, "").empty());
  REQUIRE(st.CatchUpDerived().ok());
  CheckSame(Expected(st, fields, ""), FromSummaries(st, fields, ""));
  CHECK(FromSummaries(st, fields, "")[{"TRI-AGR-001", "2026-02"}].second["farmers_trained"] == 30);
  // An update takes out what the report contributed before, then adds the new.
  put(2, "approved", 5);
  REQUIRE(st.CatchUpDerived().ok());
  CheckSame(Expected(st, fields, "received"), FromSummaries(st, fields, "received"));
  CheckSame(Expected(st, fields, "approved"), FromSummaries(st, fields, "approved"));
  CHECK(FromSummaries(st, fields, "")[{"TRI-AGR-001", "2026-02"}].second["farmers_trained"] == 15);
  // More than one fold step's worth is caught up in one call.
  REQUIRE(st.Write([&](StorageWriter& tx) -> Status {
              for (int i = 100; i < 5100; ++i)
                FS_RETURN_IF_ERROR(tx.PutReport(Report(
                    i, "SSC-AGR-002", "received", AgricultureValues("2026-03", 1, 0.5, false))));
              return Status::Ok();
            }).ok());
  REQUIRE(st.CatchUpDerived().ok());
  CheckSame(Expected(st, fields, ""), FromSummaries(st, fields, ""));
}

TEST_CASE("the background step folds new reports in on its own") {
  TempDir dir;
  StorageOptions options;
  options.catch_up_delay_ms = 20;
  auto storage = OpenSqliteStorage(dir.path() / "hq.db", options);
  REQUIRE(storage.ok());
  Storage& st = **storage;
  json v = AgricultureValues("2026-04", 10, 1.0, false);
  v["narrative"] = "Tilapia ponds stocked";
  REQUIRE(st.Write([&](StorageWriter& tx) {
              return tx.PutReport(Report(9, "TRI-AGR-001", "received", v));
            }).ok());
  // Never calls CatchUpDerived: only the background step can make it found.
  bool found = false;
  for (int i = 0; i < 200 && !found; ++i) {
    found = SearchHits(st, "tilapia") == 1;
    if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(found);
}

TEST_CASE("under writes that never pause, the background step folds once the backlog is large") {
  TempDir dir;
  StorageOptions options;
  options.catch_up_delay_ms = 600'000;  // never quiet long enough
  options.catch_up_max_backlog = 50;
  auto storage = OpenSqliteStorage(dir.path() / "hq.db", options);
  REQUIRE(storage.ok());
  Storage& st = **storage;
  json v = AgricultureValues("2026-05", 10, 1.0, false);
  v["narrative"] = "Cassava cuttings distributed";
  REQUIRE(st.Write([&](StorageWriter& tx) -> Status {
              FS_RETURN_IF_ERROR(tx.PutReport(Report(1, "TRI-AGR-001", "received", v)));
              for (int i = 2; i < 60; ++i)
                FS_RETURN_IF_ERROR(tx.PutReport(Report(
                    i, "TRI-AGR-001", "received", AgricultureValues("2026-05", i, 1.0, false))));
              return Status::Ok();
            }).ok());
  // Keep writing (a report touched every 50 ms) and never call CatchUpDerived.
  bool found = false;
  for (int i = 0; i < 200 && !found; ++i) {
    REQUIRE(st.Write([&](StorageWriter& tx) {
                return tx.PutReport(Report(100 + i % 5, "TRI-AGR-001", "received",
                                           AgricultureValues("2026-05", i, 1.0, false)));
              }).ok());
    found = SearchHits(st, "cassava") == 1;
    if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(found);
}

TEST_CASE("a version-3 database migrates: what its triggers kept is the starting point") {
  TempDir dir;
  const auto path = dir.path() / "hq.db";
  std::vector<StoredReport> reports;
  for (int i = 0; i < 12; ++i)
    reports.push_back(Report(i, i % 2 ? "TRI-AGR-001" : "SSC-AGR-002", "received",
                             AgricultureValues("2026-06", 10 + i, 2.0, false)));
  {
    auto storage = OpenSqliteStorage(path);
    REQUIRE(storage.ok());
    REQUIRE((*storage)
                ->Write([&](StorageWriter& tx) -> Status {
                  for (const StoredReport& r : reports) FS_RETURN_IF_ERROR(tx.PutReport(r));
                  return Status::Ok();
                })
                .ok());
  }
  // Rebuild the file as version 3 left it: its DDL, its triggers, and a
  // review written while those triggers were in charge.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  const std::string down =
      "DROP TRIGGER reports_hq_insert; DROP TRIGGER reports_hq_update; DROP TRIGGER "
      "reports_hq_delete; DROP TABLE hq_dirty; DROP TABLE hq_indexed;"
      "DROP TABLE reports_fts; DROP TABLE report_counts; DROP TABLE report_sums;"
      "DROP TABLE hq_users; DROP TABLE hq_sessions; DROP INDEX reports_inbox_covering;"
      "DROP INDEX reports_inbox_by_status; DROP INDEX reports_inbox_by_project;"
      "DROP INDEX reports_inbox_by_author;" +
      std::string(sqlite_hq::kSchemaV2) + sqlite_hq::kSchemaV3 +
      "UPDATE reports SET status = 'approved' WHERE received_at_ms % 3 = 0;"
      "PRAGMA user_version = 3;";
  char* err = nullptr;
  REQUIRE_MESSAGE(sqlite3_exec(db, down.c_str(), nullptr, nullptr, &err) == SQLITE_OK,
                  (err ? err : ""));
  sqlite3_close(db);

  auto storage = OpenSqliteStorage(path);
  REQUIRE_MESSAGE(storage.ok(), storage.status().ToString());
  Storage& st = **storage;
  const std::vector<std::string> fields = {"farmers_trained"};
  REQUIRE(st.CatchUpDerived().ok());
  for (const char* s : {"", "received", "approved"})
    CheckSame(Expected(st, fields, s), FromSummaries(st, fields, s));
  // Later writes take out exactly what version 3 had counted for them.
  REQUIRE(st.Write([&](StorageWriter& tx) -> Status {
              for (int i = 0; i < 12; i += 2) {
                StoredReport r = reports[static_cast<size_t>(i)];
                r.status = "returned";
                r.values["farmers_trained"] = 1;
                FS_RETURN_IF_ERROR(tx.PutReport(r));
              }
              return Status::Ok();
            }).ok());
  REQUIRE(st.CatchUpDerived().ok());
  for (const char* s : {"", "received", "approved", "returned"})
    CheckSame(Expected(st, fields, s), FromSummaries(st, fields, s));
  CHECK(SearchHits(st, Id(7, 5)) == 1);
}

TEST_CASE("users: names, roles and passwords are checked; a duplicate is refused") {
  HqServer s;
  HqAuth& auth = s.auth();
  CHECK(auth.AddUser("bad name", "viewer", "", "long-enough-pw").code() ==
        Status::Code::kInvalidArgument);
  CHECK(auth.AddUser("kim", "boss", "", "long-enough-pw").message() ==
        "a role is admin, reviewer or viewer, not 'boss'");
  CHECK(auth.AddUser("kim", "viewer", "", "short").message().find("too short") !=
        std::string::npos);
  REQUIRE(auth.AddUser("kim", "viewer", "", "long-enough-pw").ok());
  CHECK(auth.AddUser("kim", "admin", "", "long-enough-pw").code() == Status::Code::kAlreadyExists);
  CHECK(s.Login("kim", "long-enough-pw").status == 200);
  REQUIRE(auth.SetPassword("kim", "a-new-password").ok());
  CHECK(s.Login("kim", "long-enough-pw").status == 401);
  CHECK(s.Login("kim", "a-new-password").status == 200);
  CHECK(auth.SetPassword("nobody", "a-new-password").code() == Status::Code::kNotFound);
  HqPrincipal viewer{"kim", HqRole::kViewer, "", "", 0};
  CHECK(RequireRole(viewer, HqRole::kAdmin, "enrolling devices").message() ==
        "'kim' is a viewer; enrolling devices needs the admin role");
  CHECK(RequireRole(viewer, HqRole::kViewer, "reading").ok());
}

}  // namespace
}  // namespace fieldsync::server::hq_testing
