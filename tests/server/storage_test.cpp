// tests/server/storage_test.cpp — the SQLite backend's invariants
// (server/storage.h): the (device, seq) constraint, one feed row per record,
// transactions that roll back, and refusing files it does not own.
#include <sqlite3.h>

#include "server_test_util.h"

using namespace fieldsync;
using namespace fieldsync::server;
using namespace fieldsync::server::testing;

namespace {

std::unique_ptr<Storage> Open(const std::filesystem::path& p) {
  auto s = OpenSqliteStorage(p);
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  return std::move(s).value();
}

}  // namespace

TEST_CASE("a (device, seq) pair can be claimed once") {
  TempDir dir;
  auto st = Open(dir.path() / "hq.db");
  std::vector<bool> claims;
  REQUIRE(st->Write([&](StorageWriter& tx) -> Status {
    for (int i = 0; i < 2; ++i) {
      auto c = tx.ClaimSeq("d_1", 7, "r", 0);
      if (!c.ok()) return c.status();
      claims.push_back(*c);
    }
    auto other = tx.ClaimSeq("d_2", 7, "r", 0);
    if (!other.ok()) return other.status();
    claims.push_back(*other);
    return tx.SetSeqResult("d_1", 7, {{"outcome", "applied"}});
  }).ok());
  CHECK(claims == std::vector<bool>{true, false, true});
  REQUIRE(st->Read([&](StorageReader& tx) -> Status {
    CHECK(*tx.MaxSeq("d_1") == 7);
    CHECK(*tx.MaxSeq("d_3") == 0);
    CHECK((*tx.SeqResult("d_1", 7))["outcome"] == "applied");
    CHECK(tx.SeqResult("d_1", 8)->is_null());
    return Status::Ok();
  }).ok());
}

TEST_CASE("a failed write leaves nothing behind") {
  TempDir dir;
  auto st = Open(dir.path() / "hq.db");
  Status s = st->Write([&](StorageWriter& tx) -> Status {
    FS_RETURN_IF_ERROR(tx.UpsertProject({"P1", "", {{"code", "P1"}}}));
    auto c = tx.ClaimSeq("d_1", 1, "r", 0);
    if (!c.ok()) return c.status();
    return Status::Unavailable("simulated failure half way");
  });
  CHECK(s.code() == Status::Code::kUnavailable);
  REQUIRE(st->Read([&](StorageReader& tx) -> Status {
    CHECK_FALSE(tx.FindProject("P1")->has_value());
    CHECK(*tx.MaxSeq("d_1") == 0);
    return Status::Ok();
  }).ok());
}

TEST_CASE("the feed keeps the latest row per record and filters by scope") {
  TempDir dir;
  auto st = Open(dir.path() / "hq.db");
  REQUIRE(st->Write([&](StorageWriter& tx) -> Status {
    for (int i = 0; i < 5; ++i) {
      auto seq = tx.Publish("review", "r1", "device:d_1", {{"n", i}});
      if (!seq.ok()) return seq.status();
    }
    (void)tx.Publish("project", "PW", "region:west", {{"n", 0}});
    (void)tx.Publish("project", "PE", "region:east", {{"n", 0}});
    (void)tx.Publish("form", "health@1", "", {{"n", 0}});
    (void)tx.Publish("review", "r2", "device:d_2", {{"n", 0}});
    return Status::Ok();
  }).ok());
  REQUIRE(st->Read([&](StorageReader& tx) -> Status {
    auto west = tx.ReadFeed(0, FeedFilter{"d_1", "west"}, 100);
    REQUIRE(west.ok());
    std::vector<std::string> keys;
    for (const auto& f : *west) keys.push_back(f.key);
    CHECK(keys == std::vector<std::string>{"r1", "PW", "health@1"});
    CHECK((*west)[0].data["n"] == 4);
    auto anywhere = tx.ReadFeed(0, FeedFilter{"d_2", ""}, 100);
    REQUIRE(anywhere.ok());
    CHECK(anywhere->size() == 4);  // both regions' projects, the form, its own review
    auto after = tx.ReadFeed((*west)[1].feed_seq, FeedFilter{"d_1", "west"}, 100);
    CHECK(after->size() == 1);
    return Status::Ok();
  }).ok());
  auto stats = [&] {
    Stats out;
    (void)st->Read([&](StorageReader& tx) {
      out = *tx.GetStats();
      return Status::Ok();
    });
    return out;
  }();
  CHECK(stats.feed_entries == 5);
}

TEST_CASE("feed sequence numbers are never reused, even after deleting the newest row") {
  TempDir dir;
  auto st = Open(dir.path() / "hq.db");
  int64_t first = 0, second = 0;
  REQUIRE(st->Write([&](StorageWriter& tx) -> Status {
    first = *tx.Publish("form", "a@1", "", {});
    second = *tx.Publish("form", "a@1", "", {});  // replaces the newest row
    return Status::Ok();
  }).ok());
  CHECK(second > first);
}

TEST_CASE("files that are not a fieldsync server database are refused") {
  TempDir dir;
  const auto other = dir.path() / "other.db";
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(other.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto r = OpenSqliteStorage(other);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("not a fieldsync server") != std::string::npos);

  const auto newer = dir.path() / "newer.db";
  { auto s = Open(newer); }
  REQUIRE(sqlite3_open(newer.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto n = OpenSqliteStorage(newer);
  REQUIRE_FALSE(n.ok());
  CHECK(n.status().code() == Status::Code::kFailedPrecondition);
  CHECK(n.status().message().find("99") != std::string::npos);

  const auto text = dir.path() / "notes.txt";
  {
    std::ofstream f(text);
    f << "not a database, just a few words of text that SQLite cannot read as a header\n";
  }
  auto t = OpenSqliteStorage(text);
  CHECK_FALSE(t.ok());

  auto missing_dir = OpenSqliteStorage(dir.path() / "no" / "such" / "dir" / "hq.db");
  REQUIRE_FALSE(missing_dir.ok());
  CHECK(missing_dir.status().code() == Status::Code::kIOError);
}
