// server/merge.h — how a device's edit meets the server's copy of a report.
//
// Pure logic (no storage): given the stored report (or none) and one pushed
// entry, computes the new stored report, the history rows, the outcome and
// the conflicts, following docs/protocol.md ("Outcomes per entry"):
//
//  - The fields of a report are the keys of its values plus "status".
//  - The device's entry names the fields it changed (`changed`) and the server
//    version it was based on (`base_version`). Without `changed`, every field
//    whose value differs from the server's counts as changed.
//  - HQ changed a field since the device's base when that field's hq_version
//    (the version of HQ's last change to it) is above base_version. The
//    device's own earlier edits never conflict with its later ones: only the
//    device that owns a report and HQ edit it, and device edits arrive in seq
//    order.
//  - A field changed only by the device takes the device's value. A field
//    changed only by HQ keeps HQ's value ("merged" when the device's copy
//    differs there, so it needs the merged report back). A field changed on both
//    sides to different values goes to the side that owns the report at that
//    moment — the device while the stored status is draft or returned, HQ
//    while received or approved ("conflict"); the losing value goes to the
//    history with source "conflict" and into `conflicts`.
//  - Device status "finalized" is stored as "received", "draft" as "draft";
//    a status the device got from HQ ("returned", "received") stays itself
//    ("approved" becomes "received": only HQ approves).
//  - An entry that changes nothing leaves the version as it was.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/storage.h"

namespace fieldsync::server {

// The report as a device pushes it (docs/protocol.md, POST /api/v1/sync).
struct IncomingReport {
  std::string id;
  std::string project;
  std::string form_id;
  int form_version = 0;
  std::string period;
  nlohmann::json values = nlohmann::json::object();
  std::string status;  // device status: "draft", "finalized", or a status the device
                       // pulled from HQ ("returned", "received", "approved")
  std::string author;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct MergeInput {
  const StoredReport* current = nullptr;  // null: the server has no copy
  IncomingReport incoming;
  std::string device_id;
  int64_t seq = 0;
  int64_t base_version = 0;
  std::optional<std::vector<std::string>> changed;  // nullopt: not sent
  int64_t now_ms = 0;
};

struct MergeOutput {
  StoredReport report;
  std::string outcome;  // "applied", "merged", "conflict"
  nlohmann::json conflicts = nlohmann::json::array();  // [{"field","kept","lost","winner"}]
  std::vector<HistoryRow> history;
};

// REQUIRES: current (when set) belongs to input.device_id and
// input.seq > current->max_seq (the caller answers stale entries itself).
MergeOutput MergeDeviceEdit(const MergeInput& input);

// The server status a device status is stored as ("finalized" → "received",
// "draft" → "draft", "returned" → "returned", "received" → "received",
// "approved" → "received").
std::string ServerStatusForDevice(const std::string& device_status);

// Whether the device owns a report in this server status (draft, returned).
bool DeviceOwns(const std::string& server_status);

// The report JSON of docs/protocol.md: {"id","project","form_id",
// "form_version","period","values","status","author","server_version",
// "created_at_ms","updated_at_ms"}.
nlohmann::json ReportToJson(const StoredReport& report);

}  // namespace fieldsync::server
