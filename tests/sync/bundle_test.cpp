// tests/sync/bundle_test.cpp — sync by file: export, HQ's reply, import.
#include "sync/bundle.h"

#include <doctest/doctest.h>

#include <fstream>

#include "sync/messages.h"
#include "tests/sync/sync_test_util.h"

using namespace fieldsync;
using namespace fieldsync::sync;
using namespace fieldsync::testing;

namespace {

// HQ's side of a carried bundle: answers the request the way the endpoint
// does (the scripted HQ) and writes the reply.
void HqAnswers(ScriptedHq& hq, const std::filesystem::path& in, const std::filesystem::path& out) {
  auto push = ReadPushBundle(in);
  REQUIRE_MESSAGE(push.ok(), push.status().ToString());
  HttpRequest r{
      "POST",
      "http://hq.test/api/v1/sync",
      {{"Authorization", "Bearer " + std::string(64, 'a')}, {"Content-Type", "application/json"}},
      push->request.dump()};
  HttpResponse resp = hq(r);
  REQUIRE(resp.status == 200);
  auto answer = DecodeBody(resp.body, BodyFormat::kJson, resp.Header("Content-Encoding"));
  REQUIRE(answer.ok());
  std::vector<std::string> received;
  for (const auto& p : push->photos) {
    hq.photos[p.sha256] = p.data;
    received.push_back(p.sha256);
  }
  REQUIRE(WriteReplyBundle(out, *push, *answer, received).ok());
}

}  // namespace

TEST_CASE("a carried bundle does what a sync does, and importing it twice changes nothing") {
  TempDir dir;
  auto st = OpenStore(dir.path() / "device");
  EnrollFake(*st);
  auto ids = AddReports(*st, 25);
  std::filesystem::path photo = dir.path() / "p.jpg";
  std::ofstream(photo, std::ios::binary) << std::string(30000, 'p');
  auto att = st->AddAttachment(photo, "image/jpeg");
  REQUIRE(att.ok());
  ScriptedHq hq;
  hq.reject_ids.insert(ids[4]);
  hq.feed.push_back({{"kind", "project"},
                     {"key", "SSC-AGR-0001"},
                     {"data",
                      {{"code", "SSC-AGR-0001"},
                       {"title", "Seed multiplication"},
                       {"sector", "agriculture"},
                       {"measures", {12}},
                       {"modality", "bilateral"},
                       {"providers", {"BRA"}},
                       {"beneficiaries", {"MOZ"}},
                       {"region", ""}}}});

  auto out = dir.path() / "to-hq.fsb";
  auto exported = ExportBundle(*st, out);
  REQUIRE_MESSAGE(exported.ok(), exported.status().ToString());
  CHECK(exported->entries == 25);
  CHECK(exported->photos == 1);
  CHECK(*st->PendingCount() == 25);  // nothing leaves the outbox on export

  auto reply = dir.path() / "from-hq.fsb";
  HqAnswers(hq, out, reply);
  CHECK(hq.reports.size() == 24);

  auto imported = ImportReplyBundle(*st, reply);
  REQUIRE_MESSAGE(imported.ok(), imported.status().ToString());
  CHECK(imported->acknowledged == 25);
  CHECK(imported->rejected == 1);
  CHECK(imported->pulled == 1);
  CHECK(imported->photos == 1);
  CHECK(*st->PendingCount() == 0);
  CHECK(st->DeadLetters()->size() == 1);
  CHECK(st->GetDeviceState()->cursor == "1");
  CHECK(st->GetAttachment(att->sha256)->uploaded);

  auto again = ImportReplyBundle(*st, reply);
  REQUIRE(again.ok());
  CHECK(again->acknowledged == 0);
  CHECK(again->rejected == 0);
  CHECK(again->pull_skipped);  // the device's cursor has moved since the export
  CHECK(st->DeadLetters()->size() == 1);

  // HQ importing the same push bundle again applies nothing twice.
  HqAnswers(hq, out, dir.path() / "again.fsb");
  for (const auto& [id, n] : hq.applied_count) CHECK(n == 1);
}

TEST_CASE("a lost reply: export again, HQ answers from its stored results") {
  TempDir dir;
  auto st = OpenStore(dir.path() / "device");
  EnrollFake(*st);
  auto ids = AddReports(*st, 6);
  ScriptedHq hq;
  hq.reject_ids.insert(ids[0]);
  auto first = dir.path() / "1.fsb";
  REQUIRE(ExportBundle(*st, first).ok());
  HqAnswers(hq, first, dir.path() / "lost-reply.fsb");  // the reply never comes back
  AddReports(*st, 2);
  auto second = dir.path() / "2.fsb";
  REQUIRE(ExportBundle(*st, second).ok());
  auto reply = dir.path() / "reply.fsb";
  HqAnswers(hq, second, reply);
  auto imported = ImportReplyBundle(*st, reply);
  REQUIRE(imported.ok());
  CHECK(imported->acknowledged == 8);
  CHECK(imported->rejected == 1);  // the refusal from the lost reply still arrives
  CHECK(*st->PendingCount() == 0);
  for (const auto& [id, n] : hq.applied_count) CHECK(n == 1);
}

TEST_CASE("bundles say what is wrong with a file") {
  TempDir dir;
  auto st = OpenStore(dir.path() / "device");
  auto out = dir.path() / "x.fsb";
  auto unenrolled = ExportBundle(*st, out);
  REQUIRE_FALSE(unenrolled.ok());
  CHECK(unenrolled.status().code() == Status::Code::kFailedPrecondition);

  EnrollFake(*st);
  AddReports(*st, 1);
  REQUIRE(ExportBundle(*st, out).ok());
  // A push bundle is not a reply.
  auto wrong_kind = ImportReplyBundle(*st, out);
  REQUIRE_FALSE(wrong_kind.ok());
  CHECK(wrong_kind.status().message().find("push bundle, not a reply bundle") != std::string::npos);

  // A reply for another device is refused.
  auto push = ReadPushBundle(out);
  REQUIRE(push.ok());
  push->device_id = "d_other";
  auto other = dir.path() / "other.fsb";
  REQUIRE(WriteReplyBundle(other, *push, {{"acked_seq", 99}}, {}).ok());
  auto refused = ImportReplyBundle(*st, other);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("d_other") != std::string::npos);
  CHECK(*st->PendingCount() == 1);

  // Not a bundle at all.
  std::ofstream(dir.path() / "notes.txt") << "hello";
  auto junk = ImportReplyBundle(*st, dir.path() / "notes.txt");
  REQUIRE_FALSE(junk.ok());
  CHECK(junk.status().message().find("not a fieldsync bundle") != std::string::npos);
  auto missing = ImportReplyBundle(*st, dir.path() / "nope.fsb");
  CHECK(missing.status().code() == Status::Code::kIOError);
}
