// tools/faultproxy/main.cpp — the faultproxy command: a bad link between a client and a server.
//
// Prints "listening on HOST:PORT" once ready, runs until SIGTERM or SIGINT,
// then prints the counters ("counters: name=value ...") and exits 0.
// Usage errors exit 2 with one line on stderr; a failure to start exits 1.
#include <signal.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "tools/faultproxy/proxy.h"

namespace {

using fieldsync::Result;
using fieldsync::Status;
using namespace fieldsync::faultproxy;

constexpr const char* kUsage = R"(usage: faultproxy --upstream HOST:PORT [options]

Forwards TCP connections from --listen to --upstream, emulating a bad link.

  --listen HOST:PORT          where to listen (default 127.0.0.1:0, any free port)
  --upstream HOST:PORT        where to forward (required)
  --delay-ms N                one-way delay in each direction (600 ms RTT: 300)
  --delay-up-ms N, --delay-down-ms N     the same, per direction
  --rate-bps N                bandwidth in each direction, bits per second
  --rate-up-bps N, --rate-down-bps N     the same, per direction
  --reset-after N             reset (RST) connections after N bytes
  --reset-direction D         up, down or either (default): which bytes count
  --reset-when SCHED          which connections (default always)
  --stall-after N             stop delivering after N bytes
  --stall-ms N                for N ms (default: until the connection ends)
  --stall-direction D         up, down or either (default)
  --stall-when SCHED          which connections (default always)
  --drop-response-every N     drop the response of every Nth request
  --drop-response-when SCHED  the same, any schedule
  --duplicate-every N         send every Nth request upstream twice
  --duplicate-when SCHED      the same, any schedule
  --http                      frame HTTP (count requests) with no HTTP fault
  --seed S                    seed for probabilistic schedules (default 1)
  --help                      this text

SCHED is never, always, nth:N, first:N, every:N or p:P (0 <= P <= 1); units
are connections for reset and stall, requests for drop and duplicate.
Prints "listening on HOST:PORT", runs until SIGTERM or SIGINT, then prints
"counters: ..." and exits 0.
)";

Result<uint64_t> ParseNumber(std::string_view flag, std::string_view text) {
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return Status::InvalidArgument(std::string(flag) + " expects a whole number, got '" +
                                   std::string(text) + "'");
  }
  return n;
}

Status ParseHostPort(std::string_view flag, std::string_view text, std::string& host,
                     uint16_t& port) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument(std::string(flag) + " expects HOST:PORT, got '" +
                                   std::string(text) + "'");
  }
  auto n = ParseNumber(flag, text.substr(colon + 1));
  if (!n.ok() || *n > 65535) {
    return Status::InvalidArgument(std::string(flag) + " expects a port from 0 to 65535 in '" +
                                   std::string(text) + "'");
  }
  host = std::string(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  port = static_cast<uint16_t>(*n);
  return Status::Ok();
}

Result<Direction> ParseDirection(std::string_view flag, std::string_view text) {
  if (text == "up") return Direction::kUp;
  if (text == "down") return Direction::kDown;
  if (text == "either") return Direction::kEither;
  return Status::InvalidArgument(std::string(flag) + " expects up, down or either, got '" +
                                 std::string(text) + "'");
}

struct Parsed {
  FaultProxyOptions options;
  bool help = false;
};

