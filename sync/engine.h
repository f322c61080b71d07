// sync/engine.h — the device side of sync: enrollment and one complete sync.
//
// NOTES ON THE DESIGN OF THE SYNC ENGINE
// ======================================
//
// The engine moves the store's outbox to HQ and HQ's change feed into the
// store, over a Transport (sync/transport.h), following docs/protocol.md. It
// holds no state between calls: everything that must survive a crash (outbox,
// dead letters, cursor, attachment progress, enrollment) lives in the store,
// and every step that changes it is one store transaction.
//
// States of one SyncOnce() call, and the transitions:
//
//      ┌──────────┐ not enrolled ┌────────┐
//      │  START   ├─────────────▶│ FAILED │◀───────────────────────────┐
//      └────┬─────┘              └────────┘                            │
//           │                        ▲ 401/403, 4xx, protocol error,   │
//           ▼                        │ attempts or time budget spent,  │
//      ┌──────────┐  2xx: AckPush +  │ cancelled                       │
//   ┌─▶│ EXCHANGE ├──ApplyPull──┐    │                                 │
//   │  └────┬─────┘             │    │                                 │
//   │       │ 413: split        │    │                                 │
//   │       │ stall/reset: ÷2   │    │                                 │
//   │       │ 5xx/429/connect:  │    │                                 │
//   │       ▼ backoff           ▼    │                                 │
//   │  ┌──────────┐      outbox empty and not `more`   ┌────────┐     │
//   └──┤  RETRY   │      ─────────────────────────────▶│ PHOTOS ├─────┤
//      └──────────┘                                    └───┬────┘     │
//   (EXCHANGE loops while the outbox has entries                │ all uploaded
//    or the answer said `more`)                                 ▼
//                                                          ┌────────┐
//                                                          │  DONE  │
//                                                          └────────┘
//  START → EXCHANGE: the device is enrolled (a token is stored).
//  EXCHANGE: builds one POST /api/v1/sync = the lowest outbox entries that fit
//    the BatchSizer budget (may be none; a tail of at most half as many
//    entries joins when the whole fits 1.5 × the budget) + the stored cursor.
//    On 2xx:
//    AckPush(min(acked_seq, last seq sent), results) then ApplyPull(changes,
//    cursor), two transactions in that order; budget ×2.
//  EXCHANGE → RETRY: a transport failure or 408/429/5xx. Stall and reset halve
//    the budget (a dropped link wastes at most one batch); every failure
//    sleeps Backoff::Next() (full jitter, capped) before the next attempt.
//  EXCHANGE → EXCHANGE on 413: the next batch is the first half of the one
//    refused (by entries and by budget). A single entry refused is FAILED.
//  EXCHANGE → PHOTOS: outbox empty and the last answer had `more` false.
//  PHOTOS: per pending attachment, GET status, then PUT chunks from the
//    server's `received`; a 409 resumes from the offset it carries.
//  DONE: RecordSyncSuccess. FAILED: RecordSyncError(message).
//
// INVARIANTS
//  1. Outbox entries leave the store only through AckPush, and only up to
//     min(acked_seq, highest seq of the batch whose answer was received): an
//     entry is never dropped without its result (a lost answer means resend,
//     and the server answers the resent entries again, idempotently).
//  2. Batches always start at the lowest pending seq, so a resend after any
//     failure covers exactly what was not acknowledged; entries are sent in
//     increasing seq order.
//  3. The pull cursor only moves inside ApplyPull, with the changes it brought.
//  4. A report is pushed before its photos: PHOTOS runs only after EXCHANGE
//     has emptied the outbox. A photo the server refuses stays pending.
//  5. A sync with nothing to do is exactly one request (a pull-only POST).
//  6. Every wait is bounded: consecutive failures by max_attempts, the whole
//     call by time_budget; a stalled link is detected by the transport's
//     low-speed limit, never by a total timeout on a request.
//  7. The engine never holds a lock; cancellation (SyncOptions::cancel) is
//     honoured between requests and by the transport within a request.
//
// Thread safety: SyncOnce uses the Store and Transport it is given from the
// calling thread only; see sync/sync_loop.h for the background thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "store/store.h"
#include "sync/codec.h"
#include "sync/policy.h"
#include "sync/transport.h"

