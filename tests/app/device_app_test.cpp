// tests/app/device_app_test.cpp — DeviceApp over a real store in a temporary
// folder: seeding, creating, editing, finalizing, refusals that write nothing,
// attachments, status.
#include <doctest/doctest.h>

#include "app_test_util.h"
#include "common/sha256.h"

using namespace fieldsync;
using namespace fieldsync::testing;
using app::DeviceApp;
using app::NewReportRequest;
using app::ReportInput;

namespace {

// A complete health report for the HIV programme.
NewReportRequest HealthRequest(bool finalize) {
  NewReportRequest r;
  r.project_code = "SSC-HLT-001";
  r.form_id = "health";
  r.finalize = finalize;
  r.input.assignments = Sets({{"period", "2026-02"},
                              {"programme", "hiv"},
                              {"hiv_tested", "120"},
                              {"hiv_positive", "9"},
                              {"hiv_treatment", "9"},
                              {"stockout", "no"},
                              {"staff_deployed", "14"}});
  return r;
}

}  // namespace

TEST_CASE("first open seeds the shipped forms and demo projects, once") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  auto forms = app->Forms();
  REQUIRE(forms.ok());
  std::vector<std::string> ids;
  for (const auto& f : *forms) ids.push_back(f->id);
  CHECK(ids == std::vector<std::string>{"agriculture", "education", "health"});
  auto projects = app->Projects();
  REQUIRE(projects.ok());
  CHECK(projects->size() == schema::DemoProjects().size());
  CHECK(app->store().GetSetting("reference_seeded").value() == "done");
  // Reopening finds the flag set and changes nothing.
  app.reset();
  auto again = OpenApp(tmp.path());
  CHECK(again->Projects()->size() == schema::DemoProjects().size());
}

TEST_CASE("a store that already has HQ's reference data is not seeded") {
  TempDir tmp;
  {
    auto store = store::Store::Open(tmp.path() / "device");
    REQUIRE(store.ok());
    nlohmann::json form = schema::FormToJson(*schema::FindShippedForm("education"));
    form["id"] = "hq_education";
    REQUIRE((*store)->UpsertForm(form).ok());
  }
  auto app = OpenApp(tmp.path());
  auto forms = app->Forms();
  REQUIRE(forms.ok());
  REQUIRE(forms->size() == 1);
  CHECK(forms->front()->id == "hq_education");
  CHECK(app->Projects()->empty());
}

TEST_CASE("an interrupted seeding resumes on the next open") {
  TempDir tmp;
  {
    auto store = store::Store::Open(tmp.path() / "device");
    REQUIRE(store.ok());
    REQUIRE((*store)->SetSetting("reference_seeded", "seeding").ok());
    REQUIRE((*store)->UpsertForm(schema::FormToJson(*schema::FindShippedForm("health"))).ok());
  }
  auto app = OpenApp(tmp.path());
  CHECK(app->Forms()->size() == 3);
  CHECK(app->Projects()->size() == schema::DemoProjects().size());
}

TEST_CASE("a draft is created from text values with its outbox entry and author") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  NewReportRequest req;
  req.project_code = "SSC-HLT-001";
  req.form_id = "health";
  req.input.assignments = Sets({{"period", "2026-02"}, {"programme", "hiv malaria"}, {"hiv_tested", "120"}});
  auto r = app->CreateReport(req);
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  CHECK(r->id.size() == 32);
  CHECK(r->status == store::ReportStatus::kDraft);
  CHECK(r->author == "tester");
  CHECK(r->period == "2026-02");
  CHECK(r->form_version == 1);
  CHECK(r->values["hiv_tested"] == 120);
  CHECK(r->values["programme"] == nlohmann::json::array({"hiv", "malaria"}));
  CHECK(app->store().PendingCount().value() == 1);
  auto stored = app->store().GetReport(r->id);
  REQUIRE(stored.ok());
  CHECK(stored->values == r->values);
}

TEST_CASE("--finalize with complete values stores a finalized report") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  auto r = app->CreateReport(HealthRequest(true));
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  CHECK(r->status == store::ReportStatus::kFinalized);
  auto details = app->ShowReport(r->id);
  REQUIRE(details.ok());
  CHECK(details->errors.empty());
}

