// tests/gui/model_test.cpp — the GUI's view model over a real data folder,
// without a window: first run, the editor (live validation, relevance,
// calculations, autosave, finalize), the paged reports list, the detail, the
// summary, settings, the battery pause, and what reaches the database.
#include <doctest/doctest.h>

#include <fstream>
#include <sqlite3.h>

#include "gui_test_util.h"
#include "store/store.h"

using namespace fieldsync;
using namespace fieldsync::gui;
using fieldsync::gui::testing::ModelHarness;

namespace {

// Reopens the store the way another process would, to see what is on disk.
std::unique_ptr<store::Store> OpenStore(const std::filesystem::path& dir) {
  auto s = store::Store::Open(dir);
  REQUIRE(s.ok());
  return std::move(s).value();
}

// Types a complete HIV report into the open editor.
void TypeHealthReport(ModelHarness& h, const std::string& period = "2026-01") {
  GuiModel& m = *h.model;
  m.EditorSetText("period", period);
  m.EditorToggleChoice("programme", "hiv");
  m.EditorSetText("hiv_tested", "120");
  m.EditorSetText("hiv_positive", "9");
  m.EditorSetText("hiv_treatment", "9");
  m.EditorToggleChoice("stockout", "no");
  m.EditorSetText("staff_deployed", "14");
  h.Settle();
}

// Creates reports straight through the app (fast set-up for list tests).
void SeedReports(ModelHarness& h, int n, bool finalize_every_third) {
  h.model->RunOnWorkerAndWait([&](app::DeviceApp& app) {
    for (int i = 0; i < n; ++i) {
      app::NewReportRequest r;
      const bool edu = i % 2 == 1;
      r.project_code = edu ? "SSC-EDU-001" : "SSC-HLT-001";
      r.form_id = edu ? "education" : "health";
      const std::string period = "2025-" + std::string(i % 12 < 9 ? "0" : "") + std::to_string(i % 12 + 1);
      r.input.assignments.push_back({"period", period});
      if (edu) {
        r.input.assignments.push_back({"learners_enrolled", std::to_string(10 + i)});
      } else {
        r.input.assignments.push_back({"programme", "hiv"});
        r.input.assignments.push_back({"hiv_tested", std::to_string(100 + i)});
      }
      r.finalize = false;
      auto created = app.CreateReport(r);
      REQUIRE(created.ok());
      if (finalize_every_third && i % 3 == 0) {
        // Finalizing needs every required answer: mark it through the store.
        sqlite3_exec(app.store().raw(),
                     ("UPDATE reports SET status='finalized' WHERE id='" + created->id + "'").c_str(), nullptr,
                     nullptr, nullptr);
      }
    }
  });
  h.model->ReloadData();
  h.Settle();
}

}  // namespace

TEST_CASE("a new device opens on the first-run screen; working offline is remembered") {
  ModelHarness h;
  CHECK(h.model->open_error().empty());
  CHECK(h.model->screen() == Screen::kFirstRun);
  CHECK(h.model->forms().size() == 3);  // the shipped forms
  h.model->WorkOffline();
  h.Settle();
  CHECK(h.model->screen() == Screen::kHome);
  CHECK(h.model->home().loaded);
  // The next start goes straight home.
  h.Open();
  CHECK(h.model->screen() == Screen::kHome);
}

TEST_CASE("enrolling with a malformed address or no code says what is wrong, and sends nothing") {
  ModelHarness h;
  h.model->first_run().server_url = "ftp://hq";
  h.model->first_run().code = "X";
  h.model->Enroll();
  CHECK_FALSE(h.model->first_run().busy);
  CHECK(h.model->first_run().error.find("http") != std::string::npos);
  h.model->first_run().server_url = "http://127.0.0.1:1";
  h.model->first_run().code = "";
  h.model->Enroll();
  CHECK_FALSE(h.model->first_run().error.empty());
  CHECK(h.model->screen() == Screen::kFirstRun);
}

