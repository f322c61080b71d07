// bench/gui_bench.cpp — the field officer's app with 100,000 reports: frame
// CPU time (p50, p99, max) on the reports list while it scrolls (slowly, and
// in flings that land on pages not loaded yet), on home, the editor while
// typing, and the summary; cold start of the real binary to its first frame;
// resident memory. Prints figures; asserts nothing.
//
//   xvfb-run -a build/bench/gui_bench [--reports N] [--frames N] [--data DIR]
//                                     [--renderer gl|software|auto]
//
// --renderer picks the renderer the way the app does (platform/renderer.h;
// default auto: gl with a GPU render node, software without); the figures
// name the renderer they measured.
//
// Needs a display (X11 or Xvfb). The data folder (100,000 reports) is made
// once under the build folder and reused; making it takes a minute. The
// editor scenario leaves one draft behind (leaving the editor saves what was
// typed), so the count grows by one a run.
//
// "Frame CPU" with OpenGL is the time from the start of a frame to the end of
// building and submitting its draw lists (GuiModel::BeginFrame, the UI,
// ImGui::Render, the GL backend's submission), i.e. the app's own work; "with
// present" adds the buffer swap, in which a software GL driver (llvmpipe
// under Xvfb) rasterises — on a device with a GPU that part runs on the GPU.
// With the software renderer nothing runs on a GPU: its frame CPU is the
// whole frame, present included (rasterising and the copy to the screen).
#include <SDL.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "client/gui/model.h"
#include "client/gui/ui.h"
#include "platform/window.h"
#include "store/store.h"

using namespace fieldsync;

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// VmRSS / VmHWM of this process in MiB.
double ProcStatusMb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::atof(line.c_str() + std::strlen(key)) / 1024.0;
  }
  return 0;
}

// Resident memory of the software GL driver's code (libLLVM, *_dri.so):
// shared library pages that a device with a GPU driver does not carry.
double GlDriverRssMb() {
  std::ifstream in("/proc/self/smaps");
  std::string line, name;
  double kb = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) && line.find('-') != std::string::npos &&
        line.find(' ') != std::string::npos) {
      auto slash = line.find('/');
      name = slash == std::string::npos ? "" : line.substr(slash);
    } else if (line.rfind("Rss:", 0) == 0 &&
               (name.find("libLLVM") != std::string::npos || name.find("_dri.so") != std::string::npos ||
                name.find("libgallium") != std::string::npos)) {
      kb += std::atof(line.c_str() + 4);
    }
  }
  return kb / 1024.0;
}

struct Stats {
  double p50 = 0, p99 = 0, max = 0, mean = 0;
};
Stats Summarize(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * (v.size() - 1) + 0.5))]; };
  s.p50 = at(0.5);
  s.p99 = at(0.99);
  s.max = v.back();
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  return s;
}