TEST_CASE("finalizing an incomplete report is refused, listing every error, writing nothing") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  NewReportRequest req;
  req.project_code = "SSC-HLT-001";
  req.form_id = "health";
  req.finalize = true;
  req.input.assignments = Sets({{"period", "2026-02"}, {"programme", "hiv"}});
  auto before = FootprintOf(*app);
  auto r = app->CreateReport(req);
  REQUIRE_FALSE(r.ok());
  const std::string& m = r.status().message();
  CHECK(m.find("cannot finalize") != std::string::npos);
  for (const char* field : {"hiv_tested", "hiv_positive", "hiv_treatment", "stockout", "staff_deployed"}) {
    CHECK_MESSAGE(m.find(field) != std::string::npos, field << " missing from: " << m);
  }
  // Irrelevant questions (malaria, tb) are not required.
  CHECK(m.find("malaria_tested") == std::string::npos);
  CHECK(m.find('\n') == std::string::npos);
  CHECK(FootprintOf(*app) == before);
}

TEST_CASE("a value of the wrong type is refused and nothing is written") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  auto before = FootprintOf(*app);
  auto req = HealthRequest(false);
  req.input.assignments.push_back({"staff_deployed", "many"});
  auto r = app->CreateReport(req);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kInvalidArgument);
  CHECK(r.status().message().find("staff_deployed") != std::string::npos);
  CHECK(r.status().message().find("many") != std::string::npos);
  CHECK(FootprintOf(*app) == before);
}

TEST_CASE("an unknown field is named, with the close names") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  auto req = HealthRequest(false);
  req.input.assignments.push_back({"hiv_testd", "3"});
  auto before = FootprintOf(*app);
  auto r = app->CreateReport(req);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() ==
        "form 'health' has no field 'hiv_testd' (did you mean 'hiv_tested'?)");
  CHECK(FootprintOf(*app) == before);
  // Far from every name: the fields are listed.
  req.input.assignments.back() = {"zzzzzzzz", "3"};
  auto far = app->CreateReport(req);
  REQUIRE_FALSE(far.ok());
  CHECK(far.status().message().find("its fields are: period, programme") != std::string::npos);
  // Calculated fields cannot be typed.
  NewReportRequest edu;
  edu.project_code = "SSC-EDU-001";
  edu.form_id = "education";
  edu.input.assignments = Sets({{"completion_rate", "50"}});
  auto calc = app->CreateReport(edu);
  REQUIRE_FALSE(calc.ok());
  CHECK(calc.status().message().find("calculated") != std::string::npos);
}

TEST_CASE("a failed constraint is refused and nothing is written") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  auto req = HealthRequest(false);
  req.input.assignments.push_back({"hiv_positive", "500"});  // more positives than tested
  auto before = FootprintOf(*app);
  auto r = app->CreateReport(req);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("report not saved") == 0);
  CHECK(r.status().message().find("hiv_positive") != std::string::npos);
  CHECK(FootprintOf(*app) == before);
}

TEST_CASE("unknown project or form: NotFound with a suggestion") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  auto req = HealthRequest(false);
  req.project_code = "SSC-HLT-01";
  auto p = app->CreateReport(req);
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().code() == Status::Code::kNotFound);
  CHECK(p.status().message() == "unknown project 'SSC-HLT-01' (did you mean 'SSC-HLT-001'?)");
  req.project_code = "ssc-hlt-001";
  auto lower = app->CreateReport(req);
  REQUIRE_FALSE(lower.ok());
  CHECK(lower.status().message().find("did you mean 'SSC-HLT-001'") != std::string::npos);
  req = HealthRequest(false);
  req.form_id = "helth";
  auto f = app->CreateReport(req);
  REQUIRE_FALSE(f.ok());
  CHECK(f.status().message() == "unknown form 'helth' (did you mean 'health'?)");
  CHECK(FootprintOf(*app).reports == 0);
}

TEST_CASE("updating writes history; an update that changes nothing writes nothing") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  auto r = app->CreateReport(HealthRequest(false));
  REQUIRE(r.ok());
  ReportInput input;
  input.assignments = Sets({{"staff_deployed", "15"}, {"narrative", "Two outreach days."}});
  auto before = FootprintOf(*app, r->id);
  auto u = app->UpdateReport(r->id, input);
  REQUIRE_MESSAGE(u.ok(), u.status().message());
  CHECK(u->values["staff_deployed"] == 15);
  CHECK(u->values["narrative"] == "Two outreach days.");
  auto after = FootprintOf(*app, r->id);
  CHECK(after.history > before.history);

  auto same = app->UpdateReport(r->id, input);
  REQUIRE(same.ok());
  CHECK(FootprintOf(*app, r->id) == after);
  CHECK(same->updated_at_ms == u->updated_at_ms);

  // An empty text clears an answer; a JSON null too.
  ReportInput clear;
  clear.assignments = Sets({{"narrative", ""}});
  auto c = app->UpdateReport(r->id, clear);
  REQUIRE(c.ok());
  CHECK_FALSE(c->values.contains("narrative"));
  ReportInput clear_json;
  clear_json.json_values = {{"staff_deployed", nullptr}};
  auto cj = app->UpdateReport(r->id, clear_json);
  REQUIRE(cj.ok());
  CHECK_FALSE(cj->values.contains("staff_deployed"));
}

