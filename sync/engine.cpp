// sync/engine.cpp — enrollment and SyncOnce; the design is in sync/engine.h.
#include "sync/engine.h"

#include <algorithm>
#include <fstream>
#include <random>
#include <thread>

#include "common/sha256.h"
#include "common/text.h"
#include "sync/curl_transport.h"
#include "sync/messages.h"

namespace fieldsync::sync {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

Status::Code CodeForHttp(int status) {
  switch (status) {
    case 400:
      return Status::Code::kInvalidArgument;
    case 401:
      return Status::Code::kUnauthenticated;
    case 403:
      return Status::Code::kPermissionDenied;
    case 404:
      return Status::Code::kNotFound;
    case 409:
      return Status::Code::kConflict;
    case 413:
      return Status::Code::kTooLarge;
    case 415:
      return Status::Code::kInvalidArgument;
    case 422:
      return Status::Code::kFailedPrecondition;
    case 408:
    case 429:
    case 502:
    case 503:
    case 504:
      return Status::Code::kUnavailable;
    default:
      return status >= 500 ? Status::Code::kInternal : Status::Code::kInvalidArgument;
  }
}

// Decodes an answer's body by its own Content-Type and Content-Encoding.
Result<json> DecodeAnswer(const HttpResponse& r) {
  auto format = FormatFromContentType(r.Header("Content-Type"));
  if (!format.ok()) return format.status();
  return DecodeBody(r.body, *format, r.Header("Content-Encoding"));
}

// The Status a non-2xx answer stands for, with the server's sentence.
Status StatusOfAnswer(const HttpResponse& r, std::string_view what) {
  std::string fallback =
      std::string(what) + ": the server answered HTTP " + std::to_string(r.status);
  auto body = DecodeAnswer(r);
  Status s = StatusFromErrorBody(body.ok() ? *body : json(), CodeForHttp(r.status), fallback);
  if (r.status == 401) {
    return Status::Unauthenticated("the server refused this device's credentials (" + s.message() +
                                   "); ask HQ for a new enrollment code and run 'enroll' again");
  }
  if (r.status == 403) {
    return Status::PermissionDenied("the server refused the request (" + s.message() + ")");
  }
  return s;
}

// The server's sentence from an error body, or `fallback`.
std::string ServerMessage(const HttpResponse& r, std::string_view fallback) {
  auto body = DecodeAnswer(r);
  return StatusFromErrorBody(body.ok() ? *body : json(), CodeForHttp(r.status), fallback).message();
}

bool IsRetryableHttp(int status) {
  return status == 408 || status == 425 || status == 429 || status == 500 || status == 502 ||
         status == 503 || status == 504;
}

std::chrono::milliseconds RetryAfter(const HttpResponse& r) {
  std::string v = r.Header("Retry-After");
  if (v.empty() || v.size() > 6 || !std::all_of(v.begin(), v.end(), ::isdigit)) return {};
  return std::chrono::seconds(std::stoll(v));
}

enum class Verdict { kOk, kTooLarge, kRetry, kFatal };

struct Attempt {
  Verdict verdict = Verdict::kFatal;
  HttpResponse response;
  Status status;  // why, when not kOk
  FailureKind failure = FailureKind::kNone;
};

// One run of SyncOnce: the options, the counters and the retry state.
class Run {
 public:
  Run(store::Store& store, Transport& transport, const SyncOptions& options)
      : store_(store),
        transport_(transport),
        options_(options),
        sizer_(options.batch),
        backoff_(options.backoff_base, options.backoff_cap,
                 options.seed != 0 ? options.seed : std::random_device{}()),
        start_(Clock::now()),
        deadline_(start_ + options.time_budget),
        counters0_(transport.counters()) {
    raw_per_wire_ = options.compress ? 6.0 : 1.0;
  }

  SyncReport Execute();

 private:
  Status PushAndPull();
  Status UploadPhotos();
  Status UploadOne(const store::Attachment& a);

