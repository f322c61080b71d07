// tests/cli/kill_test.cpp — SIGKILL during saves, from the CLI side: many
// `report new` / `report set` processes run at once on one device and some are
// killed mid-flight. Afterwards the database must pass integrity_check, every
// report must have its outbox entry, and every id a process printed (it exited
// 0: "saved") must be there.
#include <doctest/doctest.h>

#include <sqlite3.h>
#include <time.h>

#include <nlohmann/json.hpp>

#include "cli_runner.h"

using namespace fieldsync::testing;

namespace {

std::string QueryText(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  REQUIRE_MESSAGE(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK, sqlite3_errmsg(db));
  std::string out;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0)) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  return out;
}

bool ReportExists(sqlite3* db, const std::string& id) {
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT 1 FROM reports WHERE id = ?", -1, &stmt, nullptr) == SQLITE_OK);
  sqlite3_bind_text(stmt, 1, id.c_str(), -1, SQLITE_TRANSIENT);
  bool found = sqlite3_step(stmt) == SQLITE_ROW;
  sqlite3_finalize(stmt);
  return found;
}

void SleepMs(int ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

}  // namespace

TEST_CASE("SIGKILL during concurrent saves loses nothing that was reported saved") {
  TempDir tmp;
  const std::string data = (tmp.path() / "device").string();
  auto first = RunCli({"--data", data, "report", "new", "--project", "SSC-HLT-001", "--form", "health",
                       "--set", "period=2026-02", "--set", "programme=malaria"});
  REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  const std::string first_id = first.out.substr(0, 32);

  constexpr int kWaves = 10;
  constexpr int kPerWave = 6;
  int killed = 0, completed = 0;
  std::vector<std::string> saved_ids = {first_id};
  for (int wave = 0; wave < kWaves; ++wave) {
    struct Child {
      pid_t pid;
      std::filesystem::path out;
      bool is_new;
      CliResult result;
    };
    std::vector<Child> children;
    for (int i = 0; i < kPerWave; ++i) {
      int n = wave * kPerWave + i;
      std::filesystem::path out = tmp.path() / ("out-" + std::to_string(n));
      int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      REQUIRE(fd >= 0);
      std::vector<std::string> args;
      bool is_new = n % 3 != 2;
      if (is_new) {
        args = {"--data", data, "report", "new", "--project", "TRI-HLT-002", "--form", "health",
                "--set", "period=2026-03", "--set", "programme=malaria",
                "--set", "malaria_tested=" + std::to_string(100 + n),
                "--set", "narrative=kill test " + std::to_string(n)};
        if (n % 2 == 0) args.insert(args.end(), {"--set", "bednets_distributed=40"});
      } else {
        args = {"--data", data, "report", "set", first_id, "malaria_tested=" + std::to_string(n)};
      }
      children.push_back({SpawnCli(args, {}, fd, -1), out, is_new, {}});
      close(fd);
    }
    // Kill every other child, at moments spread over a process's lifetime
    // (start-up, opening, validating, inside the transaction, after it).
    for (int i = 0; i < kPerWave; ++i) {
      if (i % 2 == 1) continue;
      SleepMs((wave * 13 + i * 17) % 60);
      kill(children[static_cast<size_t>(i)].pid, SIGKILL);
    }
    for (auto& c : children) {
      WaitStatus(c.pid, &c.result);
      if (c.result.signal == SIGKILL) {
        ++killed;
        continue;
      }
      CHECK_MESSAGE(c.result.exit_code == 0, "a process that was not killed failed");
      ++completed;
      if (c.is_new) {
        std::string out = ReadBytes(c.out);
        REQUIRE(out.size() == 33);
        saved_ids.push_back(out.substr(0, 32));
      }
    }
  }
  MESSAGE("processes killed: " << killed << ", completed: " << completed);

  // Another process opens the device after the carnage (recovers the WAL).
  auto status = RunCli({"--data", data, "status", "--json"});
  REQUIRE_MESSAGE(status.exit_code == 0, status.err);
  auto st = nlohmann::json::parse(status.out);

  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2((std::filesystem::path(data) / "fieldsync.db").c_str(), &db,
                          SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  CHECK(QueryText(db, "PRAGMA integrity_check") == "ok");
  CHECK(QueryText(db, "PRAGMA foreign_key_check") == "");
  CHECK(QueryText(db,
                  "SELECT count(*) FROM reports r WHERE NOT EXISTS "
                  "(SELECT 1 FROM outbox o WHERE o.report_id = r.id)") == "0");
  // Unsent edits of one report collapse into one entry.
  CHECK(QueryText(db, "SELECT count(*) FROM (SELECT report_id FROM outbox GROUP BY report_id "
                      "HAVING count(*) > 1)") == "0");
  const std::string reports = QueryText(db, "SELECT count(*) FROM reports");
  CHECK(st["pending"].get<int64_t>() == std::stoll(reports));
  CHECK(st["reports_total"].get<int64_t>() == std::stoll(reports));
  for (const auto& id : saved_ids) CHECK_MESSAGE(ReportExists(db, id), id);
  CHECK(std::stoll(reports) >= static_cast<long long>(saved_ids.size()));
  MESSAGE("reports committed by processes killed before printing their id: "
          << std::stoll(reports) - static_cast<long long>(saved_ids.size()));
  sqlite3_close(db);
}
