// tests/sync/sync_loop_test.cpp — the background sync thread: requests,
// pausing, auto-sync on new data, snapshots that never wait for the network.
#include "sync/sync_loop.h"

#include <doctest/doctest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "tests/sync/sync_test_util.h"

using namespace fieldsync;
using namespace fieldsync::sync;
using namespace fieldsync::testing;
using ms = std::chrono::milliseconds;

namespace {

// A scripted HQ shared by the loop's transports, with a gate that can hold
// requests (to observe a sync in progress) and counts what it saw.
struct SharedHq {
  std::mutex mu;
  std::condition_variable cv;
  ScriptedHq hq;
  bool hold = false;
  int requests = 0;

  HttpResponse Answer(const HttpRequest& r, const std::atomic<bool>* cancel) {
    std::unique_lock<std::mutex> lock(mu);
    ++requests;
    cv.notify_all();
    // Like libcurl's progress callback, look at the cancel flag often.
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (hold && !(cancel != nullptr && cancel->load()) && std::chrono::steady_clock::now() < end)
      cv.wait_for(lock, std::chrono::milliseconds(10));
    return hq(r);
  }
};

// A transport over SharedHq that honours the cancel flag while held.
class HeldTransport : public Transport {
 public:
  explicit HeldTransport(SharedHq* hq) : hq_(hq) {}
  Result<HttpResponse> Send(const HttpRequest& r, FailureKind* f = nullptr) override {
    if (f != nullptr) *f = FailureKind::kNone;
    if (cancel_ != nullptr && cancel_->load()) {
      if (f != nullptr) *f = FailureKind::kCancelled;
      return Status::Unavailable("sync cancelled");
    }
    HttpResponse resp = hq_->Answer(r, cancel_);
    if (cancel_ != nullptr && cancel_->load()) {
      if (f != nullptr) *f = FailureKind::kCancelled;
      return Status::Unavailable("sync cancelled");
    }
    ++counters_.requests;
    return resp;
  }
  TransportCounters counters() const override { return counters_; }
  void SetCancelFlag(const std::atomic<bool>* flag) override { cancel_ = flag; }

 private:
  SharedHq* hq_;
  TransportCounters counters_;
  const std::atomic<bool>* cancel_ = nullptr;
};

SyncLoopOptions LoopOptions(const std::filesystem::path& dir, SharedHq* hq) {
  SyncLoopOptions o;
  o.data_dir = dir;
  o.poll_interval = ms(20);
  o.new_data_delay = ms(10);
  o.retry_base = ms(50);
  o.retry_cap = ms(200);
  o.sync.backoff_base = ms(1);
  o.sync.backoff_cap = ms(5);
  o.make_transport = [hq] { return std::make_unique<HeldTransport>(hq); };
  return o;
}

// Polls the snapshot until `pred` holds (or 20 s pass: then the CHECK that
// follows fails with the last snapshot).
template <typename Pred>
SyncLoopSnapshot WaitFor(SyncLoop& loop, Pred pred) {
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  SyncLoopSnapshot s = loop.Snapshot();
  while (!pred(s) && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(ms(5));
    s = loop.Snapshot();
  }
  return s;
}

}  // namespace

TEST_CASE("sync now: the loop syncs and the snapshot shows the result") {
  TempDir dir;
  {
    auto st = OpenStore(dir.path());
    EnrollFake(*st);
    AddReports(*st, 5);
  }
  SharedHq hq;
  SyncLoopOptions o = LoopOptions(dir.path(), &hq);
  o.auto_sync = false;
  SyncLoop loop(o);
  REQUIRE(loop.Start().ok());
  auto before = WaitFor(loop, [](const SyncLoopSnapshot& s) { return s.pending == 5; });
  CHECK(before.pending == 5);
  CHECK(before.enrolled);
  CHECK_FALSE(before.last_report.has_value());

  loop.RequestSyncNow();
  auto after = WaitFor(loop, [](const SyncLoopSnapshot& s) { return s.last_report.has_value(); });
  REQUIRE(after.last_report.has_value());
  CHECK(after.last_report->complete);
  CHECK(after.last_report->pushed == 5);
  after = WaitFor(
      loop, [](const SyncLoopSnapshot& s) { return s.pending == 0 && s.last_success_ms > 0; });
  CHECK(after.pending == 0);
  CHECK(after.last_success_ms > 0);
  CHECK(after.link == LinkState::kUp);
  CHECK_FALSE(after.running);
  loop.Stop();
  std::lock_guard<std::mutex> lock(hq.mu);
  CHECK(hq.hq.reports.size() == 5);
}

