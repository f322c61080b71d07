// server/web_routes.cpp — cpp-httplib wiring of the web dashboard (web_routes.h).
#include "server/web_routes.h"

#include <httplib.h>

#include <ctime>
#include <sstream>

#include "common/sha256.h"
#include "server/dashboard.h"
#include "server/export.h"
#include "server/web_assets.h"
#include "sync/codec.h"

namespace fieldsync::server {

namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

constexpr const char* kCookieName = "fieldsync_session";
constexpr const char* kJson = "application/json";
constexpr const char* kDashboardPolicy =
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";
// Printable pages and error pages carry their own <style>, nothing else.
constexpr const char* kPagePolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

bool WantsHtml(const Request& req) {
  return req.get_header_value("Accept").find("text/html") != std::string::npos;
}

void CommonHeaders(Response& res) {
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "same-origin");
}

std::string ErrorPage(int http_status, const std::string& message) {
  std::string title = http_status == 401   ? "Please sign in"
                      : http_status == 403 ? "Not allowed"
                      : http_status == 404 ? "Not found"
                      : http_status == 429 ? "Too many attempts"
                      : http_status >= 500 ? "Server error"
                                           : "Cannot do that";
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
         "<title>" +
         title +
         " — fieldsync HQ</title><style>"
         "body{font-family:system-ui,sans-serif;margin:3rem auto;max-width:36rem;color:#1d2630;"
         "padding:0 1rem}h1{font-size:1.4rem}p{line-height:1.5}"
         "a{color:#1f5f8b}.code{color:#5a6672;font-size:.9rem}</style></head><body>"
         "<h1>" +
         title + "</h1><p>" + HtmlEscape(message) +
         "</p>"
         "<p><a href=\"/\">Back to the dashboard</a></p>"
         "<p class=\"code\">HTTP " +
         std::to_string(http_status) + "</p></body></html>\n";
}

void SendError(const Request& req, Response& res, int http_status, const Status& s) {
  CommonHeaders(res);
  res.set_header("Cache-Control", "no-store");
  res.status = http_status;
  if (WantsHtml(req)) {
    res.set_header("Content-Security-Policy", kPagePolicy);
    res.set_content(ErrorPage(http_status, s.message()), "text/html; charset=utf-8");
  } else {
    res.set_content(sync::ErrorBody(s).dump(), kJson);
  }
}

void SendError(const Request& req, Response& res, const Status& s) {
  SendError(req, res, sync::HttpStatusFor(s.code()), s);
}

void SendJson(Response& res, const json& body) {
  CommonHeaders(res);
  res.set_header("Cache-Control", "no-store");
  res.status = 200;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), kJson);
}

std::string CookieValue(const Request& req, std::string_view name) {
  std::string header = req.get_header_value("Cookie");
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string_view item(header.data() + pos, end - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    size_t eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq) == name)
      return std::string(item.substr(eq + 1));
    pos = end + 1;
  }
  return "";
}

QueryParams ParamsOf(const Request& req) {
  QueryParams out;
  for (const auto& [k, v] : req.params) out.emplace(k, v);  // the first value wins
  return out;
}

std::string ContentTypeOf(const std::string& path) {
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() &&
           path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".json")) return "application/json";
  return "application/octet-stream";
}

std::string Today() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d", &tm);
  return buf;
}

}  // namespace

class WebRoutes {
 public:
  WebRoutes(Service& service, const WebOptions& options)
      : service_(service), options_(options), auth_(service, options.auth), dashboard_(service) {
    for (size_t i = 0; i < web_assets::kAssetCount; ++i) {
      const web_assets::Asset& a = web_assets::kAssets[i];
      std::string_view bytes(reinterpret_cast<const char*>(a.data), a.size);
      assets_[a.path] = {bytes, "\"" + Sha256Hex(bytes).substr(0, 20) + "\""};
    }
  }

  void Register(httplib::Server& srv);

 private:
  struct StaticFile {
    std::string_view bytes;
    std::string etag;
  };

  // The principal of the request's session cookie; on failure answers 401
  // (and clears a dead cookie) and returns nullopt.
  std::optional<HqPrincipal> Authenticate(const Request& req, Response& res) {
    auto who = auth_.Authenticate(CookieValue(req, kCookieName));
    if (!who.ok()) {
      if (!CookieValue(req, kCookieName).empty()) res.set_header("Set-Cookie", ClearCookie());
      SendError(req, res, who.status());
      return std::nullopt;
    }
    return std::move(who).value();
  }

