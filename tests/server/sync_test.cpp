// tests/server/sync_test.cpp — POST /api/v1/sync against a real server:
// apply, idempotent replay, merge and conflict per owner, rejections that do
// not block, and the pull feed with its cursor.
#include "server_test_util.h"

using namespace fieldsync;
using namespace fieldsync::server;
using namespace fieldsync::server::testing;

namespace {

json Batch(std::initializer_list<json> entries) {
  json batch = json::array();
  for (const json& e : entries) batch.push_back(e);
  return {{"batch", batch}};
}

const json& ResultFor(const json& answer, int64_t seq) {
  for (const json& r : answer["results"])
    if (r["seq"] == seq) return r;
  FAIL("no result for seq " << seq);
  static json none;
  return none;
}

}  // namespace

TEST_CASE("a pushed batch is applied, acknowledged and stored as received") {
  TestServer server;
  json dev = server.EnrollDevice("Amina", "west-africa");
  auto [status, answer] = server.Sync(dev["token"], Batch({Entry(1, HealthReport(ReportId(1))),
                                                           Entry(2, HealthReport(ReportId(2), "draft"))}));
  REQUIRE(status == 200);
  CHECK(answer["acked_seq"] == 2);
  REQUIRE(answer["results"].size() == 2);
  CHECK(answer["results"][0] == json{{"seq", 1}, {"outcome", "applied"}, {"server_version", 1}});
  CHECK(answer["results"][1]["outcome"] == "applied");

  StoredReport r1 = server.GetReport(ReportId(1));
  CHECK(r1.status == "received");
  CHECK(r1.device_id == dev["device_id"]);
  CHECK(r1.values["hiv_tested"] == 120);
  CHECK(r1.period == "2026-10");
  CHECK(server.GetReport(ReportId(2)).status == "draft");

  // A later edit of the draft, then its finalization in the same batch.
  json edited = HealthReport(ReportId(2), "draft", "TRI-HLT-002", HealthValues(130));
  json finalized = HealthReport(ReportId(2), "finalized", "TRI-HLT-002", HealthValues(130));
  auto [s2, a2] = server.Sync(dev["token"], Batch({Entry(3, edited, 1, {"hiv_tested"}),
                                                  Entry(4, finalized, 1, {"status"})}));
  REQUIRE(s2 == 200);
  CHECK(a2["acked_seq"] == 4);
  CHECK(ResultFor(a2, 3)["outcome"] == "applied");
  CHECK(ResultFor(a2, 4)["outcome"] == "applied");
  StoredReport r2 = server.GetReport(ReportId(2));
  CHECK(r2.status == "received");
  CHECK(r2.values["hiv_tested"] == 130);
  CHECK(r2.server_version == 3);
}

TEST_CASE("the same batch replayed three times changes nothing") {
  TestServer server;
  json dev = server.EnrollDevice("Amina", "west-africa");
  json bad = HealthReport(ReportId(3));
  bad["values"]["hiv_tested"] = -4;
  json batch = Batch({Entry(10, HealthReport(ReportId(1))), Entry(11, bad),
                      Entry(12, HealthReport(ReportId(2), "draft"))});
  auto [status, first] = server.Sync(dev["token"], batch);
  REQUIRE(status == 200);
  const Stats stats = server.GetStats();
  const StoredReport r1 = server.GetReport(ReportId(1));
  const StoredReport r2 = server.GetReport(ReportId(2));

  for (int i = 0; i < 3; ++i) {
    auto [s, again] = server.Sync(dev["token"], batch);
    REQUIRE(s == 200);
    CHECK(again["acked_seq"] == 12);
    CHECK(again["results"] == first["results"]);  // the stored outcomes, rejected one included
    const Stats now = server.GetStats();
    CHECK(now.reports == stats.reports);
    CHECK(now.history_rows == stats.history_rows);
    CHECK(now.reports_by_status == stats.reports_by_status);
    CHECK(server.GetReport(ReportId(1)).server_version == r1.server_version);
    CHECK(server.GetReport(ReportId(2)).server_version == r2.server_version);
    CHECK(server.GetReport(ReportId(2)).values == r2.values);
  }
  CHECK(ResultFor(first, 11)["outcome"] == "rejected");
}

TEST_CASE("a stale entry (below a seq already applied to its report) does not regress it") {
  TestServer server;
  json dev = server.EnrollDevice("Amina", "west-africa");
  json newer = HealthReport(ReportId(1), "draft", "TRI-HLT-002", HealthValues(200));
  REQUIRE(server.Sync(dev["token"], Batch({Entry(5, newer)})).first == 200);
  // seq 3 arrives late (it was in a batch lost and resent after seq 5).
  json older = HealthReport(ReportId(1), "draft", "TRI-HLT-002", HealthValues(100));
  auto [status, answer] = server.Sync(dev["token"], Batch({Entry(3, older, 0, {"hiv_tested"})}));
  REQUIRE(status == 200);
  CHECK(answer["results"][0]["outcome"] == "applied");
  CHECK(answer["acked_seq"] == 5);
  CHECK(server.GetReport(ReportId(1)).values["hiv_tested"] == 200);
}

