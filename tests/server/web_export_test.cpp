// tests/server/web_export_test.cpp — exports checked against the reports that
// went in: CSV (with its labels file), JSON, GeoJSON, the follow-up report by
// Framework measure (CSV, HTML, JSON) and the charts' figures; the admin
// CLI's user and export commands through the real binary.
#include <algorithm>
#include <set>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

#include "server/export.h"
#include "tests/server/hq_test_util.h"

extern char** environ;

namespace fieldsync::server::hq_testing {
namespace {

// A minimal RFC 4180 reader: rows of cells.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    any = true;
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(cell);
      cell.clear();
    } else if (c == '\n') {
      row.push_back(cell);
      rows.push_back(row);
      row.clear();
      cell.clear();
      any = false;
    } else {
      cell.push_back(c);
    }
  }
  if (any) {
    row.push_back(cell);
    rows.push_back(row);
  }
  return rows;
}

// Rows as maps of column -> cell, keyed by the first column.
std::map<std::string, std::map<std::string, std::string>> Keyed(
    const std::vector<std::vector<std::string>>& rows) {
  std::map<std::string, std::map<std::string, std::string>> out;
  REQUIRE(!rows.empty());
  for (size_t r = 1; r < rows.size(); ++r) {
    REQUIRE(rows[r].size() == rows[0].size());
    for (size_t c = 0; c < rows[0].size(); ++c) out[rows[r][0]][rows[0][c]] = rows[r][c];
  }
  return out;
}

// West: TRI-AGR-001 (LDC, measure 13) x2 with locations, TRI-HLT-002 (LDC+LLDC,
// measures 16, 36) x1; east: SSC-HLT-001 (LDC, measures 16, 18) x1, one of them
// with a comma and quotes in its narrative; one draft (not counted in follow-up).
struct Data {
  HqServer server;
  std::map<std::string, json> sent;  // id -> report values

  Data() {
    std::string west = server.EnrollDevice("Amina", "west-africa");
    std::string east = server.EnrollDevice("Juma", "east-africa");
    auto add = [&](const std::string& token, json report) {
      sent[report["id"]] = report["values"];
      server.Push(token, {report});
    };
    add(west,
        MakeReport(Id(1, 1), "TRI-AGR-001", "agriculture", AgricultureValues("2026-09", 40, 12.5)));
    add(west,
        MakeReport(Id(1, 2), "TRI-AGR-001", "agriculture", AgricultureValues("2026-10", 60, 7.5)));
    add(west, MakeReport(Id(2, 1), "TRI-HLT-002", "health", HealthValues("2026-10", 200)));
    json h = HealthValues("2026-10", 80);
    h["narrative"] = "Clinic \"Espoir\", Beira: stock-outs, then resupply";
    add(east, MakeReport(Id(3, 1), "SSC-HLT-001", "health", h, "Juma"));
    add(east, MakeReport(Id(3, 2), "SSC-HLT-001", "health", HealthValues("2026-11", 999), "Juma",
                         "draft"));
    server.AddUser("ada", "admin");
    server.AddUser("wendy", "reviewer", "west-africa");
  }
};

std::string ExportText(HqServer& s, ReportExportFormat f, const ReportFilter& filter = {},
                       std::string* labels = nullptr, const std::string& lang = "en") {
  std::ostringstream out, lab;
  Status st = ExportReports(s.service(), f, filter, out, labels ? &lab : nullptr, lang);
  REQUIRE_MESSAGE(st.ok(), st.ToString());
  if (labels) *labels = lab.str();
  return out.str();
}

