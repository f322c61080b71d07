// tests/store/reports_test.cpp — reports, history, outbox, ack, dead letters,
// pull and device state, on a real SQLite file in a temporary folder.
#include <algorithm>
#include <set>
#include <thread>

#include "store_test_util.h"

namespace fieldsync::store {
namespace {

using nlohmann::json;
using testing::NewDraft;
using testing::OpenStore;
using testing::QueryInt;
using testing::QueryText;
using testing::TempDir;

std::vector<OutboxEntry> AllOutbox(Store& s) {
  auto r = s.PeekOutbox(0, SIZE_MAX);
  REQUIRE(r.ok());
  return r.value();
}

std::set<std::string> Changed(const OutboxEntry& e) {
  std::set<std::string> out;
  for (const auto& f : e.payload["changed"]) out.insert(f.get<std::string>());
  return out;
}

// Creates a report and acknowledges it as applied at server version `v`,
// so it has no local changes left.
Report CreateSynced(Store& s, int64_t v, json values = {{"period", "2024-03"}, {"visits", 1}}) {
  auto r = s.CreateReport(NewDraft(std::move(values)));
  REQUIRE(r.ok());
  auto out = AllOutbox(s);
  REQUIRE(!out.empty());
  PushResult res;
  res.seq = out.back().seq;
  res.outcome = "applied";
  res.server_version = v;
  REQUIRE(s.AckPush(out.back().seq, {res}).ok());
  auto got = s.GetReport(r->id);
  REQUIRE(got.ok());
  return got.value();
}

TEST_CASE("Open creates a durable database at the current schema version") {
  TempDir dir;
  auto s = OpenStore(dir.path() / "device");
  CHECK(std::filesystem::exists(dir.path() / "device" / "fieldsync.db"));
  CHECK(std::filesystem::is_directory(dir.path() / "device" / "attachments"));
  CHECK(QueryInt(s->raw(), "PRAGMA user_version") == CurrentSchemaVersion());
  CHECK(CurrentSchemaVersion() >= 2);
  CHECK(QueryText(s->raw(), "PRAGMA journal_mode") == "wal");
  CHECK(QueryInt(s->raw(), "PRAGMA synchronous") == 2);  // FULL
  CHECK(QueryInt(s->raw(), "PRAGMA foreign_keys") == 1);
  CHECK(QueryInt(s->raw(), "PRAGMA busy_timeout") == 5000);
  // Reopening an up-to-date database is fine.
  s.reset();
  auto again = OpenStore(dir.path() / "device");
  CHECK(QueryInt(again->raw(), "PRAGMA user_version") == CurrentSchemaVersion());
}

TEST_CASE("CreateReport writes the report, one history row per field and an outbox entry") {
  TempDir dir;
  auto s = OpenStore(dir.path());
  auto r = s->CreateReport(NewDraft({{"period", "2024-03"}, {"visits", 12}, {"note", "ok"}}));
  REQUIRE(r.ok());
  CHECK(r->id.size() == 32);
  CHECK(r->id.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(r->status == ReportStatus::kDraft);
  CHECK(r->period == "2024-03");
  CHECK(r->created_at_ms > 0);

  auto got = s->GetReport(r->id);
  REQUIRE(got.ok());
  CHECK(got->values == json({{"period", "2024-03"}, {"visits", 12}, {"note", "ok"}}));
  CHECK(got->author == "amina");

  auto hist = s->History(r->id);
  REQUIRE(hist.ok());
  std::set<std::string> fields;
  for (const auto& h : hist.value()) {
    fields.insert(h.field);
    CHECK(h.source == "device");
    CHECK(h.author == "amina");
    CHECK(h.old_value.is_null());
  }
  CHECK(fields == std::set<std::string>{"period", "visits", "note", "status"});

  auto out = AllOutbox(*s);
  REQUIRE(out.size() == 1);
  CHECK(out[0].report_id == r->id);
  CHECK(out[0].kind == "report");
  CHECK(out[0].payload["report"] == ReportToJson(got.value()));
  CHECK(out[0].payload["base_version"] == 0);
  CHECK(Changed(out[0]) == std::set<std::string>{"period", "visits", "note", "status"});
  CHECK(out[0].payload_bytes == out[0].payload.dump().size());
  CHECK(s->PendingCount().value() == 1);

  // Two distinct ids; a given id is used and must be unique.
  auto r2 = s->CreateReport(NewDraft());
  REQUIRE(r2.ok());
  CHECK(r2->id != r->id);
  Report fixed = NewDraft();
  fixed.id = r->id;
  CHECK(s->CreateReport(fixed).status().code() == Status::Code::kAlreadyExists);
  Report bad = NewDraft();
  bad.status = ReportStatus::kApproved;
  CHECK(s->CreateReport(bad).status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("SetValues writes history and collapses the unsent outbox entry") {
  TempDir dir;
  auto s = OpenStore(dir.path());
  auto r = s->CreateReport(NewDraft({{"period", "2024-03"}, {"visits", 1}}));
  REQUIRE(r.ok());
  int64_t first_seq = AllOutbox(*s)[0].seq;

  auto changed =
      s->SetValues(r->id, {{"visits", 2}, {"period", nullptr}, {"note", "late"}}, "bilal");
  REQUIRE(changed.ok());
  CHECK(changed->values == json({{"visits", 2}, {"note", "late"}}));
  CHECK(changed->period == "");  // period cleared with the value
  CHECK(s->ListReports(testing::Filter().Period("2024-03")).value().empty());

  auto hist = s->History(r->id).value();
  REQUIRE(hist.size() == 6);  // 3 at creation + 3 changes
  std::map<std::string, HistoryEntry> last;
  for (size_t i = 3; i < hist.size(); ++i) last[hist[i].field] = hist[i];
  CHECK(last["visits"].old_value == 1);
  CHECK(last["visits"].new_value == 2);
  CHECK(last["visits"].author == "bilal");
  CHECK(last["period"].old_value == "2024-03");
  CHECK(last["period"].new_value.is_null());
  CHECK(last["note"].old_value.is_null());

  auto out = AllOutbox(*s);
  REQUIRE(out.size() == 1);  // collapsed
  CHECK(out[0].seq > first_seq);
  CHECK(out[0].payload["report"]["values"] == changed->values);
  CHECK(Changed(out[0]) == std::set<std::string>{"period", "visits", "note", "status"});

  // A call that changes nothing writes nothing.
  auto same = s->SetValues(r->id, {{"visits", 2}}, "bilal");
  REQUIRE(same.ok());
  CHECK(s->History(r->id).value().size() == 6);
  CHECK(AllOutbox(*s)[0].seq == out[0].seq);

  CHECK(s->SetValues("nope", {{"a", 1}}, "x").status().code() == Status::Code::kNotFound);
  CHECK(s->SetValues(r->id, json::array(), "x").status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("Finalize moves draft and returned reports to finalized, and nothing else") {
  TempDir dir;
  auto s = OpenStore(dir.path());
  auto r = s->CreateReport(NewDraft());
  REQUIRE(r.ok());
  auto fin = s->Finalize(r->id, "amina");
  REQUIRE(fin.ok());
  CHECK(fin->status == ReportStatus::kFinalized);
  auto hist = s->History(r->id).value();
  CHECK(hist.back().field == "status");
  CHECK(hist.back().old_value == "draft");
  CHECK(hist.back().new_value == "finalized");
  auto out = AllOutbox(*s);
  REQUIRE(out.size() == 1);
  CHECK(out[0].payload["report"]["status"] == "finalized");

  auto again = s->Finalize(r->id, "amina");
  CHECK(again.status().code() == Status::Code::kFailedPrecondition);
  CHECK(again.status().message().find("already finalized") != std::string::npos);
  CHECK(s->Finalize("missing", "amina").status().code() == Status::Code::kNotFound);

  // A finalized report created in one call (report new --finalize).
  Report d = NewDraft();
  d.status = ReportStatus::kFinalized;
  auto direct = s->CreateReport(d);
  REQUIRE(direct.ok());
  CHECK(s->GetReport(direct->id)->status == ReportStatus::kFinalized);
}

TEST_CASE("Reports with HQ cannot be edited until HQ returns them") {
  TempDir dir;
  auto s = OpenStore(dir.path());
  Report r = CreateSynced(*s, 1);
  REQUIRE(s->Finalize(r.id, "amina").ok());
  auto out = AllOutbox(*s);
  PushResult res{out[0].seq, "applied", 2, "", json(), json()};
  REQUIRE(s->AckPush(out[0].seq, {res}).ok());

  json received = ReportToJson(s->GetReport(r.id).value());
  received["status"] = "received";
  received["server_version"] = 3;
  REQUIRE(s->ApplyPull({{"report", r.id, received}}, "c1").ok());
  CHECK(s->GetReport(r.id)->status == ReportStatus::kReceived);

  auto edit = s->SetValues(r.id, {{"visits", 99}}, "amina");
  CHECK(edit.status().code() == Status::Code::kFailedPrecondition);
  CHECK(edit.status().message() ==
        "report " + r.id +
            " is with HQ for review (received); it can be edited again if HQ returns it");
  CHECK(s->Finalize(r.id, "amina").status().code() == Status::Code::kFailedPrecondition);

  json review = {{"report_id", r.id},         {"decision", "returned"},
                 {"comment", "check visits"}, {"field_comments", {{"visits", "too low"}}},
                 {"reviewer", "hq.lima"},     {"at", "2024-04-02T10:00:00Z"},
                 {"server_version", 4}};
  REQUIRE(s->ApplyPull({{"review", r.id, review}}, "c2").ok());
  auto back = s->GetReport(r.id).value();
  CHECK(back.status == ReportStatus::kReturned);
  CHECK(back.server_version == 4);
  CHECK(back.review["decision"] == "returned");
  CHECK(back.review["comment"] == "check visits");
  CHECK(back.review["field_comments"]["visits"] == "too low");
  CHECK(back.review["reviewer"] == "hq.lima");
  auto hist = s->History(r.id).value();
  CHECK(hist.back().source == "review");
  CHECK(hist.back().field == "status");
  CHECK(hist.back().old_value == "received");
  CHECK(hist.back().new_value == "returned");
  CHECK(hist.back().author == "hq.lima");
  CHECK(hist.back().note == "check visits");

  REQUIRE(s->SetValues(r.id, {{"visits", 30}}, "amina").ok());
  auto fin = s->Finalize(r.id, "amina");
  REQUIRE(fin.ok());
  CHECK(fin->status == ReportStatus::kFinalized);
  auto entry = AllOutbox(*s);
  REQUIRE(entry.size() == 1);
  CHECK(entry[0].payload["base_version"] == 4);
  CHECK(Changed(entry[0]) == std::set<std::string>{"visits", "status"});

  json approve = review;
  approve["decision"] = "approved";
  approve["server_version"] = 6;
  REQUIRE(s->ApplyPull({{"review", r.id, approve}}, "c3").ok());
  CHECK(s->GetReport(r.id)->status == ReportStatus::kApproved);
  CHECK(s->GetDeviceState()->cursor == "c3");
}

TEST_CASE("Sequence numbers only grow, across collapse, ack and an empty outbox") {
  TempDir dir;
  auto s = OpenStore(dir.path());
  std::vector<int64_t> seqs;
  auto last_seq = [&] {
    auto out = AllOutbox(*s);
    REQUIRE(!out.empty());
    return std::max_element(out.begin(), out.end(), [](auto& a, auto& b) { return a.seq < b.seq; })
        ->seq;
  };
  auto a = s->CreateReport(NewDraft());
  REQUIRE(a.ok());
  seqs.push_back(last_seq());
  REQUIRE(s->SetValues(a->id, {{"visits", 5}}, "amina").ok());  // collapse
  seqs.push_back(last_seq());
  REQUIRE(s->Finalize(a->id, "amina").ok());  // collapse
  seqs.push_back(last_seq());
  REQUIRE(s->AckPush(seqs.back(), {}).ok());
  CHECK(s->PendingCount().value() == 0);
  auto b = s->CreateReport(NewDraft());  // MAX(seq) of an empty outbox would restart at 1
  REQUIRE(b.ok());
  seqs.push_back(last_seq());
  REQUIRE(s->SetValues(b->id, {{"visits", 6}}, "amina").ok());
  seqs.push_back(last_seq());
  for (size_t i = 1; i < seqs.size(); ++i) CHECK(seqs[i] > seqs[i - 1]);
  // Survives reopening.
  s.reset();
  s = OpenStore(dir.path());
  auto c = s->CreateReport(NewDraft());
  REQUIRE(c.ok());
  auto out = AllOutbox(*s);
  REQUIRE(out.size() == 2);
  CHECK(out.back().seq > seqs.back());
}

TEST_CASE("PeekOutbox returns entries in order within the byte budget") {
  TempDir dir;
  auto s = OpenStore(dir.path());
  for (int i = 0; i < 5; ++i) REQUIRE(s->CreateReport(NewDraft({{"visits", i}})).ok());
  auto all = AllOutbox(*s);
  REQUIRE(all.size() == 5);
  for (size_t i = 1; i < all.size(); ++i) CHECK(all[i].seq > all[i - 1].seq);

  auto one = s->PeekOutbox(0, 1);  // smaller than any entry: still one
  REQUIRE(one.ok());
  CHECK(one->size() == 1);
  size_t two_bytes = all[0].payload_bytes + all[1].payload_bytes;
  auto two = s->PeekOutbox(0, two_bytes);
  CHECK(two->size() == 2);
  auto after = s->PeekOutbox(all[2].seq, SIZE_MAX);
  REQUIRE(after->size() == 2);
  CHECK(after.value()[0].seq == all[3].seq);
  CHECK(s->PeekOutbox(0, SIZE_MAX, 3)->size() == 3);
}

TEST_CASE("AckPush: rejected entries become dead letters and do not block the queue") {
  TempDir dir;
  auto s = OpenStore(dir.path());
  auto a = s->CreateReport(NewDraft({{"visits", 1}}));
  auto b = s->CreateReport(NewDraft({{"visits", -4}}));
  auto c = s->CreateReport(NewDraft({{"visits", 3}}));
  REQUIRE((a.ok() && b.ok() && c.ok()));
  auto out = AllOutbox(*s);
  REQUIRE(out.size() == 3);
  std::vector<PushResult> results = {
      {out[0].seq, "applied", 11, "", json(), json()},
      {out[1].seq, "rejected", 0, "visits cannot be negative", json(), json()},
      {out[2].seq, "applied", 12, "", json(), json()},
  };
  REQUIRE(s->AckPush(out[2].seq, results).ok());
  CHECK(s->PendingCount().value() == 0);
  CHECK(s->GetReport(a->id)->server_version == 11);
  CHECK(s->GetReport(c->id)->server_version == 12);
  CHECK(s->GetReport(b->id)->server_version == 0);

  auto dead = s->DeadLetters();
  REQUIRE(dead.ok());
  REQUIRE(dead->size() == 1);
  CHECK(dead.value()[0].seq == out[1].seq);
  CHECK(dead.value()[0].report_id == b->id);
  CHECK(dead.value()[0].reason == "visits cannot be negative");

  // Acknowledging again changes nothing (results for gone entries are ignored).
  REQUIRE(s->AckPush(out[2].seq, results).ok());
  CHECK(s->DeadLetters()->size() == 1);

  // Newer entries flow while the dead letter waits.
  REQUIRE(s->SetValues(a->id, {{"visits", 2}}, "amina").ok());
  CHECK(s->PendingCount().value() == 1);

  // The officer fixes it and resends: a fresh entry with a higher sequence.
  REQUIRE(s->SetValues(b->id, {{"visits", 4}}, "amina").ok());
  REQUIRE(s->Resend(out[1].seq).ok());
  CHECK(s->DeadLetters()->empty());
  auto pending = AllOutbox(*s);
  REQUIRE(pending.size() == 2);
  const OutboxEntry& resent = pending.back();
  CHECK(resent.report_id == b->id);
  CHECK(resent.seq > out[2].seq);
  CHECK(resent.payload["report"]["values"]["visits"] == 4);
  CHECK(Changed(resent).count("visits") == 1);
  CHECK(s->Resend(out[1].seq).code() == Status::Code::kNotFound);
}

TEST_CASE("AckPush with an unknown outcome changes nothing") {
  TempDir dir;
  auto s = OpenStore(dir.path());
  REQUIRE(s->CreateReport(NewDraft()).ok());
  REQUIRE(s->CreateReport(NewDraft()).ok());
  auto out = AllOutbox(*s);
  std::vector<PushResult> results = {{out[0].seq, "rejected", 0, "bad", json(), json()},
                                     {out[1].seq, "exploded", 0, "", json(), json()}};
  Status st = s->AckPush(out[1].seq, results);
  CHECK(st.code() == Status::Code::kInvalidArgument);
  CHECK(st.message().find("exploded") != std::string::npos);
  CHECK(s->PendingCount().value() == 2);
  CHECK(s->DeadLetters()->empty());
}

TEST_CASE(
    "AckPush merged and conflict results take the server's copy and keep the loser in history") {
  TempDir dir;
  auto s = OpenStore(dir.path());
  auto r = s->CreateReport(NewDraft({{"period", "2024-03"}, {"visits", 12}, {"girls", 5}}));
  REQUIRE(r.ok());
  auto out = AllOutbox(*s);

  // Merged: HQ had added a note meanwhile.
  json merged = ReportToJson(r.value());
  merged["values"]["hq_note"] = "checked";
  merged["server_version"] = 7;
  PushResult m{out[0].seq, "merged", 7, "", merged, json()};
  REQUIRE(s->AckPush(out[0].seq, {m}).ok());
  auto got = s->GetReport(r->id).value();
  CHECK(got.values["hq_note"] == "checked");
  CHECK(got.server_version == 7);
  CHECK_FALSE(got.has_conflict);
  auto hist = s->History(r->id).value();
  CHECK(hist.back().source == "server");
  CHECK(hist.back().field == "hq_note");

  // Conflict: both changed visits; HQ owned it and won.
  REQUIRE(s->SetValues(r->id, {{"visits", 14}, {"girls", 6}}, "amina").ok());
  out = AllOutbox(*s);
  json server = ReportToJson(s->GetReport(r->id).value());
  server["values"]["visits"] = 9;
  server["server_version"] = 9;
  json conflicts =
      json::array({{{"field", "visits"}, {"kept", 9}, {"lost", 14}, {"winner", "hq"}}});
  PushResult cf{out[0].seq, "conflict", 9, "", server, conflicts};
  REQUIRE(s->AckPush(out[0].seq, {cf}).ok());
  got = s->GetReport(r->id).value();
  CHECK(got.values["visits"] == 9);
  CHECK(got.values["girls"] == 6);
  CHECK(got.server_version == 9);
  CHECK(got.has_conflict);
  hist = s->History(r->id).value();
  const HistoryEntry& loser = hist.back();
  CHECK(loser.source == "conflict");
  CHECK(loser.field == "visits");
  CHECK(loser.old_value == 14);
  CHECK(loser.new_value == 9);
  CHECK(loser.note.find("14 lost") != std::string::npos);
  CHECK(s->PendingCount().value() == 0);

  REQUIRE(s->MarkConflictSeen(r->id).ok());
  CHECK_FALSE(s->GetReport(r->id)->has_conflict);
  CHECK(s->MarkConflictSeen("missing").code() == Status::Code::kNotFound);
}

TEST_CASE("ApplyPull of a report keeps the fields changed on the device and their outbox entry") {
  TempDir dir;
  auto s = OpenStore(dir.path());
  Report r = CreateSynced(*s, 1, {{"period", "2024-03"}, {"visits", 1}, {"girls", 2}});
  REQUIRE(s->SetValues(r.id, {{"visits", 5}}, "amina").ok());
  auto pending = AllOutbox(*s);
  REQUIRE(pending.size() == 1);

  json server = ReportToJson(r);
  server["values"] = {{"period", "2024-04"}, {"visits", 7}, {"notes", "from HQ"}};  // girls removed
  server["server_version"] = 2;
  REQUIRE(s->ApplyPull({{"report", r.id, server}}, "cur-1").ok());
  auto got = s->GetReport(r.id).value();
  CHECK(got.values == json({{"period", "2024-04"}, {"visits", 5}, {"notes", "from HQ"}}));
  CHECK(got.period == "2024-04");
  CHECK(got.server_version == 2);
  auto after = AllOutbox(*s);
  REQUIRE(after.size() == 1);
  CHECK(after[0].seq == pending[0].seq);
  CHECK(after[0].payload == pending[0].payload);
  std::set<std::string> server_fields;
  auto hist = s->History(r.id).value();
  for (const auto& h : hist)
    if (h.source == "server") server_fields.insert(h.field);
  CHECK(server_fields == std::set<std::string>{"period", "notes", "girls"});

  // An older copy arriving late changes nothing.
  json stale = server;
  stale["server_version"] = 1;
  stale["values"]["notes"] = "old";
  REQUIRE(s->ApplyPull({{"report", r.id, stale}}, "cur-2").ok());
  CHECK(s->GetReport(r.id)->values["notes"] == "from HQ");

  // A report the device does not hold is added as HQ sent it.
  json fresh = server;
  fresh["id"] = "cccccccccccccccccccccccccccccccc";
  REQUIRE(s->ApplyPull({{"report", "cccccccccccccccccccccccccccccccc", fresh}}, "cur-3").ok());
  CHECK(s->GetReport("cccccccccccccccccccccccccccccccc")->values["visits"] == 7);
  CHECK(s->PendingCount().value() == 1);
}

TEST_CASE("ApplyPull stores reference data and the cursor, all or nothing") {
  TempDir dir;
  auto s = OpenStore(dir.path());
  json project = {
      {"code", "SSC-AGR-007"}, {"title", "Rice seed exchange"}, {"sector", "agriculture"}};
  json form = {{"id", "agri_quarterly"}, {"version", 2}, {"questions", json::array()}};
  REQUIRE(
      s->ApplyPull({{"project", "SSC-AGR-007", project}, {"form", "agri_quarterly@2", form}}, "c-1")
          .ok());
  CHECK(s->GetProject("SSC-AGR-007").value() == project);
  CHECK(s->GetForm("agri_quarterly").value() == form);
  CHECK(s->GetDeviceState()->cursor == "c-1");

  // A malformed change in the middle: nothing of the batch, cursor included.
  json project2 = {{"code", "SSC-EDU-002"}, {"title", "Teacher exchange"}};
  json form3 = {{"id", "agri_quarterly"}, {"version", 3}};
  json bad_report = {{"id", "dddddddddddddddddddddddddddddddd"}, {"values", "not an object"}};
  Status st = s->ApplyPull({{"project", "SSC-EDU-002", project2},
                            {"report", "dddddddddddddddddddddddddddddddd", bad_report},
                            {"form", "agri_quarterly@3", form3}},
                           "c-2");
  CHECK(st.code() == Status::Code::kInvalidArgument);
  CHECK(st.message().find("change 2 of 3") != std::string::npos);
  CHECK(st.message().find("values") != std::string::npos);
  CHECK(s->GetProject("SSC-EDU-002").status().code() == Status::Code::kNotFound);
  CHECK(s->GetForm("agri_quarterly")->at("version") == 2);
  CHECK(s->GetDeviceState()->cursor == "c-1");
  CHECK(s->ListProjects()->size() == 1);

  CHECK(s->ApplyPull({{"gizmo", "x", json::object()}}, "c-3").code() ==
        Status::Code::kInvalidArgument);
  CHECK(
      s->ApplyPull({{"review", "x", {{"report_id", "x"}, {"decision", "maybe"}}}}, "c-3").code() ==
      Status::Code::kInvalidArgument);
  CHECK(s->GetDeviceState()->cursor == "c-1");
}

TEST_CASE("Projects and forms: upsert, every form version kept, latest listed") {
  TempDir dir;
  auto s = OpenStore(dir.path());
  REQUIRE(s->UpsertProject({{"code", "B"}, {"title", "one"}}).ok());
  REQUIRE(s->UpsertProject({{"code", "A"}, {"title", "two"}}).ok());
  REQUIRE(s->UpsertProject({{"code", "B"}, {"title", "three"}}).ok());
  auto projects = s->ListProjects().value();
  REQUIRE(projects.size() == 2);
  CHECK(projects[0]["code"] == "A");
  CHECK(projects[1]["title"] == "three");
  CHECK(s->UpsertProject({{"title", "no code"}}).code() == Status::Code::kInvalidArgument);
  auto missing = s->GetProject("Z");
  CHECK(missing.status().code() == Status::Code::kNotFound);
  CHECK(missing.status().message().find("'Z'") != std::string::npos);

  REQUIRE(s->UpsertForm({{"id", "f"}, {"version", 1}, {"title", "v1"}}).ok());
  REQUIRE(s->UpsertForm({{"id", "f"}, {"version", 3}, {"title", "v3"}}).ok());
  REQUIRE(s->UpsertForm({{"id", "f"}, {"version", 2}, {"title", "v2"}}).ok());
  REQUIRE(s->UpsertForm({{"id", "e"}, {"version", 1}, {"title", "e1"}}).ok());
  CHECK(s->GetForm("f")->at("title") == "v3");
  CHECK(s->GetForm("f", 2)->at("title") == "v2");
  CHECK(s->GetForm("f", 9).status().code() == Status::Code::kNotFound);
  auto forms = s->ListForms().value();
  REQUIRE(forms.size() == 2);
  CHECK(forms[0]["id"] == "e");
  CHECK(forms[1]["version"] == 3);
  CHECK(s->UpsertForm({{"id", "g"}}).code() == Status::Code::kInvalidArgument);
  CHECK(s->UpsertForm({{"version", 1}}).code() == Status::Code::kInvalidArgument);
}

TEST_CASE("ListReports filters, orders newest first and pages; the status page uses the index") {
  TempDir dir;
  auto s = OpenStore(dir.path());
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) {
    auto r = s->CreateReport(NewDraft({{"period", i % 2 ? "2024-01" : "2024-02"},
                                       {"visits", i},
                                       {"village", i == 7 ? "Kasungu" : "Mzimba"}},
                                      i % 3 ? "P1" : "P2", i < 6 ? "formA" : "formB"));
    REQUIRE(r.ok());
    ids.push_back(r->id);
  }
  REQUIRE(s->Finalize(ids[1], "amina").ok());
  REQUIRE(s->Finalize(ids[4], "amina").ok());

  auto all = s->ListReports(testing::Filter().Limit(100)).value();
  REQUIRE(all.size() == 12);
  for (size_t i = 1; i < all.size(); ++i) {
    bool ordered = all[i - 1].updated_at_ms > all[i].updated_at_ms ||
                   (all[i - 1].updated_at_ms == all[i].updated_at_ms && all[i - 1].id > all[i].id);
    CHECK(ordered);
  }
  auto fin = s->ListReports(testing::Filter().Status(ReportStatus::kFinalized)).value();
  REQUIRE(fin.size() == 2);
  for (const auto& r : fin) CHECK(r.status == ReportStatus::kFinalized);
  CHECK(s->CountReports(testing::Filter().Status(ReportStatus::kDraft)).value() == 10);
  CHECK(s->CountReports(testing::Filter().Form("formB")).value() == 6);
  CHECK(s->CountReports(testing::Filter().Project("P2")).value() == 4);
  CHECK(s->CountReports(testing::Filter().Period("2024-01")).value() == 6);
  CHECK(s->CountReports(testing::Filter().Form("formA").Project("P2").Period("2024-02")).value() ==
        1);
  auto found = s->ListReports(testing::Filter().Search("kasungu")).value();
  REQUIRE(found.size() == 1);
  CHECK(found[0].id == ids[7]);
  CHECK(s->CountReports(testing::Filter().Search(ids[3].substr(4, 10))).value() == 1);

  auto page1 = s->ListReports(testing::Filter().Limit(5)).value();
  auto page2 = s->ListReports(testing::Filter().Limit(5).Offset(5)).value();
  REQUIRE(page1.size() == 5);
  REQUIRE(page2.size() == 5);
  CHECK(page1[0].id == all[0].id);
  CHECK(page2[0].id == all[5].id);

  // No full scan and no sort step for a status-filtered, newest-first page.
  std::string plan;
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(s->raw(),
                             "EXPLAIN QUERY PLAN SELECT id FROM reports WHERE status = 'draft' "
                             "ORDER BY updated_at_ms DESC, id DESC LIMIT 50",
                             -1, &st, nullptr) == SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW)
    plan += std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 3))) + "\n";
  sqlite3_finalize(st);
  CHECK(plan.find("reports_by_status_updated") != std::string::npos);
  CHECK(plan.find("TEMP B-TREE") == std::string::npos);
}

TEST_CASE("Report JSON round-trips and names the member at fault") {
  Report r = NewDraft({{"period", "2024-05"}, {"visits", 3}});
  r.id = "0123456789abcdef0123456789abcdef";
  r.status = ReportStatus::kReturned;
  r.server_version = 8;
  r.created_at_ms = 100;
  r.updated_at_ms = 200;
  r.period = "2024-05";
  json j = ReportToJson(r);
  for (const char* key : {"id", "project", "form_id", "form_version", "period", "values", "status",
                          "author", "server_version", "created_at_ms", "updated_at_ms"})
    CHECK(j.contains(key));
  CHECK(j["status"] == "returned");
  CHECK_FALSE(j.contains("review"));
  auto back = ReportFromJson(j);
  REQUIRE(back.ok());
  CHECK(ReportToJson(back.value()) == j);

  json bad = j;
  bad["status"] = "lost";
  CHECK(ReportFromJson(bad).status().message().find("lost") != std::string::npos);
  bad = j;
  bad["form_version"] = "two";
  CHECK(ReportFromJson(bad).status().message().find("form_version") != std::string::npos);
  CHECK(ReportFromJson(json::array()).status().code() == Status::Code::kInvalidArgument);
  CHECK(ReportFromJson(json::object()).status().code() == Status::Code::kInvalidArgument);

  ReportStatus parsed;
  CHECK(ParseReportStatus("approved", &parsed));
  CHECK(parsed == ReportStatus::kApproved);
  CHECK_FALSE(ParseReportStatus("Approved", &parsed));
}

TEST_CASE("Device state and settings persist") {
  TempDir dir;
  {
    auto s = OpenStore(dir.path());
    auto empty = s->GetDeviceState().value();
    CHECK(empty.device_id.empty());
    CHECK(empty.cursor.empty());
    REQUIRE(s->SetEnrollment("https://hq.example", "dev-7", "tok", "amina", "north").ok());
    REQUIRE(s->RecordSyncError("link down", 50).ok());
    REQUIRE(s->SetSetting("language", "pt").ok());
    CHECK(s->GetSetting("theme", "dark").value() == "dark");
  }
  auto s = OpenStore(dir.path());
  auto d = s->GetDeviceState().value();
  CHECK(d.server_url == "https://hq.example");
  CHECK(d.device_id == "dev-7");
  CHECK(d.token == "tok");
  CHECK(d.officer == "amina");
  CHECK(d.region == "north");
  CHECK(d.last_error == "link down");
  CHECK(d.last_error_ms == 50);
  REQUIRE(s->RecordSyncSuccess(60).ok());
  d = s->GetDeviceState().value();
  CHECK(d.last_sync_ok_ms == 60);
  CHECK(d.last_error.empty());
  CHECK(s->GetSetting("language").value() == "pt");
}

TEST_CASE("Store calls nest inside a caller's transaction (bulk writes through raw())") {
  TempDir dir;
  auto s = OpenStore(dir.path());
  REQUIRE(sqlite3_exec(s->raw(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  for (int i = 0; i < 3; ++i) REQUIRE(s->CreateReport(NewDraft()).ok());
  // A failing call rolls back only its own part.
  CHECK(s->SetValues("missing", {{"a", 1}}, "x").status().code() == Status::Code::kNotFound);
  REQUIRE(sqlite3_exec(s->raw(), "ROLLBACK", nullptr, nullptr, nullptr) == SQLITE_OK);
  CHECK(s->CountReports(ReportFilter()).value() == 0);
  CHECK(s->PendingCount().value() == 0);

  REQUIRE(sqlite3_exec(s->raw(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  for (int i = 0; i < 3; ++i) REQUIRE(s->CreateReport(NewDraft()).ok());
  REQUIRE(sqlite3_exec(s->raw(), "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  CHECK(s->CountReports(ReportFilter()).value() == 3);
  CHECK(s->PendingCount().value() == 3);
}

TEST_CASE("Two Store objects on one file (app and sync thread) never share a sequence number") {
  TempDir dir;
  auto first = OpenStore(dir.path());
  auto second = OpenStore(dir.path());
  constexpr int kEach = 25;
  auto writer = [](Store* s, bool* ok) {
    for (int i = 0; i < kEach; ++i) {
      auto r = s->CreateReport(NewDraft({{"visits", i}}));
      if (!r.ok() || !s->Finalize(r->id, "amina").ok()) {
        *ok = false;
        return;
      }
    }
  };
  bool ok1 = true, ok2 = true;
  std::thread t1(writer, first.get(), &ok1);
  std::thread t2(writer, second.get(), &ok2);
  t1.join();
  t2.join();
  CHECK(ok1);
  CHECK(ok2);
  auto out = AllOutbox(*first);
  CHECK(out.size() == 2 * kEach);
  std::set<int64_t> seqs;
  for (const auto& e : out) seqs.insert(e.seq);
  CHECK(seqs.size() == out.size());
  CHECK(std::stoll(QueryText(first->raw(), "SELECT value FROM meta WHERE key = 'next_seq'")) ==
        4 * kEach + 1);  // create + finalize each took one
}

}  // namespace
}  // namespace fieldsync::store
