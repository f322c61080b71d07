// tests/e2e/sync_e2e_test.cpp — the device and HQ over real sockets: the real
// fieldsync-server and fieldsync-cli binaries, the engine over libcurl, and
// the fault proxy for lost and duplicated answers.
#include <doctest/doctest.h>

#include "sync/curl_transport.h"
#include "sync/engine.h"
#include "sync/fault_transport.h"
#include "tests/e2e/e2e_fixture.h"
#include "tools/faultproxy/proxy.h"

using namespace fieldsync;
using namespace fieldsync::testing;
using nlohmann::json;

namespace {

// Enrolls the device in-process (the CLI path is covered by its own test).
void EnrollInProcess(Hq& hq, Device& dev, const std::string& url = "") {
  std::string code = hq.server.EnrollCode("Amina", "west-africa");
  auto e = sync::Enroll(dev.store(), url.empty() ? hq.server.url() : url, code, "tablet-07");
  if (!e.ok()) throw std::runtime_error(e.status().ToString());
}

// A fault proxy in front of HQ, started; http_aware for faults that need
// request and response boundaries (drop an answer).
std::unique_ptr<faultproxy::FaultProxy> ProxyTo(Hq& hq, bool http_aware = false) {
  faultproxy::FaultProxyOptions po;
  po.upstream_port = static_cast<uint16_t>(hq.server.port());
  po.http_aware = http_aware;
  auto proxy = std::make_unique<faultproxy::FaultProxy>(po);
  REQUIRE(proxy->Start().ok());
  return proxy;
}

sync::SyncOptions FastRetries() {
  sync::SyncOptions o;
  o.backoff_base = std::chrono::milliseconds(50);
  o.backoff_cap = std::chrono::milliseconds(400);
  o.max_attempts = 20;
  o.seed = 11;
  return o;
}

json Json(const Ran& r) {
  try {
    return json::parse(r.out);
  } catch (const json::exception&) {
    FAIL("not JSON: " << r.out << " / " << r.err);
    return json();
  }
}

}  // namespace

TEST_CASE("enrollment: a code works once; then a sync with nothing to do is one small request") {
  Hq hq;
  Device dev;
  dev.Close();
  std::string code = hq.server.EnrollCode("Amina", "west-africa");
  Ran e = dev.Cli({"enroll", "--server", hq.server.url() + "/", "--code", code, "--name", "tab-1"});
  REQUIRE_MESSAGE(e.code == 0, e.err);
  CHECK(e.out.find("Enrolled as device d_") != std::string::npos);

  Ran again = dev.Cli({"enroll", "--server", hq.server.url(), "--code", code});
  CHECK(again.code == 1);
  CHECK(again.err.find("refused the enrollment code") != std::string::npos);
  CHECK(std::count(again.err.begin(), again.err.end(), '\n') == 1);

  json status = Json(dev.Cli({"status", "--json"}));
  CHECK(status["enrolled"] == true);
  CHECK(status["region"] == "west-africa");
  CHECK(status["server_url"] == hq.server.url());
  CHECK(status["last_sync_ms"].is_null());

  Ran first = dev.Cli({"sync", "--json"});
  REQUIRE_MESSAGE(first.code == 0, first.err);
  CHECK(Json(first)["pulled"].get<int>() > 0);  // HQ's projects and forms

  Ran noop = dev.Cli({"sync", "--json"});
  REQUIRE_MESSAGE(noop.code == 0, noop.err);
  json r = Json(noop);
  CHECK(r["complete"] == true);
  CHECK(r["requests"] == 1);
  CHECK(r["bytes_up"].get<int>() < 1024);
  CHECK(r["bytes_down"].get<int>() < 1024);

  status = Json(dev.Cli({"status", "--json"}));
  CHECK(status["last_sync_ms"].is_number());
  CHECK(status["pending"] == 0);
  CHECK(status["dead_letters"].empty());
  CHECK(status["last_error"] == "");
}

