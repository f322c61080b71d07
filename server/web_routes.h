// server/web_routes.h — the web dashboard on the HQ server's HTTP listener:
// its static files (embedded, server/web_assets.h) and its JSON API under
// /api/v1/hq/ (documented in docs/hq.md).
//
//   GET  /                          the dashboard (index.html); /static/* its files
//   POST /api/v1/hq/login           {"user","password"} -> session cookie
//   POST /api/v1/hq/logout
//   GET  /api/v1/hq/me
//   GET  /api/v1/hq/facets          values for the inbox filters
//   GET  /api/v1/hq/reports         the inbox (filters, keyset paging)
//   GET  /api/v1/hq/reports/{id}    one report, labelled
//   POST /api/v1/hq/reports/{id}/review
//   GET  /api/v1/hq/reports/{id}/photos/{sha256}
//   GET  /api/v1/hq/charts
//   GET  /api/v1/hq/followup
//   GET  /api/v1/hq/export?format=csv|labels|json|geojson|followup-csv|followup-html
//   GET  /api/v1/hq/devices         POST /api/v1/hq/devices/enroll
//   POST /api/v1/hq/devices/{id}/revoke
//   GET  /api/v1/hq/projects        POST /api/v1/hq/projects/import
//   GET  /api/v1/hq/users           (admin)
//
// Every /api/v1/hq route but login needs the session cookie (HttpOnly,
// SameSite=Strict, Secure under TLS, Max-Age = the session lifetime) and
// checks the session on each request; roles and regions are enforced by
// HqDashboard. POSTs must be JSON (Content-Type application/json) and, when
// the browser sends an Origin, come from this server's own origin — with
// the SameSite cookie, that keeps other sites from acting for a signed-in
// reviewer.
// Errors: {"error": {"code", "message"}} with the statuses of
// docs/protocol.md (401 no or expired session, 403 role, 404, 409 changed
// meanwhile, 422 not allowed in this state, 429 throttled sign-in with
// Retry-After). A browser navigating (Accept: text/html) to a failing route,
// or to a path that does not exist outside /api/, gets a small HTML page
// with the same message and a link back, never a blank page.
#pragma once

#include <memory>

#include "server/service.h"
#include "server/users.h"

namespace httplib {
class Server;
}

namespace fieldsync::server {

struct WebOptions {
  bool enabled = true;  // false: no dashboard routes at all
  HqAuthOptions auth;
  bool secure_cookie = false;  // set by HttpServer when serving TLS
};

class WebRoutes;  // the state behind the routes (auth, throttling)

// Registers the dashboard's routes on `server`; the returned object must
// outlive the server's use of them. `service` must outlive both.
std::shared_ptr<WebRoutes> RegisterWebRoutes(httplib::Server& server, Service& service,
                                             const WebOptions& options);

}  // namespace fieldsync::server
