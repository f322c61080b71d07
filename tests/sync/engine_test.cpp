// tests/sync/engine_test.cpp — SyncOnce against a scripted HQ with injected faults.
#include "sync/engine.h"

#include <doctest/doctest.h>

#include <fstream>

#include "sync/fault_transport.h"
#include "tests/sync/sync_test_util.h"

using namespace fieldsync;
using namespace fieldsync::sync;
using namespace fieldsync::testing;
using ms = std::chrono::milliseconds;

namespace {

// A device with a store, a scripted HQ behind a FaultTransport, and options
// that record sleeps instead of sleeping.
struct Rig {
  TempDir dir;
  std::unique_ptr<store::Store> st = OpenStore(dir.path());
  ScriptedHq hq;
  FunctionTransport wire{[this](const HttpRequest& r) { return hq(r); }};
  FaultTransport net{&wire};
  std::vector<ms> sleeps;
  SyncOptions opts;

  Rig() {
    EnrollFake(*st);
    opts.seed = 1;
    opts.sleep = [this](ms d) { sleeps.push_back(d); };
  }
  SyncReport Sync() { return SyncOnce(*st, net, opts); }
  int64_t Pending() { return *st->PendingCount(); }
  std::vector<FaultTransport::Logged> SyncRequests() {
    std::vector<FaultTransport::Logged> out;
    for (const auto& l : net.log())
      if (l.request.url.ends_with("/api/v1/sync")) out.push_back(l);
    return out;
  }
};

}  // namespace

TEST_CASE("a sync with nothing to do is one small request") {
  Rig rig;
  SyncReport r = rig.Sync();
  CHECK(r.complete);
  CHECK(r.error.ok());
  CHECK(r.requests == 1);
  CHECK(r.bytes_up < 1024);
  CHECK(r.bytes_down < 1024);
  REQUIRE(rig.net.log().size() == 1);
  CHECK(rig.net.log()[0].request.method == "POST");
  CHECK(rig.net.log()[0].request.url == "http://hq.test/api/v1/sync");
  CHECK(rig.st->GetDeviceState()->last_sync_ok_ms > 0);
}

TEST_CASE("an unenrolled device sends nothing and says how to enroll") {
  TempDir dir;
  auto st = OpenStore(dir.path());
  ScriptedHq hq;
  FunctionTransport t([&](const HttpRequest& r) { return hq(r); });
  SyncReport r = SyncOnce(*st, t);
  CHECK_FALSE(r.complete);
  CHECK(r.error.code() == Status::Code::kFailedPrecondition);
  CHECK(r.error.message().find("enroll") != std::string::npos);
  CHECK(t.counters().requests == 0);
}

TEST_CASE("the outbox goes in growing batches, in seq order, each entry once") {
  Rig rig;
  AddReports(*rig.st, 120, 300);
  rig.opts.batch = {/*initial=*/2048, /*min=*/1024, /*max=*/1u << 20};
  SyncReport r = rig.Sync();
  REQUIRE(r.complete);
  CHECK(r.pushed == 120);
  CHECK(r.applied == 120);
  CHECK(rig.Pending() == 0);
  CHECK(rig.hq.reports.size() == 120);
  for (const auto& [id, n] : rig.hq.applied_count) CHECK(n == 1);
  // The budget doubles while requests succeed: each batch is larger.
  REQUIRE(rig.hq.batch_sizes.size() >= 3);
  CHECK(rig.hq.batch_sizes[1] > rig.hq.batch_sizes[0]);
  CHECK(rig.hq.batch_sizes[2] > rig.hq.batch_sizes[1]);
  // Sizes track the wire budget (2 KiB, then 4 KiB ...), with some slack.
  CHECK(rig.hq.wire_sizes[0] <= 2048 * 5 / 4);
  CHECK(rig.hq.wire_sizes[1] <= 4096 * 5 / 4);
  CHECK(r.requests == static_cast<int64_t>(rig.hq.batch_sizes.size()));
}

