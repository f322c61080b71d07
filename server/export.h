// server/export.h — what HQ takes out of the server: report exports (CSV with
// a labels file, JSON, GeoJSON) and the follow-up report by Framework measure.
//
// Every export takes a ReportFilter (storage.h): the admin CLI passes an empty
// one (everything), the dashboard passes the signed-in user's filter with
// their region applied. Reports are read from one snapshot.
//
// CSV (RFC 4180, UTF-8, "\n" line ends): a header row of column names, then a
// row per report. Columns: id, project, form_id, form_version, period,
// status, author, device_id, server_version, created_at_ms, updated_at_ms,
// then one column per form field — every stored form's questions in form
// order (forms by id, then version; the first form to name a field places
// it), then any other answer name the reports hold, sorted. Cells: text as
// is, select_multiple as names separated by spaces, geopoints "lat lon",
// numbers as JSON writes them, no answer as an empty cell.
// The labels file (CSV) describes each column of that header, in the same
// order: column, label (in the asked language), type, form(s), choices
// ("name=label; ...").
//
// JSON: an array of the report JSON of docs/protocol.md plus "device_id".
// GeoJSON: a FeatureCollection with a Point feature per report that has a
// geopoint answer (its first one), properties as in JSON plus
// "location_field".
//
// Follow-up report: for each Framework measure, sector and beneficiary group
// (LDC, LLDC, SIDS, other — a project in several groups counts in each), the
// number of registered projects implementing the measure, how many of them
// reported, the number of reports, and the sum of each key indicator over
// those reports. Unless the filter names statuses, only received and
// approved reports count (not drafts, not reports returned for correction).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"
#include "schema/form.h"
#include "server/service.h"
#include "server/storage.h"

namespace fieldsync::server {

// A numeric question HQ follows across reports.
struct KeyIndicator {
  std::string field;  // the question's name
  std::string form_id;
  std::string sector;  // the form's sector
  schema::LocalizedText label;
};

// Every stored form (the latest version of each id last), parsed.
Result<std::vector<std::shared_ptr<const schema::Form>>> LoadAllForms(Service& service);

// The key indicators of the stored forms: for the shipped forms a chosen
// few headline counts (people tested and treated, learners, farmers and
// hectares, ...); for any other form, its integer and decimal questions.
std::vector<KeyIndicator> KeyIndicatorsOf(
    const std::vector<std::shared_ptr<const schema::Form>>& forms);

// Whether a report matches a filter, given the registry (code -> project
// JSON). Exports use this; the inbox asks the storage (the same rules).
class ReportMatcher {
 public:
  ReportMatcher(ReportFilter filter, const std::vector<StoredProject>& projects);
  bool Matches(const StoredReport& report) const;

 private:
  ReportFilter filter_;
  std::map<std::string, nlohmann::json> projects_;
  std::string search_lower_;
};

enum class ReportExportFormat { kCsv, kJson, kGeoJson };

// Writes the matching reports to `out`; for CSV, the labels file to `labels`
// too when it is not null (`lang`: en, fr, es or pt). Errors: the storage's,
// IOError when a stream fails.
Status ExportReports(Service& service, ReportExportFormat format, const ReportFilter& filter,
                     std::ostream& out, std::ostream* labels = nullptr,
                     const std::string& lang = "en");

struct FollowUpRow {
  int measure = 0;
  std::string sector;
  std::string group;               // "LDC", "LLDC", "SIDS", "other"
  int64_t projects = 0;            // registered projects implementing the measure
  int64_t projects_reporting = 0;  // of those, with at least one counted report
  int64_t reports = 0;
  std::map<std::string, double> sums;  // key indicator field -> sum
};

struct FollowUp {
  std::vector<KeyIndicator> indicators;
  std::vector<FollowUpRow> rows;  // by measure, sector, group
  ReportFilter filter;            // as applied (statuses filled in)
  int64_t generated_at_ms = 0;
  int64_t reports_counted = 0;  // distinct reports behind the table
};

Result<FollowUp> BuildFollowUp(Service& service, const ReportFilter& filter);
// CSV columns: measure, measure_title, sector, beneficiary_group, projects,
// projects_reporting, reports, then one column per key indicator field.
Status WriteFollowUpCsv(const FollowUp& followup, std::ostream& out);
// A self-contained printable HTML page (no scripts, no external resources).
Status WriteFollowUpHtml(const FollowUp& followup, std::ostream& out,
                         const std::string& lang = "en");
nlohmann::json FollowUpToJson(const FollowUp& followup, const std::string& lang = "en");

// Text for a person describing what a filter selects ("all reports" when
// empty), used in export headings.
std::string DescribeFilter(const ReportFilter& filter);

// HTML-escapes text (&, <, >, ", ').
std::string HtmlEscape(std::string_view text);

}  // namespace fieldsync::server
