// store/sqlite_util.cpp — statement cache, transactions and error mapping.
#include "store/sqlite_util.h"

#include <utility>

namespace fieldsync::store::internal {

Status SqliteStatus(sqlite3* db, int rc, std::string_view what) {
  std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string msg = std::string(what) + ": " + detail;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(msg +
                                 " (another fieldsync process is using the database; try again)");
    case SQLITE_FULL:
      return Status::IOError(msg + " (the disk is full; free some space)");
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return Status::IOError(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(msg + " (the database file is damaged)");
    case SQLITE_CONSTRAINT:
      return Status::Conflict(msg);
    default:
      return Status::Internal(msg);
  }
}

Status ExecSql(sqlite3* db, const char* sql, std::string_view what) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  if (err) sqlite3_free(err);
  if (rc != SQLITE_OK) return SqliteStatus(db, rc, what);
  return Status::Ok();
}

Stmt::Stmt(sqlite3* db, sqlite3_stmt* stmt, bool* in_use) : db_(db), stmt_(stmt), in_use_(in_use) {}

Stmt::~Stmt() { Release(); }

Stmt::Stmt(Stmt&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)) {}

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    Release();
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    in_use_ = std::exchange(other.in_use_, nullptr);
  }
  return *this;
}

void Stmt::Release() {
  if (!stmt_) return;
  if (in_use_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *in_use_ = false;
  } else {
    sqlite3_finalize(stmt_);
  }
  stmt_ = nullptr;
  in_use_ = nullptr;
}

Stmt& Stmt::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Stmt& Stmt::Bind(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Stmt& Stmt::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(db_, rc, "database statement failed");
}

Status Stmt::Run() {
  for (;;) {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_DONE) return Status::Ok();
    if (rc != SQLITE_ROW) return SqliteStatus(db_, rc, "database write failed");
  }
}

std::string Stmt::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (!p) return std::string();
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

StatementCache::~StatementCache() {
  for (auto& [sql, entry] : entries_) sqlite3_finalize(entry->stmt);
}

Result<Stmt> StatementCache::Prepare(std::string_view sql) {
  auto it = entries_.find(sql);
  if (it != entries_.end() && !it->second->in_use) {
    it->second->in_use = true;
    return Stmt(db_, it->second->stmt, &it->second->in_use);
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              it == entries_.end() ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(db_, rc, "cannot prepare a database statement");
  if (it != entries_.end()) return Stmt(db_, stmt, nullptr);  // nested use: private copy
  auto entry = std::make_unique<Entry>();
  entry->stmt = stmt;
  entry->in_use = true;
  bool* in_use = &entry->in_use;
  entries_.emplace(std::string(sql), std::move(entry));
  return Stmt(db_, stmt, in_use);
}

Transaction::~Transaction() { Rollback(); }

Status Transaction::Begin() {
  savepoint_ = sqlite3_get_autocommit(db_) == 0;
  FS_RETURN_IF_ERROR(ExecSql(db_, savepoint_ ? "SAVEPOINT fieldsync_store" : "BEGIN IMMEDIATE",
                             "cannot start a database transaction"));
  active_ = true;
  return Status::Ok();
}

Status Transaction::Commit() {
  if (!active_) return Status::Internal("commit without an open transaction");
  Status s = ExecSql(db_, savepoint_ ? "RELEASE fieldsync_store" : "COMMIT",
                     "cannot commit to the database");
  if (!s.ok()) {
    Rollback();
    return s;
  }
  active_ = false;
  return Status::Ok();
}

void Transaction::Rollback() {
  if (!active_) return;
  active_ = false;
  if (savepoint_) {
    sqlite3_exec(db_, "ROLLBACK TO fieldsync_store; RELEASE fieldsync_store", nullptr, nullptr,
                 nullptr);
  } else if (sqlite3_get_autocommit(db_) == 0) {
    // SQLite may already have rolled back by itself (I/O error, disk full).
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

}  // namespace fieldsync::store::internal
