// bench/inbox_bench.cpp — the HQ dashboard's inbox at scale: fills a server
// database with N reports (default 100,000) across the demo projects, serves
// it on loopback with the real HTTP server, signs in, and times the inbox's
// first page (cold and warm), filtered pages, a later page, one report, the
// facets and the charts over HTTP. Prints figures; asserts nothing.
//
//   inbox_bench [--reports N] [--runs R] [--keep FILE.db]
//
// --keep leaves the filled database at FILE.db (reused when it exists, so a
// second run skips the fill).
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "common/sha256.h"
#include "schema/catalogue.h"
#include "server/http_server.h"
#include "server/service.h"
#include "server/sqlite_storage.h"
#include "server/users.h"

using namespace fieldsync;
using namespace fieldsync::server;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Roughly where a beneficiary country lies (latitude, longitude), so that
// the dashboard's location plot shows places rather than noise.
std::pair<double, double> Near(const std::string& country) {
  static const std::map<std::string, std::pair<double, double>> at = {
      {"MOZ", {-18.7, 35.5}},  {"MLI", {17.6, -4.0}},  {"BFA", {12.2, -1.6}},
      {"HTI", {19.0, -72.3}},  {"NPL", {28.4, 84.1}},  {"BGD", {23.7, 90.4}},
      {"BOL", {-16.3, -63.6}}, {"GNB", {11.8, -15.2}}, {"STP", {0.2, 6.6}},
      {"ETH", {9.1, 40.5}},    {"KEN", {0.0, 37.9}},   {"AFG", {33.9, 67.7}},
      {"SEN", {14.5, -14.5}},  {"GHA", {7.9, -1.0}},   {"NER", {17.6, 8.1}}};
  auto it = at.find(country);
  return it == at.end() ? std::pair<double, double>{0, 20} : it->second;
}

json Values(const std::string& form, const std::string& period, const std::string& country,
            std::mt19937& rng) {
  auto n = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  json v;
  if (form == "health") {
    int tested = n(20, 900);
    v = {{"period", period},
         {"programme", {"hiv", "malaria"}},
         {"hiv_tested", tested},
         {"hiv_positive", tested / 20},
         {"hiv_treatment", tested / 25},
         {"malaria_tested", n(50, 2000)},
         {"malaria_positive", n(5, 40)},
         {"malaria_treated", n(1, 5)},
         {"bednets_distributed", n(0, 800)},
         {"stockout", "no"},
         {"staff_deployed", n(1, 30)}};
  } else if (form == "education") {
    int enrolled = n(15, 400);
    v = {{"period", period},
         {"classes_held", n(4, 80)},
         {"learners_enrolled", enrolled},
         {"learners_completed", enrolled * 2 / 3},
         {"women_enrolled", enrolled / 2},
         {"teachers_trained", n(0, 20)},
         {"scholarships_awarded", n(0, 5)}};
  } else {
    int farmers = n(10, 600);
    v = {{"period", period},
         {"farmers_trained", farmers},
         {"women_farmers", farmers / 3},
         {"hectares_planted", n(5, 900) / 2.0},
         {"seed_distributed_kg", n(100, 9000) * 1.0},
         {"main_crop", "rice"},
         {"yield_t_ha", n(10, 60) / 10.0},
         {"irrigation_schemes", n(0, 4)}};
  }
  if (n(0, 3) == 0)
    v["narrative"] = "Visit " + std::to_string(n(1, 99999)) + ": activities ran as planned.";
  auto [lat, lon] = Near(country);
  v["location"] = {{"lat", std::round((lat + n(-150, 150) / 100.0) * 1e4) / 1e4},
                   {"lon", std::round((lon + n(-150, 150) / 100.0) * 1e4) / 1e4}};
  return v;
}

