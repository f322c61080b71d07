// server/dashboard.h — what the web dashboard asks of the HQ server, as JSON,
// independent of HTTP (server/web_routes.h adapts it to /api/v1/hq/...).
//
// Every call takes the signed-in principal (server/users.h) and enforces its
// role and region itself, so the rules hold whatever calls them:
//   - a user with a region sees only reports of projects in that region;
//     asking for another region's report answers NotFound, exactly as for a
//     report that does not exist (its existence is not revealed);
//   - Review needs the reviewer role, devices and the registry import need
//     admin (PermissionDenied naming what is missing).
// Parameters come as the strings of a query string; a malformed one is
// InvalidArgument naming it and saying what it takes.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "server/service.h"
#include "server/storage.h"
#include "server/users.h"

namespace fieldsync::server {

using QueryParams = std::map<std::string, std::string>;

// Inbox, charts and export filter from query parameters: sector, country,
// project, measure (1-50), form, status, officer, from and to (YYYY-MM),
// q (search). Unknown parameters are ignored. The principal's region is
// applied on top (a "region" parameter never widens it).
Result<ReportFilter> ParseReportFilter(const QueryParams& params, const HqPrincipal& who);

// The language for labels: "en", "fr", "es" or "pt" ("en" for anything else).
std::string PickLanguage(const std::string& lang);

inline constexpr int kInboxDefaultLimit = 50;
inline constexpr int kInboxMaxLimit = 200;
inline constexpr int kInboxCountCap = 10000;  // "10000+" beyond this

class HqDashboard {
 public:
  explicit HqDashboard(Service& service) : service_(service) {}

  // {"user","role","region","expires_at_ms","can_review","is_admin"}
  nlohmann::json Me(const HqPrincipal& who) const;

  // One inbox page: params as ParseReportFilter, plus limit (1-200, default
  // 50) and after (the "next" cursor of the previous page). Newest first.
  // {"rows": [...], "next": cursor|null, "total": n, "total_capped": bool}
  Result<nlohmann::json> Inbox(const HqPrincipal& who, const QueryParams& params);

  // Values for the inbox filters: sectors, countries, projects, measures,
  // officers, statuses, forms — limited to what the principal may see.
  Result<nlohmann::json> Facets(const HqPrincipal& who, const std::string& lang);

  // A report with its values labelled from its form in `lang`, photos,
  // history, reviews and what the principal may do with it.
  Result<nlohmann::json> ReportView(const HqPrincipal& who, const std::string& report_id,
                                    const std::string& lang);

  // body: {"decision": "approve"|"return", "comment": "...",
  //        "field_comments": {"field": "text"}, "server_version": n}
  // A return needs a comment or a field comment. Only a received report is
  // approved; a received or approved one may be returned. When
  // server_version is given and the report changed since, Conflict (reload).
  // Answers the ReportView after the review.
  Result<nlohmann::json> Review(const HqPrincipal& who, const std::string& report_id,
                                const nlohmann::json& body, const std::string& lang);

  // The bytes of a complete photo of a visible report. NotFound when the
  // report is not visible or does not refer to it; FailedPrecondition while
  // it is still uploading.
  Status Photo(const HqPrincipal& who, const std::string& report_id, const std::string& sha256,
               std::string* bytes, std::string* content_type);

  // Reports and key indicators per month and sector, per Framework measure,
  // per beneficiary group (LDC, LLDC, SIDS, other), and report locations.
  Result<nlohmann::json> Charts(const HqPrincipal& who, const QueryParams& params,
                                const std::string& lang);

  // The follow-up report (export.h) as JSON for the dashboard page.
  Result<nlohmann::json> FollowUp(const HqPrincipal& who, const QueryParams& params,
                                  const std::string& lang);

  // --- admin ---
  Result<nlohmann::json> Devices(const HqPrincipal& who);
  // body {"officer": "...", "region": "..."} -> {"code","officer","region","expires_at_ms"}
  Result<nlohmann::json> EnrollDevice(const HqPrincipal& who, const nlohmann::json& body);
  Status RevokeDevice(const HqPrincipal& who, const std::string& device_id);
  // Any role; limited to the principal's region.
  Result<nlohmann::json> Projects(const HqPrincipal& who);
  // body {"csv": "..."} -> {"imported": n}
  Result<nlohmann::json> ImportProjects(const HqPrincipal& who, const nlohmann::json& body);

 private:
  // The report when the principal may see it; NotFound otherwise.
  Result<StoredReport> VisibleReport(const HqPrincipal& who, const std::string& report_id);

  Service& service_;
};

}  // namespace fieldsync::server