  // A state-changing request must be JSON from this origin.
  bool CheckPost(const Request& req, Response& res, json* body) {
    std::string origin = req.get_header_value("Origin");
    if (!origin.empty()) {
      std::string host = req.get_header_value("Host");
      if (origin != "http://" + host && origin != "https://" + host) {
        SendError(req, res, 403,
                  Status::PermissionDenied("this request came from another site (" + origin +
                                           "); use the dashboard itself"));
        return false;
      }
    }
    if (req.get_header_value("Content-Type").rfind(kJson, 0) != 0) {
      SendError(req, res, 415,
                Status::InvalidArgument(
                    "send this request as JSON (Content-Type: " + std::string(kJson) + ")"));
      return false;
    }
    *body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
    if (body->is_discarded()) {
      SendError(req, res, 400, Status::InvalidArgument("the request body is not valid JSON"));
      return false;
    }
    return true;
  }

  std::string SessionCookie(const std::string& token) const {
    return std::string(kCookieName) + "=" + token +
           "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
           std::to_string(options_.auth.session_lifetime.count() / 1000) +
           (options_.secure_cookie ? "; Secure" : "");
  }
  std::string ClearCookie() const {
    return std::string(kCookieName) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" +
           (options_.secure_cookie ? "; Secure" : "");
  }

  void ServeAsset(const Request& req, Response& res, const std::string& path) {
    auto it = assets_.find(path);
    if (it == assets_.end()) {
      SendError(req, res, 404, Status::NotFound("no such page: " + req.path));
      return;
    }
    CommonHeaders(res);
    res.set_header("Cache-Control", "no-cache");
    res.set_header("ETag", it->second.etag);
    if (path.size() > 5 && path.compare(path.size() - 5, 5, ".html") == 0)
      res.set_header("Content-Security-Policy", kDashboardPolicy);
    if (req.get_header_value("If-None-Match") == it->second.etag) {
      res.status = 304;
      return;
    }
    res.status = 200;
    res.set_content(std::string(it->second.bytes), ContentTypeOf(path));
  }

  void Export(const Request& req, Response& res, const HqPrincipal& who);

  Service& service_;
  WebOptions options_;
  HqAuth auth_;
  HqDashboard dashboard_;
  std::map<std::string, StaticFile> assets_;
};

void WebRoutes::Export(const Request& req, Response& res, const HqPrincipal& who) {
  QueryParams params = ParamsOf(req);
  auto filter = ParseReportFilter(params, who);
  if (!filter.ok()) return SendError(req, res, filter.status());
  const std::string format = params.count("format") ? params["format"] : "";
  const std::string lang = PickLanguage(params.count("lang") ? params["lang"] : "en");
  std::ostringstream out;
  Status s;
  std::string type = "text/csv; charset=utf-8", name, disposition = "attachment";
  const std::string stem = "fieldsync-" + Today();
  if (format == "csv" || format == "labels") {
    std::ostringstream labels;
    s = ExportReports(service_, ReportExportFormat::kCsv, *filter, out, &labels, lang);
    if (format == "labels") out.str(labels.str());
    name = stem + (format == "labels" ? "-labels.csv" : "-reports.csv");
  } else if (format == "json") {
    s = ExportReports(service_, ReportExportFormat::kJson, *filter, out);
    type = kJson;
    name = stem + "-reports.json";
  } else if (format == "geojson") {
    s = ExportReports(service_, ReportExportFormat::kGeoJson, *filter, out);
    type = "application/geo+json";
    name = stem + "-reports.geojson";
  } else if (format == "followup-csv" || format == "followup-html") {
    auto fu = BuildFollowUp(service_, *filter);
    if (!fu.ok()) return SendError(req, res, fu.status());
    if (format == "followup-csv") {
      s = WriteFollowUpCsv(*fu, out);
      name = stem + "-followup.csv";
    } else {
      s = WriteFollowUpHtml(*fu, out, lang);
      type = "text/html; charset=utf-8";
      name = stem + "-followup.html";
      disposition = "inline";
    }
  } else {
    return SendError(req, res, 400,
                     Status::InvalidArgument("format is csv, labels, json, geojson, followup-csv "
                                             "or followup-html, not '" +
                                             format + "'"));
  }
  if (!s.ok()) return SendError(req, res, s);
  CommonHeaders(res);
  res.set_header("Cache-Control", "no-store");
  res.set_header("Content-Disposition", disposition + "; filename=\"" + name + "\"");
  if (type.rfind("text/html", 0) == 0) res.set_header("Content-Security-Policy", kPagePolicy);
  res.status = 200;
  res.set_content(out.str(), type);
}