  // Performs one exchange and classifies it.
  Attempt Exchange(const HttpRequest& request);
  // After a failed attempt: counts it, sleeps the backoff, and returns
  // non-ok when the attempts or the time budget are spent, or on cancel.
  Status WaitBeforeRetry(const Attempt& failed);
  void OnAnswered() {
    backoff_.Reset();
    consecutive_failures_ = 0;
    report_.link_up = true;
  }
  bool Cancelled() const { return options_.cancel != nullptr && options_.cancel->load(); }
  void Progress() {
    TransportCounters c = transport_.counters();
    report_.requests = c.requests - counters0_.requests;
    report_.bytes_up = c.bytes_up - counters0_.bytes_up;
    report_.bytes_down = c.bytes_down - counters0_.bytes_down;
    report_.duration_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_).count();
    if (options_.on_progress) options_.on_progress(report_);
  }
  Headers AuthHeaders() const { return {{"Authorization", "Bearer " + device_.token}}; }

  struct Batch {
    std::vector<store::OutboxEntry> entries;
    size_t raw_bytes = 0;  // payload bytes as stored (JSON)
    std::string wire;      // the encoded request body
  };
  Result<Batch> PeekAndEncode(double raw_budget, size_t max_entries);
  // The lowest pending entries that fit the budget; after a 413 (split),
  // exactly the first `max_entries`, whatever their size.
  Result<Batch> BuildBatch(size_t max_entries, bool split);

  store::Store& store_;
  Transport& transport_;
  const SyncOptions& options_;
  BatchSizer sizer_;
  Backoff backoff_;
  Clock::time_point start_, deadline_;
  TransportCounters counters0_;
  store::DeviceState device_;
  std::string base_url_;
  SyncReport report_;
  int consecutive_failures_ = 0;
  double raw_per_wire_;  // running estimate of the compression ratio
};

Attempt Run::Exchange(const HttpRequest& request) {
  Attempt a;
  auto r = transport_.Send(request, &a.failure);
  if (!r.ok()) {
    a.status = r.status();
    bool retry =
        a.status.code() == Status::Code::kUnavailable && a.failure != FailureKind::kCancelled;
    a.verdict = retry ? Verdict::kRetry : Verdict::kFatal;
    return a;
  }
  a.response = std::move(r).value();
  int s = a.response.status;
  if (s >= 200 && s < 300) {
    a.verdict = Verdict::kOk;
  } else if (s == 413) {
    a.verdict = Verdict::kTooLarge;
    a.status = StatusOfAnswer(a.response, "the request was too large");
  } else {
    a.verdict = IsRetryableHttp(s) ? Verdict::kRetry : Verdict::kFatal;
    a.status = StatusOfAnswer(a.response, request.method + " " + request.url);
  }
  return a;
}

Status Run::WaitBeforeRetry(const Attempt& failed) {
  if (failed.failure == FailureKind::kStall || failed.failure == FailureKind::kReset) {
    sizer_.OnTimeout();
  }
  if (failed.response.status != 0) report_.link_up = true;
  ++consecutive_failures_;
  if (consecutive_failures_ >= options_.max_attempts) {
    return failed.status.WithContext("gave up after " + std::to_string(consecutive_failures_) +
                                     " attempts");
  }
  ++report_.retries;
  auto delay = std::max(backoff_.Next(), RetryAfter(failed.response));
  if (Clock::now() + delay > deadline_) {
    return failed.status.WithContext("stopped: the sync's time budget is spent");
  }
  if (Cancelled()) return Status::Unavailable("sync cancelled");
  if (options_.sleep) {
    options_.sleep(delay);
  } else {
    std::this_thread::sleep_for(delay);
  }
  if (Cancelled()) return Status::Unavailable("sync cancelled");
  return Status::Ok();
}

Result<Run::Batch> Run::PeekAndEncode(double raw_budget, size_t max_entries) {
  Batch batch;
  auto peeked = store_.PeekOutbox(0, static_cast<size_t>(std::clamp(raw_budget, 1.0, 1e15)),
                                  static_cast<int>(std::min<size_t>(max_entries, 1000000)));
  if (!peeked.ok()) return peeked.status().WithContext("reading the outbox");
  batch.entries = std::move(peeked).value();
  for (const auto& e : batch.entries) batch.raw_bytes += e.payload_bytes;
  json body = SyncRequest(batch.entries, device_.cursor, options_.pull_limit);
  batch.wire = EncodeBody(body, options_.format, options_.compress, options_.zstd_level);
  if (!batch.entries.empty()) {
    const double wire = static_cast<double>(std::max<size_t>(batch.wire.size(), 1));
    raw_per_wire_ = std::max(1.0, static_cast<double>(batch.raw_bytes) / wire);
  }
  return batch;
}