TEST_CASE("different fields changed on both sides merge") {
  TestServer server;
  json dev = server.EnrollDevice("Amina", "west-africa");
  REQUIRE(server.Sync(dev["token"], Batch({Entry(1, HealthReport(ReportId(1), "draft"))})).first == 200);
  // HQ corrects staff_deployed (version 2) while the device edits hiv_tested on version 1.
  auto corrected = server.service().CorrectReport(ReportId(1), {{"staff_deployed", 9}}, "Reviewer");
  REQUIRE_MESSAGE(corrected.ok(), corrected.status().ToString());
  CHECK(corrected->server_version == 2);

  json values = HealthValues(150);  // the device still has staff_deployed 4
  auto [status, answer] = server.Sync(
      dev["token"], Batch({Entry(2, HealthReport(ReportId(1), "draft", "TRI-HLT-002", values), 1,
                                 {"hiv_tested"})}));
  REQUIRE(status == 200);
  const json& r = answer["results"][0];
  CHECK(r["outcome"] == "merged");
  CHECK(r["server_version"] == 3);
  CHECK(r["report"]["values"]["hiv_tested"] == 150);
  CHECK(r["report"]["values"]["staff_deployed"] == 9);
  StoredReport stored = server.GetReport(ReportId(1));
  CHECK(stored.values["hiv_tested"] == 150);
  CHECK(stored.values["staff_deployed"] == 9);
}

TEST_CASE("a field changed on both sides goes to the owner; the loser is in the history") {
  TestServer server;
  json dev = server.EnrollDevice("Amina", "west-africa");
  const std::string token = dev["token"];

  SUBCASE("HQ owns a received report: HQ's value is kept") {
    REQUIRE(server.Sync(token, Batch({Entry(1, HealthReport(ReportId(1)))})).first == 200);
    REQUIRE(server.GetReport(ReportId(1)).status == "received");
    REQUIRE(server.service().CorrectReport(ReportId(1), {{"hiv_tested", 121}}, "Reviewer").ok());
    auto [status, answer] = server.Sync(
        token, Batch({Entry(2, HealthReport(ReportId(1), "finalized", "TRI-HLT-002", HealthValues(125)),
                            1, {"hiv_tested"})}));
    REQUIRE(status == 200);
    const json& r = answer["results"][0];
    CHECK(r["outcome"] == "conflict");
    REQUIRE(r["conflicts"].size() == 1);
    CHECK(r["conflicts"][0] ==
          json{{"field", "hiv_tested"}, {"kept", 121}, {"lost", 125}, {"winner", "hq"}});
    CHECK(r["report"]["values"]["hiv_tested"] == 121);
    CHECK(server.GetReport(ReportId(1)).values["hiv_tested"] == 121);
    auto history = server.service().History(ReportId(1));
    REQUIRE(history.ok());
    bool found = false;
    for (const HistoryRow& h : *history)
      if (h.source == "conflict" && h.field == "hiv_tested" && h.old_value == 125) found = true;
    CHECK(found);
  }

  SUBCASE("the device owns a returned report: the device's value is kept") {
    REQUIRE(server.Sync(token, Batch({Entry(1, HealthReport(ReportId(1)))})).first == 200);
    REQUIRE(server.service().CorrectReport(ReportId(1), {{"hiv_tested", 121}}, "Reviewer").ok());
    auto returned = server.service().ReviewReport(ReportId(1), "return", "check HIV counts",
                                                  json::object(), "Reviewer");
    REQUIRE(returned.ok());
    CHECK(returned->status == "returned");
    // The device edits hiv_tested and finalizes again, based on version 1.
    auto [status, answer] = server.Sync(
        token, Batch({Entry(2, HealthReport(ReportId(1), "finalized", "TRI-HLT-002", HealthValues(125)),
                            1, {"hiv_tested", "status"})}));
    REQUIRE(status == 200);
    const json& r = answer["results"][0];
    CHECK(r["outcome"] == "conflict");
    json by_field;
    for (const json& c : r["conflicts"]) by_field[c["field"].get<std::string>()] = c;
    CHECK(by_field["hiv_tested"] ==
          json{{"field", "hiv_tested"}, {"kept", 125}, {"lost", 121}, {"winner", "device"}});
    CHECK(by_field["status"]["winner"] == "device");
    StoredReport stored = server.GetReport(ReportId(1));
    CHECK(stored.values["hiv_tested"] == 125);
    CHECK(stored.status == "received");  // a finalize after returned goes back to received
    auto history = server.service().History(ReportId(1));
    REQUIRE(history.ok());
    bool found = false;
    for (const HistoryRow& h : *history)
      if (h.source == "conflict" && h.field == "hiv_tested" && h.old_value == 121) found = true;
    CHECK(found);
  }
}