TEST_CASE("CSV export: a row per report with the values that went in; labels name every column") {
  Data d;
  std::string labels;
  auto rows = ParseCsv(ExportText(d.server, ReportExportFormat::kCsv, {}, &labels, "fr"));
  REQUIRE(rows.size() == 1 + d.sent.size());
  const std::vector<std::string>& header = rows[0];
  CHECK(std::vector<std::string>(header.begin(), header.begin() + 6) ==
        std::vector<std::string>{"id", "project", "form_id", "form_version", "period", "status"});
  auto keyed = Keyed(rows);
  for (const auto& [id, values] : d.sent) {
    REQUIRE(keyed.count(id));
    const auto& row = keyed[id];
    for (auto it = values.begin(); it != values.end(); ++it) {
      std::string expected;
      if (it->is_string())
        expected = it->get<std::string>();
      else if (it->is_array())
        expected = (*it)[0].get<std::string>();
      else if (it->is_object())
        expected = (*it)["lat"].dump() + " " + (*it)["lon"].dump();
      else
        expected = it->dump();
      CHECK_MESSAGE(row.at(it.key()) == expected, id << " " << it.key());
    }
  }
  CHECK(keyed[Id(3, 2)]["status"] == "draft");
  CHECK(keyed[Id(1, 1)]["status"] == "received");
  CHECK(keyed[Id(1, 1)]["device_id"].rfind("d_", 0) == 0);

  // The labels file describes the header's columns, in order.
  auto lab = ParseCsv(labels);
  REQUIRE(lab.size() == header.size() + 1);
  CHECK(lab[0] == std::vector<std::string>{"column", "label", "type", "forms", "choices"});
  std::map<std::string, std::vector<std::string>> by_column;
  for (size_t i = 1; i < lab.size(); ++i) {
    CHECK(lab[i][0] == header[i - 1]);
    by_column[lab[i][0]] = lab[i];
  }
  CHECK(by_column["farmers_trained"][1] == "Agriculteurs formés");
  CHECK(by_column["farmers_trained"][2] == "integer");
  CHECK(by_column["main_crop"][4].find("rice=Riz") != std::string::npos);
  CHECK(by_column["narrative"][3] == "agriculture@1 education@1 health@1");
  // Each column once: the report's period is its `period` answer.
  CHECK(std::set<std::string>(header.begin(), header.end()).size() == header.size());
  CHECK(std::count(header.begin(), header.end(), "period") == 1);
}

TEST_CASE("CSV export keeps commas, quotes and filters") {
  Data d;
  auto keyed = Keyed(ParseCsv(ExportText(d.server, ReportExportFormat::kCsv)));
  CHECK(keyed[Id(3, 1)]["narrative"] == "Clinic \"Espoir\", Beira: stock-outs, then resupply");
  ReportFilter west;
  west.region = "west-africa";
  auto only_west = Keyed(ParseCsv(ExportText(d.server, ReportExportFormat::kCsv, west)));
  CHECK(only_west.size() == 3);
  CHECK(only_west.count(Id(3, 1)) == 0);
  ReportFilter drafts;
  drafts.status = "draft";
  CHECK(Keyed(ParseCsv(ExportText(d.server, ReportExportFormat::kCsv, drafts))).size() == 1);
  ReportFilter search;
  search.search = "espoir";
  CHECK(Keyed(ParseCsv(ExportText(d.server, ReportExportFormat::kCsv, search))).size() == 1);
}

TEST_CASE("JSON and GeoJSON exports hold the reports that went in") {
  Data d;
  json arr = json::parse(ExportText(d.server, ReportExportFormat::kJson));
  REQUIRE(arr.size() == d.sent.size());
  for (const json& r : arr) {
    REQUIRE(d.sent.count(r["id"]));
    CHECK(r["values"] == d.sent[r["id"]]);
    CHECK(r["device_id"].get<std::string>().rfind("d_", 0) == 0);
  }
  json geo = json::parse(ExportText(d.server, ReportExportFormat::kGeoJson));
  CHECK(geo["type"] == "FeatureCollection");
  REQUIRE(geo["features"].size() == 2);  // the agriculture reports have a location
  for (const json& f : geo["features"]) {
    const json& loc = d.sent[f["properties"]["id"]]["location"];
    CHECK(f["geometry"]["type"] == "Point");
    CHECK(f["geometry"]["coordinates"] == json{loc["lon"], loc["lat"]});
    CHECK(f["properties"]["location_field"] == "location");
  }
  ReportFilter east;
  east.region = "east-africa";
  CHECK(json::parse(ExportText(d.server, ReportExportFormat::kGeoJson, east))["features"].empty());
}

