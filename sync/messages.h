// sync/messages.h — the /api/v1/sync request entries and answers as values,
// shared by the engine (HTTP) and bundles (files), so both speak exactly the
// same messages (docs/protocol.md, "POST /api/v1/sync").
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace fieldsync::sync {

// One batch entry: the outbox payload ({"report","base_version","changed"})
// with "seq" and "kind".
nlohmann::json BatchEntry(const store::OutboxEntry& entry);

// The request body: {"batch": [...], "cursor": "...", "pull_limit": n}.
nlohmann::json SyncRequest(const std::vector<store::OutboxEntry>& entries,
                           const std::string& cursor, int pull_limit);

struct SyncAnswer {
  int64_t acked_seq = 0;
  std::vector<store::PushResult> results;
  std::vector<store::PullChange> changes;
  std::optional<std::string> cursor;  // absent: unchanged
  bool more = false;
};
// Reads an answer; tolerant of absent members (a pull-only answer may lack
// results), InvalidArgument when a member has the wrong type. Never throws.
Result<SyncAnswer> ParseSyncAnswer(const nlohmann::json& answer);

// Small readers that never throw: the member as an integer / string
// (integers are accepted as strings), or the fallback.
int64_t JsonInt(const nlohmann::json& j, const char* key, int64_t fallback = 0);
std::string JsonString(const nlohmann::json& j, const char* key);

}  // namespace fieldsync::sync