TEST_CASE("a 413 splits the batch in half and the rest still goes") {
  Rig rig;
  AddReports(*rig.st, 40, 100);
  rig.net.Inject(FaultRule{Fault::kStatus,
                           "/sync",
                           413,
                           ErrorBody(Status::TooLarge("body too large")).dump(),
                           {{"Content-Type", "application/json"}}});
  SyncReport r = rig.Sync();
  REQUIRE(r.complete);
  auto reqs = rig.SyncRequests();
  REQUIRE(reqs.size() >= 2);
  CHECK(reqs[0].status == 413);
  // The scripted HQ saw the second request first: half the refused entries.
  auto first = DecodeBody(reqs[0].request.body, BodyFormat::kJson, "zstd");
  REQUIRE(first.ok());
  size_t refused = (*first)["batch"].size();
  CHECK(refused == 40);
  CHECK(rig.hq.batch_sizes[0] == refused / 2);
  CHECK(rig.hq.reports.size() == 40);
  CHECK(rig.sleeps.empty());  // a split is not a failure: no backoff
}

TEST_CASE("a single entry refused as too large stops the sync and stays queued") {
  Rig rig;
  AddReports(*rig.st, 1, 100);
  rig.net.Inject(FaultRule{Fault::kStatus, "/sync", 413, "", {}});
  SyncReport r = rig.Sync();
  CHECK_FALSE(r.complete);
  CHECK(r.error.code() == Status::Code::kTooLarge);
  CHECK(rig.Pending() == 1);
}

TEST_CASE("a lost answer is resent: nothing lost, nothing applied twice") {
  Rig rig;
  auto ids = AddReports(*rig.st, 30, 100);
  rig.net.Inject(Fault::kDropResponse, "/sync");
  SyncReport r = rig.Sync();
  REQUIRE(r.complete);
  CHECK(r.retries == 1);
  CHECK(rig.Pending() == 0);
  CHECK(rig.hq.reports.size() == 30);
  for (const auto& id : ids) CHECK(rig.hq.applied_count[id] == 1);
  // The resend carried the same entries again (replayed, answered from the
  // stored outcomes).
  auto reqs = rig.SyncRequests();
  REQUIRE(reqs.size() >= 2);
  auto a = DecodeBody(reqs[0].request.body, BodyFormat::kJson, "zstd");
  auto b = DecodeBody(reqs[1].request.body, BodyFormat::kJson, "zstd");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK((*a)["batch"][0]["seq"] == (*b)["batch"][0]["seq"]);
}

TEST_CASE("a lost answer followed by a smaller batch does not drop unanswered entries") {
  // The server applied a whole batch but the answer was lost; the retry is
  // smaller (halved after the reset). acked_seq then covers entries whose
  // results the device has not seen: they must stay queued and be resent.
  Rig rig;
  AddReports(*rig.st, 60, 200);
  rig.hq.reject_ids.insert([&] {
    auto peek = rig.st->PeekOutbox(0, 1u << 30);
    return peek->back().report_id;  // the last entry will be rejected
  }());
  rig.opts.batch = {24u << 10, 1024, 24u << 10};  // first batch: everything (~20 KB)
  rig.net.Inject(Fault::kDropResponse, "/sync");
  rig.net.Inject(Fault::kStall, "/sync");  // halves again
  SyncReport r = rig.Sync();
  REQUIRE(r.complete);
  CHECK(rig.hq.batch_sizes[0] == 60);
  CHECK(rig.hq.batch_sizes[1] < 60);
  // The rejection reached the device even though its first answer was lost.
  auto dead = rig.st->DeadLetters();
  REQUIRE(dead->size() == 1);
  CHECK(dead->at(0).reason == "period is in the future");
  CHECK(r.rejected == 1);
  CHECK(rig.Pending() == 0);
}

TEST_CASE("a stall halves the next batch and backs off under the first ceiling") {
  Rig rig;
  AddReports(*rig.st, 200, 300);
  rig.opts.batch = {8192, 1024, 8192};
  rig.net.Inject(Fault::kPass, "/sync");
  rig.net.Inject(Fault::kStall, "/sync");
  SyncReport r = rig.Sync();
  REQUIRE(r.complete);
  REQUIRE(rig.sleeps.size() == 1);
  CHECK(rig.sleeps[0] <= rig.opts.backoff_base);
  auto reqs = rig.SyncRequests();
  REQUIRE(reqs.size() >= 3);
  CHECK(reqs[1].fault == Fault::kStall);
  CHECK(reqs[2].request.body.size() * 10 < reqs[1].request.body.size() * 6);
}

