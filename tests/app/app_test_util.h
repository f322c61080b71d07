// tests/app/app_test_util.h — a temporary device folder and a DeviceApp on it.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "client/app/device_app.h"
#include "tests/temp_dir.h"

namespace fieldsync::testing {

inline app::AppOptions TestOptions() {
  app::AppOptions o;
  o.lang = "en";
  o.fallback_author = "tester";
  o.today = "2026-03-15";
  return o;
}

inline std::unique_ptr<app::DeviceApp> OpenApp(const std::filesystem::path& dir,
                                               app::AppOptions options = TestOptions()) {
  auto opened = app::DeviceApp::Open(dir / "device", options);
  REQUIRE_MESSAGE(opened.ok(), opened.status().message());
  return std::move(opened).value();
}

inline void WriteFile(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out << bytes;
}

// Number of reports and outbox entries: together they tell whether a call wrote.
struct Footprint {
  int64_t reports = 0;
  int64_t pending = 0;
  size_t history = 0;
  bool operator==(const Footprint&) const = default;
};

inline Footprint FootprintOf(app::DeviceApp& app, const std::string& report_id = "") {
  Footprint f;
  auto n = app.store().CountReports({});
  REQUIRE(n.ok());
  f.reports = *n;
  auto p = app.store().PendingCount();
  REQUIRE(p.ok());
  f.pending = *p;
  if (!report_id.empty()) {
    auto h = app.store().History(report_id);
    REQUIRE(h.ok());
    f.history = h->size();
  }
  return f;
}

inline std::vector<app::Assignment> Sets(std::initializer_list<std::pair<const char*, const char*>> kv) {
  std::vector<app::Assignment> out;
  for (const auto& [k, v] : kv) out.push_back(app::Assignment{k, v});
  return out;
}

}  // namespace fieldsync::testing