// Makes (once) a device with `n` reports over the last 18 months in three
// sectors; most acknowledged by HQ, the last 200 waiting. Runs in a child
// process so its memory does not count against the app's.
bool PrepareData(const std::filesystem::path& dir, int n) {
  if (std::filesystem::exists(dir / "ready")) {
    std::ifstream in(dir / "ready");
    int have = 0;
    in >> have;
    if (have == n) return true;
  }
  std::cout << "preparing " << n << " reports in " << dir << " (once)..." << std::flush;
  const auto start = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    // The app seeds forms and projects on first open.
    {
      auto app = app::DeviceApp::Open(dir);
      if (!app.ok()) _exit(1);
    }
    auto opened = store::Store::Open(dir);
    if (!opened.ok()) _exit(1);
    store::Store& s = **opened;
    std::mt19937 rng(42);
    const char* projects[3][2] = {{"SSC-HLT-001", "health"}, {"SSC-EDU-001", "education"}, {"SSC-AGR-002", "agriculture"}};
    sqlite3_exec(s.raw(), "BEGIN", nullptr, nullptr, nullptr);
    for (int i = 0; i < n; ++i) {
      const int k = i % 3;
      const int month = i % 18;
      const int y = 2025 + (month + 5) / 12;
      const int mo = (month + 5) % 12 + 1;
      char period[8];
      std::snprintf(period, sizeof(period), "%04d-%02d", y, mo);
      store::Report r;
      r.project_code = projects[k][0];
      r.form_id = projects[k][1];
      r.form_version = 1;
      r.period = period;
      r.author = "bench";
      r.status = (i % 5 == 0) ? store::ReportStatus::kDraft : store::ReportStatus::kFinalized;
      const int v = static_cast<int>(rng() % 500);
      if (k == 0) {
        r.values = {{"period", period}, {"programme", {"hiv", "malaria"}}, {"hiv_tested", 100 + v},
                    {"hiv_positive", v / 20}, {"malaria_tested", 300 + v}, {"tb_screened", v / 2},
                    {"stockout", "no"}, {"staff_deployed", 10 + v % 7},
                    {"narrative", "Outreach in district " + std::to_string(v % 40) + "; supplies arrived late."}};
      } else if (k == 1) {
        r.values = {{"period", period}, {"classes_held", 20 + v % 50}, {"learners_enrolled", 100 + v},
                    {"learners_completed", 80 + v / 2}, {"women_enrolled", 50 + v / 3}, {"teachers_trained", v % 12}};
      } else {
        r.values = {{"period", period}, {"farmers_trained", 150 + v}, {"women_farmers", 60 + v / 3},
                    {"hectares_planted", 80.5 + v}, {"seed_distributed_kg", 2000 + 10 * v}, {"main_crop", "maize"}};
      }
      if (!s.CreateReport(r).ok()) _exit(2);
    }
    sqlite3_exec(s.raw(), "COMMIT", nullptr, nullptr, nullptr);
    // HQ acknowledged all but the last 200 changes.
    auto pending = s.PeekOutbox(0, 1 << 20, 1);
    if (pending.ok() && !pending->empty()) s.AckPush(pending->front().seq + n - 201, {});
    std::ofstream(dir / "ready") << n << "\n";
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  std::cout << " " << static_cast<int>(Ms(Clock::now() - start) / 1000) << " s\n";
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// Cold start of the real binary: process start to first frame, and to the
// first frame with the home screen's data in.
void ColdStart(const std::filesystem::path& app, const std::filesystem::path& data, platform::Renderer renderer) {
  std::vector<double> first, ready, rss;
  std::string used;
  for (int run = 0; run < 5; ++run) {
    const std::string out_file = "/tmp/fieldsync-gui-bench-start.txt";
    const int64_t t0 = WallMs();
    const std::string cmd = app.string() + " --data " + data.string() + " --renderer " +
                            platform::RendererName(renderer) + " --first-frame-exit --no-sync > " + out_file;
    if (std::system(cmd.c_str()) != 0) {
      std::cout << "cold start: the app failed (" << cmd << ")\n";
      return;
    }
    std::ifstream in(out_file);
    std::string key, text;
    while (in >> key >> text) {
      const double value = std::atof(text.c_str());
      if (key == "first_frame_at_ms") first.push_back(value - static_cast<double>(t0));
      if (key == "ready_at_ms") ready.push_back(value - static_cast<double>(t0));
      if (key == "vm_hwm_mb") rss.push_back(value);
      if (key == "renderer") used = text;
    }
  }
  std::printf("cold start of %s --renderer %s (the app drew with: %s)\n", app.filename().c_str(),
              platform::RendererName(renderer), used.c_str());
  Stats f = Summarize(first), r = Summarize(ready), m = Summarize(rss);
  std::printf("cold start to first frame: median %.0f ms, worst %.0f ms (5 runs, process launch included)\n", f.p50,
              f.max);
  std::printf("cold start to home with data: median %.0f ms, worst %.0f ms\n", r.p50, r.max);
  std::printf("peak resident memory of the app at start: %.1f MiB\n", m.max);
}

}  // namespace