TEST_CASE("finalize: refused with every error, then accepted once complete, then not twice") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  NewReportRequest req;
  req.project_code = "TRI-AGR-001";
  req.form_id = "agriculture";
  req.input.assignments = Sets({{"period", "2026-01"}, {"main_crop", "other"}});
  auto r = app->CreateReport(req);
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  auto before = FootprintOf(*app, r->id);
  auto refused = app->FinalizeReport(r->id);
  REQUIRE_FALSE(refused.ok());
  const std::string& m = refused.status().message();
  CHECK(m.find("cannot finalize report " + r->id.substr(0, 8)) == 0);
  for (const char* field : {"farmers_trained", "women_farmers", "hectares_planted",
                            "seed_distributed_kg", "main_crop_other", "yield_t_ha",
                            "irrigation_schemes"}) {
    CHECK_MESSAGE(m.find(field) != std::string::npos, field << " missing from: " << m);
  }
  CHECK(FootprintOf(*app, r->id) == before);
  CHECK(app->store().GetReport(r->id)->status == store::ReportStatus::kDraft);

  ReportInput rest;
  rest.assignments = Sets({{"farmers_trained", "340"}, {"women_farmers", "150"},
                           {"hectares_planted", "212.5"}, {"seed_distributed_kg", "8500"},
                           {"main_crop_other", "teff"}, {"yield_t_ha", "3.1"},
                           {"irrigation_schemes", "4"}});
  REQUIRE(app->UpdateReport(r->id, rest).ok());
  auto done = app->FinalizeReport(r->id);
  REQUIRE_MESSAGE(done.ok(), done.status().message());
  CHECK(done->status == store::ReportStatus::kFinalized);
  // Calculated on save: 8500 / 212.5 = 40.
  CHECK(done->values["seed_per_hectare"].get<double>() == doctest::Approx(40.0));
  auto twice = app->FinalizeReport(r->id);
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.status().code() == Status::Code::kFailedPrecondition);

  // A finalized report must stay complete when edited.
  ReportInput clear;
  clear.assignments = Sets({{"yield_t_ha", ""}});
  auto f = FootprintOf(*app, r->id);
  auto broken = app->UpdateReport(r->id, clear);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.status().message().find("yield_t_ha") != std::string::npos);
  CHECK(FootprintOf(*app, r->id) == f);
}

TEST_CASE("calculations are applied before saving") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  NewReportRequest req;
  req.project_code = "SSC-EDU-001";
  req.form_id = "education";
  req.input.assignments = Sets({{"period", "2026-03"}, {"learners_enrolled", "80"},
                                {"learners_completed", "60"}});
  auto r = app->CreateReport(req);
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  REQUIRE(r->values.contains("completion_rate"));
  CHECK(r->values["completion_rate"].get<double>() == doctest::Approx(75.0));
  ReportInput more;
  more.assignments = Sets({{"learners_completed", "40"}});
  auto u = app->UpdateReport(r->id, more);
  REQUIRE(u.ok());
  CHECK(u->values["completion_rate"].get<double>() == doctest::Approx(50.0));
}

TEST_CASE("JSON values are type-checked; they and text values combine") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  auto req = HealthRequest(false);
  req.input.json_values = {{"location", {{"lat", -25.97}, {"lon", 32.58}}}, {"staff_deployed", 3}};
  auto r = app->CreateReport(req);
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  CHECK(r->values["staff_deployed"] == 14);  // the text assignment comes later and wins
  CHECK(r->values["location"]["lat"].get<double>() == doctest::Approx(-25.97));

  auto bad = HealthRequest(false);
  bad.input.json_values = {{"hiv_tested", "lots"}};
  auto before = FootprintOf(*app);
  auto refused = app->CreateReport(bad);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("hiv_tested") != std::string::npos);
  CHECK(FootprintOf(*app) == before);

  auto not_object = HealthRequest(false);
  not_object.input.json_values = nlohmann::json::array({1, 2});
  auto arr = app->CreateReport(not_object);
  REQUIRE_FALSE(arr.ok());
  CHECK(arr.status().message().find("JSON object") != std::string::npos);
}

