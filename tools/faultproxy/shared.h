// tools/faultproxy/shared.h — state the proxy shares with its connection threads.
//
// Internal to faultproxy. FaultProxy owns one Shared; each connection thread
// holds a reference and FaultProxy::Stop joins every thread before Shared goes.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "tools/faultproxy/link_queue.h"
#include "tools/faultproxy/proxy.h"

namespace fieldsync::faultproxy {

// What a connection was dealt when it was accepted.
struct ConnectionPlan {
  std::optional<ByteFault> reset;
  std::optional<ByteFault> stall;
  bool http = false;
  uint64_t generation = 0;  // Shared::kill_generation at accept
};

// What a request was dealt when it was framed.
struct RequestPlan {
  bool drop = false;
  bool duplicate = false;
};

struct FaultProxy::Shared {
  // Guarded by mu: the settings and the fault unit counts.
  mutable std::mutex mu;
  FaultProxyOptions options;
  uint64_t reset_units = 0;
  uint64_t stall_units = 0;
  uint64_t drop_units = 0;
  uint64_t duplicate_units = 0;

  struct Counters {
    std::atomic<uint64_t> connections{0}, open_connections{0}, bytes_up{0}, bytes_down{0},
        requests{0}, responses{0}, resets{0}, stalls{0}, dropped_responses{0},
        duplicated_requests{0}, upstream_failures{0};
  } counters;

  // The link's serialisation clocks: every connection shares the bandwidth.
  LinkClock up_clock, down_clock;

  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> kill_generation{0};  // bumped by ResetAllConnections
  int stop_pipe[2] = {-1, -1};               // readable once stopping

  // Set by Start, read-only afterwards.
  int listen_fd = -1;
  uint16_t port = 0;
  sockaddr_storage upstream_addr{};
  socklen_t upstream_addr_len = 0;
  bool started = false;

  std::thread acceptor;
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::mutex workers_mu;
  std::list<Worker> workers;

  LinkShape Link() const {
    std::lock_guard<std::mutex> lock(mu);
    return options.link;
  }
  ConnectionPlan DecideConnection();
  RequestPlan DecideRequest();
};

// Runs one accepted connection to its end; closes client_fd. Blocking.
void RunConnection(FaultProxy::Shared& shared, int client_fd, const ConnectionPlan& plan);

}  // namespace fieldsync::faultproxy