TEST_CASE("the sync gives up after max_attempts and keeps everything queued") {
  Rig rig;
  AddReports(*rig.st, 5);
  rig.opts.max_attempts = 4;
  for (int i = 0; i < 10; ++i) rig.net.Inject(Fault::kRefuse);
  SyncReport r = rig.Sync();
  CHECK_FALSE(r.complete);
  CHECK(r.error.code() == Status::Code::kUnavailable);
  CHECK(r.error.message().find("gave up after 4 attempts") != std::string::npos);
  CHECK(r.requests == 4);
  REQUIRE(rig.sleeps.size() == 3);
  CHECK(rig.sleeps[0] <= ms(1000));
  CHECK(rig.sleeps[1] <= ms(2000));
  CHECK(rig.sleeps[2] <= ms(4000));
  CHECK(rig.Pending() == 5);
  CHECK_FALSE(r.link_up);
  auto state = rig.st->GetDeviceState();
  CHECK(state->last_error.find("cannot connect") != std::string::npos);
  CHECK(state->last_error_ms > 0);
}

TEST_CASE("a sync stops rather than wait past its time budget") {
  Rig rig;
  AddReports(*rig.st, 2);
  rig.opts.time_budget = ms(10);
  rig.opts.backoff_base = ms(60000);
  rig.opts.backoff_cap = ms(60000);
  rig.opts.seed = 3;
  for (int i = 0; i < 50; ++i) rig.net.Inject(Fault::kRefuse);
  SyncReport r = rig.Sync();
  CHECK_FALSE(r.complete);
  CHECK(r.requests < 5);
  CHECK(rig.Pending() == 2);
}

TEST_CASE("401 stops at once, keeps the outbox and says to enroll again") {
  Rig rig;
  AddReports(*rig.st, 3);
  rig.net.Inject(FaultRule{Fault::kStatus,
                           "/sync",
                           401,
                           ErrorBody(Status::Unauthenticated("device d_test was revoked")).dump(),
                           {{"Content-Type", "application/json"}}});
  SyncReport r = rig.Sync();
  CHECK_FALSE(r.complete);
  CHECK(r.error.code() == Status::Code::kUnauthenticated);
  CHECK(r.error.message().find("revoked") != std::string::npos);
  CHECK(r.error.message().find("enroll") != std::string::npos);
  CHECK(r.requests == 1);
  CHECK(rig.sleeps.empty());
  CHECK(rig.Pending() == 3);
}

TEST_CASE("503 is retried, waiting at least Retry-After") {
  Rig rig;
  AddReports(*rig.st, 3);
  rig.net.Inject(FaultRule{Fault::kStatus, "/sync", 503, "busy", {{"Retry-After", "7"}}});
  SyncReport r = rig.Sync();
  REQUIRE(r.complete);
  REQUIRE(rig.sleeps.size() == 1);
  CHECK(rig.sleeps[0] >= ms(7000));
  CHECK(r.link_up);
}

TEST_CASE("a rejected entry becomes a dead letter and does not block the rest") {
  Rig rig;
  auto ids = AddReports(*rig.st, 10);
  rig.hq.reject_ids.insert(ids[3]);
  SyncReport r = rig.Sync();
  REQUIRE(r.complete);
  CHECK(r.rejected == 1);
  CHECK(r.applied == 9);
  CHECK(r.dead_letters == 1);
  CHECK(rig.hq.reports.size() == 9);
  auto dead = rig.st->DeadLetters();
  REQUIRE(dead->size() == 1);
  CHECK(dead->at(0).report_id == ids[3]);
}

TEST_CASE("pull pages through the feed while the server says more") {
  Rig rig;
  for (int i = 0; i < 1100; ++i) {
    char code[32];
    std::snprintf(code, sizeof code, "SSC-AGR-%04d", i);
    rig.hq.feed.push_back({{"kind", "project"},
                           {"key", code},
                           {"data",
                            {{"code", code},
                             {"title", "Seed multiplication"},
                             {"sector", "agriculture"},
                             {"measures", {12}},
                             {"modality", "bilateral"},
                             {"providers", {"BRA"}},
                             {"beneficiaries", {"MOZ"}},
                             {"region", ""}}}});
  }
  rig.opts.pull_limit = 500;
  SyncReport r = rig.Sync();
  REQUIRE(r.complete);
  CHECK(r.pulled == 1100);
  CHECK(r.requests == 3);
  CHECK(rig.st->GetDeviceState()->cursor == "1100");
  CHECK(rig.st->ListProjects()->size() >= 1100);
  // The next sync starts from the stored cursor and pulls nothing.
  SyncReport again = rig.Sync();
  CHECK(again.pulled == 0);
  CHECK(again.requests == 1);
}