TEST_CASE("the snapshot answers while a sync waits on the network; Stop cancels it") {
  TempDir dir;
  {
    auto st = OpenStore(dir.path());
    EnrollFake(*st);
    AddReports(*st, 3);
  }
  SharedHq hq;
  hq.hold = true;
  SyncLoopOptions o = LoopOptions(dir.path(), &hq);
  o.auto_sync = false;
  SyncLoop loop(o);
  REQUIRE(loop.Start().ok());
  loop.RequestSyncNow();
  {
    std::unique_lock<std::mutex> lock(hq.mu);
    REQUIRE(hq.cv.wait_for(lock, std::chrono::seconds(20), [&] { return hq.requests > 0; }));
  }
  // The request is held by the server; the GUI still gets its snapshot.
  auto s = WaitFor(loop, [](const SyncLoopSnapshot& x) { return x.running; });
  CHECK(s.running);
  CHECK(s.progress.has_value());
  CHECK(s.pending == 3);
  loop.Stop();  // cancels the held request; returns once the thread ended
  CHECK_FALSE(loop.Snapshot().running);
  auto st = OpenStore(dir.path());
  CHECK(*st->PendingCount() == 3);                  // nothing lost
  CHECK(st->GetDeviceState()->last_error.empty());  // a cancel is not an error
}

TEST_CASE("paused (low battery): no sync starts until resumed") {
  TempDir dir;
  {
    auto st = OpenStore(dir.path());
    EnrollFake(*st);
    AddReports(*st, 2);
  }
  SharedHq hq;
  SyncLoopOptions o = LoopOptions(dir.path(), &hq);
  SyncLoop loop(o);
  loop.SetPaused(true);
  REQUIRE(loop.Start().ok());
  loop.RequestSyncNow();
  std::this_thread::sleep_for(ms(300));
  {
    std::lock_guard<std::mutex> lock(hq.mu);
    CHECK(hq.requests == 0);
  }
  CHECK(loop.Snapshot().paused);
  loop.SetPaused(false);
  auto s = WaitFor(
      loop, [](const SyncLoopSnapshot& x) { return x.last_report.has_value() && x.pending == 0; });
  CHECK(s.pending == 0);
  loop.Stop();
}

TEST_CASE("auto-sync sends new reports soon after they are saved") {
  TempDir dir;
  {
    auto st = OpenStore(dir.path());
    EnrollFake(*st);
  }
  SharedHq hq;
  SyncLoopOptions o = LoopOptions(dir.path(), &hq);
  o.auto_interval = std::chrono::hours(1);  // only new data triggers the next sync
  SyncLoop loop(o);
  REQUIRE(loop.Start().ok());
  // The start-up sync (catch up) happens first.
  WaitFor(loop, [](const SyncLoopSnapshot& x) { return x.last_report.has_value(); });
  {
    auto st = OpenStore(dir.path());  // the GUI's own store
    AddReports(*st, 4);
  }
  auto s = WaitFor(loop, [](const SyncLoopSnapshot& x) {
    return x.last_report.has_value() && x.last_report->pushed == 4;
  });
  REQUIRE(s.last_report.has_value());
  CHECK(s.last_report->pushed == 4);
  loop.Stop();
}

TEST_CASE("a refused token shows as unauthorized") {
  TempDir dir;
  {
    auto st = OpenStore(dir.path());
    REQUIRE(st->SetEnrollment("http://hq.test", "d_x", "forged", "A", "").ok());
    AddReports(*st, 1);
  }
  SharedHq hq;
  SyncLoopOptions o = LoopOptions(dir.path(), &hq);
  o.auto_sync = false;
  SyncLoop loop(o);
  REQUIRE(loop.Start().ok());
  loop.RequestSyncNow();
  auto s = WaitFor(loop, [](const SyncLoopSnapshot& x) { return x.last_report.has_value(); });
  CHECK(s.link == LinkState::kUnauthorized);
  s = WaitFor(loop, [](const SyncLoopSnapshot& x) { return !x.last_error.empty(); });
  CHECK(s.last_error.find("enroll") != std::string::npos);
  CHECK(s.pending == 1);
  loop.Stop();
}