TEST_CASE("an enrollment answer lost: the same code again gets the same device; no one else") {
  Hq hq;
  auto proxy_owner = ProxyTo(hq, /*http_aware=*/true);
  faultproxy::FaultProxy& proxy = *proxy_owner;
  const std::string via_proxy = "http://" + proxy.address();
  std::string code = hq.server.EnrollCode("Amina", "west-africa");

  // HQ enrolls the device, but its answer never arrives.
  proxy.SetDropResponse(faultproxy::Trigger::Nth(1));
  Device dev;
  auto lost = sync::Enroll(dev.store(), via_proxy, code, "tablet-07");
  REQUIRE_FALSE(lost.ok());
  CHECK(proxy.counters().dropped_responses == 1);
  CHECK(dev.store().GetDeviceState()->token.empty());

  // Asking again from a new process (the device's setting kept its token).
  dev.Close();
  Ran again = dev.Cli({"enroll", "--server", via_proxy, "--code", code, "--name", "tablet-07"});
  REQUIRE_MESSAGE(again.code == 0, again.err);
  CHECK(again.out.find("Enrolled as device d_") != std::string::npos);
  Ran twice = dev.Cli({"enroll", "--server", via_proxy, "--code", code});
  CHECK(twice.code == 1);  // enrolled: the pending token is gone, the code is used

  // Another device with the code is refused; HQ knows one device.
  Device other;
  auto stolen = sync::Enroll(other.store(), hq.server.url(), code, "intruder");
  REQUIRE_FALSE(stolen.ok());
  CHECK(stolen.status().code() == Status::Code::kUnauthenticated);
  Ran devices = hq.server.Admin({"devices", "--json"});
  REQUIRE_MESSAGE(devices.code == 0, devices.err);
  CHECK(json::parse(devices.out).size() == 1);

  // The token the device kept works.
  dev.Open();
  dev.AddReports(3, 4);
  sync::CurlTransport curl;
  sync::SyncReport r = sync::SyncOnce(dev.store(), curl, FastRetries());
  REQUIRE_MESSAGE(r.complete, r.error.ToString());
  CHECK(hq.server.ExportJson().size() == 3);
}

TEST_CASE("push and pull: reports reach HQ intact with their photo; HQ's reviews come back") {
  Hq hq;
  Device dev;
  EnrollInProcess(hq, dev);
  auto ids = dev.AddReports(40, 1);
  // One report with a photo (600 KB: several chunks).
  std::filesystem::path photo = dev.scratch / "bednets.jpg";
  {
    std::mt19937 rng(3);
    std::string bytes;
    for (int i = 0; i < 600000; ++i) bytes.push_back(static_cast<char>(rng()));
    std::ofstream(photo, std::ios::binary) << bytes;
  }
  app::ReportInput input;
  input.attachments.push_back({"photo", photo, "image/jpeg"});
  REQUIRE(dev.app->UpdateReport(ids[0], input).ok());
  dev.Close();

  Ran s = dev.Cli({"sync", "--json"});
  REQUIRE_MESSAGE(s.code == 0, s.err);
  json r = Json(s);
  CHECK(r["pushed"] == 40);
  CHECK(r["applied"] == 40);
  CHECK(r["photos_uploaded"] == 1);
  CHECK(r["pending_after"] == 0);

  dev.Open();
  CHECK(Differences(hq.server.ExportJson(), dev.Reports()).empty());
  json stats = json::parse(hq.server.Admin({"stats", "--json"}).out);
  CHECK(stats["attachments"]["complete"] == 1);
  CHECK(stats["reports"]["total"] == 40);

  // HQ returns one report and approves another; the device hears both.
  REQUIRE(
      hq.server.Admin({"review", ids[1], "--return", "--comment", "Check the bednet count"}).code ==
      0);
  REQUIRE(hq.server.Admin({"review", ids[2], "--approve"}).code == 0);
  dev.Close();
  Ran pull = dev.Cli({"sync", "--json"});
  REQUIRE_MESSAGE(pull.code == 0, pull.err);
  CHECK(Json(pull)["pulled"].get<int>() >= 2);
  dev.Open();
  auto returned = dev.store().GetReport(ids[1]);
  REQUIRE(returned.ok());
  CHECK(returned->status == store::ReportStatus::kReturned);
  CHECK(returned->review["comment"] == "Check the bednet count");
  CHECK(dev.store().GetReport(ids[2])->status == store::ReportStatus::kApproved);

  // The officer fixes the returned report and finalizes it again.
  app::ReportInput fix;
  fix.json_values = {{"narrative", "Counts checked against the class registers."}};
  auto fixed = dev.app->UpdateReport(ids[1], fix);
  REQUIRE_MESSAGE(fixed.ok(), fixed.status().ToString());
  auto refinalized = dev.app->FinalizeReport(ids[1]);
  REQUIRE_MESSAGE(refinalized.ok(), refinalized.status().ToString());
  dev.Close();
  Ran again = dev.Cli({"sync"});
  REQUIRE_MESSAGE(again.code == 0, again.err);
  CHECK(again.out.find("Synced: sent 1 change") != std::string::npos);
  dev.Open();
  json exported = hq.server.ExportJson();
  for (const auto& x : exported) {
    if (x["id"] == ids[1]) {
      CHECK(x["status"] == "received");
      CHECK(x["values"]["narrative"] == "Counts checked against the class registers.");
    }
  }
}