TEST_CASE("a server acknowledging less than it was sent stops the sync") {
  Rig rig;
  AddReports(*rig.st, 4);
  rig.hq.ack_less = true;
  SyncReport r = rig.Sync();
  CHECK_FALSE(r.complete);
  CHECK(r.error.code() == Status::Code::kInternal);
  CHECK(r.requests == 1);
}

TEST_CASE("MessagePack bodies work as well as JSON") {
  Rig rig;
  AddReports(*rig.st, 12);
  rig.opts.format = BodyFormat::kMsgpack;
  SyncReport r = rig.Sync();
  REQUIRE(r.complete);
  CHECK(rig.hq.reports.size() == 12);
  CHECK(FindHeader(rig.net.log()[0].request.headers, "Content-Type") == "application/msgpack");
}

TEST_CASE("photos go after their report, in chunks, resuming from the server's offset") {
  Rig rig;
  std::filesystem::path photo = rig.dir.path() / "photo.jpg";
  std::string bytes;
  std::mt19937 rng(5);
  for (int i = 0; i < 200000; ++i) bytes.push_back(static_cast<char>(rng()));
  std::ofstream(photo, std::ios::binary) << bytes;
  auto att = rig.st->AddAttachment(photo, "image/jpeg");
  REQUIRE(att.ok());
  AddReports(*rig.st, 1);
  rig.hq.photos[att->sha256] = bytes.substr(0, 50000);  // an earlier sync got this far
  rig.opts.photo_chunk_bytes = 64u << 10;
  rig.opts.batch = {16u << 10, 1024, 1u << 20};
  // The second chunk is lost on the way (the connection resets); it is sent again.
  rig.net.Inject(Fault::kPass, "?offset=");
  rig.net.Inject(Fault::kResetRequest, "?offset=");
  SyncReport r = rig.Sync();
  REQUIRE(r.complete);
  CHECK(r.photos_uploaded == 1);
  CHECK(r.photos_pending_after == 0);
  CHECK(rig.hq.photos[att->sha256] == bytes);
  // Order: the report first, then status, then chunks from offset 50000.
  const auto& log = rig.net.log();
  REQUIRE(log.size() >= 4);
  CHECK(log[0].request.url.ends_with("/api/v1/sync"));
  CHECK(log[1].request.url.ends_with("/status"));
  CHECK(log[2].request.url.find("?offset=50000&total=200000") != std::string::npos);
  for (const auto& l : log)
    if (l.request.method == "PUT") CHECK(l.request.body.size() <= (64u << 10));
  CHECK(rig.st->GetAttachment(att->sha256)->uploaded);
}

TEST_CASE("a photo chunk answered 409 resumes from the offset the server gives") {
  Rig rig;
  std::filesystem::path photo = rig.dir.path() / "p.jpg";
  std::string bytes(70000, 'x');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
  std::ofstream(photo, std::ios::binary) << bytes;
  auto att = rig.st->AddAttachment(photo, "image/jpeg");
  REQUIRE(att.ok());
  rig.opts.photo_chunk_bytes = 32u << 10;
  rig.opts.batch = {32u << 10, 1024, 32u << 10};
  // The status says 0, but by the first PUT the server has 40000 (another
  // attempt's chunk landed late): it answers 409 with received=40000.
  json conflict = ErrorBody(Status::Conflict("upload continues at 40000"));
  conflict["received"] = 40000;
  rig.net.Inject(FaultRule{
      Fault::kStatus, "?offset=", 409, conflict.dump(), {{"Content-Type", "application/json"}}});
  // The scripted server agrees with the 409 once it is consulted.
  rig.hq.photos[att->sha256] = bytes.substr(0, 40000);
  rig.net.Inject(FaultRule{Fault::kStatus,
                           "/status",
                           200,
                           R"({"received":0,"complete":false})",
                           {{"Content-Type", "application/json"}}});
  SyncReport r = rig.Sync();
  REQUIRE(r.complete);
  std::vector<std::string> puts;
  for (const auto& l : rig.net.log())
    if (l.request.method == "PUT") puts.push_back(l.request.url.substr(l.request.url.find('?')));
  REQUIRE(puts.size() >= 2);
  CHECK(puts[0] == "?offset=0&total=70000");
  CHECK(puts[1] == "?offset=40000&total=70000");
  CHECK(rig.hq.photos[att->sha256] == bytes);
}

