// sync/messages.cpp — building /sync requests and reading answers.
#include "sync/messages.h"

namespace fieldsync::sync {

using nlohmann::json;

int64_t JsonInt(const json& j, const char* key, int64_t fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return fallback;
  return it->get<int64_t>();
}

std::string JsonString(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  if (it == j.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return {};
}

json BatchEntry(const store::OutboxEntry& e) {
  json entry = e.payload.is_object() ? e.payload : json::object();
  entry["seq"] = e.seq;
  entry["kind"] = e.kind.empty() ? "report" : e.kind;
  return entry;
}

json SyncRequest(const std::vector<store::OutboxEntry>& entries, const std::string& cursor,
                 int pull_limit) {
  json batch = json::array();
  for (const auto& e : entries) batch.push_back(BatchEntry(e));
  return {{"batch", std::move(batch)}, {"cursor", cursor}, {"pull_limit", pull_limit}};
}

Result<SyncAnswer> ParseSyncAnswer(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("a sync answer must be a JSON object");
  SyncAnswer a;
  try {
    a.acked_seq = JsonInt(j, "acked_seq");
    if (j.contains("results")) {
      if (!j["results"].is_array()) return Status::InvalidArgument("\"results\" must be a list");
      for (const auto& r : j["results"]) {
        store::PushResult pr;
        pr.seq = JsonInt(r, "seq");
        pr.outcome = JsonString(r, "outcome");
        pr.server_version = JsonInt(r, "server_version");
        pr.reason = JsonString(r, "reason");
        if (r.is_object() && r.contains("report")) pr.report = r["report"];
        if (r.is_object() && r.contains("conflicts")) pr.conflicts = r["conflicts"];
        a.results.push_back(std::move(pr));
      }
    }
    if (j.contains("changes")) {
      if (!j["changes"].is_array()) return Status::InvalidArgument("\"changes\" must be a list");
      for (const auto& c : j["changes"]) {
        a.changes.push_back({JsonString(c, "kind"), JsonString(c, "key"),
                             c.is_object() && c.contains("data") ? c["data"] : json()});
      }
    }
    if (j.contains("cursor")) a.cursor = JsonString(j, "cursor");
    a.more = j.contains("more") && j["more"].is_boolean() && j["more"].get<bool>();
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("malformed sync answer: ") + e.what());
  }
  return a;
}

}  // namespace fieldsync::sync