TEST_CASE("the same batch replayed three times changes nothing") {
  Hq hq;
  Device dev;
  EnrollInProcess(hq, dev);
  dev.AddReports(50, 2);
  sync::CurlTransport curl;
  sync::FaultTransport recorder(&curl);  // no faults: records the requests
  sync::SyncReport first = sync::SyncOnce(dev.store(), recorder);
  REQUIRE(first.complete);
  REQUIRE(first.pushed == 50);
  json before = hq.server.ExportJson();

  std::vector<sync::HttpRequest> batches;
  for (const auto& l : recorder.log())
    if (l.request.url.ends_with("/api/v1/sync")) batches.push_back(l.request);
  REQUIRE(!batches.empty());
  json first_answer;
  for (int round = 0; round < 3; ++round) {
    for (const auto& b : batches) {
      auto r = curl.Send(b);
      REQUIRE(r.ok());
      REQUIRE(r->status == 200);
      auto format = sync::FormatFromContentType(r->Header("Content-Type"));
      REQUIRE(format.ok());
      auto answer = sync::DecodeBody(r->body, *format, r->Header("Content-Encoding"));
      REQUIRE(answer.ok());
      for (const auto& res : (*answer)["results"]) {
        CHECK(res["outcome"] == "applied");
        CHECK(res["server_version"] == 1);
      }
      if (round == 0 && &b == &batches.front()) first_answer = (*answer)["results"];
      if (&b == &batches.front()) CHECK((*answer)["results"] == first_answer);
    }
  }
  json after = hq.server.ExportJson();
  CHECK(after.size() == 50);
  CHECK(after == before);
  CHECK(Differences(after, dev.Reports()).empty());
}

TEST_CASE("a duplicated request (delivered twice by the link) applies once") {
  Hq hq;
  auto proxy_owner = ProxyTo(hq);
  faultproxy::FaultProxy& proxy = *proxy_owner;
  Device dev;
  EnrollInProcess(hq, dev, "http://" + proxy.address());
  proxy.SetDuplicateRequest(faultproxy::Trigger::Always());
  dev.AddReports(30, 4);
  sync::CurlTransport curl;
  sync::SyncReport r = sync::SyncOnce(dev.store(), curl, FastRetries());
  REQUIRE_MESSAGE(r.complete, r.error.ToString());
  CHECK(proxy.counters().duplicated_requests >= 1);
  json exported = hq.server.ExportJson();
  CHECK(exported.size() == 30);
  for (const auto& x : exported) CHECK(x["server_version"] == 1);
  CHECK(Differences(exported, dev.Reports()).empty());
}

