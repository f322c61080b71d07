// tests/server/hq_test_util.h — a real HQ server (loopback port, SQLite file
// in a temporary folder, settable clock) with the web dashboard on, HQ users
// (cheap Argon2id cost), a cookie-carrying dashboard client, enrolled devices
// per region and builders of valid reports for the shipped forms.
#pragma once

#include <doctest/doctest.h>
#include <httplib.h>
#include <sodium.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "schema/catalogue.h"
#include "server/http_server.h"
#include "server/service.h"
#include "server/sqlite_storage.h"
#include "server/users.h"
#include "tests/temp_dir.h"

namespace fieldsync::server::hq_testing {

using nlohmann::json;

// 2026-11-15 10:00 UTC.
inline constexpr int64_t kStartMs = 1794736800000;

using fieldsync::testing::TempDir;

// Argon2id at libsodium's minimum cost: tests sign in many times.
inline HqAuthOptions CheapAuth() {
  HqAuthOptions o;
  o.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
  o.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
  return o;
}

// An HTTP answer, decoded when it is JSON.
struct Answer {
  int status = 0;
  std::string body;
  json j;
  httplib::Headers headers;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  std::string ErrorMessage() const {
    return j.is_object() && j.contains("error") ? j["error"].value("message", "") : "";
  }
};

class HqServer;

// A browser stand-in: keeps the session cookie of its sign-in.
class Dashboard {
 public:
  Dashboard(HqServer& server, std::string cookie) : server_(server), cookie_(std::move(cookie)) {}
  Answer Get(const std::string& path, const httplib::Headers& extra = {});
  Answer Post(const std::string& path, const json& body, const httplib::Headers& extra = {});
  const std::string& cookie() const { return cookie_; }

 private:
  HqServer& server_;
  std::string cookie_;  // "fieldsync_session=..." or ""
};

class HqServer {
 public:
  explicit HqServer(HqAuthOptions auth = CheapAuth()) : auth_options_(auth) {
    db_path_ = dir_.path() / "hq.db";
    auto storage = OpenSqliteStorage(db_path_);
    REQUIRE_MESSAGE(storage.ok(), storage.status().ToString());
    ServiceOptions opts;
    opts.now_ms = [this] { return clock_.load(); };
    opts.today = "2026-11-15";
    auto svc = Service::Open(std::move(storage).value(), opts);
    REQUIRE_MESSAGE(svc.ok(), svc.status().ToString());
    service_ = std::move(svc).value();
    auto n = service_->ImportProjects(schema::DemoProjects());
    REQUIRE(n.ok());
    HttpOptions http;
    http.host = "127.0.0.1";
    http.port = 0;
    http.threads = 4;
    http.log_requests = false;
    http.log = [](const std::string&) {};
    http.web.auth = auth_options_;
    http_ = std::make_unique<HttpServer>(*service_, http);
    Status s = http_->Start();
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    auth_ = std::make_unique<HqAuth>(*service_, auth_options_);
  }
  ~HqServer() { http_->Stop(); }

  Service& service() { return *service_; }
  HqAuth& auth() { return *auth_; }
  int port() const { return http_->port(); }
  std::string url() const { return http_->url(); }
  const std::filesystem::path& db_path() const { return db_path_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  int64_t clock() const { return clock_; }
  void set_clock(int64_t ms) { clock_ = ms; }
  void advance(int64_t ms) { clock_ += ms; }

  std::unique_ptr<httplib::Client> Client() {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port());
    c->set_read_timeout(60, 0);
    c->set_write_timeout(60, 0);
    return c;
  }

  void AddUser(const std::string& name, const std::string& role, const std::string& region = "") {
    Status s = auth_->AddUser(name, role, region, Password(name));
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }
  static std::string Password(const std::string& name) { return name + "-secret-pw"; }

  Answer Login(const std::string& user, const std::string& password) {
    auto c = Client();
    auto res = c->Post("/api/v1/hq/login", json{{"user", user}, {"password", password}}.dump(),
                       "application/json");
    REQUIRE(res);
    return ToAnswer(*res);
  }

  // Signs in (REQUIREs success) and returns the signed-in client.
  Dashboard SignIn(const std::string& user) {
    Answer a = Login(user, Password(user));
    REQUIRE_MESSAGE(a.status == 200, a.body);
    std::string set = a.Header("Set-Cookie");
    REQUIRE(set.rfind("fieldsync_session=", 0) == 0);
    return Dashboard(*this, set.substr(0, set.find(';')));
  }
  Dashboard Anonymous() { return Dashboard(*this, ""); }

  // Enrolls a device of `officer` in `region`; returns its token.
  std::string EnrollDevice(const std::string& officer, const std::string& region) {
    auto code = service_->CreateEnrollCode(officer, region);
    REQUIRE(code.ok());
    auto e = service_->Enroll(*code, "tablet-" + officer);
    REQUIRE_MESSAGE(e.ok(), e.status().ToString());
    tokens_[e->token] = e->device_id;
    return e->token;
  }

