// tests/server/http_test.cpp — the HTTP surface of the HQ server: health,
// enrollment, auth, and how bad requests are refused (JSON errors, nothing
// written).
#include "common/text.h"
#include "server_test_util.h"

using namespace fieldsync;
using namespace fieldsync::server;
using namespace fieldsync::server::testing;

namespace {

// The error body every non-2xx answer carries.
json ErrorOf(const httplib::Result& res) {
  REQUIRE(res);
  CHECK(res->get_header_value("Content-Type") == "application/json");
  json j = json::parse(res->body, nullptr, false);
  REQUIRE_MESSAGE(j.is_object(), res->body);
  REQUIRE(j.contains("error"));
  CHECK(j["error"]["code"].is_string());
  CHECK(j["error"]["message"].is_string());
  return j["error"];
}

}  // namespace

TEST_CASE("healthz answers without auth and names the storage") {
  TestServer server;
  auto res = server.Client()->Get("/healthz");
  REQUIRE(res);
  CHECK(res->status == 200);
  json j = json::parse(res->body);
  CHECK(j["status"] == "ok");
  CHECK(j["storage"] == "sqlite");
  CHECK(j["version"] == "0.1.0");
}

TEST_CASE("unknown routes get a JSON 404") {
  TestServer server;
  auto res = server.Client()->Get("/api/v1/nothing-here");
  REQUIRE(res);
  CHECK(res->status == 404);
  CHECK(ErrorOf(res)["code"] == "not_found");
}

TEST_CASE("enrollment: a good code once, then reused, expired and unknown codes are refused") {
  TestServer server;
  auto code = server.service().CreateEnrollCode("Amina", "west-africa");
  REQUIRE(code.ok());
  CHECK(code->size() == 14);  // XXXX-XXXX-XXXX
  auto c = server.Client();
  auto enroll = [&](const std::string& text) {
    return c->Post("/api/v1/enroll", json{{"code", text}, {"device_name", "tablet-07"}}.dump(),
                   "application/json");
  };

  // Lower case without dashes is the same code.
  std::string typed = NormalizeEnrollCode(*code);
  for (char& ch : typed) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto good = enroll(typed);
  REQUIRE(good);
  REQUIRE_MESSAGE(good->status == 200, good->body);
  json e = json::parse(good->body);
  CHECK(e["officer"] == "Amina");
  CHECK(e["region"] == "west-africa");
  CHECK(e["device_id"].get<std::string>().rfind("d_", 0) == 0);
  CHECK(e["token"].get<std::string>().size() == 64);
  // The token works.
  auto [status, answer] = server.Sync(e["token"], json{{"batch", json::array()}});
  CHECK(status == 200);

  auto reused = enroll(*code);
  CHECK(reused->status == 401);
  CHECK(ErrorOf(reused)["message"].get<std::string>().find("already used") != std::string::npos);

  auto expired_code = server.service().CreateEnrollCode("Bo", "", std::chrono::milliseconds(-1));
  REQUIRE(expired_code.ok());
  auto expired = enroll(*expired_code);
  CHECK(expired->status == 401);
  CHECK(ErrorOf(expired)["message"].get<std::string>().find("expired") != std::string::npos);

  // A code that expires after 24 h: good at 23 h, refused at 25 h.
  auto later = server.service().CreateEnrollCode("Chen", "");
  REQUIRE(later.ok());
  const int64_t t0 = server.clock();
  server.set_clock(t0 + 25 * 3600 * 1000LL);
  auto too_late = enroll(*later);
  CHECK(too_late->status == 401);
  server.set_clock(t0 + 23 * 3600 * 1000LL);
  CHECK(enroll(*later)->status == 200);

  auto unknown = enroll("AAAA-BBBB-CCCC");
  CHECK(unknown->status == 401);
  CHECK(ErrorOf(unknown)["message"].get<std::string>().find("unknown") != std::string::npos);

  auto malformed = c->Post("/api/v1/enroll", "{\"code\": 7}", "application/json");
  CHECK(malformed->status == 400);
  CHECK(ErrorOf(malformed)["code"] == "invalid_argument");
  CHECK(server.GetStats().devices_active == 2);
}