Result<Run::Batch> Run::BuildBatch(size_t max_entries, bool split) {
  if (split) return PeekAndEncode(1e15, max_entries);
  const size_t budget = sizer_.budget();
  double raw_budget = static_cast<double>(budget) * raw_per_wire_;
  Result<Batch> batch = Status::Internal("no batch built");
  for (int round = 0; round < 4; ++round) {
    batch = PeekAndEncode(raw_budget, max_entries);
    if (!batch.ok() || batch->entries.empty()) return batch;
    // Fit the budget: peek again when the guess of the ratio was far off.
    const size_t wire = batch->wire.size();
    bool too_big = wire > budget + budget / 4 && batch->entries.size() > 1;
    bool raw_bound = static_cast<double>(batch->raw_bytes) > 0.75 * raw_budget;
    bool too_small = wire < budget * 3 / 4 && raw_bound;
    if (!too_big && !too_small) break;
    raw_budget = static_cast<double>(budget) * raw_per_wire_ * 0.95;
  }
  // A short tail (at most half as many entries as this batch) rides along
  // when the whole fits in 1.5 × the budget: a request of its own would cost
  // a round trip, worth several KB on a 2G link.
  auto pending = store_.PendingCount();
  if (pending.ok() && batch->wire.size() <= budget) {
    const int64_t have = static_cast<int64_t>(batch->entries.size());
    const int64_t rest = *pending - have;
    if (rest > 0 && rest * 2 <= have) {
      auto all = PeekAndEncode(1e15, static_cast<size_t>(*pending));
      if (all.ok() && all->wire.size() <= budget + budget / 2) return all;
    }
  }
  return batch;
}

Status Run::PushAndPull() {
  size_t max_entries = SIZE_MAX;  // lowered after a 413, restored after success
  bool more = true;               // always ask at least once (the pull)
  while (true) {
    if (Cancelled()) return Status::Unavailable("sync cancelled");
    if (Clock::now() > deadline_) {
      return Status::Unavailable("stopped: the sync's time budget is spent");
    }
    auto batch = BuildBatch(max_entries, max_entries != SIZE_MAX);
    if (!batch.ok()) return batch.status();
    if (batch->entries.empty() && !more) return Status::Ok();

    HttpRequest request{"POST", base_url_ + "/api/v1/sync", AuthHeaders(), batch->wire};
    request.headers.emplace_back("Content-Type", std::string(ContentTypeOf(options_.format)));
    if (options_.compress) request.headers.emplace_back("Content-Encoding", "zstd");
    request.headers.emplace_back("Accept-Encoding", "zstd");
    Attempt a = Exchange(request);
    Progress();
    if (a.verdict == Verdict::kTooLarge) {
      OnAnswered();
      if (batch->entries.size() <= 1) {
        return Status::TooLarge(
            "report " +
            (batch->entries.empty() ? std::string("(none)") : batch->entries[0].report_id) +
            " is too large for the server even alone (" + std::to_string(batch->wire.size()) +
            " bytes): " + a.status.message());
      }
      sizer_.OnTooLarge(batch->wire.size());
      max_entries = batch->entries.size() / 2;
      continue;
    }
    if (a.verdict == Verdict::kRetry) {
      FS_RETURN_IF_ERROR(WaitBeforeRetry(a));
      continue;
    }
    if (a.verdict == Verdict::kFatal) return a.status;

    OnAnswered();
    ++report_.batches;
    auto answer = DecodeAnswer(a.response);
    if (!answer.ok()) return answer.status().WithContext("the server's sync answer");
    auto parsed = ParseSyncAnswer(*answer);
    if (!parsed.ok()) return parsed.status().WithContext("the server's sync answer");
    const int64_t acked_seq = parsed->acked_seq;
    std::vector<store::PushResult>& results = parsed->results;
    const std::vector<store::PullChange>& changes = parsed->changes;
    const std::string new_cursor = parsed->cursor.value_or(device_.cursor);
    more = parsed->more;

    if (!batch->entries.empty()) {
      const int64_t last_sent = batch->entries.back().seq;
      if (acked_seq < last_sent) {
        return Status::Internal("the server acknowledged up to seq " + std::to_string(acked_seq) +
                                " after being sent up to " + std::to_string(last_sent) +
                                "; stopping rather than resend forever");
      }
      // Invariant 1: only what this answer carries results for.
      std::vector<store::PushResult> mine;
      for (auto& r : results) {
        if (r.seq <= last_sent) mine.push_back(std::move(r));
      }
      FS_RETURN_IF_ERROR(
          store_.AckPush(last_sent, mine).WithContext("recording the server's answer"));
      report_.pushed += static_cast<int64_t>(batch->entries.size());
      for (const auto& r : mine) {
        if (r.outcome == "applied")
          ++report_.applied;
        else if (r.outcome == "merged")
          ++report_.merged;
        else if (r.outcome == "conflict")
          ++report_.conflicts;
        else if (r.outcome == "rejected")
          ++report_.rejected;
      }
    }
    if (!changes.empty() || new_cursor != device_.cursor) {
      FS_RETURN_IF_ERROR(
          store_.ApplyPull(changes, new_cursor).WithContext("applying the server's changes"));
      report_.pulled += static_cast<int64_t>(changes.size());
      device_.cursor = new_cursor;
    }
    sizer_.OnSuccess();
    max_entries = SIZE_MAX;
    Progress();
  }
}

