// tests/server/merge_test.cpp — MergeDeviceEdit (server/merge.h) on its own:
// the cases the loopback tests do not reach directly.
#include <doctest/doctest.h>

#include "server/merge.h"

using namespace fieldsync::server;
using nlohmann::json;

namespace {

StoredReport Stored(json values, const std::string& status, int64_t version,
                    std::map<std::string, FieldVersion> fv) {
  StoredReport r;
  r.id = "r1";
  r.device_id = "d_1";
  r.project = "P";
  r.form_id = "health";
  r.form_version = 1;
  r.period = "2026-10";
  r.values = std::move(values);
  r.status = status;
  r.author = "Amina";
  r.server_version = version;
  r.max_seq = 1;
  r.field_versions = std::move(fv);
  return r;
}

MergeInput Input(const StoredReport* cur, json values, const std::string& status, int64_t base,
                 std::optional<std::vector<std::string>> changed) {
  MergeInput in;
  in.current = cur;
  in.incoming.id = "r1";
  in.incoming.project = "P";
  in.incoming.form_id = "health";
  in.incoming.form_version = 1;
  in.incoming.period = "2026-10";
  in.incoming.values = std::move(values);
  in.incoming.status = status;
  in.incoming.author = "Amina";
  in.device_id = "d_1";
  in.seq = 2;
  in.base_version = base;
  in.changed = std::move(changed);
  in.now_ms = 1000;
  return in;
}

}  // namespace

TEST_CASE("a new report is stored as sent, finalized becoming received, at version 1") {
  MergeOutput out = MergeDeviceEdit(Input(nullptr, {{"a", 1}, {"b", nullptr}}, "finalized", 0, std::nullopt));
  CHECK(out.outcome == "applied");
  CHECK(out.report.status == "received");
  CHECK(out.report.server_version == 1);
  CHECK(out.report.values == json{{"a", 1}});  // nulls are "no answer"
  CHECK(out.report.field_versions.at("a").version == 1);
  CHECK(out.report.field_versions.at("status").hq_version == 0);
  CHECK(out.history.size() == 1);
}

TEST_CASE("without 'changed', the fields that differ count as changed") {
  // HQ set b=5 at version 2; the device (base 1) sends a=2 and the same b=5.
  StoredReport cur = Stored({{"a", 1}, {"b", 5}}, "draft", 2, {{"a", {1, 0}}, {"b", {2, 2}}, {"status", {1, 0}}});
  MergeOutput out = MergeDeviceEdit(Input(&cur, {{"a", 2}, {"b", 5}}, "draft", 1, std::nullopt));
  CHECK(out.outcome == "applied");  // b agrees on both sides: nothing to merge or lose
  CHECK(out.conflicts.empty());
  CHECK(out.report.values == json{{"a", 2}, {"b", 5}});
  CHECK(out.report.server_version == 3);
}

TEST_CASE("an entry that changes nothing keeps the version") {
  StoredReport cur = Stored({{"a", 1}}, "draft", 4, {{"a", {1, 0}}, {"status", {1, 0}}});
  MergeOutput out = MergeDeviceEdit(Input(&cur, {{"a", 1}}, "draft", 4, std::vector<std::string>{"a"}));
  CHECK(out.outcome == "applied");
  CHECK(out.report.server_version == 4);
  CHECK(out.report.max_seq == 2);
  CHECK(out.history.empty());
}

TEST_CASE("a field the device cleared is removed; one HQ cleared and the device kept is a conflict") {
  StoredReport cur = Stored({{"a", 1}, {"c", 3}}, "returned", 3,
                            {{"a", {1, 0}}, {"b", {3, 3}}, {"c", {1, 0}}, {"status", {3, 3}}});
  // The device clears c and sets b, which HQ cleared at version 3 (b is absent now).
  MergeOutput out = MergeDeviceEdit(
      Input(&cur, {{"a", 1}, {"b", 7}}, "returned", 2, std::vector<std::string>{"b", "c"}));
  CHECK(out.outcome == "conflict");
  REQUIRE(out.conflicts.size() == 1);
  CHECK(out.conflicts[0] == json{{"field", "b"}, {"kept", 7}, {"lost", nullptr}, {"winner", "device"}});
  CHECK(out.report.values == json{{"a", 1}, {"b", 7}});
  CHECK(out.report.status == "returned");
}

TEST_CASE("device statuses map to server statuses; only HQ approves") {
  CHECK(ServerStatusForDevice("draft") == "draft");
  CHECK(ServerStatusForDevice("finalized") == "received");
  CHECK(ServerStatusForDevice("returned") == "returned");
  CHECK(ServerStatusForDevice("approved") == "received");
  CHECK(DeviceOwns("draft"));
  CHECK(DeviceOwns("returned"));
  CHECK_FALSE(DeviceOwns("received"));
  CHECK_FALSE(DeviceOwns("approved"));
}