TEST_CASE("enrollment with a device-chosen token: asking again after a lost answer is the same device") {
  TestServer server;
  auto code = server.service().CreateEnrollCode("Amina", "west-africa");
  REQUIRE(code.ok());
  auto c = server.Client();
  const std::string mine(64, 'a'), other(64, 'b');
  auto enroll = [&](const json& token) {
    return c->Post("/api/v1/enroll",
                   json{{"code", *code}, {"device_name", "tablet-07"}, {"token", token}}.dump(),
                   "application/json");
  };
  auto first = enroll(mine);
  REQUIRE(first);
  REQUIRE_MESSAGE(first->status == 200, first->body);
  json e1 = json::parse(first->body);
  CHECK(e1["token"] == mine);
  // The answer was lost; the device asks again with the same token.
  auto second = enroll(mine);
  REQUIRE_MESSAGE(second->status == 200, second->body);
  json e2 = json::parse(second->body);
  CHECK(e2["device_id"] == e1["device_id"]);
  CHECK(e2["region"] == "west-africa");
  // Someone else with the code is refused; so is anyone once the code expired.
  auto stolen = enroll(other);
  CHECK(stolen->status == 401);
  CHECK(ErrorOf(stolen)["message"].get<std::string>().find("already used") != std::string::npos);
  const int64_t t0 = server.clock();
  server.set_clock(t0 + 25 * 3600 * 1000LL);
  CHECK(enroll(mine)->status == 401);
  server.set_clock(t0);
  // The token works and is the only one: one device.
  auto [status, answer] = server.Sync(mine, json{{"batch", json::array()}});
  CHECK(status == 200);
  CHECK(server.GetStats().devices_active == 1);
  // A revoked device cannot come back through its old code.
  REQUIRE(server.service().RevokeDevice(e1["device_id"]).ok());
  CHECK(enroll(mine)->status == 401);

  // Tokens that are not 256 bits of hex are refused before anything is written.
  auto fresh = server.service().CreateEnrollCode("Bo", "");
  REQUIRE(fresh.ok());
  for (const json& bad : {json("short"), json(std::string(64, 'G')), json(std::string(64, 'A')),
                          json(42)}) {
    auto res = c->Post("/api/v1/enroll",
                       json{{"code", *fresh}, {"device_name", "t"}, {"token", bad}}.dump(),
                       "application/json");
    CHECK(res->status == 400);
    CHECK(ErrorOf(res)["code"] == "invalid_argument");
  }
  auto ok = c->Post("/api/v1/enroll",
                    json{{"code", *fresh}, {"device_name", "t"}, {"token", other}}.dump(),
                    "application/json");
  CHECK(ok->status == 200);
}

TEST_CASE("missing, forged and revoked tokens get 401") {
  TestServer server;
  json dev = server.EnrollDevice("Amina", "west-africa");
  std::string token = dev["token"];
  auto c = server.Client();
  const std::string body = json{{"batch", json::array()}}.dump();

  auto none = c->Post("/api/v1/sync", body, "application/json");
  CHECK(none->status == 401);
  CHECK(ErrorOf(none)["code"] == "unauthenticated");

  std::string forged = token;
  forged[0] = forged[0] == 'a' ? 'b' : 'a';
  auto bad = c->Post("/api/v1/sync", {{"Authorization", "Bearer " + forged}}, body,
                     "application/json");
  CHECK(bad->status == 401);
  auto junk = c->Post("/api/v1/sync", {{"Authorization", "Bearer not-a-token"}}, body,
                      "application/json");
  CHECK(junk->status == 401);

  CHECK(server.Sync(token, json::parse(body)).first == 200);
  REQUIRE(server.service().RevokeDevice(dev["device_id"]).ok());
  auto [status, err] = server.Sync(token, json::parse(body));
  CHECK(status == 401);
  CHECK(err["error"]["message"].get<std::string>().find("revoked") != std::string::npos);
  // Attachment routes are guarded too.
  auto att = c->Get("/api/v1/attachments/" + std::string(64, 'a') + "/status",
                    {{"Authorization", "Bearer " + token}});
  CHECK(att->status == 401);
}