TEST_CASE("follow-up report: per measure, sector and group, projects, reports and sums") {
  Data d;
  auto fu = BuildFollowUp(d.server.service(), {});
  REQUIRE(fu.ok());
  CHECK(fu->reports_counted == 4);  // the draft is not counted
  auto row = [&](int measure, const std::string& sector, const std::string& group) {
    for (const FollowUpRow& r : fu->rows)
      if (r.measure == measure && r.sector == sector && r.group == group) return r;
    FAIL("no row " << measure << " " << sector << " " << group);
    return FollowUpRow{};
  };
  FollowUpRow agri = row(13, "agriculture", "LDC");
  CHECK(agri.reports == 2);
  CHECK(agri.projects_reporting == 1);
  CHECK(agri.sums["farmers_trained"] == 100);
  CHECK(agri.sums["hectares_planted"] == doctest::Approx(20.0));
  CHECK(agri.projects >= 2);  // TRI-AGR-001 and REG-AGR-003 are LDC measure-13 projects
  FollowUpRow hiv = row(16, "health", "LDC");
  CHECK(hiv.reports == 2);  // TRI-HLT-002 (west) and SSC-HLT-001 (east)
  CHECK(hiv.sums["hiv_tested"] == 280);
  CHECK(row(16, "health", "LLDC").reports == 1);  // TRI-HLT-002 only
  CHECK(row(36, "health", "LLDC").sums["hiv_tested"] == 200);
  CHECK(row(18, "health", "LDC").sums["hiv_tested"] == 80);
  // Sums match the reports that went in, field by field.
  double tested = 0;
  for (const auto& [id, v] : d.sent)
    if (id != Id(3, 2) && v.contains("hiv_tested")) tested += v["hiv_tested"].get<double>();
  CHECK(tested == 280);

  std::ostringstream csv, html;
  REQUIRE(WriteFollowUpCsv(*fu, csv).ok());
  auto rows = ParseCsv(csv.str());
  REQUIRE(rows.size() == fu->rows.size() + 1);
  CHECK(std::vector<std::string>(rows[0].begin(), rows[0].begin() + 7) ==
        std::vector<std::string>{"measure", "measure_title", "sector", "beneficiary_group",
                                 "projects", "projects_reporting", "reports"});
  size_t col = std::find(rows[0].begin(), rows[0].end(), "farmers_trained") - rows[0].begin();
  REQUIRE(col < rows[0].size());
  bool seen = false;
  for (const auto& r : rows)
    if (r[0] == "13" && r[2] == "agriculture" && r[3] == "LDC") {
      CHECK(r[6] == "2");
      CHECK(r[col] == "100");
      seen = true;
    }
  CHECK(seen);
  REQUIRE(WriteFollowUpHtml(*fu, html, "en").ok());
  CHECK(html.str().find("<h2>Measure 13") != std::string::npos);
  CHECK(html.str().find("Farmers trained: <b>100</b>") != std::string::npos);
  CHECK(html.str().find("<script") == std::string::npos);

  ReportFilter approved;
  approved.status = "approved";
  auto none = BuildFollowUp(d.server.service(), approved);
  REQUIRE(none.ok());
  CHECK(none->reports_counted == 0);
}

TEST_CASE("dashboard exports, follow-up and charts follow the signed-in user's region") {
  Data d;
  Dashboard wendy = d.server.SignIn("wendy");
  Answer geo = wendy.Get("/api/v1/hq/export?format=geojson");
  REQUIRE(geo.status == 200);
  CHECK(geo.Header("Content-Disposition").find("attachment; filename=\"fieldsync-") == 0);
  CHECK(geo.j["features"].size() == 2);
  Answer html = wendy.Get("/api/v1/hq/export?format=followup-html");
  REQUIRE(html.status == 200);
  CHECK(html.Header("Content-Type").rfind("text/html", 0) == 0);
  CHECK(html.body.find("region west-africa") != std::string::npos);
  Answer fcsv = wendy.Get("/api/v1/hq/export?format=followup-csv&sector=agriculture");
  auto rows = ParseCsv(fcsv.body);
  for (size_t i = 1; i < rows.size(); ++i) CHECK(rows[i][2] == "agriculture");
  Answer labels = wendy.Get("/api/v1/hq/export?format=labels&lang=pt");
  CHECK(labels.body.rfind("column,label,type,forms,choices\n", 0) == 0);
  CHECK(wendy.Get("/api/v1/hq/export?format=xml").status == 400);

  Dashboard ada = d.server.SignIn("ada");
  Answer charts = ada.Get("/api/v1/hq/charts");
  REQUIRE(charts.status == 200);
  CHECK(charts.j["total_reports"] == 5);
  int64_t agri_oct = -1;
  for (const json& c : charts.j["by_month_sector"])
    if (c["period"] == "2026-10" && c["sector"] == "agriculture") {
      agri_oct = c["reports"];
      CHECK(c["sums"]["farmers_trained"] == 60);
    }
  CHECK(agri_oct == 1);
  CHECK(charts.j["months"] == json{"2026-09", "2026-10", "2026-11"});
  for (const json& m : charts.j["by_measure"])
    if (m["measure"] == 16) CHECK(m["reports"] == 3);  // two east health (one draft), one west
  CHECK(charts.j["points"].size() == 2);
  for (const json& g : charts.j["by_group"])
    if (g["group"] == "SIDS") CHECK(g["reports"] == 0);
  Answer approved_only = ada.Get("/api/v1/hq/charts?status=approved");
  CHECK(approved_only.j["total_reports"] == 0);
}

// --- the admin CLI (real binary) ---

struct Run {
  int code = -1;
  std::string out, err;
};