Result<Parsed> ParseArgs(int argc, char** argv) {
  Parsed parsed;
  FaultProxyOptions& o = parsed.options;
  bool have_upstream = false;
  std::optional<Trigger> reset_when, stall_when;
  bool reset_set = false, stall_set = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      parsed.help = true;
      return parsed;
    }
    if (flag == "--http") {
      o.http_aware = true;
      continue;
    }
    if (i + 1 >= argc) {
      return Status::InvalidArgument("unknown option or missing value: " + std::string(flag));
    }
    std::string_view value = argv[++i];
    auto number = [&]() { return ParseNumber(flag, value); };
    auto millis = [&](std::chrono::milliseconds& out) -> Status {
      auto n = number();
      if (!n.ok()) return n.status();
      out = std::chrono::milliseconds(static_cast<int64_t>(*n));
      return Status::Ok();
    };
    auto count = [&](uint64_t& out) -> Status {
      auto n = number();
      if (!n.ok()) return n.status();
      out = *n;
      return Status::Ok();
    };
    auto schedule = [&](std::optional<Trigger>& out) -> Status {
      auto t = Trigger::Parse(value);
      if (!t.ok()) return t.status().WithContext(std::string(flag));
      out = *t;
      return Status::Ok();
    };
    auto every = [&](Trigger& out) -> Status {
      auto n = number();
      if (!n.ok()) return n.status();
      if (*n == 0) return Status::InvalidArgument(std::string(flag) + " expects N >= 1");
      out = Trigger::Every(*n);
      return Status::Ok();
    };
    auto direction = [&](Direction& out) -> Status {
      auto d = ParseDirection(flag, value);
      if (!d.ok()) return d.status();
      out = *d;
      return Status::Ok();
    };
    Status st;
    std::chrono::milliseconds ms{0};
    uint64_t n = 0;
    std::optional<Trigger> when;
    if (flag == "--listen") {
      st = ParseHostPort(flag, value, o.listen_host, o.listen_port);
    } else if (flag == "--upstream") {
      st = ParseHostPort(flag, value, o.upstream_host, o.upstream_port);
      have_upstream = true;
    } else if (flag == "--delay-ms") {
      st = millis(ms);
      o.link.delay_up = o.link.delay_down = ms;
    } else if (flag == "--delay-up-ms") {
      st = millis(o.link.delay_up);
    } else if (flag == "--delay-down-ms") {
      st = millis(o.link.delay_down);
    } else if (flag == "--rate-bps") {
      st = count(n);
      o.link.rate_up_bps = o.link.rate_down_bps = n;
    } else if (flag == "--rate-up-bps") {
      st = count(o.link.rate_up_bps);
    } else if (flag == "--rate-down-bps") {
      st = count(o.link.rate_down_bps);
    } else if (flag == "--reset-after") {
      st = count(o.reset.after_bytes);
      reset_set = true;
    } else if (flag == "--reset-direction") {
      st = direction(o.reset.direction);
    } else if (flag == "--reset-when") {
      st = schedule(reset_when);
    } else if (flag == "--stall-after") {
      st = count(o.stall.after_bytes);
      stall_set = true;
    } else if (flag == "--stall-ms") {
      st = millis(o.stall.duration);
    } else if (flag == "--stall-direction") {
      st = direction(o.stall.direction);
    } else if (flag == "--stall-when") {
      st = schedule(stall_when);
    } else if (flag == "--drop-response-every") {
      st = every(o.drop_response);
    } else if (flag == "--drop-response-when") {
      st = schedule(when);
      if (when) o.drop_response = *when;
    } else if (flag == "--duplicate-every") {
      st = every(o.duplicate_request);
    } else if (flag == "--duplicate-when") {
      st = schedule(when);
      if (when) o.duplicate_request = *when;
    } else if (flag == "--seed") {
      st = count(o.seed);
    } else {
      return Status::InvalidArgument("unknown option " + std::string(flag) +
                                     " (see faultproxy --help)");
    }
    if (!st.ok()) return st;
  }
  if (!have_upstream) return Status::InvalidArgument("--upstream HOST:PORT is required");
  if (reset_set || reset_when) o.reset.when = reset_when.value_or(Trigger::Always());
  if (stall_set || stall_when) o.stall.when = stall_when.value_or(Trigger::Always());
  return parsed;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = ParseArgs(argc, argv);
  if (!parsed.ok()) {
    std::cerr << "faultproxy: " << parsed.status().message() << "\n";
    return 2;
  }
  if (parsed->help) {
    std::cout << kUsage;
    return 0;
  }
  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  FaultProxy proxy(parsed->options);
  Status st = proxy.Start();
  if (!st.ok()) {
    std::cerr << "faultproxy: " << st.message() << "\n";
    return 1;
  }
  std::cout << "listening on " << proxy.address() << std::endl;
  int sig = 0;
  sigwait(&stop_signals, &sig);
  proxy.Stop();
  std::cout << "counters: " << proxy.counters().ToString() << std::endl;
  return 0;
}