TEST_CASE("rejected entries carry every reason and do not block the rest of the batch") {
  TestServer server;
  json dev = server.EnrollDevice("Amina", "west-africa");
  json invalid = HealthReport(ReportId(2));
  invalid["values"]["hiv_tested"] = -1;           // constraint
  invalid["values"].erase("staff_deployed");      // required
  invalid["values"]["stockout"] = "maybe";        // not a choice
  json unknown_project = HealthReport(ReportId(3), "finalized", "NOPE-000");
  json other_region = HealthReport(ReportId(4), "finalized", "SSC-HLT-001");  // east-africa
  json unknown_form = HealthReport(ReportId(5));
  unknown_form["form_version"] = 99;
  json malformed = HealthReport(ReportId(6));
  malformed["values"] = "not an object";
  json open_region = HealthReport(ReportId(7), "finalized", "OPEN-HLT-001");

  auto [status, answer] = server.Sync(
      dev["token"], Batch({Entry(1, HealthReport(ReportId(1))), Entry(2, invalid),
                           Entry(3, unknown_project), Entry(4, other_region),
                           Entry(5, unknown_form), Entry(6, malformed), Entry(7, open_region),
                           Entry(8, HealthReport(ReportId(8)))}));
  REQUIRE(status == 200);
  CHECK(answer["acked_seq"] == 8);
  CHECK(ResultFor(answer, 1)["outcome"] == "applied");
  CHECK(ResultFor(answer, 7)["outcome"] == "applied");
  CHECK(ResultFor(answer, 8)["outcome"] == "applied");

  const json& r2 = ResultFor(answer, 2);
  CHECK(r2["outcome"] == "rejected");
  std::string reason = r2["reason"];
  CHECK(reason.find("hiv_tested") != std::string::npos);
  CHECK(reason.find("staff_deployed") != std::string::npos);
  CHECK(reason.find("stockout") != std::string::npos);
  CHECK(ResultFor(answer, 3)["reason"].get<std::string>().find("unknown project") != std::string::npos);
  CHECK(ResultFor(answer, 4)["reason"].get<std::string>().find("east-africa") != std::string::npos);
  CHECK(ResultFor(answer, 5)["reason"].get<std::string>().find("unknown form") != std::string::npos);
  CHECK(ResultFor(answer, 6)["outcome"] == "rejected");

  const Stats st = server.GetStats();
  CHECK(st.reports == 3);
  for (int id : {2, 3, 4, 5, 6}) CHECK_FALSE(server.service().GetReport(ReportId(id))->has_value());

  // A draft is validated as a draft: missing required answers are fine.
  json draft = HealthReport(ReportId(9), "draft", "TRI-HLT-002", {{"period", "2026-10"}});
  auto [s2, a2] = server.Sync(dev["token"], Batch({Entry(9, draft)}));
  CHECK(a2["results"][0]["outcome"] == "applied");
}

TEST_CASE("a report id of another device is rejected") {
  TestServer server;
  json a = server.EnrollDevice("Amina", "west-africa");
  json b = server.EnrollDevice("Bakary", "west-africa");
  REQUIRE(server.Sync(a["token"], Batch({Entry(1, HealthReport(ReportId(1)))})).first == 200);
  json stolen = HealthReport(ReportId(1), "finalized", "TRI-HLT-002", HealthValues(99));
  auto [status, answer] = server.Sync(b["token"], Batch({Entry(1, stolen)}));
  REQUIRE(status == 200);
  CHECK(answer["results"][0]["outcome"] == "rejected");
  CHECK(answer["results"][0]["reason"].get<std::string>().find("another device") != std::string::npos);
  CHECK(server.GetReport(ReportId(1)).values["hiv_tested"] == 120);
  CHECK(answer["acked_seq"] == 1);
}

