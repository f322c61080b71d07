// tests/app/review_test.cpp — what HQ's answers do to the device's app logic:
// an approved report is read-only, a returned one can be fixed and
// finalized again, a rejected entry shows as a dead letter in the status.
#include <doctest/doctest.h>

#include "app_test_util.h"
#include "client/app/form_session.h"

using namespace fieldsync;
using namespace fieldsync::testing;

namespace {

store::Report FinalizedHealth(app::DeviceApp& app) {
  app::NewReportRequest r;
  r.project_code = "REG-HLT-004";
  r.form_id = "health";
  r.finalize = true;
  r.input.assignments = Sets({{"period", "2026-02"}, {"programme", "tb"}, {"tb_screened", "300"},
                              {"tb_confirmed", "12"}, {"tb_treatment", "12"}, {"stockout", "no"},
                              {"staff_deployed", "6"}});
  auto created = app.CreateReport(r);
  REQUIRE_MESSAGE(created.ok(), created.status().message());
  return *created;
}

void Review(app::DeviceApp& app, const std::string& id, const std::string& decision) {
  store::PullChange change;
  change.kind = "review";
  change.key = id;
  change.data = {{"report_id", id},
                 {"decision", decision},
                 {"comment", "Please check the TB figures"},
                 {"field_comments", {{"tb_confirmed", "lab register says 14"}}},
                 {"reviewer", "hq.reviewer"},
                 {"at", "2026-03-02T10:00:00Z"},
                 {"server_version", 2}};
  REQUIRE(app.store().ApplyPull({change}, "7").ok());
}

}  // namespace

TEST_CASE("an approved report cannot be changed on the device") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  auto r = FinalizedHealth(*app);
  Review(*app, r.id, "approved");
  app::ReportInput input;
  input.assignments = Sets({{"staff_deployed", "7"}});
  auto before = FootprintOf(*app, r.id);
  auto u = app->UpdateReport(r.id, input);
  REQUIRE_FALSE(u.ok());
  CHECK(u.status().code() == Status::Code::kFailedPrecondition);
  CHECK(u.status().message().find("approved") != std::string::npos);
  CHECK(app->FinalizeReport(r.id).status().code() == Status::Code::kFailedPrecondition);
  CHECK(FootprintOf(*app, r.id) == before);
  auto s = app::FormSession::Edit(app.get(), r.id);
  REQUIRE(s.ok());
  CHECK((*s)->read_only());
  REQUIRE((*s)->SetText("staff_deployed", "8").ok());
  CHECK_FALSE((*s)->SaveDraft().ok());
  CHECK(FootprintOf(*app, r.id) == before);
}

TEST_CASE("a returned report is fixed and finalized again") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  auto r = FinalizedHealth(*app);
  Review(*app, r.id, "returned");
  auto details = app->ShowReport(r.id);
  REQUIRE(details.ok());
  CHECK(details->report.status == store::ReportStatus::kReturned);
  CHECK(details->report.review["comment"] == "Please check the TB figures");

  auto s = app::FormSession::Edit(app.get(), r.id);
  REQUIRE(s.ok());
  CHECK_FALSE((*s)->read_only());
  REQUIRE((*s)->SetText("tb_confirmed", "14").ok());
  REQUIRE((*s)->SetText("tb_treatment", "14").ok());
  auto done = (*s)->Finalize();
  REQUIRE_MESSAGE(done.ok(), done.status().message());
  CHECK(done->status == store::ReportStatus::kFinalized);
  CHECK(done->values["tb_confirmed"] == 14);
}

TEST_CASE("an entry HQ rejected shows as a dead letter in the status") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  auto r = FinalizedHealth(*app);
  auto outbox = app->store().PeekOutbox(0, 1 << 20);
  REQUIRE(outbox.ok());
  REQUIRE(outbox->size() == 1);
  store::PushResult rejected;
  rejected.seq = outbox->front().seq;
  rejected.outcome = "rejected";
  rejected.reason = "project REG-HLT-004 is outside this device's region";
  REQUIRE(app->store().AckPush(rejected.seq, {rejected}).ok());
  auto status = app->GetStatus();
  REQUIRE(status.ok());
  CHECK(status->pending_changes == 0);
  REQUIRE(status->dead_letters.size() == 1);
  CHECK(status->dead_letters[0].report_id == r.id);
  CHECK(status->dead_letters[0].reason.find("outside") != std::string::npos);
}
