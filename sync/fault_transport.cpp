// sync/fault_transport.cpp — scripted faults over a Transport; function-backed Transport.
#include "sync/fault_transport.h"

namespace fieldsync::sync {

int64_t ApproxWireBytes(const HttpRequest& r) {
  int64_t n = static_cast<int64_t>(r.method.size() + r.url.size() + 12);
  for (const auto& [k, v] : r.headers) n += static_cast<int64_t>(k.size() + v.size() + 4);
  return n + static_cast<int64_t>(r.body.size()) + 2;
}

int64_t ApproxWireBytes(const HttpResponse& r) {
  int64_t n = 17;
  for (const auto& [k, v] : r.headers) n += static_cast<int64_t>(k.size() + v.size() + 4);
  return n + static_cast<int64_t>(r.body.size()) + 2;
}

Result<HttpResponse> FaultTransport::Send(const HttpRequest& request, FailureKind* failure) {
  if (failure != nullptr) *failure = FailureKind::kNone;
  auto fail = [&](FailureKind kind, std::string message) -> Result<HttpResponse> {
    if (failure != nullptr) *failure = kind;
    return Status::Unavailable(std::move(message));
  };
  FaultRule rule;
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (it->path_contains.empty() || request.url.find(it->path_contains) != std::string::npos) {
      rule = std::move(*it);
      rules_.erase(it);
      break;
    }
  }
  log_.push_back({request, rule.fault, 0});
  if (cancel_ != nullptr && cancel_->load()) return fail(FailureKind::kCancelled, "sync cancelled");

  switch (rule.fault) {
    case Fault::kRefuse:
      own_.requests += 1;
      return fail(FailureKind::kConnect,
                  "cannot connect to the server: connection refused (injected)");
    case Fault::kStall:
      own_.requests += 1;
      own_.bytes_up += ApproxWireBytes(request) / 2;
      return fail(FailureKind::kStall, "link stalled: less than 10 B/s for 30 s (injected)");
    case Fault::kResetRequest:
      own_.requests += 1;
      own_.bytes_up += ApproxWireBytes(request) / 2;
      return fail(FailureKind::kReset,
                  "connection reset during the exchange (injected, before the server saw it)");
    case Fault::kStatus: {
      own_.requests += 1;
      own_.bytes_up += ApproxWireBytes(request);
      HttpResponse r{rule.status, rule.headers, rule.body};
      own_.bytes_down += ApproxWireBytes(r);
      log_.back().status = r.status;
      return r;
    }
    case Fault::kDropResponse: {
      auto r = inner_->Send(request, failure);
      if (!r.ok()) return r;
      return fail(FailureKind::kReset,
                  "connection reset during the exchange (injected, answer lost)");
    }
    case Fault::kPass: {
      auto r = inner_->Send(request, failure);
      if (r.ok()) log_.back().status = r->status;
      return r;
    }
  }
  return Status::Internal("unknown fault");
}

TransportCounters FaultTransport::counters() const {
  TransportCounters c = inner_->counters();
  c.requests += own_.requests;
  c.bytes_up += own_.bytes_up;
  c.bytes_down += own_.bytes_down;
  return c;
}

void FaultTransport::SetCancelFlag(const std::atomic<bool>* flag) {
  cancel_ = flag;
  inner_->SetCancelFlag(flag);
}

Result<HttpResponse> FunctionTransport::Send(const HttpRequest& request, FailureKind* failure) {
  if (failure != nullptr) *failure = FailureKind::kNone;
  counters_.requests += 1;
  if (cancel_ != nullptr && cancel_->load()) {
    if (failure != nullptr) *failure = FailureKind::kCancelled;
    return Status::Unavailable("sync cancelled");
  }
  counters_.bytes_up += ApproxWireBytes(request);
  HttpResponse r = handler_(request);
  counters_.bytes_down += ApproxWireBytes(r);
  return r;
}

}  // namespace fieldsync::sync
