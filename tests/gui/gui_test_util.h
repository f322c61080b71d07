// tests/gui/gui_test_util.h — helpers for the GUI's tests: a temporary
// folder, and a model driven frame by frame without a window.
#pragma once

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "client/gui/model.h"
#include "tests/temp_dir.h"

namespace fieldsync::gui::testing {

using fieldsync::testing::TempDir;

// A model on a fresh data folder, without the sync thread or gpsd (tests
// that need them turn them on), and a fake clock the test moves.
struct ModelHarness {
  TempDir tmp;
  std::unique_ptr<GuiModel> model;
  int64_t now_ms = 1767225600000;  // 2026-01-01T00:00:00Z

  bool with_sync = false;

  explicit ModelHarness(ModelOptions o = {}, bool sync = false) : with_sync(sync) { Open(std::move(o)); }

  void Open(ModelOptions o = {}) {
    if (o.data_dir.empty()) o.data_dir = tmp.path() / "device";
    o.start_gps = false;
    o.start_sync = with_sync;
    if (o.power_supply_root == "/sys/class/power_supply") o.power_supply_root = tmp.path() / "no-power";
    model.reset();
    model = std::make_unique<GuiModel>(o);
    model->Start();
    Settle();
  }
  // Runs frames until the worker is idle (no timed waits).
  void Settle() {
    for (int i = 0; i < 50; ++i) {
      model->WaitIdle();
      model->BeginFrame(now_ms);
      if (!model->Busy()) return;
    }
  }
  void Advance(int64_t ms) {
    now_ms += ms;
    model->BeginFrame(now_ms);
    Settle();
  }
};

}  // namespace fieldsync::gui::testing