void WebRoutes::Register(httplib::Server& srv) {
  using Handler = std::function<void(const Request&, Response&, const HqPrincipal&)>;
  auto authed = [this](Handler h) {
    return [this, h](const Request& req, Response& res) {
      auto who = Authenticate(req, res);
      if (!who) return;
      h(req, res, *who);
    };
  };
  auto lang_of = [](const Request& req) { return PickLanguage(req.get_param_value("lang")); };

  srv.Get("/", [this](const Request& req, Response& res) { ServeAsset(req, res, "index.html"); });
  srv.Get("/index.html",
          [this](const Request& req, Response& res) { ServeAsset(req, res, "index.html"); });
  srv.Get(R"(/static/([A-Za-z0-9._-]+))",
          [this](const Request& req, Response& res) { ServeAsset(req, res, req.matches[1]); });

  srv.Post("/api/v1/hq/login", [this](const Request& req, Response& res) {
    json body;
    if (!CheckPost(req, res, &body)) return;
    if (!body.is_object() || !body.value("user", json()).is_string() ||
        !body.value("password", json()).is_string())
      return SendError(
          req, res, 400,
          Status::InvalidArgument("sign in with {\"user\": \"...\", \"password\": \"...\"}"));
    int64_t retry_after_ms = 0;
    auto login = auth_.Login(body["user"].get<std::string>(), body["password"].get<std::string>(),
                             req.remote_addr, &retry_after_ms);
    if (!login.ok()) {
      if (retry_after_ms > 0) {
        res.set_header("Retry-After", std::to_string((retry_after_ms + 999) / 1000));
        return SendError(req, res, 429, login.status());
      }
      return SendError(req, res, login.status());
    }
    res.set_header("Set-Cookie", SessionCookie(login->token));
    SendJson(res, dashboard_.Me(login->principal));
  });

  srv.Post("/api/v1/hq/logout", [this](const Request& req, Response& res) {
    json body;
    if (!CheckPost(req, res, &body)) return;
    Status s = auth_.Logout(CookieValue(req, kCookieName));
    if (!s.ok()) return SendError(req, res, s);
    res.set_header("Set-Cookie", ClearCookie());
    SendJson(res, {{"signed_out", true}});
  });

  srv.Get("/api/v1/hq/me", authed([this](const Request&, Response& res, const HqPrincipal& who) {
            SendJson(res, dashboard_.Me(who));
          }));

  srv.Get("/api/v1/hq/facets",
          authed([this, lang_of](const Request& req, Response& res, const HqPrincipal& who) {
            auto j = dashboard_.Facets(who, lang_of(req));
            if (!j.ok()) return SendError(req, res, j.status());
            SendJson(res, *j);
          }));

  srv.Get("/api/v1/hq/reports",
          authed([this](const Request& req, Response& res, const HqPrincipal& who) {
            auto j = dashboard_.Inbox(who, ParamsOf(req));
            if (!j.ok()) return SendError(req, res, j.status());
            SendJson(res, *j);
          }));

  srv.Get(R"(/api/v1/hq/reports/([A-Za-z0-9_-]{1,64}))",
          authed([this, lang_of](const Request& req, Response& res, const HqPrincipal& who) {
            auto j = dashboard_.ReportView(who, req.matches[1], lang_of(req));
            if (!j.ok()) return SendError(req, res, j.status());
            SendJson(res, *j);
          }));

  srv.Post(R"(/api/v1/hq/reports/([A-Za-z0-9_-]{1,64})/review)",
           authed([this, lang_of](const Request& req, Response& res, const HqPrincipal& who) {
             json body;
             if (!CheckPost(req, res, &body)) return;
             auto j = dashboard_.Review(who, req.matches[1], body, lang_of(req));
             if (!j.ok()) return SendError(req, res, j.status());
             SendJson(res, *j);
           }));

  srv.Get(R"(/api/v1/hq/reports/([A-Za-z0-9_-]{1,64})/photos/([0-9a-f]{64}))",
          authed([this](const Request& req, Response& res, const HqPrincipal& who) {
            std::string bytes, type;
            Status s = dashboard_.Photo(who, req.matches[1], req.matches[2], &bytes, &type);
            if (!s.ok()) return SendError(req, res, s);
            CommonHeaders(res);
            res.set_header("Cache-Control", "private, max-age=86400");  // content-addressed
            res.status = 200;
            res.set_content(std::move(bytes), type);
          }));

  srv.Get("/api/v1/hq/charts",
          authed([this, lang_of](const Request& req, Response& res, const HqPrincipal& who) {
            auto j = dashboard_.Charts(who, ParamsOf(req), lang_of(req));
            if (!j.ok()) return SendError(req, res, j.status());
            SendJson(res, *j);
          }));

  srv.Get("/api/v1/hq/followup",
          authed([this, lang_of](const Request& req, Response& res, const HqPrincipal& who) {
            auto j = dashboard_.FollowUp(who, ParamsOf(req), lang_of(req));
            if (!j.ok()) return SendError(req, res, j.status());
            SendJson(res, *j);
          }));

  srv.Get("/api/v1/hq/export", authed([this](const Request& req, Response& res,
                                             const HqPrincipal& who) { Export(req, res, who); }));

  srv.Get("/api/v1/hq/devices",
          authed([this](const Request& req, Response& res, const HqPrincipal& who) {
            auto j = dashboard_.Devices(who);
            if (!j.ok()) return SendError(req, res, j.status());
            SendJson(res, *j);
          }));

  srv.Post("/api/v1/hq/devices/enroll",
           authed([this](const Request& req, Response& res, const HqPrincipal& who) {
             json body;
             if (!CheckPost(req, res, &body)) return;
             auto j = dashboard_.EnrollDevice(who, body);
             if (!j.ok()) return SendError(req, res, j.status());
             SendJson(res, *j);
           }));

  srv.Post(R"(/api/v1/hq/devices/([A-Za-z0-9_-]{1,64})/revoke)",
           authed([this](const Request& req, Response& res, const HqPrincipal& who) {
             json body;
             if (!CheckPost(req, res, &body)) return;
             Status s = dashboard_.RevokeDevice(who, req.matches[1]);
             if (!s.ok()) return SendError(req, res, s);
             SendJson(res, {{"revoked", std::string(req.matches[1])}});
           }));

  srv.Get("/api/v1/hq/projects",
          authed([this](const Request& req, Response& res, const HqPrincipal& who) {
            auto j = dashboard_.Projects(who);
            if (!j.ok()) return SendError(req, res, j.status());
            SendJson(res, *j);
          }));

  srv.Post("/api/v1/hq/projects/import",
           authed([this](const Request& req, Response& res, const HqPrincipal& who) {
             json body;
             if (!CheckPost(req, res, &body)) return;
             auto j = dashboard_.ImportProjects(who, body);
             if (!j.ok()) return SendError(req, res, j.status());
             SendJson(res, *j);
           }));

  srv.Get("/api/v1/hq/users",
          authed([this](const Request& req, Response& res, const HqPrincipal& who) {
            Status s = RequireRole(who, HqRole::kAdmin, "listing users");
            if (!s.ok()) return SendError(req, res, s);
            auto users = auth_.ListUsers();
            if (!users.ok()) return SendError(req, res, users.status());
            json out = json::array();
            for (const HqUser& u : *users)
              out.push_back({{"name", u.name},
                             {"role", u.role},
                             {"region", u.region},
                             {"created_at_ms", u.created_at_ms},
                             {"disabled", u.disabled_at_ms != 0}});
            SendJson(res, {{"users", out}});
          }));

  // Any other GET outside /api/ and /healthz: a page a person can read.
  srv.Get(R"(/(?!api/|healthz$).*)", [](const Request& req, Response& res) {
    SendError(req, res, 404,
              Status::NotFound("there is no page at " + req.path + " on this server"));
  });
}

std::shared_ptr<WebRoutes> RegisterWebRoutes(httplib::Server& server, Service& service,
                                             const WebOptions& options) {
  if (!options.enabled) return nullptr;
  auto routes = std::make_shared<WebRoutes>(service, options);
  routes->Register(server);
  return routes;
}

}  // namespace fieldsync::server
