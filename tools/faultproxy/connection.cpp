// tools/faultproxy/connection.cpp — one proxied connection, on its own thread.
//
// NOTES ON THE DESIGN OF A CONNECTION
// One thread runs a poll loop over the client socket, the upstream socket and
// the proxy's stop pipe. Each loop iteration:
//   1. ends the connection if the proxy stops or ResetAllConnections ran;
//   2. ends a timed stall whose time is up;
//   3. fires byte faults whose threshold was reached (reset ends the loop);
//   4. delivers due bytes of the up queue — to the upstream socket (raw mode)
//      or into the request framer (HTTP mode), never past a fault threshold;
//   5. HTTP mode: frames complete requests and advances the exchange with
//      upstream (send, then receive one response; twice for a duplicate);
//      a complete response is pushed into the down queue, or dropped;
//   6. delivers due bytes of the down queue to the client;
//   7. passes EOFs on as half-closes once the queues are empty, and ends the
//      connection when both sides are closed;
//   8. polls for what it can use next: input while a queue is below its
//      capacity, output after a write would have blocked, and a timeout at the
//      next segment's delivery time (at most 50 ms, so step 1 is prompt).
// Nothing is delivered while stalled; input is still read (to the queues'
// capacity), so a client that gives up is noticed.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <string>

#include "tools/faultproxy/http_framer.h"
#include "tools/faultproxy/link_queue.h"
#include "tools/faultproxy/shared.h"

namespace fieldsync::faultproxy {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr auto kMaxPollWait = std::chrono::milliseconds(50);
constexpr auto kConnectTimeout = std::chrono::seconds(10);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

void SetNoDelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Closes `fd` so that the peer sees a TCP RST.
void CloseWithReset(int fd) {
  if (fd < 0) return;
  linger lg{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  close(fd);
}

// A non-blocking socket connected to the upstream address, or -1.
int ConnectUpstream(const FaultProxy::Shared& shared) {
  int fd = socket(shared.upstream_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&shared.upstream_addr),
              shared.upstream_addr_len) != 0) {
    if (errno != EINPROGRESS) {
      close(fd);
      return -1;
    }
    pollfd p{fd, POLLOUT, 0};
    int ms = static_cast<int>(std::chrono::milliseconds(kConnectTimeout).count());
    int err = 0;
    socklen_t len = sizeof err;
    if (poll(&p, 1, ms) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
      close(fd);
      return -1;
    }
  }
  SetNoDelay(fd);
  return fd;
}

