// client/gui/main.cpp — fieldsync, the field officer's app: a thin main over
// GuiModel (state and commands) and Ui (the ImGui screens).
//
//   fieldsync [--data DIR] [--lang L] [--theme light|dark] [--size WxH]
//   fieldsync --screenshot FILE.png --screen NAME [--data DIR] [--lang L] [--theme T]
//   fieldsync --script FILE [--data DIR] ...
//
// The frame loop sleeps in the event queue when nothing happens (battery),
// wakes on input, on worker results and on a timer for the badge's clock.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

#include "client/gui/model.h"
#include "client/gui/script.h"
#include "client/gui/ui.h"
#include "common/cli_args.h"
#include "platform/paths.h"
#include "platform/window.h"

namespace {

using namespace fieldsync;

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

cli::CommandSpec Spec() {
  cli::CommandSpec s;
  s.name = "";
  s.summary = "the field officer's app: reports offline, synced with HQ in the background";
  s.options = {
      {"--data", "DIR", "the device's data folder (default: $FIELDSYNC_DATA or ~/.local/share/fieldsync)"},
      {"--lang", "L", "interface language: en, fr, es or pt (default: the saved setting)"},
      {"--theme", "T", "light (high contrast, for sunlight) or dark (default: the saved setting)"},
      {"--size", "WxH", "window size in pixels (default 540x960)"},
      {"--renderer", "R",
       "gl (OpenGL 3 / GLES 3), software (SDL, on the CPU) or auto (default: $FIELDSYNC_RENDERER, else gl "
       "when the device has a GPU (/dev/dri/renderD*), software otherwise)"},
      {"--screenshot", "FILE", "render --screen offscreen into FILE (PNG) and exit"},
      {"--screen", "NAME",
       "first-run, home, projects, editor, reports, detail, summary or settings (with --screenshot)"},
      {"--script", "FILE", "play a scripted session (see client/gui/script.h) and exit"},
      {"--hidden", "", "do not show the window (scripts, tests)"},
      {"--no-sync", "", "do not run background sync"},
      {"--first-frame-exit", "", "print start-up timings (ms) after the first frames and exit (benchmarks)"},
  };
  s.details =
      "Without a display (no X11, Wayland or KMSDRM) the app says so and exits with status 3;\n"
      "fieldsync-cli is the headless client.";
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t started_ms = WallMs();
  const cli::CommandSpec spec = Spec();
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = cli::Parse(spec, args);
  if (!parsed.ok()) {
    std::cerr << "fieldsync: " << parsed.status().message() << "\n";
    return cli::kUsageExit;
  }
  if (parsed->help) {
    std::cout << cli::HelpText("fieldsync", spec);
    return 0;
  }
  gui::ModelOptions mo;
  mo.data_dir = parsed->Has("--data") ? std::filesystem::path(parsed->Get("--data")) : platform::DefaultDataDir();
  if (parsed->Has("--lang")) {
    gui::Lang l;
    if (!gui::ParseLang(parsed->Get("--lang"), &l)) {
      std::cerr << "fieldsync: unknown language '" << parsed->Get("--lang") << "' (expected en, fr, es or pt)\n";
      return cli::kUsageExit;
    }
    mo.lang = l;
  }
  if (parsed->Has("--theme")) {
    const std::string t = parsed->Get("--theme");
    if (t != "light" && t != "dark") {
      std::cerr << "fieldsync: unknown theme '" << t << "' (expected light or dark)\n";
      return cli::kUsageExit;
    }
    mo.theme = t == "dark" ? gui::Theme::kDark : gui::Theme::kLight;
  }
  platform::WindowOptions wo;
  if (parsed->Has("--size")) {
    int w = 0, h = 0;
    if (std::sscanf(parsed->Get("--size").c_str(), "%dx%d", &w, &h) != 2 || w < 240 || h < 240 || w > 8192 ||
        h > 8192) {
      std::cerr << "fieldsync: --size expects WIDTHxHEIGHT, e.g. 540x960\n";
      return cli::kUsageExit;
    }
    wo.width = w;
    wo.height = h;
  }

  if (parsed->Has("--renderer")) {
    if (!platform::ParseRenderer(parsed->Get("--renderer"), &wo.renderer)) {
      std::cerr << "fieldsync: unknown renderer '" << parsed->Get("--renderer")
                << "' (expected gl, software or auto)\n";
      return cli::kUsageExit;
    }
  }

  // A screenshot is a one-line script.
  std::optional<gui::ScriptRunner> script;
  const bool screenshot = parsed->Has("--screenshot");
  if (screenshot) {
    gui::Screen screen;
    const std::string name = parsed->Get("--screen", "home");
    if (!gui::ParseScreen(name, &screen) || screen == gui::Screen::kLoading) {
      std::cerr << "fieldsync: unknown screen '" << name
                << "' (expected first-run, home, projects, editor, reports, detail, summary or settings)\n";
      return cli::kUsageExit;
    }
    std::string text;
    if (screen == gui::Screen::kEditor) text = "edit newest\n";
    else if (screen == gui::Screen::kDetail) text = "detail newest\n";
    else text = std::string("screen ") + gui::ScreenName(screen) + "\n";
    if (screen == gui::Screen::kProjects) text += "wait\nselect-project first\n";
    text += "wait\nscreenshot " + parsed->Get("--screenshot") + "\n";
    script = std::move(gui::ScriptRunner::Parse(text)).value();
    mo.start_sync = false;
    mo.start_gps = false;
    wo.hidden = true;
  } else if (parsed->Has("--script")) {
    auto loaded = gui::ScriptRunner::Load(parsed->Get("--script"));
    if (!loaded.ok()) {
      std::cerr << "fieldsync: " << loaded.status().message() << "\n";
      return cli::kUsageExit;
    }
    script = std::move(loaded).value();
  }
  if (parsed->Has("--hidden")) wo.hidden = true;
  // Screenshots and scripts draw offscreen when the machine has no display.
  wo.allow_offscreen = screenshot || script || parsed->Has("--hidden");
  if (parsed->Has("--no-sync")) mo.start_sync = false;
  const bool first_frame_exit = parsed->Has("--first-frame-exit");
  if (script || first_frame_exit) wo.vsync = false;

  // FIELDSYNC_TRACE=1 prints start-up milestones (ms since start) on stderr.
  const bool trace = std::getenv("FIELDSYNC_TRACE") != nullptr;
  auto mark = [&](const char* what) {
    if (trace) std::cerr << "trace " << (WallMs() - started_ms) << " ms: " << what << "\n";
  };
  mark("arguments parsed");
  // The data folder opens on the model's worker while the window and the GL
  // context are made here.
  gui::ApplyMemoryPolicy();
  gui::GuiModel model(mo);
  model.SetWake(&platform::Window::PostWakeEvent);
  model.Start();
  mark("model started");
  auto window = platform::Window::Create(wo);
  if (window.ok()) {
    mark((std::string("window and renderer created (") + (*window)->video_driver() + ", " +
          (*window)->renderer_description() + ")")
             .c_str());
  }
  if (!window.ok()) {
    std::cerr << "fieldsync: " << window.status().message()
              << ". There is no display to draw on; use fieldsync-cli, the headless client "
                 "(scripts/demo.sh shows it).\n";
    return 3;
  }
  ImGui::GetIO().ConfigInputTextCursorBlink = false;  // no frames just to blink
  gui::Ui ui(model, **window);

  int exit_code = 0;
  int settle = 3;  // frames still to draw before sleeping
  bool running = true;
  int64_t first_frame_ms = -1;
  int64_t first_frame_at_ms = -1;
  bool traced_ready = false;
  int64_t frames = 0;
  while (running) {
    const bool active = settle > 0 || script || model.Busy() || first_frame_exit;
    running = (*window)->PumpEvents(active ? 0 : 500);
    if ((*window)->had_input()) settle = 3;
    const int64_t now = WallMs();
    if (model.BeginFrame(now) > 0) settle = std::max(settle, 2);

    std::string capture;
    if (script) {
      gui::ScriptRunner::Tick tick = script->Step(model, now);
      if (!tick.error.ok()) {
        std::cerr << "fieldsync: " << tick.error.message() << "\n";
        exit_code = 1;
        running = false;
      }
      capture = tick.screenshot;
      if (tick.done && capture.empty()) running = false;
    }
    ui.PrepareFrame();
    if (frames == 0) mark("fonts built");
    (*window)->BeginFrame();
    ui.Draw();
    Status drawn = (*window)->EndFrame(capture);
    (*window)->Present();
    if (frames == 0) mark("first frame presented");
    if (trace && !traced_ready && model.screen() != gui::Screen::kLoading && !model.Busy()) {
      mark("data shown");
      traced_ready = true;
    }
    ++frames;
    if (first_frame_ms < 0) {
      first_frame_at_ms = WallMs();
      first_frame_ms = first_frame_at_ms - started_ms;
    }
    if (!capture.empty()) {
      if (!drawn.ok()) {
        std::cerr << "fieldsync: " << drawn.message() << "\n";
        exit_code = 1;
        running = false;
      } else {
        std::cout << "fieldsync: wrote " << capture << "\n";
      }
    }
    if (first_frame_exit && model.screen() != gui::Screen::kLoading && !model.Busy() && frames >= 3) {
      const int64_t ready_at = WallMs();
      std::cout << "first_frame_ms " << first_frame_ms << "\nready_ms " << (ready_at - started_ms)
                << "\nfirst_frame_at_ms " << first_frame_at_ms << "\nready_at_ms " << ready_at << "\n";
      std::ifstream status("/proc/self/status");
      for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmHWM:", 0) == 0) std::cout << "vm_hwm_mb " << std::atof(line.c_str() + 6) / 1024.0 << "\n";
      }
      std::cout << "renderer " << platform::RendererName((*window)->renderer()) << "\n";
      running = false;
    }
    if (!model.open_error().empty() && script) {
      std::cerr << "fieldsync: " << model.open_error() << "\n";
      exit_code = 1;
      running = false;
    }
    if (settle > 0) --settle;
    // Scripts run unpaced (no vsync); do not spin a core while waiting.
    if (script && model.Busy()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return exit_code;
}