TEST_CASE("attachments are stored by hash and set the photo field") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  const std::string bytes = std::string("\xFF\xD8\xFF\xE0 a clinic photo ", 20) + std::string(5000, 'x');
  WriteFile(tmp.path() / "clinic.jpg", bytes);
  auto req = HealthRequest(false);
  req.input.attachments.push_back({"photo", tmp.path() / "clinic.jpg", ""});
  auto r = app->CreateReport(req);
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  const std::string hash = Sha256Hex(bytes);
  CHECK(r->values["photo"] == hash);
  auto att = app->store().GetAttachment(hash);
  REQUIRE(att.ok());
  CHECK(att->size == static_cast<int64_t>(bytes.size()));
  CHECK(att->mime == "image/jpeg");
  CHECK(std::filesystem::exists(app->store().AttachmentPath(hash)));
  CHECK(app->GetStatus()->pending_attachments == 1);

  // A non-photo field, a missing file: refused, nothing written.
  auto before = FootprintOf(*app);
  auto wrong = HealthRequest(false);
  wrong.input.attachments.push_back({"narrative", tmp.path() / "clinic.jpg", ""});
  auto w = app->CreateReport(wrong);
  REQUIRE_FALSE(w.ok());
  CHECK(w.status().message().find("only photo fields") != std::string::npos);
  auto missing = HealthRequest(false);
  missing.input.attachments.push_back({"photo", tmp.path() / "nope.jpg", ""});
  auto m = app->CreateReport(missing);
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().message().find("nope.jpg") != std::string::npos);
  CHECK(FootprintOf(*app) == before);
  CHECK(app->GetStatus()->pending_attachments == 1);
}

TEST_CASE("report ids resolve from a unique prefix") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  auto r = app->CreateReport(HealthRequest(false));
  REQUIRE(r.ok());
  CHECK(app->ResolveReportId(r->id).value() == r->id);
  CHECK(app->ResolveReportId(r->id.substr(0, 6)).value() == r->id);
  auto upper = r->id.substr(0, 6);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(app->ResolveReportId(upper).value() == r->id);
  CHECK(app->ResolveReportId("ab").status().code() == Status::Code::kInvalidArgument);
  std::string other = r->id;
  other[0] = other[0] == 'a' ? 'b' : 'a';
  CHECK(app->ResolveReportId(other).status().code() == Status::Code::kNotFound);
}

TEST_CASE("status counts reports by status and pending changes") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  REQUIRE(app->CreateReport(HealthRequest(false)).ok());
  REQUIRE(app->CreateReport(HealthRequest(true)).ok());
  auto s = app->GetStatus();
  REQUIRE(s.ok());
  CHECK(s->pending_changes == 2);
  CHECK(s->reports_total == 2);
  CHECK(s->reports_by_status["draft"] == 1);
  CHECK(s->reports_by_status["finalized"] == 1);
  CHECK(s->reports_by_status.count("approved") == 1);
  CHECK_FALSE(s->enrolled());
  CHECK(s->dead_letters.empty());
  store::ReportFilter finalized;
  finalized.status = store::ReportStatus::kFinalized;
  CHECK(app->ListReports(finalized)->size() == 1);
}

TEST_CASE("the author is the enrolled officer when there is one") {
  TempDir tmp;
  auto app = OpenApp(tmp.path());
  CHECK(app->Author() == "tester");
  REQUIRE(app->store().SetEnrollment("https://hq.example", "dev-1", "tok", "Amina Diallo", "west").ok());
  CHECK(app->Author() == "Amina Diallo");
  auto r = app->CreateReport(HealthRequest(false));
  REQUIRE(r.ok());
  CHECK(r->author == "Amina Diallo");
}

TEST_CASE("ParseAssignment splits at the first '='") {
  auto a = app::ParseAssignment("narrative=a=b");
  REQUIRE(a.ok());
  CHECK(a->name == "narrative");
  CHECK(a->text == "a=b");
  CHECK(app::ParseAssignment("x=").value().text.empty());
  CHECK(app::ParseAssignment("novalue").status().message() == "expected NAME=VALUE, got 'novalue'");
  CHECK_FALSE(app::ParseAssignment("=3").ok());
}