namespace fieldsync::sync {

struct SyncOptions {
  BodyFormat format = BodyFormat::kJson;  // smaller than MessagePack once zstd'd (bench/sync_bench)
  bool compress = true;
  int zstd_level = 9;
  BatchLimits batch;
  int pull_limit = 500;
  size_t photo_chunk_bytes = 256u << 10;  // ≤ 1 MiB (server limit)
  // Retries: this many consecutive failures of one request give up.
  int max_attempts = 8;
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_cap{5 * 60 * 1000};
  // The whole call stops (with an error) rather than start a wait or a
  // request past this budget.
  std::chrono::milliseconds time_budget{15 * 60 * 1000};
  uint64_t seed = 0;  // backoff jitter; 0 = random
  // How to wait between retries (tests and the background loop replace it;
  // the loop's version returns early when stopping). Default: sleep_for.
  std::function<void(std::chrono::milliseconds)> sleep;
  // Raised by another thread to stop at the next boundary (and abort the
  // running request through Transport::SetCancelFlag).
  const std::atomic<bool>* cancel = nullptr;
  // Called after each exchange with the report so far (on the sync thread).
  std::function<void(const struct SyncReport&)> on_progress;
};

struct SyncReport {
  int64_t pushed = 0;     // outbox entries acknowledged
  int64_t applied = 0;    // ... of which applied as sent
  int64_t merged = 0;     // ... merged with HQ's changes
  int64_t conflicts = 0;  // ... with a field changed on both sides
  int64_t rejected = 0;   // ... moved to the dead-letter list
  int64_t pulled = 0;     // feed changes applied to the store
  int64_t requests = 0;   // HTTP exchanges attempted (failed included)
  int64_t bytes_up = 0;   // on the wire, headers included
  int64_t bytes_down = 0;
  int64_t batches = 0;  // /sync answers received
  int64_t retries = 0;  // failed attempts that were retried
  int64_t photos_uploaded = 0;
  int64_t photo_bytes = 0;
  int64_t pending_after = 0;         // outbox entries left
  int64_t photos_pending_after = 0;  // attachments not yet on the server
  int64_t dead_letters = 0;          // dead-letter list length after the sync
  int64_t duration_ms = 0;
  bool link_up = false;   // at least one HTTP answer came back
  bool complete = false;  // everything acknowledged, pulled and uploaded
  Status error;           // why not complete (ok when complete)

  // {"complete", "pushed", "applied", ..., "error": null | {"code","message"}}
  nlohmann::json ToJson() const;
};

struct Enrollment {
  std::string device_id;
  std::string officer;
  std::string region;
};

// POSTs the one-time code to SERVER_URL/api/v1/enroll and stores the device
// id, token, officer and region (Store::SetEnrollment). The device chooses
// its token (256 random bits, kept in a setting before the request goes out),
// so enrolling again with the same code after a lost answer — the same call
// again, even from a new process — gets the same enrollment instead of
// "code already used" (docs/protocol.md). Errors: InvalidArgument
// for a malformed URL, Unauthenticated for an unknown, used or expired code
// (the server's sentence), Unavailable when the server cannot be reached.
Result<Enrollment> Enroll(store::Store& store, Transport& transport, const std::string& server_url,
                          const std::string& code, const std::string& device_name);
// The same over a fresh CurlTransport with default options.
Result<Enrollment> Enroll(store::Store& store, const std::string& server_url,
                          const std::string& code, const std::string& device_name);

// One complete sync (see the design notes above). Never throws; the outcome
// is in the report: complete, or error set. Records success or the error in
// the store's device state. REQUIRES: the device is enrolled (otherwise the
// report carries FailedPrecondition and nothing is sent).
SyncReport SyncOnce(store::Store& store, Transport& transport, const SyncOptions& options = {});

// Strips trailing slashes and checks the scheme (http/https); InvalidArgument
// otherwise.
Result<std::string> NormalizeServerUrl(const std::string& url);

}  // namespace fieldsync::sync
