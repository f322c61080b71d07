// tests/store/migration_test.cpp — upgrading an old database, refusing a
// newer one, and a failed upgrade leaving the file as it was.
#include <fstream>
#include <sstream>

#include "store_test_util.h"

namespace fieldsync::store {
namespace {

using nlohmann::json;
using testing::OpenStore;
using testing::QueryInt;
using testing::QueryText;
using testing::TempDir;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::filesystem::path(FIELDSYNC_SOURCE_DIR) / "tests/store/fixtures" / name);
  REQUIRE_MESSAGE(in.good(), "missing fixture " << name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Builds DIR/fieldsync.db from SQL text with a plain connection (rollback
// journal, as an old build or another tool would leave it).
void MakeDatabase(const std::filesystem::path& dir, const std::string& sql) {
  std::filesystem::create_directories(dir);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir / "fieldsync.db").c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE_MESSAGE(rc == SQLITE_OK, msg);
}

// Opens the file directly, outside the store.
struct RawDb {
  explicit RawDb(const std::filesystem::path& dir) {
    REQUIRE(sqlite3_open((dir / "fieldsync.db").c_str(), &db) == SQLITE_OK);
  }
  ~RawDb() { sqlite3_close(db); }
  sqlite3* db = nullptr;
};

constexpr const char* kPending = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2";
constexpr const char* kApproved = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1";

TEST_CASE("A version 1 database is migrated forward with its data") {
  TempDir dir;
  MakeDatabase(dir.path(), ReadFixture("schema_v1.sql"));
  auto s = OpenStore(dir.path());
  CHECK(QueryInt(s->raw(), "PRAGMA user_version") == CurrentSchemaVersion());
  CHECK(QueryText(s->raw(), "PRAGMA integrity_check") == "ok");
  CHECK(QueryText(s->raw(), "PRAGMA journal_mode") == "wal");

  // Data survived.
  CHECK(s->GetProject("SSC-HLT-001")->at("sector") == "health");
  CHECK(s->GetForm("health_monthly")->at("version") == 1);
  auto approved = s->GetReport(kApproved);
  REQUIRE(approved.ok());
  CHECK(approved->status == ReportStatus::kApproved);
  CHECK(approved->review["reviewer"] == "hq");
  CHECK_FALSE(approved->has_conflict);
  CHECK(s->History(kPending)->size() == 3);
  CHECK(s->GetDeviceState()->device_id == "dev-0042");
  CHECK(s->GetDeviceState()->cursor == "c-17");
  CHECK(s->GetSetting("language").value() == "fr");
  CHECK(s->PendingAttachments()->size() == 1);
  CHECK(s->DeadLetters()->empty());
  CHECK(s->ListReports(testing::Filter().Status(ReportStatus::kFinalized))->size() == 1);

  // The unsent entry is still there and the counter carries on after it.
  auto out = s->PeekOutbox(0, SIZE_MAX).value();
  REQUIRE(out.size() == 1);
  CHECK(out[0].seq == 7);
  auto created = s->CreateReport(testing::NewDraft());
  REQUIRE(created.ok());
  out = s->PeekOutbox(0, SIZE_MAX).value();
  REQUIRE(out.size() == 2);
  CHECK(out[1].seq == 8);

  // The step-1 outbox entry's fields became dirty: a pull keeps them.
  json server = ReportToJson(s->GetReport(kPending).value());
  server["values"] = {{"period", "2024-02"}, {"visits", 99}, {"hq_note", "seen"}};
  server["status"] = "received";
  server["server_version"] = 2;
  REQUIRE(s->ApplyPull({{"report", kPending, server}}, "c-18").ok());
  auto pending = s->GetReport(kPending).value();
  CHECK(pending.values["visits"] == 20);
  CHECK(pending.status == ReportStatus::kFinalized);
  CHECK(pending.values["hq_note"] == "seen");
}

TEST_CASE("A database newer than this build is refused and left untouched") {
  TempDir dir;
  MakeDatabase(dir.path(), "CREATE TABLE future_things(x); PRAGMA user_version = 7;");
  auto s = Store::Open(dir.path());
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().code() == Status::Code::kFailedPrecondition);
  CHECK(s.status().message() == "database schema version 7 is newer than this build supports (" +
                                    std::to_string(CurrentSchemaVersion()) +
                                    "); install a newer fieldsync");
  RawDb raw(dir.path());
  CHECK(QueryInt(raw.db, "PRAGMA user_version") == 7);
  CHECK(QueryText(raw.db, "PRAGMA journal_mode") == "delete");  // not switched to WAL
  CHECK(QueryInt(raw.db, "SELECT count(*) FROM sqlite_master WHERE name = 'reports'") == 0);
}

TEST_CASE("A failing migration step leaves the database at its old version") {
  TempDir dir;
  // An old database that happens to hold a table the next step creates.
  MakeDatabase(dir.path(), ReadFixture("schema_v1.sql") + "CREATE TABLE dead_letters(x);");
  auto s = Store::Open(dir.path());
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message().find("schema version 2") != std::string::npos);
  RawDb raw(dir.path());
  CHECK(QueryInt(raw.db, "PRAGMA user_version") == 1);
  // Step 2's first statements (new columns) were rolled back too.
  CHECK(QueryInt(raw.db,
                 "SELECT count(*) FROM pragma_table_info('reports') WHERE name = 'has_conflict'") ==
        0);
  CHECK(QueryInt(raw.db, "SELECT count(*) FROM reports") == 2);
}

TEST_CASE("An empty file folder gets the whole schema; a damaged file is reported as such") {
  TempDir dir;
  {
    auto s = OpenStore(dir.path() / "fresh");
    CHECK(QueryInt(s->raw(), "SELECT count(*) FROM sqlite_master WHERE name = 'dead_letters'") ==
          1);
    CHECK(QueryText(s->raw(), "SELECT value FROM meta WHERE key = 'next_seq'") == "1");
  }
  std::filesystem::create_directories(dir.path() / "junk");
  std::ofstream(dir.path() / "junk" / "fieldsync.db") << std::string(4096, 'x');
  auto s = Store::Open(dir.path() / "junk");
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().code() == Status::Code::kCorruption);
}

}  // namespace
}  // namespace fieldsync::store