Run RunServer(const std::vector<std::string>& args, const std::string& input,
              const std::filesystem::path& dir) {
  std::string bin = std::string(FIELDSYNC_BUILD_DIR) + "/server/fieldsync-server";
  REQUIRE_MESSAGE(std::filesystem::exists(bin), "build fieldsync-server first: " << bin);
  auto in = dir / "stdin.txt", out = dir / "stdout.txt", err = dir / "stderr.txt";
  {
    std::ofstream f(in, std::ios::binary);
    f << input;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> all = {bin};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  REQUIRE(posix_spawn(&pid, bin.c_str(), &fa, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  waitpid(pid, &status, 0);
  auto slurp = [](const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  };
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

TEST_CASE("admin CLI: user add reads the password from stdin; users sign in; exports write files") {
  Data d;
  const std::string db = d.server.db_path().string();
  const auto& dir = d.server.dir();
  Run add = RunServer(
      {"admin", "--db", db, "user", "add", "olu", "--role", "viewer", "--region", "east-africa"},
      "olu-password-1\n", dir);
  CHECK_MESSAGE(add.code == 0, add.err);
  CHECK(add.out == "added viewer olu (region east-africa)\n");
  Answer login = d.server.Login("olu", "olu-password-1");
  CHECK(login.status == 200);
  CHECK(login.j["region"] == "east-africa");

  Run dup = RunServer({"admin", "--db", db, "user", "add", "olu", "--role", "viewer"},
                      "another-pw-2\n", dir);
  CHECK(dup.code == 1);
  CHECK(dup.err == "fieldsync-server: a user named 'olu' exists\n");
  Run shortpw =
      RunServer({"admin", "--db", db, "user", "add", "kim", "--role", "admin"}, "short\n", dir);
  CHECK(shortpw.code == 1);
  CHECK(shortpw.err.find("too short") != std::string::npos);
  Run nopw = RunServer({"admin", "--db", db, "user", "add", "kim", "--role", "admin"}, "", dir);
  CHECK(nopw.code == 1);
  CHECK(nopw.err.find("no password on standard input") != std::string::npos);
  Run badrole = RunServer({"admin", "--db", db, "user", "add", "kim", "--role", "boss"},
                          "pw-pw-pw-pw\n", dir);
  CHECK(badrole.code == 2);
  Run list = RunServer({"admin", "--db", db, "user", "list", "--json"}, "", dir);
  REQUIRE(list.code == 0);
  json users = json::parse(list.out);
  CHECK(users.size() == 3);
  // The password is stored as an Argon2id hash, never as typed.
  Status st = d.server.service().storage().Read([&](StorageReader& tx) -> Status {
    auto u = tx.FindHqUser("olu");
    REQUIRE(u.ok());
    REQUIRE(u->has_value());
    CHECK((*u)->password_hash.rfind("$argon2id$", 0) == 0);
    CHECK((*u)->password_hash.find("olu-password-1") == std::string::npos);
    return Status::Ok();
  });
  CHECK(st.ok());

  auto csv = dir / "reports.csv", labels = dir / "labels.csv", fu = dir / "followup.csv";
  Run ex = RunServer({"admin", "--db", db, "export", "--format", "csv", "--out", csv.string(),
                      "--labels", labels.string()},
                     "", dir);
  REQUIRE_MESSAGE(ex.code == 0, ex.err);
  std::ifstream c(csv), l(labels);
  std::stringstream cs, ls;
  cs << c.rdbuf();
  ls << l.rdbuf();
  auto rows = ParseCsv(cs.str());
  CHECK(rows.size() == 1 + d.sent.size());
  CHECK(ParseCsv(ls.str()).size() == rows[0].size() + 1);
  Run fex = RunServer({"admin", "--db", db, "export", "--format", "followup-csv", "--out",
                       fu.string(), "--measure", "13"},
                      "", dir);
  REQUIRE_MESSAGE(fex.code == 0, fex.err);
  std::ifstream f(fu);
  std::stringstream fs;
  fs << f.rdbuf();
  auto frows = ParseCsv(fs.str());
  REQUIRE(frows.size() >= 2);
  for (size_t i = 1; i < frows.size(); ++i) CHECK(frows[i][0] == "13");
  Run html = RunServer({"admin", "--db", db, "export", "--format", "followup-html"}, "", dir);
  CHECK(html.code == 0);
  CHECK(html.out.rfind("<!doctype html>", 0) == 0);
  Run bad =
      RunServer({"admin", "--db", db, "export", "--format", "json", "--labels", "x.csv"}, "", dir);
  CHECK(bad.code == 2);
  CHECK(bad.err == "fieldsync-server: --labels goes with --format csv\n");
}

}  // namespace
}  // namespace fieldsync::server::hq_testing