  // Pushes reports (each a report JSON) from the device of `token`; REQUIREs
  // every entry applied. Returns the answer.
  json Push(const std::string& token, const std::vector<json>& reports) {
    json batch = json::array();
    for (const json& r : reports) {
      int64_t seq = ++seqs_[token];
      batch.push_back({{"seq", seq},
                       {"kind", "report"},
                       {"base_version", r.value("base_version", 0)},
                       {"report", r}});
    }
    json answer = Sync(token, {{"batch", batch}});
    for (const json& res : answer["results"])
      REQUIRE_MESSAGE(res["outcome"] != "rejected", res.dump());
    return answer;
  }

  // One sync exchange of the device of `token`.
  json Sync(const std::string& token, const json& body) {
    auto device = service_->Authenticate(token);
    REQUIRE(device.ok());
    auto answer = service_->Sync(*device, body);
    REQUIRE_MESSAGE(answer.ok(), answer.status().ToString());
    return *answer;
  }

  // Every feed change the device of `token` sees from the start.
  std::vector<json> Pull(const std::string& token) {
    json answer = Sync(token, {{"cursor", "0"}, {"pull_limit", 1000}});
    return answer["changes"].get<std::vector<json>>();
  }

  static Answer ToAnswer(const httplib::Result& res) { return ToAnswer(*res); }
  static Answer ToAnswer(const httplib::Response& res) {
    Answer a;
    a.status = res.status;
    a.body = res.body;
    a.headers = res.headers;
    a.j = json::parse(res.body, nullptr, false);
    if (a.j.is_discarded()) a.j = nullptr;
    return a;
  }

 private:
  TempDir dir_;
  std::filesystem::path db_path_;
  std::atomic<int64_t> clock_{kStartMs};
  HqAuthOptions auth_options_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<HqAuth> auth_;
  std::map<std::string, int64_t> seqs_;
  std::map<std::string, std::string> tokens_;
};

inline Answer Dashboard::Get(const std::string& path, const httplib::Headers& extra) {
  auto c = server_.Client();
  httplib::Headers h = extra;
  if (!cookie_.empty()) h.emplace("Cookie", cookie_);
  if (!h.count("Accept")) h.emplace("Accept", "application/json");
  auto res = c->Get(path, h);
  REQUIRE(res);
  return HqServer::ToAnswer(*res);
}

inline Answer Dashboard::Post(const std::string& path, const json& body,
                              const httplib::Headers& extra) {
  auto c = server_.Client();
  httplib::Headers h = extra;
  if (!cookie_.empty()) h.emplace("Cookie", cookie_);
  if (!h.count("Accept")) h.emplace("Accept", "application/json");
  auto res = c->Post(path, h, body.dump(), "application/json");
  REQUIRE(res);
  return HqServer::ToAnswer(*res);
}

// --- reports of the shipped forms ---

inline json AgricultureValues(const std::string& period, int farmers, double hectares,
                              bool with_location = true) {
  json v = {{"period", period},
            {"farmers_trained", farmers},
            {"women_farmers", farmers / 3},
            {"hectares_planted", hectares},
            {"seed_distributed_kg", 100.0},
            {"main_crop", "rice"},
            {"yield_t_ha", 2.5},
            {"irrigation_schemes", 1}};
  if (with_location) v["location"] = {{"lat", 14.5 + farmers / 1000.0}, {"lon", -16.0}};
  return v;
}

inline json HealthValues(const std::string& period, int hiv_tested) {
  return {{"period", period},   {"programme", {"hiv"}}, {"hiv_tested", hiv_tested},
          {"hiv_positive", 3},  {"hiv_treatment", 2},   {"stockout", "no"},
          {"staff_deployed", 4}};
}

inline json EducationValues(const std::string& period, int enrolled) {
  return {{"period", period},
          {"classes_held", 10},
          {"learners_enrolled", enrolled},
          {"learners_completed", enrolled / 2},
          {"women_enrolled", enrolled / 2},
          {"teachers_trained", 3},
          {"scholarships_awarded", 0}};
}

inline json MakeReport(const std::string& id, const std::string& project,
                       const std::string& form_id, json values, const std::string& author = "Amina",
                       const std::string& status = "finalized") {
  std::string period = values.value("period", "");
  return {{"id", id},          {"project", project}, {"form_id", form_id},
          {"form_version", 1}, {"period", period},   {"values", std::move(values)},
          {"status", status},  {"author", author},   {"created_at_ms", 1},
          {"updated_at_ms", 2}};
}

// 32 hex chars, distinct per (prefix, n).
inline std::string Id(int prefix, int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x%024x", prefix, n);
  return buf;
}

}  // namespace fieldsync::server::hq_testing