TEST_CASE("a report typed in the editor is finalized, listed as waiting, and on disk with its outbox entry") {
  ModelHarness h;
  GuiModel& m = *h.model;
  m.WorkOffline();
  m.NewReport("SSC-HLT-001", "health");
  h.Settle();
  REQUIRE(m.screen() == Screen::kEditor);
  REQUIRE(m.editor().form);
  CHECK(m.editor().report_id.empty());
  TypeHealthReport(h);
  CHECK(m.editor().HasUnsavedEdits());
  CHECK(m.editor().saved_at_ms == 0);  // nothing shown as saved before the disk says so
  m.EditorFinalize();
  CHECK(m.editor().saving);
  h.Settle();
  CHECK_FALSE(m.editor().saving);
  CHECK(m.editor().saved_at_ms > 0);
  CHECK_FALSE(m.editor().HasUnsavedEdits());
  CHECK_FALSE(m.editor().message_error);
  const std::string id = m.editor().report_id;
  REQUIRE(id.size() == 32);
  REQUIRE(m.editor().status);
  CHECK(*m.editor().status == store::ReportStatus::kFinalized);

  // The list shows it, waiting to be sent; home counts it.
  m.Go(Screen::kReports);
  h.Settle();
  CHECK(m.ReportsTotal() == 1);
  m.ReportRow(0);
  h.Settle();
  const ListRow* row = m.ReportRow(0);
  REQUIRE(row);
  CHECK(row->id == id);
  CHECK(row->status == store::ReportStatus::kFinalized);
  CHECK(row->waiting);
  CHECK(row->summary == "People tested for HIV: 120");
  m.Go(Screen::kHome);
  h.Settle();
  CHECK(m.badge().waiting >= 1);
  CHECK(m.home().by_status.at("finalized") == 1);

  // On disk, as another process sees it.
  auto store = OpenStore(h.tmp.path() / "device");
  auto r = store->GetReport(id);
  REQUIRE(r.ok());
  CHECK(r->status == store::ReportStatus::kFinalized);
  CHECK(r->values["hiv_tested"] == 120);
  CHECK(r->values["programme"] == nlohmann::json::array({"hiv"}));
  CHECK(store->PendingCount().value() >= 1);
}

TEST_CASE("live validation: errors beside the field as typed, in the chosen language") {
  ModelHarness h;
  GuiModel& m = *h.model;
  m.WorkOffline();
  m.NewReport("SSC-HLT-001", "health");
  h.Settle();
  m.EditorToggleChoice("programme", "hiv");
  m.EditorSetText("hiv_tested", "12a");
  h.Settle();
  const FieldView* f = m.editor().Find("hiv_tested");
  REQUIRE(f);
  REQUIRE_FALSE(f->errors.empty());
  CHECK(f->errors.front() == "Enter a whole number");
  CHECK(m.editor().buffers.at("hiv_tested") == "12a");  // what was typed stays
  // A constraint that refers to another field.
  m.EditorSetText("hiv_tested", "10");
  m.EditorSetText("hiv_positive", "11");
  h.Settle();
  CHECK(m.editor().Find("hiv_tested")->errors.empty());
  REQUIRE_FALSE(m.editor().Find("hiv_positive")->errors.empty());
  CHECK(m.editor().Find("hiv_positive")->errors.front().find("10") != std::string::npos);
  // Required answers are not a wall of red until finalizing is tried.
  CHECK(m.editor().Find("staff_deployed")->errors.empty());
  m.EditorSetText("hiv_positive", "4");
  m.EditorFinalize();
  h.Settle();
  CHECK(m.editor().message_error);
  CHECK(m.editor().saved_at_ms == 0);
  CHECK(m.editor().finalize_errors > 0);
  CHECK_FALSE(m.editor().Find("staff_deployed")->errors.empty());
  CHECK(m.editor().report_id.empty());
  // A refused finalize wrote nothing.
  auto store = OpenStore(h.tmp.path() / "device");
  CHECK(store->CountReports({}).value() == 0);
}

TEST_CASE("the editor's messages follow the language setting") {
  ModelOptions o;
  o.lang = Lang::kFr;
  ModelHarness h(o);
  GuiModel& m = *h.model;
  m.NewReport("SSC-HLT-001", "health");
  h.Settle();
  m.EditorToggleChoice("programme", "hiv");
  m.EditorSetText("hiv_tested", "beaucoup");
  m.EditorFinalize();
  h.Settle();
  CHECK(m.editor().Find("hiv_tested")->errors.front() == "Saisissez un nombre entier");
  CHECK(m.editor().Find("staff_deployed")->errors.front() == "obligatoire");
}

