// server/sqlite_storage.h — the SQLite backend of server/storage.h.
//
// One database file (WAL journal, synchronous FULL by default, busy timeout).
// Writes go through one connection guarded by a mutex and BEGIN IMMEDIATE (so
// other processes — the admin CLI on the same file — queue behind a busy
// timeout); reads use a small pool of connections, each read a deferred
// transaction on a WAL snapshot, so pulls do not wait for pushes.
// Every statement is prepared once per connection and cached by its SQL text.
// The SQL sticks to what PostgreSQL also accepts where it reasonably can
// (ON CONFLICT … DO NOTHING / DO UPDATE, no INSERT OR REPLACE).
//
// Schema version: PRAGMA user_version. A newer file than this build knows is
// refused with both versions named.
#pragma once

#include <filesystem>
#include <memory>

#include "server/storage.h"

namespace fieldsync::server {

// The schema version this build writes.
// 2: HQ users, sessions, inbox indexes; 3: search index, chart summaries.
inline constexpr int kSqliteSchemaVersion = 4;

// Opens or creates the database file. IOError naming the path when it cannot
// be opened, FailedPrecondition when it is newer than this build.
Result<std::unique_ptr<Storage>> OpenSqliteStorage(const std::filesystem::path& path,
                                                   const StorageOptions& options = {});

}  // namespace fieldsync::server
