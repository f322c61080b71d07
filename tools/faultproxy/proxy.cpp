// tools/faultproxy/proxy.cpp — triggers, the listening side and the settings.
#include "tools/faultproxy/proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <sstream>

#include "tools/faultproxy/shared.h"

namespace fieldsync::faultproxy {
namespace {

// Salts so that faults with the same probabilistic trigger hit different units.
constexpr uint64_t kSaltReset = 1;
constexpr uint64_t kSaltStall = 2;
constexpr uint64_t kSaltDrop = 3;
constexpr uint64_t kSaltDuplicate = 4;

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::string ErrnoText(const char* call) { return std::string(call) + ": " + std::strerror(errno); }

Result<addrinfo*> Resolve(const std::string& host, uint16_t port, bool passive) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
  addrinfo* list = nullptr;
  std::string service = std::to_string(port);
  int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
  if (rc != 0 || list == nullptr) {
    return Status::InvalidArgument("cannot resolve host '" + host + "': " + gai_strerror(rc));
  }
  return list;
}

}  // namespace

// ---------------------------------------------------------------- Trigger

Result<Trigger> Trigger::Parse(std::string_view spec) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("bad fault schedule '" + std::string(spec) +
                                   "': " + std::string(why) +
                                   " (expected never, always, nth:N, first:N, every:N or p:P)");
  };
  if (spec == "never") return Never();
  if (spec == "always") return Always();
  size_t colon = spec.find(':');
  if (colon == std::string_view::npos) return bad("unknown schedule");
  std::string_view kind = spec.substr(0, colon);
  std::string_view arg = spec.substr(colon + 1);
  if (kind == "p") {
    std::string text(arg);
    char* end = nullptr;
    double p = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(p >= 0 && p <= 1)) {
      return bad("P must be a number from 0 to 1");
    }
    return WithProbability(p);
  }
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), n);
  if (arg.empty() || ec != std::errc() || ptr != arg.data() + arg.size()) {
    return bad("N must be a whole number");
  }
  if (kind == "first") return First(n);
  if (n == 0) return bad("N must be at least 1");
  if (kind == "nth") return Nth(n);
  if (kind == "every") return Every(n);
  return bad("unknown schedule");
}

std::string Trigger::ToString() const {
  switch (kind_) {
    case Kind::kNever:
      return "never";
    case Kind::kAlways:
      return "always";
    case Kind::kNth:
      return "nth:" + std::to_string(n_);
    case Kind::kFirst:
      return "first:" + std::to_string(n_);
    case Kind::kEvery:
      return "every:" + std::to_string(n_);
    case Kind::kProbability: {
      std::ostringstream out;
      out << "p:" << p_;
      return out.str();
    }
  }
  return "never";
}

bool Trigger::Fires(uint64_t index, uint64_t seed, uint64_t salt) const {
  switch (kind_) {
    case Kind::kNever:
      return false;
    case Kind::kAlways:
      return true;
    case Kind::kNth:
      return index == n_;
    case Kind::kFirst:
      return index >= 1 && index <= n_;
    case Kind::kEvery:
      return n_ > 0 && index > 0 && index % n_ == 0;
    case Kind::kProbability: {
      uint64_t h = SplitMix64(SplitMix64(SplitMix64(seed) ^ salt) ^ index);
      double u = static_cast<double>(h >> 11) * 0x1.0p-53;  // uniform in [0, 1)
      return u < p_;
    }
  }
  return false;
}

// ---------------------------------------------------------------- Counters

std::string FaultProxyCounters::ToString() const {
  std::ostringstream out;
  out << "connections=" << connections << " open_connections=" << open_connections
      << " bytes_up=" << bytes_up << " bytes_down=" << bytes_down << " requests=" << requests
      << " responses=" << responses << " resets=" << resets << " stalls=" << stalls
      << " dropped_responses=" << dropped_responses
      << " duplicated_requests=" << duplicated_requests
      << " upstream_failures=" << upstream_failures << " faults=" << faults();
  return out.str();
}

// ---------------------------------------------------------------- Shared

ConnectionPlan FaultProxy::Shared::DecideConnection() {
  std::lock_guard<std::mutex> lock(mu);
  ConnectionPlan plan;
  plan.generation = kill_generation.load();
  if (!options.reset.when.never() &&
      options.reset.when.Fires(++reset_units, options.seed, kSaltReset)) {
    plan.reset = options.reset;
  }
  if (!options.stall.when.never() &&
      options.stall.when.Fires(++stall_units, options.seed, kSaltStall)) {
    plan.stall = options.stall;
  }
  plan.http =
      options.http_aware || !options.drop_response.never() || !options.duplicate_request.never();
  return plan;
}

RequestPlan FaultProxy::Shared::DecideRequest() {
  std::lock_guard<std::mutex> lock(mu);
  ++counters.requests;
  RequestPlan plan;
  plan.drop = options.drop_response.Fires(++drop_units, options.seed, kSaltDrop);
  plan.duplicate = options.duplicate_request.Fires(++duplicate_units, options.seed, kSaltDuplicate);
  return plan;
}