TEST_CASE("an answer lost after HQ committed: no duplicate, nothing stuck") {
  Hq hq;
  auto proxy_owner = ProxyTo(hq, /*http_aware=*/true);
  faultproxy::FaultProxy& proxy = *proxy_owner;
  Device dev;
  EnrollInProcess(hq, dev, "http://" + proxy.address());
  dev.AddReports(200, 5);
  // Lose the answer to the first request of the sync.
  proxy.SetDropResponse(faultproxy::Trigger::Nth(1));
  sync::CurlTransport curl;
  sync::SyncOptions o = FastRetries();
  o.batch.initial_bytes = 8u << 10;  // several batches
  sync::SyncReport r = sync::SyncOnce(dev.store(), curl, o);
  REQUIRE_MESSAGE(r.complete, r.error.ToString());
  CHECK(proxy.counters().dropped_responses == 1);
  CHECK(r.retries >= 1);
  CHECK(r.pushed == 200);
  CHECK(dev.Pending() == 0);
  proxy.SetDropResponse(faultproxy::Trigger::Nth(1));
  dev.AddReports(50, 6);
  sync::SyncReport r2 = sync::SyncOnce(dev.store(), curl, o);
  REQUIRE_MESSAGE(r2.complete, r2.error.ToString());
  CHECK(proxy.counters().dropped_responses == 2);

  json exported = hq.server.ExportJson();
  CHECK(exported.size() == 250);
  for (const auto& x : exported) CHECK(x["server_version"] == 1);  // applied once each
  CHECK(Differences(exported, dev.Reports()).empty());
  // Nothing stuck: the next sync has nothing to do.
  sync::SyncReport noop = sync::SyncOnce(dev.store(), curl, o);
  CHECK(noop.complete);
  CHECK(noop.requests == 1);
  CHECK(noop.pushed == 0);
}

TEST_CASE("a revoked or forged token is refused; nothing is lost") {
  Hq hq;
  Device dev;
  EnrollInProcess(hq, dev);
  auto state = *dev.store().GetDeviceState();
  dev.AddReports(3, 7);

  // Forged: a well-formed token the server never issued.
  REQUIRE(dev.store()
              .SetEnrollment(state.server_url, state.device_id, std::string(64, 'f'), state.officer,
                             state.region)
              .ok());
  dev.Close();
  Ran forged = dev.Cli({"sync"});
  CHECK(forged.code == 1);
  CHECK(forged.err.find("refused this device's credentials") != std::string::npos);
  CHECK(forged.err.find("enroll") != std::string::npos);
  CHECK(std::count(forged.err.begin(), forged.err.end(), '\n') == 1);
  dev.Open();
  CHECK(dev.Pending() == 3);
  CHECK(json::parse(hq.server.Admin({"stats", "--json"}).out)["reports"]["total"] == 0);

  // The real token works.
  REQUIRE(dev.store()
              .SetEnrollment(state.server_url, state.device_id, state.token, state.officer,
                             state.region)
              .ok());
  dev.Close();
  Ran ok = dev.Cli({"sync"});
  REQUIRE_MESSAGE(ok.code == 0, ok.err);

  // Revoked: refused from the next request.
  REQUIRE(hq.server.Admin({"revoke", state.device_id}).code == 0);
  dev.Open();
  dev.AddReports(2, 8);
  dev.Close();
  Ran revoked = dev.Cli({"sync", "--json"});
  CHECK(revoked.code == 1);
  CHECK(Json(revoked)["error"]["code"] == "unauthenticated");
  CHECK(revoked.err.find("enroll") != std::string::npos);
  dev.Open();
  CHECK(dev.Pending() == 2);
  json status = Json(dev.Cli({"status", "--json"}));
  CHECK(status["last_error"].get<std::string>().find("credentials") != std::string::npos);
  CHECK(status["pending"] == 2);
}