TEST_CASE("a photo whose hash check fails is sent again from 0, once") {
  Rig rig;
  std::filesystem::path photo = rig.dir.path() / "p.jpg";
  std::ofstream(photo, std::ios::binary) << std::string(50000, 'z');
  auto att = rig.st->AddAttachment(photo, "image/jpeg");
  REQUIRE(att.ok());
  rig.hq.corrupt_uploads = 1;
  SyncReport r = rig.Sync();
  REQUIRE(r.complete);
  CHECK(rig.hq.photos[att->sha256].size() == 50000);
  int from_zero = 0;
  for (const auto& l : rig.net.log())
    if (l.request.url.find("?offset=0&") != std::string::npos) ++from_zero;
  CHECK(from_zero == 2);

  // A copy that fails twice is reported, and stays pending.
  std::filesystem::path other = rig.dir.path() / "q.jpg";
  std::ofstream(other, std::ios::binary) << std::string(20000, 'q');
  auto att2 = rig.st->AddAttachment(other, "image/jpeg");
  REQUIRE(att2.ok());
  rig.hq.corrupt_uploads = 2;
  SyncReport r2 = rig.Sync();
  CHECK_FALSE(r2.complete);
  CHECK(r2.error.code() == Status::Code::kFailedPrecondition);
  CHECK(r2.photos_pending_after == 1);
}

TEST_CASE("a cancelled sync sends nothing more and records no error") {
  Rig rig;
  AddReports(*rig.st, 3);
  std::atomic<bool> cancel{true};
  rig.opts.cancel = &cancel;
  SyncReport r = rig.Sync();
  CHECK_FALSE(r.complete);
  CHECK(r.error.message().find("cancelled") != std::string::npos);
  CHECK(rig.hq.batch_sizes.empty());
  CHECK(rig.st->GetDeviceState()->last_error.empty());
  CHECK(rig.Pending() == 3);
}

TEST_CASE("the report's JSON carries every counter and the error") {
  SyncReport r;
  r.pushed = 3;
  r.error = Status::Unavailable("link stalled");
  json j = r.ToJson();
  CHECK(j["pushed"] == 3);
  CHECK(j["complete"] == false);
  CHECK(j["error"]["code"] == "unavailable");
  CHECK(j["error"]["message"] == "link stalled");
  for (const char* k :
       {"applied", "merged", "conflicts", "rejected", "pulled", "requests", "bytes_up",
        "bytes_down", "photos_uploaded", "pending_after", "dead_letters"})
    CHECK(j.contains(k));
}

TEST_CASE("enrollment stores the identity; a refused code says why") {
  TempDir dir;
  auto st = OpenStore(dir.path());
  std::vector<HttpRequest> seen;
  FunctionTransport t([&](const HttpRequest& r) -> HttpResponse {
    seen.push_back(r);
    auto body = json::parse(r.body);
    if (body["code"] != "GOOD-CODE")
      return {401,
              {{"Content-Type", "application/json"}},
              ErrorBody(Status::Unauthenticated("code already used")).dump()};
    return {200,
            {{"Content-Type", "application/json"}},
            json{{"device_id", "d_42"},
                 {"token", std::string(64, 'b')},
                 {"officer", "Amina"},
                 {"region", "west-africa"}}
                .dump()};
  });
  auto bad = Enroll(*st, t, "http://hq.test/", "USED-CODE", "tablet-07");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Status::Code::kUnauthenticated);
  CHECK(bad.status().message().find("code already used") != std::string::npos);
  CHECK(st->GetDeviceState()->token.empty());

  auto good = Enroll(*st, t, "http://hq.test/", "GOOD-CODE", "tablet-07");
  REQUIRE(good.ok());
  CHECK(good->device_id == "d_42");
  CHECK(seen.back().url == "http://hq.test/api/v1/enroll");
  auto state = st->GetDeviceState();
  CHECK(state->device_id == "d_42");
  CHECK(state->server_url == "http://hq.test");
  CHECK(state->token == std::string(64, 'b'));
  CHECK(state->region == "west-africa");

  CHECK(Enroll(*st, t, "ftp://hq", "GOOD-CODE", "x").status().code() ==
        Status::Code::kInvalidArgument);
}
