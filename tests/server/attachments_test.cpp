// tests/server/attachments_test.cpp — chunked photo uploads: status, resume
// from the server's offset (409), hash verification (422), and refusal of
// hashes no report of the device refers to (403).
#include "common/sha256.h"
#include "server_test_util.h"

using namespace fieldsync;
using namespace fieldsync::server;
using namespace fieldsync::server::testing;

namespace {

std::string PhotoBytes(size_t n) {
  std::string s(n, '\0');
  uint32_t x = 12345;
  for (char& c : s) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

struct Uploader {
  TestServer& server;
  std::string token;
  std::unique_ptr<httplib::Client> c = server.Client();

  httplib::Result Put(const std::string& sha, int64_t offset, int64_t total, const std::string& chunk) {
    return c->Put("/api/v1/attachments/" + sha + "?offset=" + std::to_string(offset) +
                      "&total=" + std::to_string(total),
                  {{"Authorization", "Bearer " + token}}, chunk, "application/octet-stream");
  }
  json Status(const std::string& sha) {
    auto res = c->Get("/api/v1/attachments/" + sha + "/status", {{"Authorization", "Bearer " + token}});
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 200, res->body);
    return json::parse(res->body);
  }
};

}  // namespace

TEST_CASE("a photo uploads in chunks, resumes from the server's offset and is verified") {
  TestServer server;
  json dev = server.EnrollDevice("Amina", "west-africa");
  const std::string photo = PhotoBytes(2'500'000);
  const std::string sha = Sha256Hex(photo);
  const int64_t total = static_cast<int64_t>(photo.size());
  Uploader up{server, dev["token"]};

  // Before its report is synced the server refuses the hash.
  CHECK(up.Put(sha, 0, total, photo.substr(0, 1000))->status == 403);

  json values = HealthValues();
  values["photo"] = sha;
  auto [status, answer] = server.Sync(dev["token"], {{"batch", {Entry(1, HealthReport(ReportId(1), "finalized", "TRI-HLT-002", values))}}});
  REQUIRE(status == 200);
  REQUIRE(answer["results"][0]["outcome"] == "applied");

  CHECK(up.Status(sha) == json{{"received", 0}, {"complete", false}});
  const size_t chunk = 1u << 20;
  auto first = up.Put(sha, 0, total, photo.substr(0, chunk));
  REQUIRE(first);
  CHECK(first->status == 200);
  CHECK(json::parse(first->body)["received"] == chunk);

  // The link dropped; the device guesses wrong and is told where to resume.
  auto wrong = up.Put(sha, 0, total, photo.substr(0, chunk));
  REQUIRE(wrong);
  CHECK(wrong->status == 409);
  json err = json::parse(wrong->body);
  CHECK(err["received"] == chunk);
  CHECK(err["error"]["code"] == "conflict");

  json st = up.Status(sha);
  int64_t offset = st["received"];
  while (offset < total) {
    std::string part = photo.substr(static_cast<size_t>(offset), chunk);
    auto res = up.Put(sha, offset, total, part);
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 200, res->body);
    offset += static_cast<int64_t>(part.size());
    CHECK(json::parse(res->body)["received"] == offset);
  }
  CHECK(up.Status(sha) == json{{"received", total}, {"complete", true}});
  // Uploading again is harmless.
  CHECK(up.Put(sha, 0, total, photo.substr(0, chunk))->status == 200);

  // The stored bytes are the photo.
  std::string stored;
  REQUIRE(server.service().storage().Read([&](StorageReader& tx) {
    return tx.ReadAttachment(sha, [&](std::string_view b) {
      stored.append(b);
      return Status::Ok();
    });
  }).ok());
  CHECK(stored == photo);
  CHECK(server.GetStats().attachments_complete == 1);

  // Chunks above 1 MiB are refused.
  CHECK(up.Put(std::string(64, 'e'), 0, 3u << 20, std::string((1u << 20) + 1, 'x'))->status == 413);
}

TEST_CASE("an upload whose bytes do not hash to its name is discarded") {
  TestServer server;
  json dev = server.EnrollDevice("Amina", "west-africa");
  const std::string photo = PhotoBytes(300'000);
  const std::string sha = Sha256Hex(photo);
  json values = HealthValues();
  values["photo"] = sha;
  REQUIRE(server.Sync(dev["token"], {{"batch", {Entry(1, HealthReport(ReportId(1), "finalized", "TRI-HLT-002", values))}}}).first == 200);
  Uploader up{server, dev["token"]};
  const int64_t total = static_cast<int64_t>(photo.size());

  std::string corrupt = photo;
  corrupt[200'000] ^= 0x01;
  CHECK(up.Put(sha, 0, total, corrupt.substr(0, 150'000))->status == 200);
  auto last = up.Put(sha, 150'000, total, corrupt.substr(150'000));
  REQUIRE(last);
  CHECK(last->status == 422);
  CHECK(json::parse(last->body)["error"]["message"].get<std::string>().find("discarded") !=
        std::string::npos);
  CHECK(up.Status(sha) == json{{"received", 0}, {"complete", false}});

  // The good bytes go through from the start.
  CHECK(up.Put(sha, 0, total, photo)->status == 200);
  CHECK(up.Status(sha)["complete"] == true);
}

TEST_CASE("another device cannot upload or probe a hash it does not refer to") {
  TestServer server;
  json a = server.EnrollDevice("Amina", "west-africa");
  json b = server.EnrollDevice("Bakary", "west-africa");
  const std::string photo = PhotoBytes(1000);
  const std::string sha = Sha256Hex(photo);
  json values = HealthValues();
  values["photo"] = sha;
  REQUIRE(server.Sync(a["token"], {{"batch", {Entry(1, HealthReport(ReportId(1), "finalized", "TRI-HLT-002", values))}}}).first == 200);
  Uploader other{server, b["token"]};
  CHECK(other.Put(sha, 0, 1000, photo)->status == 403);
  auto probe = other.c->Get("/api/v1/attachments/" + sha + "/status",
                            {{"Authorization", "Bearer " + b["token"].get<std::string>()}});
  CHECK(probe->status == 403);
  auto bad_hash = other.c->Get("/api/v1/attachments/NOTAHASH/status",
                               {{"Authorization", "Bearer " + b["token"].get<std::string>()}});
  CHECK(bad_hash->status == 400);
}
