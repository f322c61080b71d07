// tests/app/form_session_test.cpp — FormSession: live errors, relevance,
// calculations, dirty flag, saving and finalizing through DeviceApp.
#include <doctest/doctest.h>

#include "app_test_util.h"
#include "client/app/form_session.h"

using namespace fieldsync;
using namespace fieldsync::testing;
using app::FormSession;

TEST_CASE("a new session starts clean; typing updates values, relevance and calculations") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  auto s = FormSession::New(app.get(), "SSC-EDU-001", "education");
  REQUIRE_MESSAGE(s.ok(), s.status().message());
  FormSession& session = **s;
  CHECK(session.report_id().empty());
  CHECK_FALSE(session.dirty());
  CHECK(session.Errors().empty());  // required errors wait for a finalize attempt
  CHECK(session.IsCalculated("completion_rate"));
  CHECK_FALSE(session.IsCalculated("learners_enrolled"));

  REQUIRE(session.SetText("learners_enrolled", "200").ok());
  REQUIRE(session.SetText("learners_completed", "150").ok());
  CHECK(session.dirty());
  CHECK(session.Value("learners_enrolled") == 200);
  CHECK(session.Value("completion_rate").get<double>() == doctest::Approx(75.0));
  CHECK(session.Text("learners_enrolled") == "200");
  CHECK(session.SetText("completion_rate", "10").code() == Status::Code::kInvalidArgument);
}

TEST_CASE("a text that does not parse is kept, reported on its field, and blocks saving") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  auto s = FormSession::New(app.get(), "SSC-HLT-001", "health");
  REQUIRE(s.ok());
  FormSession& session = **s;
  REQUIRE(session.SetText("staff_deployed", "12").ok());
  Status st = session.SetText("staff_deployed", "twelve");
  CHECK_FALSE(st.ok());
  CHECK(session.Text("staff_deployed") == "twelve");
  CHECK(session.Value("staff_deployed") == 12);  // the last good value stays
  auto errs = session.FieldErrors("staff_deployed");
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].message.find("twelve") != std::string::npos);
  auto before = FootprintOf(*app);
  auto saved = session.SaveDraft();
  REQUIRE_FALSE(saved.ok());
  CHECK(saved.status().message().find("staff_deployed") != std::string::npos);
  CHECK(FootprintOf(*app) == before);

  REQUIRE(session.SetText("staff_deployed", "13").ok());
  CHECK(session.FieldErrors("staff_deployed").empty());
  CHECK(session.Text("staff_deployed") == "13");
}

TEST_CASE("constraints show live; relevance follows the answers") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  auto s = FormSession::New(app.get(), "SSC-HLT-001", "health");
  REQUIRE(s.ok());
  FormSession& session = **s;
  CHECK_FALSE(session.IsRelevant("hiv_tested"));
  REQUIRE(session.SetValue("programme", nlohmann::json::array({"hiv"})).ok());
  CHECK(session.IsRelevant("hiv_tested"));
  CHECK_FALSE(session.IsRelevant("malaria_tested"));
  REQUIRE(session.SetText("hiv_tested", "10").ok());
  REQUIRE(session.SetText("hiv_positive", "50").ok());
  CHECK_FALSE(session.FieldErrors("hiv_positive").empty());
  auto saved = session.SaveDraft();
  REQUIRE_FALSE(saved.ok());
  CHECK(FootprintOf(*app).reports == 0);
  REQUIRE(session.SetText("hiv_positive", "5").ok());
  CHECK(session.FieldErrors("hiv_positive").empty());
  CHECK(session.SetValue("hiv_tested", "ten").code() == Status::Code::kInvalidArgument);
}

TEST_CASE("save draft, then finalize: refused with required errors shown, then accepted") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  auto s = FormSession::New(app.get(), "TRI-AGR-001", "agriculture");
  REQUIRE(s.ok());
  FormSession& session = **s;
  REQUIRE(session.SetText("period", "2026-02").ok());
  REQUIRE(session.SetText("main_crop", "rice").ok());
  auto draft = session.SaveDraft();
  REQUIRE_MESSAGE(draft.ok(), draft.status().message());
  CHECK_FALSE(session.report_id().empty());
  CHECK_FALSE(session.dirty());
  CHECK(session.saved_status() == store::ReportStatus::kDraft);
  CHECK(app->store().GetReport(session.report_id())->values["main_crop"] == "rice");

  auto refused = session.Finalize();
  REQUIRE_FALSE(refused.ok());
  CHECK_FALSE(session.FieldErrors("farmers_trained").empty());  // required now visible
  CHECK(session.FieldErrors("main_crop_other").empty());        // not relevant for rice
  CHECK(app->store().GetReport(session.report_id())->status == store::ReportStatus::kDraft);

  for (auto [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"farmers_trained", "120"}, {"women_farmers", "70"}, {"hectares_planted", "55"},
           {"seed_distributed_kg", "1100"}, {"yield_t_ha", "4.2"}, {"irrigation_schemes", "2"}}) {
    REQUIRE(session.SetText(k, v).ok());
  }
  CHECK(session.FinalizeErrors().empty());
  auto done = session.Finalize();
  REQUIRE_MESSAGE(done.ok(), done.status().message());
  CHECK(done->id == draft->id);
  CHECK(done->status == store::ReportStatus::kFinalized);
  CHECK(done->values["seed_per_hectare"].get<double>() == doctest::Approx(20.0));
  CHECK(FootprintOf(*app).reports == 1);
}

TEST_CASE("editing an existing report starts from its values; clearing removes a value") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  app::NewReportRequest req;
  req.project_code = "SSC-HLT-003";
  req.form_id = "health";
  req.input.assignments = Sets({{"period", "2026-01"}, {"programme", "tb"}, {"narrative", "draft"}});
  auto r = app->CreateReport(req);
  REQUIRE(r.ok());
  auto s = FormSession::Edit(app.get(), r->id.substr(0, 8));
  REQUIRE_MESSAGE(s.ok(), s.status().message());
  FormSession& session = **s;
  CHECK(session.report_id() == r->id);
  CHECK(session.project_code() == "SSC-HLT-003");
  CHECK_FALSE(session.dirty());
  CHECK(session.Text("narrative") == "draft");
  REQUIRE(session.Clear("narrative").ok());
  CHECK(session.dirty());
  auto saved = session.SaveDraft();
  REQUIRE(saved.ok());
  CHECK_FALSE(app->store().GetReport(r->id)->values.contains("narrative"));
}

TEST_CASE("a photo attached in a session is stored on save") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  WriteFile(tmp.path() / "farm.png", std::string("\x89PNG field photo", 16));
  auto s = FormSession::New(app.get(), "SSC-AGR-002", "agriculture");
  REQUIRE(s.ok());
  FormSession& session = **s;
  REQUIRE(session.AttachPhoto("photo", tmp.path() / "farm.png").ok());
  CHECK(session.Value("photo").get<std::string>().size() == 64);
  CHECK_FALSE(app->store().GetAttachment(session.Value("photo").get<std::string>()).ok());
  auto saved = session.SaveDraft();
  REQUIRE_MESSAGE(saved.ok(), saved.status().message());
  auto att = app->store().GetAttachment(saved->values["photo"].get<std::string>());
  REQUIRE(att.ok());
  CHECK(att->mime == "image/png");
  CHECK_FALSE(session.AttachPhoto("period", tmp.path() / "farm.png").ok());
}