namespace {

void AcceptLoop(FaultProxy::Shared& s) {
  while (!s.stopping.load()) {
    pollfd fds[2] = {{s.stop_pipe[0], POLLIN, 0}, {s.listen_fd, POLLIN, 0}};
    if (poll(fds, 2, 1000) <= 0) continue;
    if (fds[0].revents) break;
    int fd = accept4(s.listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) usleep(10000);  // let connections finish
      continue;
    }
    // Decided before the connection counts as open, so a caller that saw it
    // open and then called ResetAllConnections is sure to reach it.
    ConnectionPlan plan = s.DecideConnection();
    ++s.counters.connections;
    ++s.counters.open_connections;
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::lock_guard<std::mutex> lock(s.workers_mu);
    for (auto it = s.workers.begin(); it != s.workers.end();) {  // reap finished ones
      if (it->done->load()) {
        it->thread.join();
        it = s.workers.erase(it);
      } else {
        ++it;
      }
    }
    s.workers.push_back(FaultProxy::Shared::Worker{std::thread([&s, fd, plan, done] {
                                                     RunConnection(s, fd, plan);
                                                     --s.counters.open_connections;
                                                     done->store(true);
                                                   }),
                                                   done});
  }
}

}  // namespace

// ---------------------------------------------------------------- FaultProxy

FaultProxy::FaultProxy(FaultProxyOptions options) : shared_(std::make_unique<Shared>()) {
  shared_->options = std::move(options);
}

FaultProxy::~FaultProxy() { Stop(); }

Status FaultProxy::Start() {
  Shared& s = *shared_;
  if (s.started) return Status::FailedPrecondition("the fault proxy is already started");
  auto upstream = Resolve(s.options.upstream_host, s.options.upstream_port, false);
  if (!upstream.ok()) return upstream.status().WithContext("upstream");
  std::memcpy(&s.upstream_addr, (*upstream)->ai_addr, (*upstream)->ai_addrlen);
  s.upstream_addr_len = (*upstream)->ai_addrlen;
  freeaddrinfo(*upstream);

  auto listen_at = Resolve(s.options.listen_host, s.options.listen_port, true);
  if (!listen_at.ok()) return listen_at.status().WithContext("listen address");
  addrinfo* ai = *listen_at;
  int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    freeaddrinfo(ai);
    return Status::IOError(ErrnoText("socket"));
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    Status st = Status::IOError("cannot listen on " + s.options.listen_host + ":" +
                                std::to_string(s.options.listen_port) + ": " + ErrnoText("bind"));
    close(fd);
    freeaddrinfo(ai);
    return st;
  }
  freeaddrinfo(ai);
  if (listen(fd, 128) != 0) {
    Status st = Status::IOError(ErrnoText("listen"));
    close(fd);
    return st;
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  s.port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                             : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  if (pipe2(s.stop_pipe, O_CLOEXEC) != 0) {
    Status st = Status::IOError(ErrnoText("pipe"));
    close(fd);
    return st;
  }
  s.listen_fd = fd;
  s.stopping = false;
  s.started = true;
  s.acceptor = std::thread([&s] { AcceptLoop(s); });
  return Status::Ok();
}

void FaultProxy::Stop() {
  Shared& s = *shared_;
  if (!s.started) return;
  s.stopping = true;
  char byte = 1;
  [[maybe_unused]] ssize_t w = write(s.stop_pipe[1], &byte, 1);
  if (s.acceptor.joinable()) s.acceptor.join();
  {
    std::lock_guard<std::mutex> lock(s.workers_mu);
    for (auto& worker : s.workers) worker.thread.join();
    s.workers.clear();
  }
  close(s.listen_fd);
  close(s.stop_pipe[0]);
  close(s.stop_pipe[1]);
  s.listen_fd = s.stop_pipe[0] = s.stop_pipe[1] = -1;
  s.started = false;
}

uint16_t FaultProxy::port() const { return shared_->port; }

std::string FaultProxy::address() const {
  const std::string& host = shared_->options.listen_host;
  bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(shared_->port);
}

void FaultProxy::SetLink(const LinkShape& link) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  shared_->options.link = link;
}

void FaultProxy::SetDelay(std::chrono::milliseconds one_way) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  shared_->options.link.delay_up = shared_->options.link.delay_down = one_way;
}

void FaultProxy::SetRate(uint64_t bits_per_second) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  shared_->options.link.rate_up_bps = shared_->options.link.rate_down_bps = bits_per_second;
}

LinkShape FaultProxy::link() const { return shared_->Link(); }

void FaultProxy::SetReset(const ByteFault& fault) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  shared_->options.reset = fault;
  shared_->reset_units = 0;
}

void FaultProxy::SetStall(const ByteFault& fault) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  shared_->options.stall = fault;
  shared_->stall_units = 0;
}

void FaultProxy::SetDropResponse(const Trigger& when) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  shared_->options.drop_response = when;
  shared_->drop_units = 0;
}

void FaultProxy::SetDuplicateRequest(const Trigger& when) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  shared_->options.duplicate_request = when;
  shared_->duplicate_units = 0;
}

void FaultProxy::SetHttpAware(bool on) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  shared_->options.http_aware = on;
}

void FaultProxy::Heal() {
  std::lock_guard<std::mutex> lock(shared_->mu);
  FaultProxyOptions& o = shared_->options;
  o.link = LinkShape{};
  o.reset = ByteFault{};
  o.stall = ByteFault{};
  o.drop_response = Trigger::Never();
  o.duplicate_request = Trigger::Never();
}

void FaultProxy::ResetAllConnections() { ++shared_->kill_generation; }

FaultProxyCounters FaultProxy::counters() const {
  const auto& c = shared_->counters;
  FaultProxyCounters out;
  out.connections = c.connections.load();
  out.open_connections = c.open_connections.load();
  out.bytes_up = c.bytes_up.load();
  out.bytes_down = c.bytes_down.load();
  out.requests = c.requests.load();
  out.responses = c.responses.load();
  out.resets = c.resets.load();
  out.stalls = c.stalls.load();
  out.dropped_responses = c.dropped_responses.load();
  out.duplicated_requests = c.duplicated_requests.load();
  out.upstream_failures = c.upstream_failures.load();
  return out;
}

}  // namespace fieldsync::faultproxy
