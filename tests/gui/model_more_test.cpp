// tests/gui/model_more_test.cpp — the view model with what sync leaves on the
// device: a rejected change (dead letter) sent again, a conflict explained
// and acknowledged, a photo attached from a folder, and the GPS button
// without gpsd.
#include <doctest/doctest.h>

#include <fstream>

#include "gui_test_util.h"
#include "store/store.h"

using namespace fieldsync;
using namespace fieldsync::gui;
using fieldsync::gui::testing::ModelHarness;

namespace {

// A finalized education report made through the editor; returns its id.
std::string MakeReport(ModelHarness& h) {
  GuiModel& m = *h.model;
  m.NewReport("SSC-EDU-001", "education");
  h.Settle();
  for (auto [f, v] : std::vector<std::pair<const char*, const char*>>{{"period", "2025-12"},
                                                                      {"classes_held", "40"},
                                                                      {"learners_enrolled", "200"},
                                                                      {"learners_completed", "150"},
                                                                      {"women_enrolled", "90"},
                                                                      {"teachers_trained", "6"},
                                                                      {"scholarships_awarded", "2"}}) {
    m.EditorSetText(f, v);
  }
  m.EditorFinalize();
  h.Settle();
  REQUIRE(m.editor().saved_at_ms > 0);
  std::string id = m.editor().report_id;
  m.Back();
  h.Settle();
  return id;
}

// The outbox entry the device would send for `id`.
int64_t PendingSeq(GuiModel& m, const std::string& id) {
  int64_t seq = 0;
  m.RunOnWorkerAndWait([&](app::DeviceApp& app) {
    auto entries = app.store().PeekOutbox(0, 1 << 20);
    REQUIRE(entries.ok());
    for (const auto& e : *entries) {
      if (e.report_id == id) seq = e.seq;
    }
  });
  REQUIRE(seq > 0);
  return seq;
}

}  // namespace

TEST_CASE("a change HQ rejected shows on home with its reason and can be sent again") {
  ModelHarness h;
  GuiModel& m = *h.model;
  m.WorkOffline();
  const std::string id = MakeReport(h);
  const int64_t seq = PendingSeq(m, id);
  m.RunOnWorkerAndWait([&](app::DeviceApp& app) {
    store::PushResult r;
    r.seq = seq;
    r.outcome = "rejected";
    r.reason = "project SSC-EDU-001 is closed";
    REQUIRE(app.store().AckPush(seq, {r}).ok());
  });
  m.ReloadData();
  m.Go(Screen::kHome);
  h.Settle();
  CHECK(m.badge().dead_letters == 1);
  CHECK(m.badge().waiting == 0);
  const AttentionItem* rejected = nullptr;
  for (const auto& a : m.home().attention) {
    if (a.kind == AttentionItem::Kind::kRejected) rejected = &a;
  }
  REQUIRE(rejected);
  CHECK(rejected->report_id == id);
  CHECK(rejected->detail == "project SSC-EDU-001 is closed");
  m.ResendDeadLetter(rejected->dead_letter_seq);
  h.Settle();
  CHECK(m.badge().dead_letters == 0);
  CHECK(m.badge().waiting == 1);
}

TEST_CASE("a conflict is shown with both values and cleared once the officer has seen it") {
  ModelHarness h;
  GuiModel& m = *h.model;
  m.WorkOffline();
  const std::string id = MakeReport(h);
  const int64_t seq = PendingSeq(m, id);
  m.RunOnWorkerAndWait([&](app::DeviceApp& app) {
    auto report = app.store().GetReport(id);
    REQUIRE(report.ok());
    store::Report server = *report;
    server.values["classes_held"] = 38;
    server.server_version = 2;
    store::PushResult r;
    r.seq = seq;
    r.outcome = "conflict";
    r.server_version = 2;
    r.report = store::ReportToJson(server);
    r.conflicts = nlohmann::json::array({{{"field", "classes_held"}, {"kept", 38}, {"lost", 40}, {"winner", "hq"}}});
    REQUIRE(app.store().AckPush(seq, {r}).ok());
  });
  m.ReloadData();
  m.Go(Screen::kHome);
  h.Settle();
  bool listed = false;
  for (const auto& a : m.home().attention) listed |= a.kind == AttentionItem::Kind::kConflict && a.report_id == id;
  CHECK(listed);
  m.OpenDetail(id);
  h.Settle();
  REQUIRE(m.detail().details);
  CHECK(m.detail().details->report.has_conflict);
  bool explained = false;
  for (const auto& e : m.detail().details->history) {
    if (e.source == "conflict" && e.field == "classes_held") {
      explained = true;
      CHECK(e.new_value == 38);  // kept
      CHECK(e.old_value == 40);  // lost, and still in the history
    }
  }
  CHECK(explained);
  m.MarkConflictSeen();
  h.Settle();
  REQUIRE(m.detail().details);
  CHECK_FALSE(m.detail().details->report.has_conflict);
}

TEST_CASE("a photo is picked from a folder, attached, and stored with the report") {
  ModelHarness h;
  GuiModel& m = *h.model;
  const auto pictures = h.tmp.path() / "Pictures";
  std::filesystem::create_directories(pictures);
  std::ofstream(pictures / "plots.png", std::ios::binary) << std::string("\x89PNG\r\n\x1a\nnot really", 18);
  std::ofstream(pictures / "notes.txt") << "not a picture\n";
  m.NewReport("SSC-AGR-002", "agriculture");
  h.Settle();
  m.EditorOpenPhotoPicker("photo", pictures);
  h.Settle();
  REQUIRE(m.editor().photo_files.size() == 1);  // the text file is not offered
  CHECK(std::filesystem::path(m.editor().photo_files[0]).filename() == "plots.png");
  m.EditorAttachPhoto("photo", m.editor().photo_files[0]);
  h.Settle();
  CHECK(m.editor().photo_field.empty());  // the picker closed
  const FieldView* f = m.editor().Find("photo");
  REQUIRE(f);
  REQUIRE(f->value.is_string());
  const std::string sha = f->value.get<std::string>();
  CHECK(sha.size() == 64);
  CHECK(m.editor().buffers.at("photo#file") == "plots.png");
  m.EditorSetText("period", "2025-11");
  m.EditorSaveDraft();
  h.Settle();
  REQUIRE(m.editor().saved_at_ms > 0);
  auto store = store::Store::Open(h.tmp.path() / "device");
  REQUIRE(store.ok());
  auto att = (*store)->GetAttachment(sha);
  REQUIRE(att.ok());
  CHECK(att->size == 18);
  CHECK(std::filesystem::exists((*store)->AttachmentPath(sha)));
}

TEST_CASE("without gpsd the location is typed, and the GPS button says why it cannot help") {
  ModelHarness h;
  GuiModel& m = *h.model;
  m.NewReport("SSC-AGR-002", "agriculture");
  h.Settle();
  CHECK(m.gps().status == platform::GpsStatus::kUnavailable);
  m.EditorUseGps("location");
  h.Settle();
  CHECK(m.notice().error);
  CHECK(m.notice().text == "No GPS: type the coordinates");
  CHECK(m.editor().Find("location")->value.is_null());
  m.EditorSetText("location", "14.6928, -17.4467");
  h.Settle();
  const FieldView* loc = m.editor().Find("location");
  REQUIRE(loc->value.is_object());
  CHECK(loc->value["lat"].get<double>() == doctest::Approx(14.6928));
  CHECK(loc->value["lon"].get<double>() == doctest::Approx(-17.4467));
}
