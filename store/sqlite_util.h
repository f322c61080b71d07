// store/sqlite_util.h — the store's thin layer over the SQLite C API
// (internal to store/; nothing outside this folder includes it).
//
// Statements are prepared once and cached by SQL text (StatementCache); a
// Stmt borrows a cached statement and resets it when it goes out of scope, so
// a forgotten reset can never leave a read transaction open. Transaction is
// BEGIN IMMEDIATE … COMMIT with rollback in the destructor; inside an already
// open transaction (a caller that began one through Store::raw()) it nests as
// a SAVEPOINT, so several store calls can share one commit.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace fieldsync::store::internal {

// A Status for a failed SQLite call: the code maps to the matching category
// (busy → Unavailable, full/ioerr → IOError, corrupt → Corruption) and the
// message names `what` the store was doing and SQLite's own explanation.
Status SqliteStatus(sqlite3* db, int rc, std::string_view what);

// Runs SQL without results (may hold several statements).
Status ExecSql(sqlite3* db, const char* sql, std::string_view what);

// A borrowed prepared statement. Move-only; resets and clears bindings on
// destruction (or finalizes it when it was prepared outside the cache).
class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, sqlite3_stmt* stmt, bool* in_use);
  ~Stmt();
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // 1-based parameter index, like SQLite.
  Stmt& Bind(int index, int64_t value);
  Stmt& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Stmt& Bind(int index, std::string_view text);
  Stmt& Bind(int index, const std::string& text) { return Bind(index, std::string_view(text)); }
  Stmt& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Stmt& BindNull(int index);

  // true when a row is available, false when the statement is done.
  Result<bool> Step();
  // Steps to completion (for INSERT/UPDATE/DELETE).
  Status Run();

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) const;
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int Changes() const { return sqlite3_changes(db_); }

 private:
  void Release();
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  bool* in_use_ = nullptr;  // null: not cached, finalize on release
};

// Prepared statements keyed by SQL text. A statement already borrowed (a
// nested use of the same SQL) is prepared afresh instead of shared.
class StatementCache {
 public:
  explicit StatementCache(sqlite3* db) : db_(db) {}
  ~StatementCache();
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  Result<Stmt> Prepare(std::string_view sql);
  sqlite3* db() const { return db_; }

 private:
  struct Entry {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  sqlite3* db_;
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> entries_;
};

// One write transaction. Begin() takes the write lock at once (BEGIN
// IMMEDIATE) so two writers never deadlock on a lock upgrade; busy_timeout
// makes it wait for another process instead of failing at once.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status Begin();
  Status Commit();
  void Rollback();

 private:
  sqlite3* db_;
  bool active_ = false;
  bool savepoint_ = false;
};

}  // namespace fieldsync::store::internal

#define STORE_CONCAT_INNER_(a, b) a##b
#define STORE_CONCAT_(a, b) STORE_CONCAT_INNER_(a, b)
// STORE_ASSIGN_OR_RETURN(auto x, ResultExpr()) — returns the Status on error.
#define STORE_ASSIGN_OR_RETURN(lhs, expr) \
  STORE_ASSIGN_OR_RETURN_IMPL_(STORE_CONCAT_(store_result_, __LINE__), lhs, expr)
#define STORE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