// Writes `count` reports straight through the storage (the sync path's
// validation is not what is measured here).
Status Fill(Service& svc, int count) {
  const auto& projects = schema::DemoProjects();
  std::mt19937 rng(7);
  const char* statuses[] = {"received", "received", "received", "approved", "approved", "returned"};
  const int64_t start = svc.Now() - int64_t{count} * 60'000;
  const int per_tx = 5000;
  for (int done = 0; done < count; done += per_tx) {
    FS_RETURN_IF_ERROR(svc.storage().Write([&](StorageWriter& tx) -> Status {
      for (int i = done; i < std::min(count, done + per_tx); ++i) {
        const schema::Project& p = projects[static_cast<size_t>(i) % projects.size()];
        std::string form = p.sector == "health"      ? "health"
                           : p.sector == "education" ? "education"
                                                     : "agriculture";
        char period[16];
        std::snprintf(period, sizeof period, "%04d-%02d", 2025 + (i / 12) % 2, 1 + i % 12);
        StoredReport r;
        r.id = Sha256Hex("report " + std::to_string(i)).substr(0, 32);  // looks like a device's id
        r.device_id = "d_" + std::string(16, static_cast<char>('a' + i % 6));
        r.project = p.code;
        r.form_id = form;
        r.form_version = 1;
        r.period = period;
        const std::string country =
            p.beneficiaries.empty()
                ? ""
                : p.beneficiaries[static_cast<size_t>(i) % p.beneficiaries.size()];
        r.values = Values(form, period, country, rng);
        r.status = statuses[i % 6];
        r.author = "Officer " + std::to_string(i % 40);
        r.server_version = 1;
        r.max_seq = 1;
        r.created_at_ms = r.updated_at_ms = start + int64_t{i} * 60'000;
        r.received_at_ms = r.created_at_ms;
        FS_RETURN_IF_ERROR(tx.PutReport(r));
      }
      return Status::Ok();
    }));
  }
  return Status::Ok();
}

struct Figures {
  double min = 0, median = 0, max = 0;
  size_t bytes = 0;
  int status = 0;
};