TEST_CASE("relevance hides questions and calculated fields follow the answers") {
  ModelHarness h;
  GuiModel& m = *h.model;
  m.NewReport("SSC-HLT-001", "health");
  h.Settle();
  CHECK_FALSE(m.editor().Find("hiv_tested")->relevant);
  CHECK_FALSE(m.editor().Find("malaria_tested")->relevant);
  m.EditorToggleChoice("programme", "malaria");
  h.Settle();
  CHECK(m.editor().Find("malaria_tested")->relevant);
  CHECK_FALSE(m.editor().Find("hiv_tested")->relevant);
  m.EditorToggleChoice("programme", "malaria");  // tapped again: unselected
  h.Settle();
  CHECK_FALSE(m.editor().Find("malaria_tested")->relevant);

  m.NewReport("SSC-EDU-001", "education");
  h.Settle();
  m.EditorSetText("learners_enrolled", "200");
  m.EditorSetText("learners_completed", "150");
  h.Settle();
  const FieldView* rate = m.editor().Find("completion_rate");
  REQUIRE(rate);
  CHECK(rate->calculated);
  CHECK(rate->text == "75");
  CHECK(m.editor().buffers.at("completion_rate") == "75");
}

TEST_CASE("the keypad types into its field, backspace and clear included") {
  ModelHarness h;
  GuiModel& m = *h.model;
  m.NewReport("SSC-EDU-001", "education");
  h.Settle();
  m.editor().keypad_field = "classes_held";
  for (const char* k : {"1", "2", "3", "back", "7"}) m.EditorKeypad(k);
  h.Settle();
  CHECK(m.editor().buffers.at("classes_held") == "127");
  CHECK(m.editor().Find("classes_held")->value == 127);
  m.EditorKeypad("clear");
  h.Settle();
  CHECK(m.editor().Find("classes_held")->value.is_null());
  m.EditorKeypad("done");
  CHECK(m.editor().keypad_field.empty());
}

TEST_CASE("a draft is saved by itself after typing stops, and when the editor is left") {
  ModelHarness h;
  GuiModel& m = *h.model;
  m.NewReport("SSC-EDU-001", "education");
  h.Settle();
  m.EditorSetText("classes_held", "12");
  h.Settle();
  CHECK(m.editor().saved_at_ms == 0);
  h.Advance(1000);
  CHECK(m.editor().saved_at_ms == 0);  // still typing, as far as anyone knows
  h.Advance(2000);
  CHECK(m.editor().saved_at_ms > 0);
  const std::string first = m.editor().report_id;
  REQUIRE_FALSE(first.empty());
  {
    auto store = OpenStore(h.tmp.path() / "device");
    CHECK(store->GetReport(first)->values["classes_held"] == 12);
  }
  // Leaving right after typing: the typing is saved, not dropped.
  m.EditorSetText("classes_held", "13");
  m.Back();
  h.Settle();
  CHECK(m.screen() != Screen::kEditor);
  auto store = OpenStore(h.tmp.path() / "device");
  CHECK(store->GetReport(first)->values["classes_held"] == 13);
  CHECK(store->GetReport(first)->status == store::ReportStatus::kDraft);
}

