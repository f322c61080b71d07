// tests/server/server_test_util.h — a real HQ server on a loopback port over a
// real SQLite file in a temporary folder, an HTTP client for it, report
// builders, and a runner for the fieldsync-server binary.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <httplib.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "schema/catalogue.h"
#include "server/http_server.h"
#include "server/service.h"
#include "server/sqlite_storage.h"
#include "sync/codec.h"
#include "tests/temp_dir.h"

extern char** environ;

namespace fieldsync::server::testing {

using nlohmann::json;

using fieldsync::testing::TempDir;

// The project registry every test server starts with: the demo projects plus
// one project open to every region.
inline std::vector<schema::Project> TestProjects() {
  std::vector<schema::Project> v = schema::DemoProjects();
  schema::Project open = v.front();
  open.code = "OPEN-HLT-001";
  open.region = "";
  v.push_back(open);
  return v;
}

// A server on 127.0.0.1:<free port>, with a settable clock.
class TestServer {
 public:
  TestServer() {
    db_path_ = dir_.path() / "hq.db";
    auto storage = OpenSqliteStorage(db_path_);
    REQUIRE_MESSAGE(storage.ok(), storage.status().ToString());
    ServiceOptions opts;
    opts.now_ms = [this] { return clock_.load(); };
    opts.today = "2026-11-15";
    auto svc = Service::Open(std::move(storage).value(), opts);
    REQUIRE_MESSAGE(svc.ok(), svc.status().ToString());
    service_ = std::move(svc).value();
    auto n = service_->ImportProjects(TestProjects());
    REQUIRE(n.ok());
    HttpOptions http;
    http.host = "127.0.0.1";
    http.port = 0;
    http.threads = 4;
    http.log_requests = false;
    http.log = [](const std::string&) {};
    http_ = std::make_unique<HttpServer>(*service_, http);
    Status s = http_->Start();
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }
  ~TestServer() { http_->Stop(); }

  Service& service() { return *service_; }
  int port() const { return http_->port(); }
  const std::filesystem::path& db_path() const { return db_path_; }
  void set_clock(int64_t ms) { clock_ = ms; }
  int64_t clock() const { return clock_; }

  std::unique_ptr<httplib::Client> Client() {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port());
    c->set_read_timeout(30, 0);
    c->set_write_timeout(30, 0);
    c->set_decompress(false);
    return c;
  }

  // Enrolls a device through the API; returns {"device_id","token",...}.
  json EnrollDevice(const std::string& officer, const std::string& region) {
    auto code = service_->CreateEnrollCode(officer, region);
    REQUIRE(code.ok());
    auto c = Client();
    auto res = c->Post("/api/v1/enroll", json{{"code", *code}, {"device_name", "tablet"}}.dump(),
                       "application/json");
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 200, res->body);
    return json::parse(res->body);
  }

  // POSTs a JSON sync body; returns the HTTP status and the decoded answer.
  std::pair<int, json> Sync(const std::string& token, const json& body) {
    auto c = Client();
    httplib::Headers h = {{"Authorization", "Bearer " + token}};
    auto res = c->Post("/api/v1/sync", h, body.dump(), "application/json");
    REQUIRE(res);
    json j = json::parse(res->body, nullptr, false);
    return {res->status, j};
  }

  Stats GetStats() {
    auto s = service_->GetStats();
    REQUIRE(s.ok());
    return *s;
  }

  int64_t MaxSeq(const std::string& device_id) {
    int64_t out = -1;
    Status s = service_->storage().Read([&](StorageReader& tx) -> Status {
      auto m = tx.MaxSeq(device_id);
      if (!m.ok()) return m.status();
      out = *m;
      return Status::Ok();
    });
    REQUIRE(s.ok());
    return out;
  }

  StoredReport GetReport(const std::string& id) {
    auto r = service_->GetReport(id);
    REQUIRE(r.ok());
    REQUIRE_MESSAGE(r->has_value(), "no report " << id);
    return **r;
  }

 private:
  TempDir dir_;
  std::filesystem::path db_path_;
  std::atomic<int64_t> clock_{1'790'000'000'000};  // 2026-09
  std::unique_ptr<Service> service_;
  std::unique_ptr<HttpServer> http_;
};

// A valid health report's values (HIV programme).
inline json HealthValues(int hiv_tested = 120) {
  return {{"period", "2026-10"},       {"programme", {"hiv"}}, {"hiv_tested", hiv_tested},
          {"hiv_positive", 5},         {"hiv_treatment", 5},   {"stockout", "no"},
          {"staff_deployed", 4}};
}

inline json HealthReport(const std::string& id, const std::string& status = "finalized",
                         const std::string& project = "TRI-HLT-002",
                         json values = HealthValues()) {
  return {{"id", id},         {"project", project},  {"form_id", "health"},
          {"form_version", 1}, {"period", "2026-10"}, {"values", std::move(values)},
          {"status", status}, {"author", "Amina"},   {"created_at_ms", 1},
          {"updated_at_ms", 2}};
}

inline json Entry(int64_t seq, const json& report, int64_t base_version = 0,
                  json changed = nullptr) {
  json e = {{"seq", seq}, {"kind", "report"}, {"base_version", base_version}, {"report", report}};
  if (!changed.is_null()) e["changed"] = std::move(changed);
  return e;
}

// 32 hex chars, distinct per n.
inline std::string ReportId(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%032x", n + 0x1000);
  return buf;
}

// --- the fieldsync-server binary ---

inline std::string ServerBinary() {
  return std::string(FIELDSYNC_BUILD_DIR) + "/server/fieldsync-server";
}

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the binary with args, stdout and stderr captured through files.
inline RunResult RunServerBinary(const std::vector<std::string>& args,
                                 const std::filesystem::path& scratch) {
  std::filesystem::path out_path = scratch / "stdout.txt";
  std::filesystem::path err_path = scratch / "stderr.txt";
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> argv_s = {ServerBinary()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  REQUIRE_MESSAGE(rc == 0, "cannot run " << argv_s[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  auto slurp = [](const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  };
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  return r;
}

}  // namespace fieldsync::server::testing