Figures Time(httplib::Client& c, const httplib::Headers& h, const std::string& path, int runs) {
  std::vector<double> ms;
  Figures f;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    auto res = c.Get(path, h);
    ms.push_back(Ms(Clock::now() - t0));
    f.status = res ? res->status : -1;
    f.bytes = res ? res->body.size() : 0;
  }
  std::sort(ms.begin(), ms.end());
  f.min = ms.front();
  f.median = ms[ms.size() / 2];
  f.max = ms.back();
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  int count = 100000, runs = 15;
  std::string keep;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--reports" && i + 1 < argc)
      count = std::atoi(argv[++i]);
    else if (a == "--runs" && i + 1 < argc)
      runs = std::max(1, std::atoi(argv[++i]));
    else if (a == "--keep" && i + 1 < argc)
      keep = argv[++i];
    else {
      std::fprintf(stderr, "usage: inbox_bench [--reports N] [--runs R] [--keep FILE.db]\n");
      return 2;
    }
  }
  std::filesystem::path db;
  std::filesystem::path tmpdir;
  if (keep.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "inbox-bench-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) return 1;
    tmpdir = tmpl;
    db = tmpdir / "hq.db";
  } else {
    db = keep;
  }
  const bool fresh = !std::filesystem::exists(db);
  auto storage = OpenSqliteStorage(db);
  if (!storage.ok()) {
    std::fprintf(stderr, "inbox_bench: %s\n", storage.status().ToString().c_str());
    return 1;
  }
  auto svc = Service::Open(std::move(storage).value());
  if (!svc.ok()) {
    std::fprintf(stderr, "inbox_bench: %s\n", svc.status().ToString().c_str());
    return 1;
  }
  Service& service = **svc;
  auto stats = service.GetStats();
  if (fresh || (stats.ok() && stats->reports == 0)) {
    if (!service.ImportProjects(schema::DemoProjects()).ok()) return 1;
    auto t0 = Clock::now();
    Status s = Fill(service, count);
    if (!s.ok()) {
      std::fprintf(stderr, "inbox_bench: %s\n", s.ToString().c_str());
      return 1;
    }
    std::printf("filled %d reports in %.1f s\n", count, Ms(Clock::now() - t0) / 1000);
  }
  stats = service.GetStats();
  std::printf("database: %s, %lld reports\n", db.c_str(), static_cast<long long>(stats->reports));
  HqAuth auth(service);
  (void)auth.AddUser("bench", "reviewer", "", "bench-password");

  HttpOptions http;
  http.host = "127.0.0.1";
  http.port = 0;
  http.log_requests = false;
  HttpServer server(service, http);
  if (!server.Start().ok()) return 1;
  httplib::Client c("127.0.0.1", server.port());
  c.set_read_timeout(120, 0);
  auto login =
      c.Post("/api/v1/hq/login", json{{"user", "bench"}, {"password", "bench-password"}}.dump(),
             "application/json");
  if (!login || login->status != 200) {
    std::fprintf(stderr, "inbox_bench: sign-in failed\n");
    return 1;
  }
  std::string cookie = login->get_header_value("Set-Cookie");
  httplib::Headers h = {{"Cookie", cookie.substr(0, cookie.find(';'))},
                        {"Accept", "application/json"}};

  // The very first inbox request after start: cold caches.
  Figures cold = Time(c, h, "/api/v1/hq/reports?limit=50", 1);
  auto first = c.Get("/api/v1/hq/reports?limit=50", h);
  json page = json::parse(first->body);
  std::string next = page["next"].is_string() ? page["next"].get<std::string>() : "";
  std::string some_id = page["rows"].empty() ? "none" : page["rows"][0]["id"].get<std::string>();

  struct Case {
    const char* name;
    std::string path;
  };
  const std::vector<Case> cases = {
      {"inbox first page (50 rows)", "/api/v1/hq/reports?limit=50"},
      {"inbox, status=received", "/api/v1/hq/reports?limit=50&status=received"},
      {"inbox, sector=health", "/api/v1/hq/reports?limit=50&sector=health"},
      {"inbox, measure=13", "/api/v1/hq/reports?limit=50&measure=13"},
      {"inbox, country=MOZ", "/api/v1/hq/reports?limit=50&country=MOZ"},
      {"inbox, project", "/api/v1/hq/reports?limit=50&project=SSC-EDU-003"},
      {"inbox, officer", "/api/v1/hq/reports?limit=50&officer=Officer%207"},
      {"inbox, period 2025-03..2025-04", "/api/v1/hq/reports?limit=50&from=2025-03&to=2025-04"},
      {"inbox, sector+status+period",
       "/api/v1/hq/reports?limit=50&sector=agriculture&status=returned&from=2026-01"},
      {"inbox, search text", "/api/v1/hq/reports?limit=50&q=Visit%201234"},
      {"inbox, next page (keyset)", "/api/v1/hq/reports?limit=50&after=" + next},
      {"report view", "/api/v1/hq/reports/" + some_id},
      {"facets", "/api/v1/hq/facets"},
      {"charts (all reports)", "/api/v1/hq/charts"},
  };
  std::printf("\n%-34s %9s %9s %9s %9s  %s\n", "request (HTTP, loopback)", "min ms", "median",
              "max", "bytes", "status");
  std::printf("%-34s %9.1f %9s %9s %9zu  %d\n", "inbox first page, cold (1st request)", cold.min,
              "-", "-", cold.bytes, cold.status);
  double first_median = 0;
  for (const Case& k : cases) {
    bool heavy = std::string(k.name).rfind("charts", 0) == 0;
    Figures f = Time(c, h, k.path, heavy ? std::max(1, runs / 5) : runs);
    if (&k == &cases[0]) first_median = f.median;
    std::printf("%-34s %9.1f %9.1f %9.1f %9zu  %d\n", k.name, f.min, f.median, f.max, f.bytes,
                f.status);
  }
  std::printf(
      "\nfirst inbox page with %lld reports: %.1f ms median, %.1f ms cold (target <= 100 ms)\n",
      static_cast<long long>(stats->reports), first_median, cold.min);
  server.Stop();
  svc->reset();
  if (!tmpdir.empty()) std::filesystem::remove_all(tmpdir);
  return 0;
}