TEST_CASE("a report HQ holds opens read-only; a returned one shows HQ's comment and can be fixed") {
  ModelHarness h;
  GuiModel& m = *h.model;
  m.NewReport("SSC-HLT-001", "health");
  h.Settle();
  TypeHealthReport(h);
  m.EditorFinalize();
  h.Settle();
  const std::string id = m.editor().report_id;
  m.Back();
  h.Settle();
  // HQ returns it with a comment (what a pull brings).
  m.RunOnWorkerAndWait([&](app::DeviceApp& app) {
    store::PullChange review{"review", id,
                             {{"report_id", id},
                              {"decision", "returned"},
                              {"comment", "Staff count looks too high"},
                              {"reviewer", "amina"},
                              {"field_comments", {{"staff_deployed", "Check the roster"}}}}};
    REQUIRE(app.store().ApplyPull({review}, "c1").ok());
  });
  m.ReloadData();
  h.Settle();
  m.Go(Screen::kHome);
  h.Settle();
  bool listed = false;
  for (const auto& a : m.home().attention) {
    if (a.report_id == id && a.kind == AttentionItem::Kind::kReturned) {
      listed = true;
      CHECK(a.detail == "Staff count looks too high");
    }
  }
  CHECK(listed);
  m.OpenDetail(id);
  h.Settle();
  REQUIRE(m.detail().details);
  CHECK(m.detail().details->report.status == store::ReportStatus::kReturned);
  CHECK(m.detail().details->report.review["field_comments"]["staff_deployed"] == "Check the roster");
  m.EditReport(id);
  h.Settle();
  CHECK_FALSE(m.editor().read_only);
  CHECK(m.editor().review["comment"] == "Staff count looks too high");
  m.EditorSetText("staff_deployed", "9");
  m.EditorFinalize();
  h.Settle();
  CHECK(*m.editor().status == store::ReportStatus::kFinalized);

  // Once HQ has received it, it is HQ's: read-only.
  m.Back();
  h.Settle();
  m.RunOnWorkerAndWait([&](app::DeviceApp& app) {
    sqlite3_exec(app.store().raw(), ("UPDATE reports SET status='received' WHERE id='" + id + "'").c_str(), nullptr,
                 nullptr, nullptr);
  });
  m.EditReport(id);
  h.Settle();
  CHECK(m.editor().read_only);
  m.EditorSetText("staff_deployed", "10");  // ignored
  h.Settle();
  CHECK_FALSE(m.editor().HasUnsavedEdits());
}

TEST_CASE("the reports list pages from the store with a bounded cache, filters and search") {
  ModelHarness h;
  GuiModel& m = *h.model;
  m.WorkOffline();
  SeedReports(h, 300, true);
  m.Go(Screen::kReports);
  h.Settle();
  REQUIRE(m.ReportsTotal() == 300);
  CHECK(m.ReportRow(299) == nullptr);  // not loaded yet: a placeholder
  h.Settle();
  REQUIRE(m.ReportRow(299) != nullptr);
  // Scrolling through everything never holds more than the page budget.
  int64_t seen = 0;
  for (int64_t i = 0; i < 300; ++i) {
    if (!m.ReportRow(i)) h.Settle();
    if (m.ReportRow(i)) ++seen;
    CHECK(static_cast<int>(m.reports().pages.size()) <= ReportsView::kMaxCachedPages);
  }
  CHECK(seen == 300);
  // Newest first.
  CHECK(m.ReportRow(0)->updated_at_ms >= m.ReportRow(299)->updated_at_ms);

  ReportsFilter f;
  f.status = store::ReportStatus::kFinalized;
  m.SetReportsFilter(f);
  h.Settle();
  CHECK(m.ReportsTotal() == 100);
  f = ReportsFilter{};
  f.sector = "education";
  m.SetReportsFilter(f);
  h.Settle();
  CHECK(m.ReportsTotal() == 150);
  m.ReportRow(0);
  h.Settle();
  CHECK(m.ReportRow(0)->form_id == "education");
  f.period = "2025-04";
  m.SetReportsFilter(f);
  h.Settle();
  CHECK(m.ReportsTotal() > 0);
  CHECK(m.ReportsTotal() < 150);
  f = ReportsFilter{};
  f.sector = "water";  // no form for it on the device
  m.SetReportsFilter(f);
  h.Settle();
  CHECK(m.ReportsTotal() == 0);

  // Search applies after a pause in typing.
  m.SetReportsFilter(ReportsFilter{});
  h.Settle();
  m.SetReportsSearchTyped("SSC-EDU");
  h.Settle();
  CHECK(m.ReportsTotal() == 300);  // not yet
  h.Advance(500);
  CHECK(m.ReportsTotal() == 150);
}