bool WouldBlock(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

class Connection {
 public:
  Connection(FaultProxy::Shared& shared, int client_fd, const ConnectionPlan& plan)
      : shared_(shared),
        client_fd_(client_fd),
        reset_(plan.reset),
        stall_(plan.stall),
        http_(plan.http),
        generation_(plan.generation),
        up_(&shared.up_clock),
        down_(&shared.down_clock) {}

  void Run();

 private:
  struct Request {
    std::string bytes;
    std::string method;
    RequestPlan plan;
  };
  enum class Exchange { kIdle, kSending, kReceiving };

  // Ending the connection. Both close every socket and set done_.
  void Abort() {
    CloseWithReset(client_fd_);
    CloseWithReset(upstream_fd_);
    client_fd_ = upstream_fd_ = -1;
    done_ = true;
  }
  void CloseCleanly() {
    if (client_fd_ >= 0) close(client_fd_);
    if (upstream_fd_ >= 0) close(upstream_fd_);
    client_fd_ = upstream_fd_ = -1;
    done_ = true;
  }
  void UpstreamFailed() {
    ++shared_.counters.upstream_failures;
    Abort();
  }
  void CloseUpstream() {
    if (upstream_fd_ >= 0) close(upstream_fd_);
    upstream_fd_ = -1;
    upstream_wants_out_ = false;
    upstream_reused_ = false;
  }

  uint64_t Counted(Direction d) const {
    switch (d) {
      case Direction::kUp:
        return delivered_up_;
      case Direction::kDown:
        return delivered_down_;
      case Direction::kEither:
        break;
    }
    return delivered_up_ + delivered_down_;
  }
  // How many more bytes direction `d` may deliver before a fault threshold.
  uint64_t Allowance(Direction d) const {
    uint64_t allowed = UINT64_MAX;
    auto limit = [&](const std::optional<ByteFault>& f) {
      if (!f || (f->direction != d && f->direction != Direction::kEither)) return;
      uint64_t counted = Counted(f->direction);
      allowed = std::min(allowed, counted >= f->after_bytes ? 0 : f->after_bytes - counted);
    };
    limit(reset_);
    if (!stall_started_) limit(stall_);
    return allowed;
  }
  void CheckByteFaults(Clock::time_point now) {
    if (reset_ && Counted(reset_->direction) >= reset_->after_bytes) {
      ++shared_.counters.resets;
      Abort();
      return;
    }
    if (stall_ && !stall_started_ && Counted(stall_->direction) >= stall_->after_bytes) {
      ++shared_.counters.stalls;
      stall_started_ = stalled_ = true;
      stall_forever_ = stall_->duration.count() <= 0;
      stall_until_ = now + stall_->duration;
    }
  }

  void DeliverUp(Clock::time_point now);
  void DeliverDown(Clock::time_point now);
  void FrameRequests(Clock::time_point now);
  void AdvanceExchange();
  void OnUpstreamReadable(Clock::time_point now);
  void CompleteResponse(Clock::time_point now, bool eof);
  void ReadClient(Clock::time_point now);
  void PassOnEofs();
  void Poll(Clock::time_point now);

  FaultProxy::Shared& shared_;
  int client_fd_;
  int upstream_fd_ = -1;
  std::optional<ByteFault> reset_;
  std::optional<ByteFault> stall_;
  bool http_;
  uint64_t generation_;
  bool done_ = false;
  LinkShape link_;

  LinkQueue up_, down_;
  uint64_t delivered_up_ = 0, delivered_down_ = 0;
  bool client_eof_ = false, upstream_eof_ = false;
  bool client_shut_ = false, upstream_shut_ = false;  // we sent FIN
  bool client_wants_out_ = false, upstream_wants_out_ = false;
  bool client_hup_ = false, upstream_hup_ = false;

  // The client's first bytes wait for the TCP handshake's round trip.
  Clock::time_point handshake_done_{};

  bool stall_started_ = false, stalled_ = false, stall_forever_ = false;
  Clock::time_point stall_until_{};

  // HTTP mode.
  std::string request_buf_;
  bool continue_answered_ = false;
  std::deque<Request> pending_;
  Exchange exchange_ = Exchange::kIdle;
  Request current_;
  int sends_left_ = 0;
  size_t sent_ = 0;
  std::string response_buf_;
  bool upstream_reused_ = false;  // a response was read on this upstream connection
  bool close_client_after_drain_ = false;
};

void Connection::Run() {
  SetNoDelay(client_fd_);
  link_ = shared_.Link();
  handshake_done_ = Clock::now() + link_.delay_up + link_.delay_down;
  if (!http_) {
    upstream_fd_ = ConnectUpstream(shared_);
    if (upstream_fd_ < 0) {
      UpstreamFailed();
      return;
    }
  }
  while (!done_) {
    Clock::time_point now = Clock::now();
    if (shared_.stopping.load() || shared_.kill_generation.load() != generation_) {
      Abort();
      return;
    }
    link_ = shared_.Link();
    if (stalled_ && !stall_forever_ && now >= stall_until_) stalled_ = false;
    CheckByteFaults(now);
    if (done_) return;
    if (!stalled_) DeliverUp(now);
    if (done_) return;
    CheckByteFaults(now);
    if (done_) return;
    if (http_) {
      FrameRequests(now);
      if (done_) return;
      AdvanceExchange();
      if (done_) return;
    }
    if (!stalled_) DeliverDown(now);
    if (done_) return;
    CheckByteFaults(now);
    if (done_) return;
    PassOnEofs();
    if (done_) return;
    Poll(now);
  }
}

void Connection::DeliverUp(Clock::time_point now) {
  while (true) {
    if (!http_ && upstream_wants_out_) return;
    std::string_view ready = up_.Ready(now);
    uint64_t allowed = Allowance(Direction::kUp);
    if (ready.empty() || allowed == 0) return;
    if (ready.size() > allowed) ready = ready.substr(0, allowed);
    size_t n = ready.size();
    if (http_) {
      request_buf_.append(ready);
    } else {
      ssize_t w = send(upstream_fd_, ready.data(), ready.size(), MSG_NOSIGNAL);
      if (w < 0) {
        if (WouldBlock(errno)) {
          upstream_wants_out_ = true;
          return;
        }
        Abort();  // upstream went away: pass the reset on
        return;
      }
      n = static_cast<size_t>(w);
    }
    up_.Consume(n);
    delivered_up_ += n;
    shared_.counters.bytes_up += n;
  }
}

void Connection::DeliverDown(Clock::time_point now) {
  while (!client_wants_out_) {
    std::string_view ready = down_.Ready(now);
    uint64_t allowed = Allowance(Direction::kDown);
    if (ready.empty() || allowed == 0) return;
    if (ready.size() > allowed) ready = ready.substr(0, allowed);
    ssize_t w = send(client_fd_, ready.data(), ready.size(), MSG_NOSIGNAL);
    if (w < 0) {
      if (WouldBlock(errno)) {
        client_wants_out_ = true;
        return;
      }
      Abort();
      return;
    }
    down_.Consume(static_cast<size_t>(w));
    delivered_down_ += static_cast<uint64_t>(w);
    shared_.counters.bytes_down += static_cast<uint64_t>(w);
  }
}

void Connection::FrameRequests(Clock::time_point now) {
  while (!request_buf_.empty()) {
    auto head = http::ParseRequestHead(request_buf_);
    if (!head.ok()) {  // not HTTP we can frame: give up on the connection
      Abort();
      return;
    }
    if (!head->has_value()) return;
    const http::Head& h = **head;
    if (h.HasToken("Expect", "100-continue") && !continue_answered_) {
      // Answer only when no earlier response is owed, to keep responses in order.
      if (!pending_.empty() || exchange_ != Exchange::kIdle) return;
      down_.Push(kContinue, now, link_.delay_down, link_.rate_down_bps);
      continue_answered_ = true;
    }
    auto length = http::RequestLength(request_buf_, h);
    if (!length.ok()) {
      Abort();
      return;
    }
    if (!length->has_value()) return;
    std::string message = request_buf_.substr(0, **length);
    request_buf_.erase(0, **length);
    if (h.Find("Expect")) message = http::RemoveHeader(message, h, "Expect");
    continue_answered_ = false;
    pending_.push_back(Request{std::move(message), h.method, shared_.DecideRequest()});
  }
}

void Connection::AdvanceExchange() {
  if (exchange_ == Exchange::kIdle && !pending_.empty()) {
    current_ = std::move(pending_.front());
    pending_.pop_front();
    sends_left_ = current_.plan.duplicate ? 2 : 1;
    sent_ = 0;
    response_buf_.clear();
    exchange_ = Exchange::kSending;
  }
  if (exchange_ != Exchange::kSending) return;
  if (upstream_fd_ < 0) {
    upstream_fd_ = ConnectUpstream(shared_);
    upstream_eof_ = false;
    if (upstream_fd_ < 0) {
      UpstreamFailed();
      return;
    }
  }
  while (sent_ < current_.bytes.size()) {
    ssize_t w = send(upstream_fd_, current_.bytes.data() + sent_, current_.bytes.size() - sent_,
                     MSG_NOSIGNAL);
    if (w < 0) {
      if (WouldBlock(errno)) {
        upstream_wants_out_ = true;
        return;
      }
      // Upstream stopped reading; it may have answered early (413) — wait for it.
      sent_ = current_.bytes.size();
      break;
    }
    sent_ += static_cast<size_t>(w);
  }
  upstream_wants_out_ = false;
  exchange_ = Exchange::kReceiving;
}

void Connection::OnUpstreamReadable(Clock::time_point now) {
  char buf[kReadChunk];
  ssize_t n = recv(upstream_fd_, buf, sizeof buf, 0);
  if (n < 0 && WouldBlock(errno)) return;
  bool eof = n <= 0;
  if (!http_) {
    if (eof) {
      if (n < 0) {  // reset by upstream: pass it on
        Abort();
        return;
      }
      upstream_eof_ = true;
      return;
    }
    down_.Push(std::string_view(buf, static_cast<size_t>(n)), now, link_.delay_down,
               link_.rate_down_bps);
    return;
  }
  if (exchange_ == Exchange::kIdle) {  // an idle keep-alive connection closing
    if (eof) CloseUpstream();
    return;
  }
  if (!eof) response_buf_.append(buf, static_cast<size_t>(n));
  CompleteResponse(now, eof);
}

void Connection::CompleteResponse(Clock::time_point now, bool eof) {
  if (eof && response_buf_.empty() && upstream_reused_ && exchange_ == Exchange::kReceiving) {
    // Upstream closed the idle keep-alive connection as the request went out;
    // it never saw the request. Send it again on a new connection.
    CloseUpstream();
    sent_ = 0;
    exchange_ = Exchange::kSending;
    return;
  }
  while (true) {
    auto head = http::ParseResponseHead(response_buf_);
    if (!head.ok() || (!head->has_value() && eof)) {
      UpstreamFailed();
      return;
    }
    if (!head->has_value()) return;
    const http::Head& h = **head;
    if (h.status < 200 && h.status != 101) {  // interim: the client gets the final one
      response_buf_.erase(0, h.size);
      continue;
    }
    auto length = http::ResponseLength(response_buf_, h, current_.method, eof);
    if (!length.ok() || (!length->has_value() && eof)) {
      UpstreamFailed();
      return;
    }
    if (!length->has_value()) return;
    std::string response = response_buf_.substr(0, **length);
    bool closes = eof || http::ResponseClosesConnection(h, current_.method) ||
                  exchange_ == Exchange::kSending || sent_ < current_.bytes.size();
    response_buf_.clear();
    ++shared_.counters.responses;
    upstream_reused_ = true;
    if (closes) CloseUpstream();
    if (--sends_left_ > 0) {
      ++shared_.counters.duplicated_requests;
      sent_ = 0;
      exchange_ = Exchange::kSending;
      return;
    }
    exchange_ = Exchange::kIdle;
    if (current_.plan.drop) {
      ++shared_.counters.dropped_responses;
      Abort();
      return;
    }
    down_.Push(response, now, link_.delay_down, link_.rate_down_bps);
    if (closes) close_client_after_drain_ = true;
    return;
  }
}

void Connection::ReadClient(Clock::time_point now) {
  char buf[kReadChunk];
  ssize_t n = recv(client_fd_, buf, sizeof buf, 0);
  if (n < 0 && WouldBlock(errno)) return;
  if (n < 0) {  // reset by the client: pass it on
    Abort();
    return;
  }
  if (n == 0) {
    client_eof_ = true;
    return;
  }
  up_.Push(std::string_view(buf, static_cast<size_t>(n)), now, link_.delay_up, link_.rate_up_bps);
}

void Connection::PassOnEofs() {
  if (stalled_) {
    // A client that gives up on a stalled-forever link ends the connection.
    if (stall_forever_ && client_eof_) CloseCleanly();
    return;
  }
  if (!http_) {
    if (client_eof_ && up_.empty() && !upstream_shut_) {
      shutdown(upstream_fd_, SHUT_WR);
      upstream_shut_ = true;
    }
    if (upstream_eof_ && down_.empty() && !client_shut_) {
      shutdown(client_fd_, SHUT_WR);
      client_shut_ = true;
    }
    if (client_shut_ && upstream_shut_) CloseCleanly();
    return;
  }
  bool idle = exchange_ == Exchange::kIdle && pending_.empty();
  if (close_client_after_drain_ && idle && down_.empty() && !client_shut_) {
    shutdown(client_fd_, SHUT_WR);
    client_shut_ = true;
  }
  if (client_eof_ && up_.empty() && idle && down_.empty()) CloseCleanly();
}

void Connection::Poll(Clock::time_point now) {
  pollfd fds[3];
  fds[0] = {shared_.stop_pipe[0], POLLIN, 0};

  short client_events = 0;
  if (!client_eof_ && now >= handshake_done_ &&
      up_.size() < LinkQueue::Capacity(link_.delay_up, link_.rate_up_bps)) {
    client_events |= POLLIN;
  }
  if (client_wants_out_) client_events |= POLLOUT;
  bool poll_client = client_events != 0 && (!client_hup_ || (client_events & POLLIN));
  fds[1] = {poll_client ? client_fd_ : -1, client_events, 0};

  short upstream_events = 0;
  if (upstream_fd_ >= 0) {
    if (http_ || (!upstream_eof_ &&
                  down_.size() < LinkQueue::Capacity(link_.delay_down, link_.rate_down_bps))) {
      upstream_events |= POLLIN;
    }
    if (upstream_wants_out_) upstream_events |= POLLOUT;
  }
  bool poll_upstream = upstream_events != 0 && (!upstream_hup_ || (upstream_events & POLLIN));
  fds[2] = {poll_upstream ? upstream_fd_ : -1, upstream_events, 0};

  Clock::time_point wake = now + kMaxPollWait;
  if (now < handshake_done_) wake = std::min(wake, handshake_done_);
  if (stalled_) {
    if (!stall_forever_) wake = std::min(wake, stall_until_);
  } else {
    if (auto t = up_.NextDelivery(); t && (http_ || !upstream_wants_out_))
      wake = std::min(wake, *t);
    if (auto t = down_.NextDelivery(); t && !client_wants_out_) wake = std::min(wake, *t);
  }
  auto wait = std::max(std::chrono::nanoseconds(0), wake - now);
  timespec ts{static_cast<time_t>(wait.count() / 1'000'000'000),
              static_cast<long>(wait.count() % 1'000'000'000)};
  int r = ppoll(fds, 3, &ts, nullptr);
  if (r <= 0) return;
  now = Clock::now();
  if (fds[0].revents) return;  // stopping; the loop notices

  short rc = fds[1].revents;
  if (rc & POLLOUT) client_wants_out_ = false;
  if (rc & (POLLIN | POLLERR)) {
    ReadClient(now);
    if (done_) return;
  } else if (rc & POLLHUP) {
    client_hup_ = true;
    if (client_wants_out_) client_wants_out_ = false;  // the next write reports the error
  }

  short ru = fds[2].revents;
  if (ru & POLLOUT) upstream_wants_out_ = false;
  if (ru & (POLLIN | POLLERR)) {
    OnUpstreamReadable(now);
  } else if (ru & POLLHUP) {
    upstream_hup_ = true;
    if (upstream_wants_out_) upstream_wants_out_ = false;
  }
}

}  // namespace

void RunConnection(FaultProxy::Shared& shared, int client_fd, const ConnectionPlan& plan) {
  Connection connection(shared, client_fd, plan);
  connection.Run();
}

}  // namespace fieldsync::faultproxy
