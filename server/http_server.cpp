// server/http_server.cpp — cpp-httplib wiring of the HQ server's API.
#include "server/http_server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include "sync/codec.h"

namespace fieldsync::server {
namespace {

using nlohmann::json;

// Per request, on the worker thread that serves it (httplib serves a request
// start to finish on one thread).
struct RequestContext {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::string device;
  bool zstd_ok = false;
};
thread_local RequestContext t_ctx;

bool ContainsToken(std::string_view header, std::string_view token) {
  size_t pos = 0;
  while (pos <= header.size()) {
    size_t end = header.find(',', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view item = header.substr(pos, end - pos);
    item = item.substr(0, item.find(';'));
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == token) return true;
    pos = end + 1;
  }
  return false;
}

int HttpStatusOf(const Status& s) { return sync::HttpStatusFor(s.code()); }

void ReplyError(httplib::Response& res, int http_status, const Status& s) {
  res.status = http_status;
  res.set_content(sync::ErrorBody(s).dump(), std::string(sync::kJsonType));
}

void ReplyError(httplib::Response& res, const Status& s) { ReplyError(res, HttpStatusOf(s), s); }

void Reply(httplib::Response& res, const json& body, sync::BodyFormat format) {
  bool zstd = t_ctx.zstd_ok;
  res.status = 200;
  if (zstd) res.set_header("Content-Encoding", "zstd");
  res.set_content(sync::EncodeBody(body, format, zstd), std::string(sync::ContentTypeOf(format)));
}

// Decodes a JSON/MessagePack body; on failure answers and returns nullopt.
std::optional<json> DecodeRequest(const httplib::Request& req, httplib::Response& res,
                                  sync::BodyFormat* format) {
  auto f = sync::FormatFromContentType(req.get_header_value("Content-Type"));
  if (!f.ok()) {
    ReplyError(res, 415, f.status());
    return std::nullopt;
  }
  *format = *f;
  auto body = sync::DecodeBody(req.body, *f, req.get_header_value("Content-Encoding"));
  if (!body.ok()) {
    ReplyError(res, body.status());
    return std::nullopt;
  }
  return std::move(body).value();
}

std::string BearerToken(const httplib::Request& req) {
  std::string h = req.get_header_value("Authorization");
  constexpr std::string_view kPrefix = "Bearer ";
  if (h.size() < kPrefix.size() || h.compare(0, kPrefix.size(), kPrefix) != 0) return "";
  std::string token = h.substr(kPrefix.size());
  while (!token.empty() && token.back() == ' ') token.pop_back();
  return token;
}

bool ParseInt64(const std::string& s, int64_t* out) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  *out = std::stoll(s);
  return true;
}

json AttachmentJson(const AttachmentState& a) {
  return {{"received", a.received}, {"complete", a.complete}};
}

}  // namespace

struct HttpServer::Impl {
  std::unique_ptr<httplib::Server> server;
  std::atomic<bool> in_run{false};
  std::atomic<bool> stop_requested{false};
  std::shared_ptr<WebRoutes> web;  // the dashboard's routes and their state
};

HttpServer::HttpServer(Service& service, HttpOptions options)
    : impl_(std::make_unique<Impl>()), service_(service), options_(std::move(options)) {}

HttpServer::~HttpServer() {
  Stop();
  if (thread_.joinable()) thread_.join();
}

std::string HttpServer::url() const {
  return std::string(options_.tls_cert.empty() ? "http" : "https") + "://" + options_.host + ":" +
         std::to_string(port_);
}