TEST_CASE("bad requests are refused with a JSON 4xx and nothing is written") {
  TestServer server;
  json dev = server.EnrollDevice("Amina", "west-africa");
  const std::string token = dev["token"];
  const std::string device_id = dev["device_id"];
  httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  auto c = server.Client();
  const Stats before = server.GetStats();
  json good_entry = Entry(1, HealthReport(ReportId(1)));

  SUBCASE("malformed JSON") {
    auto res = c->Post("/api/v1/sync", auth, "{\"batch\": [", "application/json");
    CHECK(res->status == 400);
    CHECK(ErrorOf(res)["message"].get<std::string>().find("malformed JSON") != std::string::npos);
  }
  SUBCASE("seq as a string, even next to a good entry") {
    json bad = good_entry;
    bad["seq"] = "2";
    json body = {{"batch", {good_entry, bad}}};
    auto res = c->Post("/api/v1/sync", auth, body.dump(), "application/json");
    CHECK(res->status == 400);
    CHECK(ErrorOf(res)["message"].get<std::string>().find("batch[1].seq") != std::string::npos);
  }
  SUBCASE("entries out of seq order") {
    json body = {{"batch", {Entry(5, HealthReport(ReportId(1))), Entry(4, HealthReport(ReportId(2)))}}};
    auto res = c->Post("/api/v1/sync", auth, body.dump(), "application/json");
    CHECK(res->status == 400);
  }
  SUBCASE("batch that is not an array, cursor that is not a number") {
    auto res = c->Post("/api/v1/sync", auth, R"({"batch": {}})", "application/json");
    CHECK(res->status == 400);
    res = c->Post("/api/v1/sync", auth, R"({"batch": [], "cursor": "abc"})", "application/json");
    CHECK(res->status == 400);
  }
  SUBCASE("a body above 8 MiB") {
    json body = {{"batch", {good_entry}}, {"padding", std::string(sync::kMaxWireBody, 'x')}};
    auto res = c->Post("/api/v1/sync", auth, body.dump(), "application/json");
    REQUIRE(res);
    CHECK(res->status == 413);
    CHECK(ErrorOf(res)["code"] == "too_large");
  }
  SUBCASE("a zstd bomb") {
    json body = {{"batch", {good_entry}}, {"padding", std::string(80u << 20, ' ')}};
    std::string packed = sync::EncodeBody(body, sync::BodyFormat::kJson, true, 1);
    CHECK(packed.size() < sync::kMaxWireBody);
    httplib::Headers h = auth;
    h.emplace("Content-Encoding", "zstd");
    auto res = c->Post("/api/v1/sync", h, packed, "application/json");
    CHECK(res->status == 413);
  }
  SUBCASE("a body that is not zstd") {
    httplib::Headers h = auth;
    h.emplace("Content-Encoding", "zstd");
    auto res = c->Post("/api/v1/sync", h, json{{"batch", {good_entry}}}.dump(), "application/json");
    CHECK(res->status == 400);
    CHECK(ErrorOf(res)["message"].get<std::string>().find("zstd") != std::string::npos);
  }
  SUBCASE("an unknown content encoding") {
    httplib::Headers h = auth;
    h.emplace("Content-Encoding", "gzip");
    auto res = c->Post("/api/v1/sync", h, json{{"batch", {good_entry}}}.dump(), "application/json");
    CHECK(res->status == 415);
    ErrorOf(res);
  }
  SUBCASE("an unknown content type") {
    auto res = c->Post("/api/v1/sync", auth, json{{"batch", {good_entry}}}.dump(), "text/plain");
    CHECK(res->status == 415);
    CHECK(ErrorOf(res)["message"].get<std::string>().find("text/plain") != std::string::npos);
  }
  SUBCASE("malformed MessagePack") {
    auto res = c->Post("/api/v1/sync", auth, std::string("\xc1\xc1\xc1", 3), "application/msgpack");
    CHECK(res->status == 400);
  }

  const Stats after = server.GetStats();
  CHECK(after.reports == before.reports);
  CHECK(after.history_rows == before.history_rows);
  CHECK(server.MaxSeq(device_id) == 0);
  // The server is still healthy and the same entry goes through afterwards.
  auto [status, answer] = server.Sync(token, json{{"batch", {good_entry}}});
  CHECK(status == 200);
  CHECK(answer["results"][0]["outcome"] == "applied");
}

