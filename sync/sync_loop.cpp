// sync/sync_loop.cpp — the background sync thread (see sync/sync_loop.h).
#include "sync/sync_loop.h"

#include <random>

#include "store/store.h"
#include "sync/curl_transport.h"

namespace fieldsync::sync {

std::string_view LinkStateName(LinkState s) {
  switch (s) {
    case LinkState::kUnknown:
      return "unknown";
    case LinkState::kUp:
      return "up";
    case LinkState::kDown:
      return "down";
    case LinkState::kUnauthorized:
      return "unauthorized";
  }
  return "unknown";
}

SyncLoop::SyncLoop(SyncLoopOptions options) : options_(std::move(options)) {
  snap_.auto_sync = options_.auto_sync;
  if (!options_.make_transport) {
    options_.make_transport = [] { return std::make_unique<CurlTransport>(); };
  }
}

SyncLoop::~SyncLoop() { Stop(); }

Status SyncLoop::Start() {
  if (thread_.joinable()) return Status::FailedPrecondition("the sync loop is already running");
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { ThreadMain(); });
  return Status::Ok();
}

void SyncLoop::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cancel_.store(true);
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SyncLoop::RequestSyncNow() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    sync_requested_ = true;
  }
  cv_.notify_all();
}

void SyncLoop::SetAutoSync(bool on) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    snap_.auto_sync = on;
  }
  cv_.notify_all();
}

void SyncLoop::SetPaused(bool paused) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    snap_.paused = paused;
    if (paused) cancel_.store(true);  // stop the running sync at once
  }
  cv_.notify_all();
}

SyncLoopSnapshot SyncLoop::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return snap_;
}

void SyncLoop::InterruptibleSleep(std::chrono::milliseconds d, bool pause_too) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, d, [&] { return stop_ || (pause_too && snap_.paused); });
}

void SyncLoop::ThreadMain() {
  using Clock = std::chrono::steady_clock;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<Transport> transport;
  std::mt19937_64 rng(std::random_device{}());
  int failures = 0;
  int64_t last_pending = -1;
  Clock::time_point next_auto = Clock::now();  // catch up right after start

  while (true) {
    // 1. Open what the loop needs (retried each round until it works).
    if (store == nullptr) {
      auto opened = store::Store::Open(options_.data_dir);
      std::lock_guard<std::mutex> lock(mu_);
      if (opened.ok()) {
        store = std::move(opened).value();
        snap_.open_error.clear();
      } else {
        snap_.open_error = opened.status().message();
      }
    }
    if (store != nullptr && transport == nullptr) transport = options_.make_transport();

    // 2. Refresh the counts the GUI shows (no lock held while reading).
    if (store != nullptr) {
      auto state = store->GetDeviceState();
      auto pending = store->PendingCount();
      auto dead = store->DeadLetters();
      auto photos = store->PendingAttachments();
      std::lock_guard<std::mutex> lock(mu_);
      if (state.ok()) {
        snap_.enrolled = !state->token.empty();
        snap_.last_success_ms = state->last_sync_ok_ms;
        snap_.last_error = state->last_error;
        snap_.last_error_ms = state->last_error_ms;
      }
      if (pending.ok()) {
        snap_.pending = *pending;
        if (last_pending >= 0 && *pending > last_pending && snap_.auto_sync) {
          next_auto = std::min(next_auto, Clock::now() + options_.new_data_delay);
        }
        last_pending = *pending;
      }
      if (dead.ok()) snap_.dead_letters = static_cast<int64_t>(dead->size());
      if (photos.ok()) snap_.photos_pending = static_cast<int64_t>(photos->size());
    }

    // 3. Wait for a reason to sync, or the next poll.
    bool run_now = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      auto due = [&] {
        if (stop_) return true;
        if (store == nullptr || snap_.paused) return false;
        return sync_requested_ || (snap_.auto_sync && snap_.enrolled && Clock::now() >= next_auto);
      };
      auto wake =
          std::min(Clock::now() + options_.poll_interval,
                   snap_.auto_sync ? std::max(next_auto, Clock::now()) : Clock::time_point::max());
      snap_.next_sync_ms =
          snap_.auto_sync && snap_.enrolled
              ? store::NowMs() + std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::max(next_auto, Clock::now()) - Clock::now())
                                     .count()
              : 0;
      cv_.wait_until(lock, wake, due);
      if (stop_) break;
      run_now = due();
      if (run_now) {
        sync_requested_ = false;
        snap_.running = true;
        snap_.progress = SyncReport{};
        cancel_.store(false);
      }
    }
    if (!run_now) continue;

    // 4. One sync, with no lock held.
    SyncOptions opts = options_.sync;
    opts.cancel = &cancel_;
    opts.sleep = [this](std::chrono::milliseconds d) { InterruptibleSleep(d, true); };
    opts.on_progress = [this](const SyncReport& r) {
      std::lock_guard<std::mutex> lock(mu_);
      snap_.progress = r;
    };
    SyncReport report = SyncOnce(*store, *transport, opts);

    if (report.complete) {
      failures = 0;
      next_auto = Clock::now() + options_.auto_interval;
    } else {
      int64_t ceiling = options_.retry_base.count();
      for (int i = 0; i < failures && ceiling < options_.retry_cap.count(); ++i) ceiling *= 2;
      ceiling = std::min<int64_t>(ceiling, options_.retry_cap.count());
      ++failures;
      std::uniform_int_distribution<int64_t> jitter(0, std::max<int64_t>(ceiling, 0));
      next_auto = Clock::now() + std::chrono::milliseconds(jitter(rng));
    }
    std::lock_guard<std::mutex> lock(mu_);
    snap_.running = false;
    snap_.progress.reset();
    snap_.last_report = report;
    if (report.error.code() == Status::Code::kUnauthenticated) {
      snap_.link = LinkState::kUnauthorized;
    } else if (report.link_up) {
      snap_.link = LinkState::kUp;
    } else if (report.requests > 0) {
      snap_.link = LinkState::kDown;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  snap_.running = false;
}

}  // namespace fieldsync::sync