Status Run::UploadOne(const store::Attachment& att) {
  const std::string url = base_url_ + "/api/v1/attachments/" + att.sha256;
  // Where the server stands.
  int64_t received = 0;
  bool complete = false;
  while (true) {
    Attempt a = Exchange(HttpRequest{"GET", url + "/status", AuthHeaders(), {}});
    Progress();
    if (a.verdict == Verdict::kOk) {
      OnAnswered();
      auto body = DecodeAnswer(a.response);
      if (!body.ok()) return body.status().WithContext("photo " + att.sha256.substr(0, 12));
      received = JsonInt(*body, "received");
      complete = body->value("complete", false);
      break;
    }
    if (a.verdict == Verdict::kRetry) {
      FS_RETURN_IF_ERROR(WaitBeforeRetry(a));
      continue;
    }
    return a.status.WithContext("photo " + att.sha256.substr(0, 12));
  }

  std::ifstream file(store_.AttachmentPath(att.sha256), std::ios::binary);
  if (!complete && !file) {
    return Status::IOError("photo " + att.sha256.substr(0, 12) + " is missing from " +
                           store_.AttachmentPath(att.sha256).string());
  }
  const int64_t total = att.size;
  const size_t max_chunk = std::min<size_t>(options_.photo_chunk_bytes, 1u << 20);
  bool restarted = false;
  while (!complete) {
    if (Cancelled()) return Status::Unavailable("sync cancelled");
    if (received < 0 || received > total) received = 0;
    size_t want = std::clamp<size_t>(sizer_.budget(), 16u << 10, max_chunk);
    want = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(want), total - received));
    std::string chunk(want, '\0');
    file.clear();
    file.seekg(received);
    file.read(chunk.data(), static_cast<std::streamsize>(want));
    if (file.gcount() != static_cast<std::streamsize>(want)) {
      return Status::IOError("photo " + att.sha256.substr(0, 12) + " is shorter on disk than " +
                             std::to_string(total) + " bytes");
    }
    HttpRequest put{"PUT",
                    url + "?offset=" + std::to_string(received) + "&total=" + std::to_string(total),
                    AuthHeaders(), std::move(chunk)};
    put.headers.emplace_back("Content-Type", "application/octet-stream");
    Attempt a = Exchange(put);
    Progress();
    if (a.verdict == Verdict::kRetry) {
      FS_RETURN_IF_ERROR(WaitBeforeRetry(a));
      continue;  // the next round trip resumes from our offset; a 409 corrects it
    }
    if (a.verdict == Verdict::kTooLarge) {
      OnAnswered();
      sizer_.OnTooLarge(want);
      if (want <= (16u << 10)) return a.status.WithContext("photo " + att.sha256.substr(0, 12));
      continue;
    }
    if (a.response.status == 409) {
      OnAnswered();
      auto body = DecodeAnswer(a.response);
      int64_t at = body.ok() ? JsonInt(*body, "received", -1) : -1;
      if (at < 0) {
        // Not the resume answer we expect: ask where the server stands.
        return a.status.WithContext("photo " + att.sha256.substr(0, 12));
      }
      received = at;
      continue;
    }
    if (a.response.status == 422 && !restarted) {
      // The server's hash check failed and it discarded the upload: start
      // again from 0, once (twice means our copy is damaged).
      OnAnswered();
      restarted = true;
      received = 0;
      continue;
    }
    if (a.verdict == Verdict::kFatal) {
      return a.status.WithContext("photo " + att.sha256.substr(0, 12));
    }
    OnAnswered();
    sizer_.OnSuccess();
    auto body = DecodeAnswer(a.response);
    if (!body.ok()) return body.status().WithContext("photo " + att.sha256.substr(0, 12));
    received = JsonInt(*body, "received", received + static_cast<int64_t>(want));
    complete = body->value("complete", false);
    report_.photo_bytes += static_cast<int64_t>(want);
    if (!complete) {
      FS_RETURN_IF_ERROR(store_.SetAttachmentProgress(att.sha256, received, false));
    }
  }
  FS_RETURN_IF_ERROR(store_.SetAttachmentProgress(att.sha256, total, true));
  ++report_.photos_uploaded;
  return Status::Ok();
}