TEST_CASE("MessagePack and zstd both ways: the answer matches the request's format") {
  TestServer server;
  json dev = server.EnrollDevice("Amina", "west-africa");
  json body = {{"batch", {Entry(1, HealthReport(ReportId(1)))}}, {"cursor", ""}};
  auto c = server.Client();
  httplib::Headers h = {{"Authorization", "Bearer " + dev["token"].get<std::string>()},
                        {"Content-Encoding", "zstd"},
                        {"Accept-Encoding", "zstd, gzip"}};
  auto res = c->Post("/api/v1/sync", h, sync::EncodeBody(body, sync::BodyFormat::kMsgpack, true),
                     "application/msgpack");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == "application/msgpack");
  CHECK(res->get_header_value("Content-Encoding") == "zstd");
  auto answer = sync::DecodeBody(res->body, sync::BodyFormat::kMsgpack, "zstd");
  REQUIRE(answer.ok());
  CHECK((*answer)["acked_seq"] == 1);
  CHECK((*answer)["results"][0]["outcome"] == "applied");
  // The feed (forms, projects) came along and is compressible.
  CHECK((*answer)["changes"].size() > 3);

  // Without Accept-Encoding: plain.
  auto plain = c->Post("/api/v1/sync", {{"Authorization", "Bearer " + dev["token"].get<std::string>()}},
                       json{{"batch", json::array()}, {"pull_limit", 1}}.dump(), "application/json");
  REQUIRE(plain);
  CHECK(plain->get_header_value("Content-Encoding").empty());
  CHECK(json::parse(plain->body)["changes"].size() == 1);
}

TEST_CASE("the request log has one line per request with the device") {
  TestServer base;  // only for its database and service
  std::vector<std::string> lines;
  std::mutex mu;
  HttpOptions opts;
  opts.log = [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(mu);
    lines.push_back(line);
  };
  HttpServer http(base.service(), opts);
  REQUIRE(http.Start().ok());
  json dev = base.EnrollDevice("Amina", "west-africa");
  httplib::Client c("127.0.0.1", http.port());
  auto res = c.Post("/api/v1/sync", {{"Authorization", "Bearer " + dev["token"].get<std::string>()}},
                    R"({"batch": []})", "application/json");
  REQUIRE(res);
  CHECK(res->status == 200);
  http.Stop();
  std::lock_guard<std::mutex> lock(mu);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].rfind("POST /api/v1/sync 200 in=", 0) == 0);
  CHECK(lines[0].find(dev["device_id"].get<std::string>()) != std::string::npos);
  CHECK(lines[0].find("ms ") != std::string::npos);
}

TEST_CASE("TLS: --tls-cert/--tls-key serve HTTPS; a bad pair is refused at bind") {
  TestServer base;  // its service and database
  TempDir dir;
  const std::string cert = (dir.path() / "cert.pem").string();
  const std::string key = (dir.path() / "key.pem").string();
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 "
                          "-keyout '" + key + "' -out '" + cert + "' >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);

  HttpOptions opts;
  opts.tls_cert = cert;
  opts.tls_key = key;
  opts.log_requests = false;
  HttpServer https(base.service(), opts);
  REQUIRE(https.Start().ok());
  CHECK(https.url().rfind("https://127.0.0.1:", 0) == 0);
  httplib::SSLClient c("127.0.0.1", https.port());
  c.enable_server_certificate_verification(false);
  auto res = c.Get("/healthz");
  REQUIRE(res);
  CHECK(res->status == 200);
  https.Stop();

  HttpOptions swapped = opts;
  swapped.tls_cert = key;
  swapped.tls_key = cert;
  HttpServer bad(base.service(), swapped);
  Status s = bad.Bind();
  CHECK(s.code() == Status::Code::kInvalidArgument);
  CHECK(s.message().find("TLS") != std::string::npos);
}