TEST_CASE("a field changed on both sides goes to the report's owner; the loser is kept") {
  Hq hq;
  Device dev;
  EnrollInProcess(hq, dev);
  std::string id = dev.AddReports(1, 9)[0];  // a health report
  sync::CurlTransport curl;
  REQUIRE(sync::SyncOnce(dev.store(), curl).complete);
  std::string narrative = dev.store().GetReport(id)->values["narrative"];

  // 1. HQ owns a received report: HQ corrects staff_deployed while the
  //    officer (offline) changes it and the narrative.
  REQUIRE(hq.server.Admin({"correct", id, "staff_deployed=12"}).code == 0);
  app::ReportInput edit;
  edit.json_values = {{"staff_deployed", 9}, {"narrative", "Two more nurses arrived."}};
  REQUIRE(dev.app->UpdateReport(id, edit).ok());
  sync::SyncReport r = sync::SyncOnce(dev.store(), curl);
  REQUIRE_MESSAGE(r.complete, r.error.ToString());
  CHECK(r.conflicts == 1);
  auto local = *dev.store().GetReport(id);
  CHECK(local.values["staff_deployed"] == 12);  // HQ's, the owner's
  CHECK(local.values["narrative"] ==
        "Two more nurses arrived.");  // merged: only the device changed it
  CHECK(local.has_conflict);
  bool loser_kept = false;
  auto history = dev.store().History(id);
  REQUIRE(history.ok());
  for (const auto& h : *history)
    if (h.source == "conflict" && h.field == "staff_deployed" && h.old_value == 9)
      loser_kept = true;
  CHECK(loser_kept);
  json exported = hq.server.ExportJson();
  REQUIRE(exported.size() == 1);
  CHECK(exported[0]["values"]["staff_deployed"] == 12);
  CHECK(exported[0]["values"]["narrative"] == "Two more nurses arrived.");
  CHECK(Differences(exported, dev.Reports()).empty());

  // 2. The device owns a returned report: HQ returns it and corrects a field;
  //    the officer changes the same field before hearing of the correction.
  REQUIRE(hq.server.Admin({"review", id, "--return", "--comment", "staff count?"}).code == 0);
  REQUIRE(sync::SyncOnce(dev.store(), curl).complete);
  REQUIRE(dev.store().GetReport(id)->status == store::ReportStatus::kReturned);
  REQUIRE(hq.server.Admin({"correct", id, "staff_deployed=15"}).code == 0);
  app::ReportInput fix;
  fix.json_values = {{"staff_deployed", 20}};
  REQUIRE(dev.app->UpdateReport(id, fix).ok());
  REQUIRE(dev.app->FinalizeReport(id).ok());
  sync::SyncReport r2 = sync::SyncOnce(dev.store(), curl);
  REQUIRE_MESSAGE(r2.complete, r2.error.ToString());
  CHECK(r2.conflicts == 1);
  local = *dev.store().GetReport(id);
  CHECK(local.values["staff_deployed"] == 20);  // the device's: it owned the report
  bool hq_loser_kept = false;
  history = dev.store().History(id);
  REQUIRE(history.ok());
  for (const auto& h : *history)
    if (h.source == "conflict" && h.field == "staff_deployed" && h.old_value == 15)
      hq_loser_kept = true;
  CHECK(hq_loser_kept);
  exported = hq.server.ExportJson();
  CHECK(exported[0]["values"]["staff_deployed"] == 20);
  CHECK(exported[0]["status"] == "received");
  CHECK(Differences(exported, dev.Reports()).empty());
  (void)narrative;
}

