// tests/e2e/e2e_fixture.h — an HQ (real fieldsync-server) and a device (a real
// data folder) for the end-to-end sync tests, and the check that HQ holds
// exactly what the device holds.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "client/app/device_app.h"
#include "schema/catalogue.h"
#include "store/store.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/sample_reports.h"

namespace fieldsync::testing {

// The demo registry as the CSV `admin projects import` reads.
inline std::string DemoProjectsCsv() {
  auto cell = [](std::string v) {
    if (v.find_first_of(",\"\n") == std::string::npos) return v;
    std::string q = "\"";
    for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  auto list = [](const auto& items) {
    std::string s;
    for (const auto& i : items) {
      if (!s.empty()) s += ";";
      if constexpr (std::is_same_v<std::decay_t<decltype(i)>, int>) {
        s += std::to_string(i);
      } else {
        s += i;
      }
    }
    return s;
  };
  std::string csv =
      "code,title,sector,measures,modality,providers,beneficiaries,funding_partner,agency,region,"
      "ldc,lldc,sids\n";
  for (const auto& p : schema::DemoProjects()) {
    csv += cell(p.code) + "," + cell(p.title) + "," + cell(p.sector) + "," + list(p.measures) +
           "," + std::string(schema::ModalityName(p.modality)) + "," + list(p.providers) + "," +
           list(p.beneficiaries) + "," + cell(p.funding_partner) + "," + cell(p.agency) + "," +
           cell(p.region) + "," + (p.ldc ? "1" : "0") + "," + (p.lldc ? "1" : "0") + "," +
           (p.sids ? "1" : "0") + "\n";
  }
  return csv;
}

struct Hq {
  ScratchDir scratch;
  HqServer server{scratch.path()};
  explicit Hq(std::vector<std::string> serve_args = {}) {
    server.ImportDemoProjects(DemoProjectsCsv());
    server.SetServeArgs(std::move(serve_args));
    server.Start();
  }
};

// A device data folder, opened in-process through the app logic (which
// validates reports against the shipped forms, as the GUI and CLI do).
struct Device {
  ScratchDir scratch;
  std::filesystem::path data = scratch.path() / "device";
  std::unique_ptr<app::DeviceApp> app;

  Device() { Open(); }
  void Open() {
    auto a = app::DeviceApp::Open(data);
    if (!a.ok()) throw std::runtime_error(a.status().ToString());
    app = std::move(a).value();
  }
  void Close() { app.reset(); }
  store::Store& store() { return app->store(); }

  Ran Cli(std::vector<std::string> args) {
    return testing::Cli(scratch.path(), data, std::move(args));
  }

  // n finalized (or draft) sample reports on west-africa projects.
  std::vector<std::string> AddReports(int n, uint32_t seed, bool finalize = true) {
    SampleReports gen(seed);
    std::vector<std::string> ids;
    const auto& projects = WestAfricaProjects();
    for (int i = 0; i < n; ++i) {
      const SampleProject& p = projects[static_cast<size_t>(i) % projects.size()];
      app::NewReportRequest req;
      req.project_code = p.code;
      req.form_id = p.form_id;
      req.input.json_values = gen.Values(p.form_id);
      req.finalize = finalize;
      auto r = app->CreateReport(req);
      if (!r.ok()) throw std::runtime_error("sample report refused: " + r.status().ToString());
      ids.push_back(r->id);
    }
    return ids;
  }

  std::vector<store::Report> Reports() {
    store::ReportFilter all;
    all.limit = 1000000;
    auto r = store().ListReports(all);
    if (!r.ok()) throw std::runtime_error(r.status().ToString());
    return *r;
  }
  int64_t Pending() { return *store().PendingCount(); }
};

// Every difference between HQ's export and the device's reports (empty when
// HQ holds exactly the device's reports, field for field).
inline std::vector<std::string> Differences(const nlohmann::json& exported,
                                            const std::vector<store::Report>& device) {
  std::vector<std::string> out;
  std::map<std::string, nlohmann::json> hq;
  for (const auto& r : exported) {
    std::string id = r.value("id", "");
    if (hq.count(id)) out.push_back("HQ holds report " + id + " twice");
    hq[id] = r;
  }
  if (hq.size() != device.size()) {
    out.push_back("HQ holds " + std::to_string(hq.size()) + " reports, the device " +
                  std::to_string(device.size()));
  }
  for (const auto& d : device) {
    auto it = hq.find(d.id);
    if (it == hq.end()) {
      out.push_back("report " + d.id + " is missing at HQ");
      continue;
    }
    const auto& h = it->second;
    std::string expect_status = d.status == store::ReportStatus::kFinalized
                                    ? "received"
                                    : std::string(store::ReportStatusName(d.status));
    if (h.value("project", "") != d.project_code) out.push_back(d.id + ": project differs");
    if (h.value("form_id", "") != d.form_id) out.push_back(d.id + ": form differs");
    if (h.value("form_version", 0) != d.form_version)
      out.push_back(d.id + ": form version differs");
    if (h.value("status", "") != expect_status) {
      out.push_back(d.id + ": status " + h.value("status", "") + " at HQ, " + expect_status +
                    " expected");
    }
    if (h["values"] != d.values) {
      out.push_back(d.id + ": values differ: HQ " + h["values"].dump() + " device " +
                    d.values.dump());
    }
  }
  return out;
}

}  // namespace fieldsync::testing
