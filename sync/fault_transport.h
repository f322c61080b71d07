// sync/fault_transport.h — Transports for tests: scripted faults and handlers.
//
// FaultTransport wraps another Transport and injects, on demand, the faults a
// real link produces at moments a test cannot arrange through a real proxy:
// a request that never arrives, an answer lost after the server committed it,
// a stall, a canned HTTP status (413, 503, 401). Faults are queued and each is
// consumed by the next request it matches; requests that match none pass
// through untouched. Every request is logged.
//
// FunctionTransport answers from a function — a scripted server for unit tests
// of the engine's control logic (batch sizing, retries) without sockets.
//
// Thread safety: one thread at a time, like any Transport.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "sync/transport.h"

namespace fieldsync::sync {

enum class Fault {
  kPass,          // forward unchanged (a placeholder to skip requests)
  kRefuse,        // no connection: the request never reaches the server
  kStall,         // the request is lost on the way: low-speed limit hit
  kResetRequest,  // the connection resets before the server got the request
  kDropResponse,  // forwarded and answered, but the answer is lost (reset)
  kStatus,        // answered `status` + `body` without forwarding
};

struct FaultRule {
  Fault fault = Fault::kPass;
  std::string path_contains;  // only requests whose URL contains this; "" = any
  int status = 0;             // for kStatus
  std::string body;           // for kStatus
  Headers headers;            // for kStatus
};

class FaultTransport : public Transport {
 public:
  // `inner` is not owned and must outlive this object.
  explicit FaultTransport(Transport* inner) : inner_(inner) {}

  // Queues a fault for the next request that matches it.
  void Inject(FaultRule rule) { rules_.push_back(std::move(rule)); }
  void Inject(Fault fault, std::string path_contains = "") {
    rules_.push_back(FaultRule{fault, std::move(path_contains), 0, {}, {}});
  }
  size_t pending_faults() const { return rules_.size(); }
  // Every request seen, in order, with the fault applied to it.
  struct Logged {
    HttpRequest request;
    Fault fault = Fault::kPass;
    int status = 0;  // the answer's status when one came back to the caller
  };
  const std::vector<Logged>& log() const { return log_; }

  Result<HttpResponse> Send(const HttpRequest& request, FailureKind* failure = nullptr) override;
  TransportCounters counters() const override;
  void SetCancelFlag(const std::atomic<bool>* flag) override;

 private:
  Transport* inner_;
  std::deque<FaultRule> rules_;
  std::vector<Logged> log_;
  TransportCounters own_;  // requests that never reached inner_
  const std::atomic<bool>* cancel_ = nullptr;
};

class FunctionTransport : public Transport {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  explicit FunctionTransport(Handler handler) : handler_(std::move(handler)) {}
  Result<HttpResponse> Send(const HttpRequest& request, FailureKind* failure = nullptr) override;
  TransportCounters counters() const override { return counters_; }
  void SetCancelFlag(const std::atomic<bool>* flag) override { cancel_ = flag; }

 private:
  Handler handler_;
  TransportCounters counters_;
  const std::atomic<bool>* cancel_ = nullptr;
};

// Approximate wire size of a request or response (start line, headers, body),
// used by the test transports' counters.
int64_t ApproxWireBytes(const HttpRequest& r);
int64_t ApproxWireBytes(const HttpResponse& r);

}  // namespace fieldsync::sync
