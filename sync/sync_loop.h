// sync/sync_loop.h — background sync for the GUI: a thread that runs SyncOnce.
//
// The GUI never waits on the network or the disk for sync: it calls the
// methods below from its frame loop, and each returns at once. The loop
// thread opens its own Store on the data folder (SQLite serialises it with
// the GUI's Store), makes its own Transport, and publishes what the GUI shows
// through Snapshot(), a copy taken under a mutex that is never held across
// I/O.
//
// When the loop syncs:
//   - RequestSyncNow() (the "sync now" button, or the platform reporting
//     that a link came up): at once, unless paused;
//   - auto-sync on: at start, every auto_interval after a success, sooner
//     (new_data_delay) when the pending count grows, and after a failure
//     following a backoff with full jitter (retry_base doubling to retry_cap);
//   - paused (battery low): never; a running sync is cancelled at once (the
//     transport aborts its request) and nothing is lost — the outbox is only
//     trimmed by acknowledged answers.
// Counts (pending, dead letters, photos) are re-read every poll_interval so
// the "N reports waiting" badge follows edits made by the GUI.
//
// Thread safety: every public method may be called from any thread.
// Start/Stop must not race each other. Stop() joins the thread: it returns
// within about a second (the running request is cancelled).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/status.h"
#include "sync/engine.h"
#include "sync/transport.h"

namespace fieldsync::sync {

enum class LinkState {
  kUnknown,       // no sync attempted yet
  kUp,            // the last attempt got answers from the server
  kDown,          // the last attempt could not reach the server
  kUnauthorized,  // the server refused the device's token: enroll again
};
std::string_view LinkStateName(LinkState s);  // "unknown", "up", "down", "unauthorized"

struct SyncLoopSnapshot {
  bool enrolled = false;
  int64_t pending = 0;          // outbox entries waiting
  int64_t dead_letters = 0;     // rejected entries the officer should fix
  int64_t photos_pending = 0;   // attachments not yet on the server
  int64_t last_success_ms = 0;  // from the store's device state (0 = never)
  std::string last_error;       // empty = none recorded
  int64_t last_error_ms = 0;
  LinkState link = LinkState::kUnknown;
  bool running = false;  // a sync is in progress now
  bool auto_sync = true;
  bool paused = false;
  int64_t next_sync_ms = 0;               // wall clock of the next automatic sync; 0 = none planned
  std::optional<SyncReport> progress;     // the running sync so far
  std::optional<SyncReport> last_report;  // the last finished sync
  std::string open_error;                 // the loop could not open the store (then it retries)
};

struct SyncLoopOptions {
  std::filesystem::path data_dir;
  SyncOptions sync;  // sleep, cancel and on_progress are set by the loop
  bool auto_sync = true;
  std::chrono::milliseconds auto_interval{15 * 60 * 1000};
  std::chrono::milliseconds new_data_delay{3000};
  std::chrono::milliseconds retry_base{30 * 1000};
  std::chrono::milliseconds retry_cap{5 * 60 * 1000};
  std::chrono::milliseconds poll_interval{2000};
  // Makes the loop's transport (on the loop thread). Default: CurlTransport.
  std::function<std::unique_ptr<Transport>()> make_transport;
};

class SyncLoop {
 public:
  explicit SyncLoop(SyncLoopOptions options);
  ~SyncLoop();  // Stop()s
  SyncLoop(const SyncLoop&) = delete;
  SyncLoop& operator=(const SyncLoop&) = delete;

  // Starts the thread; FailedPrecondition when already running.
  Status Start();
  // Cancels a running sync, stops the thread and joins it. Idempotent.
  void Stop();

  void RequestSyncNow();
  void SetAutoSync(bool on);
  void SetPaused(bool paused);
  SyncLoopSnapshot Snapshot() const;

 private:
  void ThreadMain();
  // Waits up to `d`, returning early on Stop (or pause, when `pause_too`).
  void InterruptibleSleep(std::chrono::milliseconds d, bool pause_too);

  SyncLoopOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  SyncLoopSnapshot snap_;        // guarded by mu_
  bool stop_ = false;            // guarded by mu_
  bool sync_requested_ = false;  // guarded by mu_
  std::atomic<bool> cancel_{false};
  std::thread thread_;
};

}  // namespace fieldsync::sync