Status Run::UploadPhotos() {
  auto pending = store_.PendingAttachments();
  if (!pending.ok()) return pending.status().WithContext("listing photos to upload");
  Status first_error;
  for (const auto& att : *pending) {
    Status s = UploadOne(att);
    if (s.ok()) continue;
    // A refused photo (403, 422) stays pending; the others still go. Link
    // failures and cancellation stop the phase.
    bool per_photo = s.code() == Status::Code::kPermissionDenied ||
                     s.code() == Status::Code::kFailedPrecondition ||
                     s.code() == Status::Code::kIOError;
    if (!per_photo) return s;
    if (first_error.ok()) first_error = s;
  }
  return first_error;
}

SyncReport Run::Execute() {
  transport_.SetCancelFlag(options_.cancel);
  Status status = [&]() -> Status {
    auto state = store_.GetDeviceState();
    if (!state.ok()) return state.status().WithContext("reading the device state");
    device_ = std::move(state).value();
    if (device_.token.empty() || device_.server_url.empty()) {
      return Status::FailedPrecondition(
          "this device is not enrolled; run 'fieldsync-cli enroll --server URL --code CODE' "
          "with a code from HQ");
    }
    auto url = NormalizeServerUrl(device_.server_url);
    if (!url.ok()) return url.status();
    base_url_ = *url;
    FS_RETURN_IF_ERROR(PushAndPull());
    return UploadPhotos();
  }();
  transport_.SetCancelFlag(nullptr);

  if (auto n = store_.PendingCount(); n.ok()) report_.pending_after = *n;
  if (auto d = store_.DeadLetters(); d.ok()) report_.dead_letters = static_cast<int64_t>(d->size());
  if (auto p = store_.PendingAttachments(); p.ok()) {
    report_.photos_pending_after = static_cast<int64_t>(p->size());
  }
  if (status.ok() && (report_.pending_after > 0 || report_.photos_pending_after > 0)) {
    status = Status::Unavailable(std::to_string(report_.pending_after) + " change(s) and " +
                                 std::to_string(report_.photos_pending_after) +
                                 " photo(s) still waiting; sync again");
  }
  report_.error = status;
  report_.complete = status.ok();
  Progress();
  if (report_.complete) {
    (void)store_.RecordSyncSuccess(store::NowMs());
  } else if (!device_.token.empty() && !Cancelled()) {
    (void)store_.RecordSyncError(status.message(), store::NowMs());
  }
  return report_;
}

}  // namespace

nlohmann::json SyncReport::ToJson() const {
  json j = {{"complete", complete},
            {"pushed", pushed},
            {"applied", applied},
            {"merged", merged},
            {"conflicts", conflicts},
            {"rejected", rejected},
            {"pulled", pulled},
            {"requests", requests},
            {"bytes_up", bytes_up},
            {"bytes_down", bytes_down},
            {"batches", batches},
            {"retries", retries},
            {"photos_uploaded", photos_uploaded},
            {"photo_bytes", photo_bytes},
            {"pending_after", pending_after},
            {"photos_pending_after", photos_pending_after},
            {"dead_letters", dead_letters},
            {"duration_ms", duration_ms},
            {"link_up", link_up}};
  if (error.ok()) {
    j["error"] = nullptr;
  } else {
    j["error"] = {{"code", std::string(Status::CodeName(error.code()))},
                  {"message", error.message()}};
  }
  return j;
}