TEST_CASE("libcurl transport: a stall is caught by the low-speed limit, a reset is told apart") {
  Hq hq;
  auto proxy_owner = ProxyTo(hq);
  faultproxy::FaultProxy& proxy = *proxy_owner;
  Device dev;
  EnrollInProcess(hq, dev, "http://" + proxy.address());
  dev.AddReports(300, 12);

  // The first connection stalls for good after 20 KB up; the next one resets
  // after 10 KB up. The sync halves its batch after each and still finishes.
  faultproxy::ByteFault stall;
  stall.when = faultproxy::Trigger::Nth(1);
  stall.after_bytes = 20000;
  stall.direction = faultproxy::Direction::kUp;
  proxy.SetStall(stall);
  faultproxy::ByteFault reset;
  reset.when = faultproxy::Trigger::Nth(2);
  reset.after_bytes = 10000;
  reset.direction = faultproxy::Direction::kUp;
  proxy.SetReset(reset);

  sync::CurlOptions co;
  co.low_speed_seconds = 2;  // production: 30 s
  sync::CurlTransport curl(co);
  std::vector<std::string> failures;
  class Watch : public sync::Transport {
   public:
    Watch(sync::Transport* in, std::vector<std::string>* f) : in_(in), f_(f) {}
    Result<sync::HttpResponse> Send(const sync::HttpRequest& r, sync::FailureKind* k) override {
      sync::FailureKind kind = sync::FailureKind::kNone;
      auto res = in_->Send(r, &kind);
      if (!res.ok())
        f_->push_back(std::string(sync::FailureKindName(kind)) + ": " + res.status().message());
      if (k != nullptr) *k = kind;
      return res;
    }
    sync::TransportCounters counters() const override { return in_->counters(); }
    void SetCancelFlag(const std::atomic<bool>* c) override { in_->SetCancelFlag(c); }

   private:
    sync::Transport* in_;
    std::vector<std::string>* f_;
  } watch(&curl, &failures);
  sync::SyncOptions o = FastRetries();
  sync::SyncReport r = sync::SyncOnce(dev.store(), watch, o);
  REQUIRE_MESSAGE(r.complete, r.error.ToString());
  REQUIRE(failures.size() >= 2);
  CHECK(failures[0].starts_with("stall: link stalled"));
  CHECK(failures[1].starts_with("reset: connection reset"));
  CHECK(r.retries >= 2);
  CHECK(proxy.counters().stalls == 1);
  CHECK(proxy.counters().resets == 1);
  CHECK(Differences(hq.server.ExportJson(), dev.Reports()).empty());
  // The engine counted what the link carried (the proxy counts delivered
  // bytes; the transport counts what it handed to the socket).
  CHECK(r.bytes_up >= static_cast<int64_t>(proxy.counters().bytes_up) / 2);
}

TEST_CASE("libcurl transport: keep-alive reuses one connection for a whole sync") {
  Hq hq;
  Device dev;
  EnrollInProcess(hq, dev);
  dev.AddReports(400, 13);
  sync::CurlTransport curl;
  sync::SyncOptions o;
  o.batch.initial_bytes = 4u << 10;  // several requests
  sync::SyncReport r = sync::SyncOnce(dev.store(), curl, o);
  REQUIRE(r.complete);
  CHECK(r.requests >= 3);
  CHECK(curl.counters().connections == 1);
  CHECK(curl.counters().requests == r.requests);
}

TEST_CASE("TLS: the server's certificate is verified; a private CA is trusted with --ca-file") {
  ScratchDir certs;
  auto key = certs / "hq.key";
  auto cert = certs / "hq.pem";
  Ran made = RunTool(certs.path(),
                     {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                      "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                      "-keyout", key.string(), "-out", cert.string()});
  REQUIRE_MESSAGE(made.code == 0, made.err);
  Hq hq({"--tls-cert", cert.string(), "--tls-key", key.string()});
  REQUIRE(hq.server.url().starts_with("https://127.0.0.1:"));

  // Not trusted: refused before any byte of the request is sent, with a
  // message that says what to do.
  Device stranger;
  stranger.Close();
  std::string code = hq.server.EnrollCode("Amina", "west-africa");
  Ran refused = stranger.Cli({"enroll", "--server", hq.server.url(), "--code", code});
  CHECK(refused.code == 1);
  CHECK(refused.err.find("not trusted") != std::string::npos);

  // Trusted through --ca-file, remembered for later syncs.
  Device dev;
  dev.AddReports(5, 14);
  dev.Close();
  Ran enrolled =
      dev.Cli({"enroll", "--server", hq.server.url(), "--code", code, "--ca-file", cert.string()});
  REQUIRE_MESSAGE(enrolled.code == 0, enrolled.err);
  Ran s = dev.Cli({"sync", "--json"});
  REQUIRE_MESSAGE(s.code == 0, s.err);
  CHECK(Json(s)["pushed"] == 5);
  dev.Open();
  CHECK(Differences(hq.server.ExportJson(), dev.Reports()).empty());
}
