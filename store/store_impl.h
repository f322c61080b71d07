// store/store_impl.h — what store.cpp, attachments.cpp and report_json.cpp
// share (internal to store/).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "store/sqlite_util.h"
#include "store/store.h"

namespace fieldsync::store {

struct Store::Impl {
  explicit Impl(sqlite3* db) : stmts(db) {}
  internal::StatementCache stmts;
};

namespace internal {

// JSON → text for storage. Invalid UTF-8 in a string is replaced (U+FFFD)
// rather than thrown, so a stray byte cannot make a save fail.
std::string DumpJson(const nlohmann::json& j);

// Text read back from the database → JSON; Corruption naming `what` when it
// does not parse (the file was damaged or edited by hand).
Result<nlohmann::json> ParseStoredJson(const std::string& text, std::string_view what);

// The meta table. MetaGet returns nullopt for a missing key.
Result<std::optional<std::string>> MetaGet(StatementCache& c, std::string_view key);
Status MetaSet(StatementCache& c, std::string_view key, std::string_view value);

// True when `s` is a lowercase 64-hex-digit SHA-256.
bool IsSha256Hex(std::string_view s);

}  // namespace internal
}  // namespace fieldsync::store
