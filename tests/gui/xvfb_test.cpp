// tests/gui/xvfb_test.cpp — the real app under Xvfb (xvfb-run), driven by a
// script through the UI's actions: a report created, finalized and listed as
// waiting, screenshots written, the database checked — with each renderer
// (OpenGL through Mesa, and the CPU rasteriser), whose screenshots must show
// the same picture; a drag on the reports list (real X input through xdotool)
// scrolls it; and, with the real HQ server, a report made while the server is
// down goes out by itself when it comes back.
//
// Skipped (with a message) when xvfb-run, xdotool or the binaries are missing.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "gui_test_util.h"
#include "proc_util.h"
#include "client/app/device_app.h"
#include "schema/catalogue.h"
#include "store/store.h"

using namespace fieldsync;
using namespace fieldsync::gui::testing;

// stb_image's decoder lives in Debian's libstb (linked for this test).
extern "C" unsigned char* stbi_load(char const* filename, int* x, int* y, int* comp, int req_comp);
extern "C" void stbi_image_free(void* retval_from_stbi_load);

namespace {

const std::string kApp = BuildPath("client/gui/fieldsync");
const std::string kServer = BuildPath("server/fieldsync-server");

bool CanRunApp() {
  if (!OnPath("xvfb-run")) {
    MESSAGE("xvfb-run is not installed (Debian package xvfb): skipped");
    return false;
  }
  if (!std::filesystem::exists(kApp)) {
    MESSAGE(kApp << " is not built: skipped");
    return false;
  }
  return true;
}

void WriteScript(const std::filesystem::path& file, const std::string& text) { std::ofstream(file) << text; }

// xvfb-run with its own display number, so parallel tests do not collide.
std::vector<std::string> UnderXvfb(std::vector<std::string> argv) {
  std::vector<std::string> out = {"xvfb-run", "-a", "-s", "-screen 0 1024x1024x24"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

const char* kHealthReport =
    "new SSC-HLT-001 health\n"
    "keypad period 2026-02\n"
    "choose programme hiv\n"
    "set hiv_tested 120\n"
    "set hiv_positive 9\n"
    "set hiv_treatment 9\n"
    "choose stockout no\n"
    "keypad staff_deployed 14\n";

// The device's demo projects as HQ's registry CSV (HQ accepts reports only
// for projects it knows).
std::string DemoProjectsCsv() {
  auto quote = [](const std::string& v) {
    std::string out = "\"";
    for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  auto join = [](const auto& list) {
    std::string out;
    for (const auto& v : list) {
      if (!out.empty()) out += ";";
      if constexpr (std::is_same_v<std::decay_t<decltype(v)>, int>) out += std::to_string(v);
      else out += v;
    }
    return out;
  };
  std::string csv = "code,title,sector,measures,modality,providers,beneficiaries,funding_partner,agency,region,ldc,lldc,sids\n";
  for (const auto& p : schema::DemoProjects()) {
    csv += p.code + "," + quote(p.title) + "," + p.sector + "," + join(p.measures) + "," +
           std::string(schema::ModalityName(p.modality)) + "," + join(p.providers) + "," + join(p.beneficiaries) +
           "," + quote(p.funding_partner) + "," + quote(p.agency) + "," + p.region + "," + (p.ldc ? "1" : "0") + "," +
           (p.lldc ? "1" : "0") + "," + (p.sids ? "1" : "0") + "\n";
  }
  return csv;
}


void ReportThroughTheUi(const std::string& renderer) {
  if (!CanRunApp()) return;
  TempDir tmp;
  const auto dir = tmp.path();
  WriteScript(dir / "script.txt", std::string("offline\n") + kHealthReport +
                                      "set hiv_positive 200\n"
                                      "expect-error hiv_positive\n"
                                      "screenshot " + (dir / "editor-error.png").string() + "\n"
                                      "set hiv_positive 9\n"
                                      "finalize\n"
                                      "close\n"
                                      "screen reports\n"
                                      "expect-count 1\n"
                                      "expect-row 0 finalized waiting\n"
                                      "screenshot " + (dir / "reports.png").string() + "\n"
                                      "screen home\n"
                                      "expect-waiting 1\n"
                                      "screenshot " + (dir / "home.png").string() + "\n"
                                      "detail last\n"
                                      "screenshot " + (dir / "detail.png").string() + "\n"
                                      "quit\n");
  Child app(UnderXvfb({kApp, "--data", (dir / "device").string(), "--renderer", renderer, "--script",
                       (dir / "script.txt").string()}),
            dir / "app.log");
  const int rc = app.Wait(180);
  INFO("app log:\n" << ReadFile(dir / "app.log"));
  REQUIRE(rc == 0);
  for (const char* png : {"editor-error.png", "reports.png", "home.png", "detail.png"}) {
    auto [w, h] = PngSize(dir / png);
    INFO(png);
    CHECK(w == 540);
    CHECK(h == 960);
  }
  // What the screens said is what the database holds.
  auto store = store::Store::Open(dir / "device");
  REQUIRE(store.ok());
  store::ReportFilter f;
  f.status = store::ReportStatus::kFinalized;
  auto rows = (*store)->ListReports(f);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  const store::Report& r = rows->front();
  CHECK(r.project_code == "SSC-HLT-001");
  CHECK(r.period == "2026-02");
  CHECK(r.values["hiv_tested"] == 120);
  CHECK(r.values["hiv_positive"] == 9);
  CHECK(r.values["staff_deployed"] == 14);
  CHECK((*store)->PendingCount().value() >= 1);
  CHECK((*store)->CountReports({}).value() == 1);
}

struct Image {
  int w = 0, h = 0;
  std::vector<unsigned char> rgba;
};
Image LoadPng(const std::filesystem::path& p) {
  Image img;
  int comp = 0;
  unsigned char* data = stbi_load(p.c_str(), &img.w, &img.h, &comp, 4);
  if (data) {
    img.rgba.assign(data, data + static_cast<size_t>(img.w) * img.h * 4);
    stbi_image_free(data);
  }
  return img;
}

}  // namespace

TEST_CASE("under Xvfb, OpenGL: a report made through the UI is finalized, listed as waiting, and on disk") {
  ReportThroughTheUi("gl");
}

TEST_CASE("under Xvfb, software renderer: a report made through the UI is finalized, listed as waiting, and on disk") {
  ReportThroughTheUi("software");
}

TEST_CASE("under Xvfb: the software renderer draws the picture OpenGL draws") {
  if (!CanRunApp()) return;
  TempDir tmp;
  const auto dir = tmp.path();
  WriteScript(dir / "script.txt", std::string("offline\n") + kHealthReport + "save\nclose\nquit\n");
  Child setup(UnderXvfb({kApp, "--data", (dir / "device").string(), "--script", (dir / "script.txt").string()}),
              dir / "setup.log");
  INFO("setup log:\n" << ReadFile(dir / "setup.log"));
  REQUIRE(setup.Wait(120) == 0);
  // Screens with text, rounded frames, borders, a chart and the keypad.
  for (const char* screen : {"home", "reports", "editor", "summary", "settings"}) {
    INFO(screen);
    Image shot[2];
    const char* renderers[2] = {"gl", "software"};
    for (int i = 0; i < 2; ++i) {
      const auto png = dir / (std::string(screen) + "-" + renderers[i] + ".png");
      int rc = 0;
      const std::string out =
          Capture("xvfb-run -a " + kApp + " --data " + (dir / "device").string() + " --renderer " + renderers[i] +
                      " --screenshot " + png.string() + " --screen " + screen + " 2>&1",
                  &rc);
      INFO(out);
      REQUIRE(rc == 0);
      shot[i] = LoadPng(png);
      REQUIRE(shot[i].w == 540);
      REQUIRE(shot[i].h == 960);
    }
    // The same picture: anti-aliased edges may differ by a shade, nothing
    // else (a missing glyph, frame or fill shows as pixels far apart).
    size_t far = 0, total = 0, sum = 0;
    for (size_t p = 0; p < shot[0].rgba.size(); p += 4) {
      int worst = 0;
      for (int c = 0; c < 3; ++c) {
        const int d = std::abs(shot[0].rgba[p + c] - shot[1].rgba[p + c]);
        worst = std::max(worst, d);
        sum += static_cast<size_t>(d);
      }
      if (worst > 64) ++far;
      ++total;
    }
    const double far_share = static_cast<double>(far) / static_cast<double>(total);
    const double mean = static_cast<double>(sum) / static_cast<double>(total * 3);
    MESSAGE(std::string(screen) << ": " << far << " of " << total << " pixels differ by more than 64, mean difference " << mean);
    CHECK(far_share < 0.002);
    CHECK(mean < 1.0);
    // And neither is blank.
    size_t light = 0;
    for (size_t p = 0; p < shot[1].rgba.size(); p += 4) light += shot[1].rgba[p] > 128 ? 1 : 0;
    CHECK(light > total / 20);
    CHECK(light < total);
  }
}


TEST_CASE("under Xvfb: dragging the reports list scrolls it, and the drag is not a tap") {
  if (!CanRunApp()) return;
  if (!OnPath("xdotool")) {
    MESSAGE("xdotool is not installed (Debian package xdotool): skipped");
    return;
  }
  TempDir tmp;
  const auto dir = tmp.path();
  const auto device = dir / "device";
  // Forty reports: the list is several screens long.
  {
    auto app = app::DeviceApp::Open(device);  // seeds the forms and projects
    REQUIRE(app.ok());
  }
  {
    auto store = store::Store::Open(device);
    REQUIRE(store.ok());
    for (int i = 0; i < 40; ++i) {
      store::Report r;
      r.project_code = "SSC-EDU-001";
      r.form_id = "education";
      r.form_version = 1;
      r.period = "2025-" + std::string(i % 12 < 9 ? "0" : "") + std::to_string(i % 12 + 1);
      r.author = "test";
      r.status = store::ReportStatus::kDraft;
      r.values = {{"period", r.period}, {"classes_held", i}, {"learners_enrolled", 100 + i}};
      REQUIRE((*store)->CreateReport(r).ok());
    }
  }
  WriteScript(dir / "script.txt", "offline\n"
                                  "screen reports\n"
                                  "expect-count 40\n"
                                  "wait\n"
                                  "sleep 300\n"
                                  "screenshot " + (dir / "before.png").string() + "\n"
                                  "signal " + (dir / "ready").string() + "\n"
                                  "wait-file " + (dir / "dragged").string() + "\n"
                                  "sleep 300\n"
                                  "expect-screen reports\n"  // the drag did not open a report
                                  "screenshot " + (dir / "after.png").string() + "\n"
                                  "quit\n");
  // A finger on a row 700 px down the window, dragged up 300 px, then lifted:
  // real X input (XTest) through SDL and ImGui, as a touch screen's would be.
  std::ofstream(dir / "drag.sh")
      << "set -e\n"
      << kApp << " --data " << device.string() << " --no-sync --script " << (dir / "script.txt").string()
      << " > " << (dir / "app.log").string() << " 2>&1 &\n"
      << "app=$!\n"
      << "for i in $(seq 300); do [ -e " << (dir / "ready").string() << " ] && break; sleep 0.1; done\n"
      << "w=$(xdotool search --name '^fieldsync$' | head -1)\n"
      << "xdotool windowfocus --sync $w mousemove --window $w 270 700\n"
      << "sleep 0.2\n"
      << "xdotool mousedown 1\n"
      << "for y in 680 650 600 550 500 450 400; do xdotool mousemove --window $w 270 $y; sleep 0.05; done\n"
      << "sleep 0.2\n"
      << "xdotool mouseup 1\n"
      << "sleep 0.2\n"
      << "touch " << (dir / "dragged").string() << "\n"
      << "wait $app\n";
  int rc = 0;
  const std::string out = Capture("xvfb-run -a -s '-screen 0 1024x1024x24' sh " + (dir / "drag.sh").string() + " 2>&1", &rc);
  INFO(out << "\napp log:\n" << ReadFile(dir / "app.log"));
  REQUIRE(rc == 0);
  const Image before = LoadPng(dir / "before.png"), after = LoadPng(dir / "after.png");
  REQUIRE(before.w == 540);
  REQUIRE(after.w == 540);
  REQUIRE(before.h == after.h);
  // How far did the content move? Compare the rows of `after` with those of
  // `before` shifted by s; the best s is the scroll.
  auto diff = [&](int s, int y0, int y1) {
    double sum = 0;
    for (int y = y0; y < y1; ++y) {
      const unsigned char* a = &after.rgba[static_cast<size_t>(y) * after.w * 4];
      const unsigned char* b = &before.rgba[static_cast<size_t>(y + s) * before.w * 4];
      for (int x = 0; x < after.w * 4; ++x) sum += std::abs(a[x] - b[x]);
    }
    return sum / ((y1 - y0) * after.w * 4.0);
  };
  int best = 0;
  double best_diff = 1e9;
  for (int s = 0; s <= 320; ++s) {
    const double d = diff(s, 80, 560);
    if (d < best_diff) {
      best_diff = d;
      best = s;
    }
  }
  MESSAGE("the list moved " << best << " px for a 300 px drag (difference " << best_diff << " against "
                            << diff(0, 80, 560) << " unmoved)");
  CHECK(best >= 250);
  CHECK(best <= 310);
  CHECK(best_diff < diff(0, 80, 560) * 0.25);
  // The top bar did not move.
  CHECK(diff(0, 0, 60) < 1.0);
}

TEST_CASE("under Xvfb: with HQ down, a finalized report waits; it syncs by itself once HQ is back") {
  if (!CanRunApp()) return;
  if (!std::filesystem::exists(kServer)) {
    MESSAGE(kServer << " is not built: skipped");
    return;
  }
  TempDir tmp;
  const auto dir = tmp.path();
  const int port = FreePort();
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  const std::string db = (dir / "hq.db").string();
  auto serve = [&] {
    return std::make_unique<Child>(
        std::vector<std::string>{kServer, "serve", "--db", db, "--listen", "127.0.0.1:" + std::to_string(port)},
        dir / "server.log");
  };
  auto server = serve();
  REQUIRE(WaitFor([&] { return Listening(port); }, 30));
  int rc = 0;
  std::ofstream(dir / "projects.csv") << DemoProjectsCsv();
  Capture(kServer + " admin --db " + db + " projects import " + (dir / "projects.csv").string() + " 2>&1", &rc);
  REQUIRE(rc == 0);
  std::string code = Capture(kServer + " admin --db " + db + " enroll --officer Amina 2>&1", &rc);
  REQUIRE(rc == 0);
  // The code is the last word printed.
  while (!code.empty() && isspace(static_cast<unsigned char>(code.back()))) code.pop_back();
  code = code.substr(code.find_last_of(" \n") + 1);
  REQUIRE_FALSE(code.empty());

  WriteScript(dir / "script.txt", "timeout 60\n"
                                  "enroll " + url + " " + code + "\n"
                                  "signal " + (dir / "enrolled").string() + "\n"
                                  "wait-file " + (dir / "server-down").string() + "\n" +
                                  kHealthReport +
                                  "finalize\n"
                                  "close\n"
                                  "screen home\n"
                                  "expect-waiting 1\n"
                                  "signal " + (dir / "finalized").string() + "\n"
                                  "timeout 90\n"
                                  "expect-sent\n"
                                  "screenshot " + (dir / "sent.png").string() + "\n"
                                  "quit\n");
  Child app(UnderXvfb({kApp, "--data", (dir / "device").string(), "--script", (dir / "script.txt").string()}),
            dir / "app.log");
  INFO("app log:\n" << ReadFile(dir / "app.log"));  // evaluated when an assertion fails
  REQUIRE(WaitFor([&] { return std::filesystem::exists(dir / "enrolled"); }, 90));
  server->Kill();
  REQUIRE_FALSE(Listening(port));
  std::ofstream(dir / "server-down") << "1\n";
  REQUIRE(WaitFor([&] { return std::filesystem::exists(dir / "finalized"); }, 90));
  // Let the app try and fail against the stopped server first.
  std::this_thread::sleep_for(std::chrono::seconds(4));
  const auto back = std::chrono::steady_clock::now();
  server = serve();
  REQUIRE(WaitFor([&] { return Listening(port); }, 30));
  rc = app.Wait(150);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - back).count();
  REQUIRE(rc == 0);
  MESSAGE("the report reached HQ " << took << " s after the server came back");
  // HQ has it.
  std::string stats = Capture(kServer + " admin --db " + db + " stats --json", &rc);
  REQUIRE(rc == 0);
  INFO(stats);
  auto j = nlohmann::json::parse(stats, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  CHECK(j["reports"]["total"] == 1);
  CHECK(j["reports"]["by_status"]["received"] == 1);
  // The device has nothing left to send.
  auto store = store::Store::Open(dir / "device");
  REQUIRE(store.ok());
  CHECK((*store)->PendingCount().value() == 0);
  CHECK((*store)->DeadLetters()->empty());
  CHECK(PngSize(dir / "sent.png").first == 540);
}

TEST_CASE("without any display the app says so and exits 3; a screenshot still renders offscreen") {
  if (!std::filesystem::exists(kApp)) return;
  if (std::filesystem::exists("/dev/dri")) {
    MESSAGE("this machine has /dev/dri (KMSDRM could draw): skipped");
    return;
  }
  TempDir tmp;
  const std::string env = "env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER ";
  int rc = 0;
  const std::string out = Capture(env + kApp + " --data " + (tmp.path() / "device").string() + " 2>&1", &rc);
  CHECK(rc == 3);
  CHECK(out.find("no display") != std::string::npos);
  CHECK(out.find("fieldsync-cli") != std::string::npos);
  Capture(env + kApp + " --data " + (tmp.path() / "device").string() + " --screenshot " +
              (tmp.path() / "home.png").string() + " --screen home 2>&1",
          &rc);
  CHECK(rc == 0);
  CHECK(PngSize(tmp.path() / "home.png") == std::make_pair(540, 960));
}