Result<std::string> NormalizeServerUrl(const std::string& url) {
  std::string u = url;
  while (!u.empty() && u.back() == '/') u.pop_back();
  bool http = u.starts_with("http://") && u.size() > 7;
  bool https = u.starts_with("https://") && u.size() > 8;
  if (!http && !https) {
    return Status::InvalidArgument("server URL '" + url +
                                   "' must start with http:// or https:// and name a host");
  }
  return u;
}

namespace {

// The setting that keeps the token this device chose for a code until the
// enrollment is stored: "<sha256 of the code>:<token>".
constexpr char kPendingEnrollment[] = "sync.pending_enrollment";

// The token this device offers with `code`: the one it offered before for
// the same code (so asking again after a lost answer, even from a new
// process, is recognised by the server), or a new one, stored first.
Result<std::string> EnrollmentToken(store::Store& store, const std::string& code) {
  const std::string key = Sha256Hex(NormalizeEnrollCode(code)) + ":";
  auto pending = store.GetSetting(kPendingEnrollment);
  if (!pending.ok()) return pending.status();
  if (pending->rfind(key, 0) == 0 && pending->size() == key.size() + 64)
    return pending->substr(key.size());
  // 256 bits from the store's generator (OpenSSL, else the kernel's).
  std::string token = store::NewReportId() + store::NewReportId();
  FS_RETURN_IF_ERROR(store.SetSetting(kPendingEnrollment, key + token));
  return token;
}

}  // namespace

Result<Enrollment> Enroll(store::Store& store, Transport& transport, const std::string& server_url,
                          const std::string& code, const std::string& device_name) {
  auto base = NormalizeServerUrl(server_url);
  if (!base.ok()) return base.status();
  if (code.empty()) return Status::InvalidArgument("the enrollment code is empty");
  auto offered = EnrollmentToken(store, code);
  if (!offered.ok()) return offered.status().WithContext("choosing the device token");
  json body = {{"code", code}, {"device_name", device_name}, {"token", *offered}};
  HttpRequest request{
      "POST", *base + "/api/v1/enroll", {{"Content-Type", std::string(kJsonType)}}, body.dump()};
  auto r = transport.Send(request);
  if (!r.ok()) return r.status().WithContext("enrolling with " + *base);
  if (r->status < 200 || r->status >= 300) {
    if (r->status == 401) {
      return Status::Unauthenticated("the server refused the enrollment code: " +
                                     ServerMessage(*r, "unknown, used or expired code"));
    }
    return StatusOfAnswer(*r, "enrolling with " + *base);
  }
  auto answer = DecodeAnswer(*r);
  if (!answer.ok()) return answer.status().WithContext("the server's enrollment answer");
  Enrollment e;
  e.device_id = JsonString(*answer, "device_id");
  std::string token = JsonString(*answer, "token");
  e.officer = JsonString(*answer, "officer");
  e.region = JsonString(*answer, "region");
  if (e.device_id.empty() || token.empty()) {
    return Status::InvalidArgument("the server's enrollment answer has no device_id or token");
  }
  // A new identity sees a different slice of the feed: start it over.
  auto before = store.GetDeviceState();
  if (before.ok() && !before->device_id.empty() && before->device_id != e.device_id) {
    FS_RETURN_IF_ERROR(store.ApplyPull({}, "").WithContext("resetting the pull cursor"));
  }
  FS_RETURN_IF_ERROR(store.SetEnrollment(*base, e.device_id, token, e.officer, e.region)
                         .WithContext("storing the enrollment"));
  (void)store.SetSetting(kPendingEnrollment, "");  // done: the token is the device's now
  return e;
}

Result<Enrollment> Enroll(store::Store& store, const std::string& server_url,
                          const std::string& code, const std::string& device_name) {
  CurlTransport transport;
  return Enroll(store, transport, server_url, code, device_name);
}

SyncReport SyncOnce(store::Store& store, Transport& transport, const SyncOptions& options) {
  Run run(store, transport, options);
  return run.Execute();
}

}  // namespace fieldsync::sync