int main(int argc, char** argv) {
  int reports = 100000;
  int frames = 1500;
  platform::Renderer renderer = platform::Renderer::kAuto;
  std::filesystem::path data = std::filesystem::path(FIELDSYNC_BUILD_DIR) / "bench-data" / "gui";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--reports") reports = std::atoi(argv[i + 1]);
    else if (a == "--frames") frames = std::atoi(argv[i + 1]);
    else if (a == "--data") data = argv[i + 1];
    else if (a == "--renderer" && !platform::ParseRenderer(argv[i + 1], &renderer)) {
      std::cerr << "gui_bench: --renderer expects gl, software or auto\n";
      return 2;
    }
  }
  data += "-" + std::to_string(reports);
  if (!PrepareData(data, reports)) {
    std::cerr << "gui_bench: could not prepare the data folder " << data << "\n";
    return 1;
  }
  const std::filesystem::path app = std::filesystem::path(FIELDSYNC_BUILD_DIR) / "client" / "gui" / "fieldsync";
  std::printf("gui_bench: %d reports in %s\n", reports, data.c_str());

  platform::WindowOptions wo;
  wo.vsync = false;
  wo.renderer = renderer;
  auto window = platform::Window::Create(wo);
  if (!window.ok()) {
    std::cerr << "gui_bench: " << window.status().message() << " (run it under xvfb-run -a)\n";
    return 1;
  }
  const bool software = (*window)->renderer() == platform::Renderer::kSoftware;
  std::printf("renderer measured: %s (asked: %s) — %s; video driver %s\n",
              platform::RendererName((*window)->renderer()), platform::RendererName(renderer),
              (*window)->renderer_description().c_str(), (*window)->video_driver());
  const double rss_before = ProcStatusMb("VmRSS:");


  gui::ApplyMemoryPolicy();  // as the app does
  gui::ModelOptions mo;
  mo.data_dir = data;
  mo.start_gps = false;
  gui::GuiModel model(mo);
  model.SetWake(&platform::Window::PostWakeEvent);
  model.Start();
  gui::Ui ui(model, **window);

  std::vector<double> app_cpu, cpu, total;
  double vertices = 0;
  auto frame = [&](bool record) {
    const auto t0 = Clock::now();
    (*window)->PumpEvents(0);
    model.BeginFrame(WallMs());
    ui.PrepareFrame();
    (*window)->BeginFrame();
    ui.Draw();
    ImGui::EndFrame();  // Window::EndFrame's Render() finishes it; split here to time the app alone
    const auto t_ui = Clock::now();
    (*window)->EndFrame();
    const auto t1 = Clock::now();
    (*window)->Present();
    const auto t2 = Clock::now();
    if (record) {
      vertices += ImGui::GetDrawData() ? ImGui::GetDrawData()->TotalVtxCount : 0;
      app_cpu.push_back(Ms(t_ui - t0));
      cpu.push_back(Ms(t1 - t0));
      total.push_back(Ms(t2 - t0));
    }
  };
  auto wheel = [](int y) {
    SDL_Event e{};
    e.type = SDL_MOUSEWHEEL;
    e.wheel.y = y;
    e.wheel.direction = SDL_MOUSEWHEEL_NORMAL;
    SDL_PushEvent(&e);
    SDL_Event m{};
    m.type = SDL_MOUSEMOTION;
    m.motion.x = 270;
    m.motion.y = 600;
    SDL_PushEvent(&m);
  };
  auto report = [&](const char* what) {
    Stats a = Summarize(app_cpu), c = Summarize(cpu), t = Summarize(total);
    std::printf("%s (%zu frames, %.0f vertices a frame)\n", what, cpu.size(),
                cpu.empty() ? 0.0 : vertices / static_cast<double>(cpu.size()));
    vertices = 0;
    std::printf("  app (model + UI)            p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n", a.p50, a.p99, a.max);
    if (software) {
      std::printf("  + drawing (CPU rasteriser)  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n", c.p50, c.p99, c.max);
      std::printf("  frame CPU (+ present)       p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n", t.p50, t.p99, t.max);
    } else {
      std::printf("  frame CPU (+ GL submission) p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n", c.p50, c.p99, c.max);
      std::printf("  with present (GL driver)    p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n", t.p50, t.p99, t.max);
    }
    std::printf("  resident memory after: %.1f MiB (anonymous %.1f MiB)\n", ProcStatusMb("VmRSS:"),
                ProcStatusMb("RssAnon:"));
    app_cpu.clear();
    cpu.clear();
    total.clear();
  };

  // Start-up: until the home screen has its data.
  const auto start = Clock::now();
  while (model.screen() == gui::Screen::kLoading || model.Busy()) frame(false);
  std::printf("in-process start to home with data: %.0f ms\n", Ms(Clock::now() - start));
  if (model.screen() == gui::Screen::kFirstRun) model.WorkOffline();
  for (int i = 0; i < 30; ++i) frame(true);
  model.WaitIdle();
  for (int i = 0; i < 200; ++i) frame(true);
  report("home");

  // The reports list: a slow scroll, then flings into pages not loaded yet.
  model.Go(gui::Screen::kReports);
  while (model.ReportsTotal() < 0) frame(false);
  std::printf("reports in the list: %lld\n", static_cast<long long>(model.ReportsTotal()));
  for (int i = 0; i < frames; ++i) {
    wheel(i % 200 == 199 ? -400 : -1);  // every 200 frames a fling of ~24,000 px
    frame(true);
  }
  report("reports list, scrolling 100k");
  std::printf("pages fetched from the store while scrolling: %lld (each %d rows); cached now: %zu\n",
              static_cast<long long>(model.reports().pages_loaded), gui::ReportsView::kPageSize,
              model.reports().pages.size());

  // Filtered and searched.
  gui::ReportsFilter f;
  f.status = store::ReportStatus::kDraft;
  f.sector = "education";
  model.SetReportsFilter(f);
  for (int i = 0; i < 300; ++i) {
    wheel(-2);
    frame(true);
  }
  report("reports list, filtered");

  // The editor while typing (a change every frame, validated on the worker).
  model.NewReport("SSC-HLT-001", "health");
  while (model.editor().loading || model.Busy()) frame(false);
  model.EditorToggleChoice("programme", "hiv");
  for (int i = 0; i < 300; ++i) {
    model.EditorSetText("hiv_tested", std::to_string(i));
    frame(true);
  }
  report("editor, typing every frame");
  model.Back();

  // The summary (computed on the worker from 12 months of reports).
  const auto sum_start = Clock::now();
  model.Go(gui::Screen::kSummary);
  for (int i = 0; i < 300; ++i) frame(true);
  while (!model.summary().loaded || model.summary().loading) frame(true);
  std::printf("summary ready after %.0f ms (on the worker; frames kept coming)\n", Ms(Clock::now() - sum_start));
  report("summary (while computing and after)");

  const double rss = ProcStatusMb("VmRSS:"), gl = GlDriverRssMb();
  std::printf("resident memory (%s renderer): %.1f MiB now, %.1f MiB peak; of which the software GL driver's code "
              "(libLLVM, swrast): %.1f MiB; the rest: %.1f MiB (window and renderer before the app: %.1f MiB)\n",
              platform::RendererName((*window)->renderer()), rss, ProcStatusMb("VmHWM:"), gl, rss - gl, rss_before);
  std::printf("  anonymous (heap, stacks, GL buffers): %.1f MiB, file-backed: %.1f MiB\n", ProcStatusMb("RssAnon:"),
              ProcStatusMb("RssFile:"));

  const platform::Renderer measured = (*window)->renderer();
  window->reset();

  if (std::filesystem::exists(app)) ColdStart(app, data, measured);
  else std::printf("cold start: %s is not built\n", app.c_str());
  return 0;
}