TEST_CASE("the summary counts reports per month and sector and sums key indicators") {
  ModelHarness h;
  GuiModel& m = *h.model;
  h.now_ms = 1767225600000 + 15LL * 86400000;  // mid-January 2026: Feb 2025 .. Jan 2026
  SeedReports(h, 24, false);  // two years' worth of months, 2025-01 .. 2025-12 twice
  m.Go(Screen::kSummary);
  h.Settle();
  const SummaryView& s = m.summary();
  REQUIRE(s.loaded);
  REQUIRE(s.months.size() == 12);
  CHECK(s.months.front() == "2025-02");
  CHECK(s.months.back() == "2026-01");
  size_t health = 0;
  while (health < s.form_ids.size() && s.form_ids[health] != "health") ++health;
  REQUIRE(health < s.form_ids.size());
  // Health reports are the even i: periods 2025-01,03,05,...; in the window:
  // 03,05,07,09,11 twice each.
  int64_t total = 0;
  for (auto c : s.counts[health]) total += c;
  CHECK(total == 10);
  // hiv_tested of i = 2 (period 2025-03) and i = 14 (2025-03): 102 + 114.
  CHECK(s.indicators[health][0][1] == doctest::Approx(216));
  CHECK(s.total == 22);  // 24 minus the two 2025-01 reports (i = 0, 12)
}

TEST_CASE("settings are stored on the device and come back after a restart") {
  ModelHarness h;
  GuiModel& m = *h.model;
  m.SetLanguage(Lang::kPt);
  m.SetTheme(Theme::kDark);
  m.SetTextScale(1.3f);
  m.SetAutoSync(false);
  m.SetBatteryPause(30);
  m.SetTextScale(9.0f);  // clamped
  h.Settle();
  CHECK(m.settings().text_scale == doctest::Approx(1.6f));
  h.Open();
  const Settings& s = h.model->settings();
  CHECK(s.lang == Lang::kPt);
  CHECK(s.theme == Theme::kDark);
  CHECK(s.text_scale == doctest::Approx(1.6f));
  CHECK_FALSE(s.auto_sync);
  CHECK(s.battery_pause_percent == 30);
  CHECK(std::string(h.model->T(Str::kNavReports)) == "Relatórios");
}

TEST_CASE("a low battery pauses sync; charging or a lower threshold resumes it") {
  gui::testing::TempDir power;
  auto write = [&](const std::string& f, const std::string& v) {
    std::filesystem::create_directories((power.path() / f).parent_path());
    std::ofstream(power.path() / f) << v << "\n";
  };
  write("BAT0/type", "Battery");
  write("BAT0/capacity", "12");
  write("BAT0/status", "Discharging");
  ModelOptions o;
  o.power_supply_root = power.path();
  // The real sync loop; the device is not enrolled, so it sends nothing.
  ModelHarness h(o, /*sync=*/true);
  GuiModel& m = *h.model;
  CHECK(m.badge().battery.percent == 12);
  CHECK(m.badge().paused_for_battery);  // default threshold 15 %
  m.SetBatteryPause(10);
  CHECK_FALSE(m.badge().paused_for_battery);
  m.SetBatteryPause(20);
  CHECK(m.badge().paused_for_battery);
  write("BAT0/status", "Charging");
  h.Advance(6000);  // the next poll
  CHECK_FALSE(m.badge().paused_for_battery);
}

TEST_CASE("screens navigate with a back stack; the editor never stays open behind another screen") {
  ModelHarness h;
  GuiModel& m = *h.model;
  m.WorkOffline();
  h.Settle();
  m.Go(Screen::kProjects);
  h.Settle();
  CHECK(m.projects().loaded);
  CHECK(m.projects().visible.size() == m.projects().all.size());
  m.projects().sector = "education";
  m.ApplyProjectFilter();
  for (int i : m.projects().visible) CHECK(m.projects().all[static_cast<size_t>(i)].sector == "education");
  m.projects().sector.clear();
  m.projects().search = "cassava";
  m.ApplyProjectFilter();
  REQUIRE(m.projects().visible.size() == 1);
  CHECK(m.projects().all[static_cast<size_t>(m.projects().visible[0])].code == "SSC-AGR-002");
  m.NewReport("SSC-AGR-002", "agriculture");
  h.Settle();
  CHECK(m.screen() == Screen::kEditor);
  m.Go(Screen::kSettings);
  CHECK_FALSE(m.editor().open);
  m.Back();
  CHECK(m.screen() == Screen::kProjects);  // not back into a closed editor
  m.Back();
  CHECK(m.screen() == Screen::kHome);
}