TEST_CASE("pull: cursor paging with more, region filtering, latest entry per record") {
  TestServer server;
  json dev = server.EnrollDevice("Amina", "west-africa");
  const std::string token = dev["token"];

  // Everything this device may see, page by page.
  std::vector<json> seen;
  std::string cursor;
  int pages = 0;
  while (true) {
    auto [status, answer] = server.Sync(token, {{"batch", json::array()}, {"cursor", cursor},
                                                {"pull_limit", 2}});
    REQUIRE(status == 200);
    ++pages;
    CHECK(answer["changes"].size() <= 2);
    for (const json& c : answer["changes"]) seen.push_back(c);
    cursor = answer["cursor"];
    if (!answer["more"].get<bool>()) break;
    REQUIRE(pages < 100);
  }
  std::set<std::string> projects, forms;
  for (const json& c : seen) {
    if (c["kind"] == "project") projects.insert(c["key"].get<std::string>());
    if (c["kind"] == "form") forms.insert(c["key"].get<std::string>());
  }
  CHECK(forms == std::set<std::string>{"agriculture@1", "education@1", "health@1"});
  CHECK(projects.count("TRI-HLT-002") == 1);   // west-africa
  CHECK(projects.count("OPEN-HLT-001") == 1);  // every region
  CHECK(projects.count("SSC-HLT-001") == 0);   // east-africa
  CHECK(pages >= static_cast<int>(seen.size() / 2));

  // Nothing new: one small answer, same cursor.
  auto [s0, idle] = server.Sync(token, {{"batch", json::array()}, {"cursor", cursor}});
  CHECK(idle["changes"].empty());
  CHECK(idle["cursor"] == cursor);
  CHECK(idle["more"] == false);

  // Three reviews and corrections of one report: the feed keeps the latest of each kind.
  REQUIRE(server.Sync(token, Batch({Entry(1, HealthReport(ReportId(1)))})).first == 200);
  REQUIRE(server.service().CorrectReport(ReportId(1), {{"staff_deployed", 5}}, "R").ok());
  REQUIRE(server.service().CorrectReport(ReportId(1), {{"staff_deployed", 6}}, "R").ok());
  REQUIRE(server.service().ReviewReport(ReportId(1), "return", "first", json::object(), "R").ok());
  REQUIRE(server.service().ReviewReport(ReportId(1), "approve", "fine now", json::object(), "R").ok());
  // Another device's review is not ours to see.
  json other = server.EnrollDevice("Bakary", "west-africa");
  REQUIRE(server.Sync(other["token"], Batch({Entry(1, HealthReport(ReportId(2)))})).first == 200);
  REQUIRE(server.service().ReviewReport(ReportId(2), "approve", "", json::object(), "R").ok());

  auto [s1, answer] = server.Sync(token, {{"batch", json::array()}, {"cursor", cursor}});
  REQUIRE(s1 == 200);
  REQUIRE(answer["changes"].size() == 2);
  const json& report_change = answer["changes"][0];
  const json& review_change = answer["changes"][1];
  CHECK(report_change["kind"] == "report");
  CHECK(report_change["key"] == ReportId(1));
  CHECK(report_change["data"]["values"]["staff_deployed"] == 6);
  CHECK(review_change["kind"] == "review");
  CHECK(review_change["data"]["decision"] == "approved");
  CHECK(review_change["data"]["comment"] == "fine now");
  CHECK(review_change["data"]["server_version"] == server.GetReport(ReportId(1)).server_version);
  CHECK(std::stoll(answer["cursor"].get<std::string>()) > std::stoll(cursor));
}

TEST_CASE("a returned report edited on the device keeps its status until finalized again") {
  TestServer server;
  json dev = server.EnrollDevice("Amina", "west-africa");
  const std::string token = dev["token"];
  REQUIRE(server.Sync(token, Batch({Entry(1, HealthReport(ReportId(1)))})).first == 200);
  auto returned = server.service().ReviewReport(ReportId(1), "return", "fix", json::object(), "R");
  REQUIRE(returned.ok());
  const int64_t v = returned->server_version;
  // The device pulled the review (its copy says "returned", based on v), edits one value.
  json edit = HealthReport(ReportId(1), "returned", "TRI-HLT-002", HealthValues(118));
  auto [s1, a1] = server.Sync(token, Batch({Entry(2, edit, v, {"hiv_tested"})}));
  REQUIRE(s1 == 200);
  CHECK(a1["results"][0]["outcome"] == "applied");
  StoredReport r = server.GetReport(ReportId(1));
  CHECK(r.status == "returned");
  CHECK(r.values["hiv_tested"] == 118);
  // Then finalizes it: back to received.
  json fin = HealthReport(ReportId(1), "finalized", "TRI-HLT-002", HealthValues(118));
  auto [s2, a2] = server.Sync(token, Batch({Entry(3, fin, r.server_version, {"status"})}));
  REQUIRE(s2 == 200);
  CHECK(a2["results"][0]["outcome"] == "applied");
  CHECK(server.GetReport(ReportId(1)).status == "received");
}