Status HttpServer::Bind() {
  if (options_.tls_cert.empty() != options_.tls_key.empty())
    return Status::InvalidArgument("--tls-cert and --tls-key go together; give both or neither");
  if (!options_.tls_cert.empty()) {
    auto ssl = std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(),
                                                    options_.tls_key.c_str());
    if (!ssl->is_valid())
      return Status::InvalidArgument("cannot use TLS certificate '" + options_.tls_cert +
                                     "' with key '" + options_.tls_key +
                                     "'; check both files are PEM and match");
    impl_->server = std::move(ssl);
  } else {
    impl_->server = std::make_unique<httplib::Server>();
  }
  httplib::Server& srv = *impl_->server;
  const int threads = options_.threads > 0 ? options_.threads : 8;
  srv.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  srv.set_payload_max_length(sync::kMaxWireBody);
  srv.set_keep_alive_max_count(10000);
  srv.set_keep_alive_timeout(options_.keep_alive_timeout_s);
  srv.set_read_timeout(options_.read_timeout_s, 0);
  srv.set_write_timeout(options_.write_timeout_s, 0);
  srv.set_tcp_nodelay(true);

  srv.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    t_ctx = RequestContext{};
    // We answer zstd ourselves; httplib must not gzip/brotli on top, so the
    // header is taken away once read (the Request is httplib's own mutable
    // object, handed to us as const).
    t_ctx.zstd_ok = ContainsToken(req.get_header_value("Accept-Encoding"), "zstd");
    const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
    // Refuse other encodings before httplib inflates them (no bomb guard
    // there). The body was not read, so the connection cannot be reused.
    std::string enc = req.get_header_value("Content-Encoding");
    if (!enc.empty() && enc != "identity" && enc != "zstd") {
      ReplyError(res, 415, Status::InvalidArgument("unsupported content encoding '" + enc +
                                                   "'; use zstd or none"));
      res.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  srv.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    Status s;
    switch (res.status) {
      case 404: s = Status::NotFound("no such endpoint: " + req.method + " " + req.path); break;
      case 405: s = Status::InvalidArgument("method " + req.method + " not allowed on " + req.path); break;
      case 413:
        s = Status::TooLarge("request body is larger than " +
                             std::to_string(sync::kMaxWireBody >> 20) + " MiB; split the batch");
        break;
      case 414: s = Status::InvalidArgument("request URI is too long"); break;
      case 415: s = Status::InvalidArgument("unsupported content encoding"); break;
      case 400: s = Status::InvalidArgument("malformed HTTP request"); break;
      default:
        s = res.status >= 500 ? Status::Internal("internal server error")
                              : Status::InvalidArgument("request refused (HTTP " +
                                                        std::to_string(res.status) + ")");
    }
    ReplyError(res, res.status, s);
    return httplib::Server::HandlerResponse::Handled;
  }));

  auto log_sink = options_.log;
  srv.set_exception_handler([log_sink](const httplib::Request& req, httplib::Response& res,
                                       std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    std::string line = "error: " + req.method + " " + req.path + " threw: " + what;
    if (log_sink) log_sink(line);
    else std::fprintf(stderr, "%s\n", line.c_str());
    ReplyError(res, 500, Status::Internal("internal server error; see the server log"));
  });

  if (options_.log_requests) {
    srv.set_logger([log_sink](const httplib::Request& req, const httplib::Response& res) {
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                            t_ctx.start)
                      .count();
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.1fms", ms);
      std::string line = req.method + " " + req.path + " " + std::to_string(res.status) +
                         " in=" + std::to_string(req.body.size()) +
                         " out=" + std::to_string(res.body.size()) + " " + buf + " " +
                         (t_ctx.device.empty() ? "-" : t_ctx.device);
      if (log_sink) log_sink(line);
      else std::fprintf(stderr, "%s\n", line.c_str());
      t_ctx = RequestContext{};
    });
  }

  Service& svc = service_;
  auto authenticate = [&svc](const httplib::Request& req,
                             httplib::Response& res) -> std::optional<Device> {
    auto d = svc.Authenticate(BearerToken(req));
    if (!d.ok()) {
      ReplyError(res, d.status());
      if (d.status().code() == Status::Code::kUnauthenticated)
        res.set_header("WWW-Authenticate", "Bearer");
      return std::nullopt;
    }
    t_ctx.device = d->id;
    return std::move(d).value();
  };

  srv.Get("/healthz", [&svc](const httplib::Request&, httplib::Response& res) {
    Reply(res,
          {{"status", "ok"},
           {"version", std::string(kServerVersion)},
           {"storage", std::string(svc.storage().backend())}},
          sync::BodyFormat::kJson);
  });

  srv.Post("/api/v1/enroll", [&svc](const httplib::Request& req, httplib::Response& res) {
    sync::BodyFormat format;
    auto body = DecodeRequest(req, res, &format);
    if (!body) return;
    if (!body->is_object() || !body->contains("code") || !(*body)["code"].is_string()) {
      ReplyError(res, Status::InvalidArgument("enroll body must be {\"code\": \"...\", "
                                              "\"device_name\": \"...\"}"));
      return;
    }
    std::string name;
    if (body->contains("device_name") && (*body)["device_name"].is_string())
      name = (*body)["device_name"].get<std::string>();
    std::string token;  // chosen by the device (optional; see Service::Enroll)
    if (body->contains("token")) {
      if (!(*body)["token"].is_string()) {
        ReplyError(res, Status::InvalidArgument("'token' must be a string of 64 hex digits"));
        return;
      }
      token = (*body)["token"].get<std::string>();
    }
    auto e = svc.Enroll((*body)["code"].get<std::string>(), name, token);
    if (!e.ok()) {
      ReplyError(res, e.status());
      return;
    }
    t_ctx.device = e->device_id;
    Reply(res,
          {{"device_id", e->device_id},
           {"token", e->token},
           {"officer", e->officer},
           {"region", e->region}},
          format);
  });

  srv.Post("/api/v1/sync", [&svc, authenticate](const httplib::Request& req,
                                                httplib::Response& res) {
    auto device = authenticate(req, res);
    if (!device) return;
    sync::BodyFormat format;
    auto body = DecodeRequest(req, res, &format);
    if (!body) return;
    auto answer = svc.Sync(*device, *body);
    if (!answer.ok()) {
      ReplyError(res, answer.status());
      return;
    }
    Reply(res, *answer, format);
  });

  srv.Get(R"(/api/v1/attachments/([^/]+)/status)",
          [&svc, authenticate](const httplib::Request& req, httplib::Response& res) {
            auto device = authenticate(req, res);
            if (!device) return;
            AttachmentState state;
            Status s = svc.AttachmentStatus(*device, req.matches[1], &state);
            if (!s.ok()) {
              ReplyError(res, s);
              return;
            }
            Reply(res, AttachmentJson(state), sync::BodyFormat::kJson);
          });

  srv.Put(R"(/api/v1/attachments/([^/]+))",
          [&svc, authenticate](const httplib::Request& req, httplib::Response& res) {
            auto device = authenticate(req, res);
            if (!device) return;
            std::string type = req.get_header_value("Content-Type");
            if (!type.empty() && type.rfind("application/octet-stream", 0) != 0) {
              ReplyError(res, 415, Status::InvalidArgument(
                                       "attachment chunks are application/octet-stream, not '" +
                                       type + "'"));
              return;
            }
            int64_t offset = 0, total = 0;
            if (!ParseInt64(req.get_param_value("offset"), &offset) ||
                !ParseInt64(req.get_param_value("total"), &total)) {
              ReplyError(res, Status::InvalidArgument(
                                  "give ?offset=N&total=T as whole numbers of bytes"));
              return;
            }
            std::string inflated;
            std::string_view bytes = req.body;
            if (req.get_header_value("Content-Encoding") == "zstd") {
              auto r = sync::ZstdDecompress(req.body, kMaxChunkBytes);
              if (!r.ok()) {
                ReplyError(res, r.status());
                return;
              }
              inflated = std::move(r).value();
              bytes = inflated;
            }
            AttachmentState state;
            Status s = svc.PutAttachmentChunk(*device, req.matches[1], offset, total, bytes, &state);
            if (s.code() == Status::Code::kConflict) {
              json body = sync::ErrorBody(s);
              body["received"] = state.received;
              body["complete"] = state.complete;
              res.status = 409;
              res.set_content(body.dump(), std::string(sync::kJsonType));
              return;
            }
            if (!s.ok()) {
              ReplyError(res, s);
              return;
            }
            Reply(res, AttachmentJson(state), sync::BodyFormat::kJson);
          });

  // The web dashboard; registered last (it ends with a catch-all for pages).
  WebOptions web = options_.web;
  web.secure_cookie = !options_.tls_cert.empty();
  impl_->web = RegisterWebRoutes(srv, service_, web);

  if (options_.port == 0) {
    port_ = srv.bind_to_any_port(options_.host);
    if (port_ <= 0)
      return Status::Unavailable("cannot listen on " + options_.host + " (any port)");
  } else {
    if (!srv.bind_to_port(options_.host, options_.port))
      return Status::Unavailable("cannot listen on " + options_.host + ":" +
                                 std::to_string(options_.port) +
                                 " (in use, or not allowed); pick another --listen");
    port_ = options_.port;
  }
  return Status::Ok();
}

Status HttpServer::Run() {
  if (!impl_->server || port_ <= 0) return Status::FailedPrecondition("Run() before Bind()");
  impl_->in_run = true;
  if (!impl_->stop_requested) impl_->server->listen_after_bind();
  impl_->in_run = false;
  return Status::Ok();
}

Status HttpServer::Start() {
  FS_RETURN_IF_ERROR(Bind());
  impl_->in_run = true;  // so a Stop() right away waits for the thread
  thread_ = std::thread([this] { (void)Run(); });
  while (!impl_->server->is_running() && impl_->in_run)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void HttpServer::Stop() {
  // Ordering with Run(): Run sets in_run then checks stop_requested; Stop sets
  // stop_requested then checks in_run. One of them sees the other.
  impl_->stop_requested = true;
  if (impl_->server) {
    while (impl_->in_run && !impl_->server->is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    impl_->server->stop();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

}  // namespace fieldsync::server
