// tests/store/store_test_util.h — helpers shared by the store tests: a
// temporary data folder and a few one-line report builders.
#pragma once

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "store/store.h"
#include "tests/temp_dir.h"

namespace fieldsync::store::testing {

using fieldsync::testing::TempDir;

inline std::unique_ptr<Store> OpenStore(const std::filesystem::path& dir) {
  auto store = Store::Open(dir);
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  return std::move(store).value();
}

inline Report NewDraft(nlohmann::json values = {{"period", "2024-03"}, {"visits", 1}},
                       std::string project = "SSC-HLT-001", std::string form = "health_monthly") {
  Report r;
  r.project_code = std::move(project);
  r.form_id = std::move(form);
  r.form_version = 1;
  r.values = std::move(values);
  r.author = "amina";
  return r;
}

// A ReportFilter built by chaining: Filter().Status(kDraft).Limit(10).
struct Filter {
  ReportFilter f;
  Filter& Status(ReportStatus v) {
    f.status = v;
    return *this;
  }
  Filter& Form(std::string v) {
    f.form_id = std::move(v);
    return *this;
  }
  Filter& Project(std::string v) {
    f.project_code = std::move(v);
    return *this;
  }
  Filter& Period(std::string v) {
    f.period = std::move(v);
    return *this;
  }
  Filter& Search(std::string v) {
    f.search = std::move(v);
    return *this;
  }
  Filter& Limit(int v) {
    f.limit = v;
    return *this;
  }
  Filter& Offset(int v) {
    f.offset = v;
    return *this;
  }
  operator const ReportFilter&() const { return f; }  // NOLINT: implicit by design
};

// One integer from a SQL query on the store's connection (or any sqlite3*).
inline int64_t QueryInt(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  int64_t v = -1;
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

inline std::string QueryText(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  std::string v;
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return v;
}

}  // namespace fieldsync::store::testing
