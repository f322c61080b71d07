// server/dashboard.cpp — the dashboard's queries and actions (dashboard.h).
#include "server/dashboard.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "schema/catalogue.h"
#include "server/export.h"

namespace fieldsync::server {
namespace {

using nlohmann::json;

bool IsPeriod(const std::string& s) {
  return s.size() == 7 && std::isdigit(static_cast<unsigned char>(s[0])) &&
         std::isdigit(static_cast<unsigned char>(s[1])) &&
         std::isdigit(static_cast<unsigned char>(s[2])) &&
         std::isdigit(static_cast<unsigned char>(s[3])) && s[4] == '-' &&
         ((s[5] == '0' && s[6] >= '1' && s[6] <= '9') ||
          (s[5] == '1' && s[6] >= '0' && s[6] <= '2'));
}

bool IsStatus(const std::string& s) {
  return s == "draft" || s == "received" || s == "approved" || s == "returned";
}

std::string Param(const QueryParams& p, const char* name) {
  auto it = p.find(name);
  if (it == p.end()) return "";
  std::string v = it->second;
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
  size_t start = 0;
  while (start < v.size() && std::isspace(static_cast<unsigned char>(v[start]))) ++start;
  return v.substr(start);
}

bool ParseSmallInt(const std::string& s, int lo, int hi, int* out) {
  if (s.empty() || s.size() > 6 || !std::all_of(s.begin(), s.end(), ::isdigit)) return false;
  int v = std::stoi(s);
  if (v < lo || v > hi) return false;
  *out = v;
  return true;
}

// "received_at_ms:id" — the keyset position after a row.
std::string Cursor(const InboxRow& r) { return std::to_string(r.received_at_ms) + ":" + r.id; }

bool ParseCursor(const std::string& s, int64_t* ms, std::string* id) {
  size_t colon = s.find(':');
  if (colon == std::string::npos || colon == 0 || colon > 18 || colon + 1 >= s.size()) return false;
  std::string n = s.substr(0, colon);
  if (!std::all_of(n.begin(), n.end(), ::isdigit)) return false;
  *ms = std::stoll(n);
  *id = s.substr(colon + 1);
  return id->size() <= 64;
}

Status ReadRegistry(Service& service, std::map<std::string, json>* out) {
  return service.storage().Read([&](StorageReader& tx) -> Status {
    auto projects = tx.ListProjects();
    if (!projects.ok()) return projects.status();
    for (StoredProject& p : *projects) {
      json data = p.data.is_object() ? std::move(p.data) : json::object();
      data["region"] = p.region;
      (*out)[p.code] = std::move(data);
    }
    return Status::Ok();
  });
}

bool RegionSees(const HqPrincipal& who, const std::string& project_region) {
  return who.region.empty() || project_region == who.region;
}

json HistoryJson(const HistoryRow& h, const schema::Form* form, const std::string& lang) {
  std::string label;
  if (form && !h.field.empty()) {
    if (const schema::Question* q = form->Find(h.field)) label = q->label.Get(lang);
  }
  return {{"at_ms", h.at_ms},   {"server_version", h.server_version},
          {"source", h.source}, {"author", h.author},
          {"field", h.field},   {"field_label", label},
          {"old", h.old_value}, {"new", h.new_value},
          {"note", h.note}};
}

json ReviewJson(const ::fieldsync::server::Review& r) {
  return {{"decision", r.decision},
          {"comment", r.comment},
          {"field_comments", r.field_comments.is_object() ? r.field_comments : json::object()},
          {"reviewer", r.reviewer},
          {"at_ms", r.at_ms},
          {"server_version", r.server_version}};
}

std::string SniffImageType(std::string_view b) {
  if (b.size() >= 3 && static_cast<unsigned char>(b[0]) == 0xff &&
      static_cast<unsigned char>(b[1]) == 0xd8)
    return "image/jpeg";
  if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8))
    return "image/png";
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return "image/webp";
  if (b.size() >= 6 && (b.substr(0, 6) == "GIF87a" || b.substr(0, 6) == "GIF89a"))
    return "image/gif";
  return "application/octet-stream";
}

}  // namespace

std::string PickLanguage(const std::string& lang) {
  for (std::string_view l : schema::kLanguages)
    if (lang == l) return lang;
  return "en";
}

Result<ReportFilter> ParseReportFilter(const QueryParams& params, const HqPrincipal& who) {
  ReportFilter f;
  f.sector = Param(params, "sector");
  if (!f.sector.empty() && !schema::IsSector(f.sector))
    return Status::InvalidArgument("sector '" + f.sector + "' is not one of the known sectors");
  f.country = Param(params, "country");
  for (char& c : f.country) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!f.country.empty() &&
      (f.country.size() != 3 || !std::all_of(f.country.begin(), f.country.end(), ::isupper)))
    return Status::InvalidArgument("country is a 3-letter ISO 3166 code such as MOZ, not '" +
                                   f.country + "'");
  std::string measure = Param(params, "measure");
  if (!measure.empty() && !ParseSmallInt(measure, 1, 50, &f.measure))
    return Status::InvalidArgument("measure is a Framework measure number from 1 to 50, not '" +
                                   measure + "'");
  f.project = Param(params, "project");
  f.form_id = Param(params, "form");
  f.status = Param(params, "status");
  if (!f.status.empty() && !IsStatus(f.status))
    return Status::InvalidArgument("status is draft, received, approved or returned, not '" +
                                   f.status + "'");
  f.officer = Param(params, "officer");
  f.period_from = Param(params, "from");
  f.period_to = Param(params, "to");
  if (!f.period_from.empty() && !IsPeriod(f.period_from))
    return Status::InvalidArgument("'from' is a month as YYYY-MM, not '" + f.period_from + "'");
  if (!f.period_to.empty() && !IsPeriod(f.period_to))
    return Status::InvalidArgument("'to' is a month as YYYY-MM, not '" + f.period_to + "'");
  f.search = Param(params, "q");
  if (f.search.size() > 200) return Status::InvalidArgument("the search text is too long");
  f.region = who.region;
  if (who.region.empty()) f.region = Param(params, "region");
  return f;
}

json HqDashboard::Me(const HqPrincipal& who) const {
  return {{"user", who.user},
          {"role", std::string(HqRoleName(who.role))},
          {"region", who.region},
          {"expires_at_ms", who.expires_at_ms},
          {"can_review", who.AtLeast(HqRole::kReviewer)},
          {"is_admin", who.AtLeast(HqRole::kAdmin)}};
}

Result<StoredReport> HqDashboard::VisibleReport(const HqPrincipal& who,
                                                const std::string& report_id) {
  std::optional<StoredReport> report;
  std::string region;
  FS_RETURN_IF_ERROR(service_.storage().Read([&](StorageReader& tx) -> Status {
    auto r = tx.FindReport(report_id);
    if (!r.ok()) return r.status();
    report = std::move(r).value();
    if (!report) return Status::Ok();
    auto p = tx.FindProject(report->project);
    if (!p.ok()) return p.status();
    if (p->has_value()) region = (*p)->region;
    return Status::Ok();
  }));
  if (!report || !RegionSees(who, region))
    return Status::NotFound("no report '" + report_id + "'" +
                            (who.region.empty() ? "" : " in region " + who.region));
  return std::move(*report);
}

Result<json> HqDashboard::Inbox(const HqPrincipal& who, const QueryParams& params) {
  auto filter = ParseReportFilter(params, who);
  if (!filter.ok()) return filter.status();
  InboxQuery q;
  q.filter = std::move(filter).value();
  q.limit = kInboxDefaultLimit;
  std::string limit = Param(params, "limit");
  if (!limit.empty() && !ParseSmallInt(limit, 1, kInboxMaxLimit, &q.limit))
    return Status::InvalidArgument("limit is a number from 1 to " + std::to_string(kInboxMaxLimit) +
                                   ", not '" + limit + "'");
  std::string after = Param(params, "after");
  if (!after.empty()) {
    if (!ParseCursor(after, &q.after_received_ms, &q.after_id))
      return Status::InvalidArgument(
          "'after' is not a cursor this server gave; start from the "
          "first page");
    q.has_after = true;
  }
  q.count_limit = kInboxCountCap + 1;
  InboxPage page;
  std::map<std::string, json> registry;
  FS_RETURN_IF_ERROR(service_.storage().CatchUpDerived());  // exact search and totals
  FS_RETURN_IF_ERROR(service_.storage().Read([&](StorageReader& tx) -> Status {
    auto p = tx.QueryInbox(q);
    if (!p.ok()) return p.status();
    page = std::move(p).value();
    // Only the projects on this page.
    for (const InboxRow& r : page.rows) {
      if (registry.count(r.project)) continue;
      auto proj = tx.FindProject(r.project);
      if (!proj.ok()) return proj.status();
      registry[r.project] = proj->has_value() ? (*proj)->data : json::object();
    }
    return Status::Ok();
  }));
  json rows = json::array();
  for (const InboxRow& r : page.rows) {
    const json& p = registry[r.project];
    rows.push_back({{"id", r.id},
                    {"project", r.project},
                    {"project_title", p.value("title", std::string())},
                    {"sector", p.value("sector", std::string())},
                    {"countries", p.value("beneficiaries", json::array())},
                    {"form_id", r.form_id},
                    {"form_version", r.form_version},
                    {"period", r.period},
                    {"status", r.status},
                    {"author", r.author},
                    {"device_id", r.device_id},
                    {"server_version", r.server_version},
                    {"received_at_ms", r.received_at_ms}});
  }
  json next = nullptr;
  if (page.more && !page.rows.empty()) next = Cursor(page.rows.back());
  bool capped = page.total > kInboxCountCap;
  return json{{"rows", std::move(rows)},
              {"next", next},
              {"total", capped ? kInboxCountCap : page.total},
              {"total_capped", capped}};
}

Result<json> HqDashboard::Facets(const HqPrincipal& who, const std::string& lang) {
  std::map<std::string, json> registry;
  FS_RETURN_IF_ERROR(ReadRegistry(service_, &registry));
  std::vector<std::string> officers;
  ReportFilter scope;
  scope.region = who.region;
  FS_RETURN_IF_ERROR(service_.storage().Read([&](StorageReader& tx) -> Status {
    auto a = tx.ReportAuthors(scope);
    if (!a.ok()) return a.status();
    officers = std::move(a).value();
    return Status::Ok();
  }));
  std::set<std::string> countries;
  std::set<int> measures_used;
  json projects = json::array();
  for (const auto& [code, p] : registry) {
    if (!RegionSees(who, p.value("region", std::string()))) continue;
    projects.push_back({{"code", code},
                        {"title", p.value("title", std::string())},
                        {"sector", p.value("sector", std::string())}});
    for (const char* k : {"beneficiaries", "providers"})
      for (const json& c : p.value(k, json::array()))
        if (c.is_string()) countries.insert(c.get<std::string>());
    for (const json& m : p.value("measures", json::array()))
      if (m.is_number_integer()) measures_used.insert(m.get<int>());
  }
  json measures = json::array();
  for (const schema::Measure& m : schema::FrameworkMeasures())
    measures.push_back({{"number", m.number},
                        {"title", std::string(m.title)},
                        {"area", std::string(m.area)},
                        {"used", measures_used.count(m.number) > 0}});
  json sectors = json::array();
  for (std::string_view s : schema::Sectors()) sectors.push_back(std::string(s));
  json forms = json::array();
  auto all = LoadAllForms(service_);
  if (!all.ok()) return all.status();
  std::set<std::string> seen;
  for (auto it = all->rbegin(); it != all->rend(); ++it)  // latest version's title
    if (seen.insert((*it)->id).second)
      forms.push_back({{"id", (*it)->id}, {"title", (*it)->title.Get(lang)}});
  std::reverse(forms.begin(), forms.end());
  return json{{"sectors", sectors},
              {"countries", json(std::vector<std::string>(countries.begin(), countries.end()))},
              {"projects", projects},
              {"measures", measures},
              {"officers", officers},
              {"statuses", {"received", "approved", "returned", "draft"}},
              {"forms", forms},
              {"languages", {"en", "fr", "es", "pt"}}};
}

Result<json> HqDashboard::ReportView(const HqPrincipal& who, const std::string& report_id,
                                     const std::string& lang_in) {
  const std::string lang = PickLanguage(lang_in);
  auto found = VisibleReport(who, report_id);
  if (!found.ok()) return found.status();
  const StoredReport& r = *found;
  std::vector<HistoryRow> history;
  std::vector<::fieldsync::server::Review> reviews;
  std::optional<StoredProject> project;
  std::optional<Device> device;
  std::map<std::string, AttachmentState> attachments;
  auto form = service_.FindForm(r.form_id, r.form_version);
  std::vector<std::string> photo_hashes;
  if (form) {
    for (const schema::Question& q : form->questions) {
      if (q.type != schema::QuestionType::kPhoto) continue;
      auto v = r.values.find(q.name);
      if (v != r.values.end() && v->is_string()) photo_hashes.push_back(v->get<std::string>());
    }
  }
  FS_RETURN_IF_ERROR(service_.storage().Read([&](StorageReader& tx) -> Status {
    auto h = tx.History(r.id);
    if (!h.ok()) return h.status();
    history = std::move(h).value();
    auto rv = tx.Reviews(r.id);
    if (!rv.ok()) return rv.status();
    reviews = std::move(rv).value();
    auto p = tx.FindProject(r.project);
    if (!p.ok()) return p.status();
    project = std::move(p).value();
    auto d = tx.FindDevice(r.device_id);
    if (!d.ok()) return d.status();
    device = std::move(d).value();
    for (const std::string& sha : photo_hashes) {
      auto a = tx.FindAttachment(sha);
      if (!a.ok()) return a.status();
      attachments[sha] = a->value_or(AttachmentState{sha, 0, 0, false});
    }
    return Status::Ok();
  }));
  const ::fieldsync::server::Review* latest = reviews.empty() ? nullptr : &reviews.back();
  json fields = json::array();
  json photos = json::array();
  std::set<std::string> shown;
  if (form) {
    for (const schema::Question& q : form->questions) {
      if (!q.HoldsValue()) continue;
      auto v = r.values.find(q.name);
      if (v == r.values.end() || v->is_null()) continue;
      shown.insert(q.name);
      json field = {{"name", q.name},
                    {"label", q.label.Get(lang)},
                    {"type", std::string(schema::QuestionTypeName(q.type))},
                    {"value", *v},
                    {"text", schema::FormatValue(q, *v, lang)}};
      if (q.type == schema::QuestionType::kPhoto && v->is_string()) {
        const AttachmentState& a = attachments[v->get<std::string>()];
        json photo = {{"field", q.name},    {"label", q.label.Get(lang)},
                      {"sha256", a.sha256}, {"received", a.received},
                      {"total", a.total},   {"complete", a.complete}};
        field["photo"] = photo;
        photos.push_back(photo);
      }
      fields.push_back(std::move(field));
    }
  }
  for (auto v = r.values.begin(); v != r.values.end(); ++v) {
    if (shown.count(v.key()) || v->is_null()) continue;
    fields.push_back({{"name", v.key()},
                      {"label", v.key()},
                      {"type", "unknown"},
                      {"value", *v},
                      {"text", v->is_string() ? v->get<std::string>() : v->dump()}});
  }
  json hist = json::array();
  for (const HistoryRow& h : history) hist.push_back(HistoryJson(h, form.get(), lang));
  json revs = json::array();
  for (const ::fieldsync::server::Review& rv : reviews) revs.push_back(ReviewJson(rv));
  const bool reviewer = who.AtLeast(HqRole::kReviewer);
  json project_json = nullptr;
  if (project) {
    project_json = project->data;
    project_json["region"] = project->region;
  }
  return json{
      {"report",
       {{"id", r.id},
        {"project", r.project},
        {"form_id", r.form_id},
        {"form_version", r.form_version},
        {"period", r.period},
        {"status", r.status},
        {"author", r.author},
        {"device_id", r.device_id},
        {"device_name", device ? device->name : ""},
        {"officer", device ? device->officer : ""},
        {"server_version", r.server_version},
        {"created_at_ms", r.created_at_ms},
        {"updated_at_ms", r.updated_at_ms},
        {"received_at_ms", r.received_at_ms}}},
      {"project", project_json},
      {"form",
       form ? json{{"id", form->id}, {"version", form->version}, {"title", form->title.Get(lang)}}
            : json(nullptr)},
      {"fields", fields},
      {"photos", photos},
      {"history", hist},
      {"reviews", revs},
      {"latest_review", latest ? ReviewJson(*latest) : json(nullptr)},
      {"can_approve", reviewer && r.status == "received"},
      {"can_return", reviewer && (r.status == "received" || r.status == "approved")},
      {"lang", lang}};
}

Result<json> HqDashboard::Review(const HqPrincipal& who, const std::string& report_id,
                                 const json& body, const std::string& lang) {
  FS_RETURN_IF_ERROR(RequireRole(who, HqRole::kReviewer, "approving or returning reports"));
  if (!body.is_object())
    return Status::InvalidArgument(
        "a review is a JSON object {\"decision\", \"comment\", "
        "\"field_comments\"}");
  std::string decision = body.value("decision", std::string());
  if (decision != "approve" && decision != "return")
    return Status::InvalidArgument("decision is 'approve' or 'return'");
  json comment_j = body.value("comment", json(""));
  if (!comment_j.is_string()) return Status::InvalidArgument("comment must be text");
  std::string comment = comment_j.get<std::string>();
  if (comment.size() > 4000)
    return Status::InvalidArgument("the comment is too long (4000 characters at most)");
  json field_comments = json::object();
  if (body.contains("field_comments") && !body["field_comments"].is_null()) {
    if (!body["field_comments"].is_object())
      return Status::InvalidArgument("field_comments maps field names to text");
    for (auto it = body["field_comments"].begin(); it != body["field_comments"].end(); ++it) {
      if (!it->is_string())
        return Status::InvalidArgument("the comment on field '" + it.key() + "' must be text");
      std::string text = it->get<std::string>();
      if (text.find_first_not_of(" \t\r\n") == std::string::npos) continue;  // blank: none
      field_comments[it.key()] = text;
    }
  }
  auto found = VisibleReport(who, report_id);
  if (!found.ok()) return found.status();
  const StoredReport& r = *found;
  if (body.contains("server_version") && body["server_version"].is_number_integer() &&
      body["server_version"].get<int64_t>() != r.server_version)
    return Status::Conflict("report " + report_id + " changed since you opened it (now " +
                            r.status + ", version " + std::to_string(r.server_version) +
                            "); reload it and review again");
  if (decision == "approve" && r.status != "received")
    return Status::FailedPrecondition(
        "report " + report_id + " is " + r.status + "; only a received report can be approved" +
        (r.status == "returned" ? " (it waits for the officer's corrections)" : ""));
  if (decision == "return" && r.status != "received" && r.status != "approved")
    return Status::FailedPrecondition("report " + report_id + " is " + r.status +
                                      "; only a received or approved report can be returned");
  if (decision == "return" && comment.find_first_not_of(" \t\r\n") == std::string::npos &&
      field_comments.empty())
    return Status::InvalidArgument(
        "say what the officer should correct: write a comment on the "
        "report or on a field");
  if (!field_comments.empty()) {
    auto form = service_.FindForm(r.form_id, r.form_version);
    for (auto it = field_comments.begin(); it != field_comments.end(); ++it)
      if (form && !form->Find(it.key()))
        return Status::InvalidArgument("form '" + form->Key() + "' has no field '" + it.key() +
                                       "'");
  }
  auto reviewed = service_.ReviewReport(report_id, decision, comment, field_comments, who.user);
  if (!reviewed.ok()) return reviewed.status();
  return ReportView(who, report_id, lang);
}

Status HqDashboard::Photo(const HqPrincipal& who, const std::string& report_id,
                          const std::string& sha256, std::string* bytes,
                          std::string* content_type) {
  auto found = VisibleReport(who, report_id);
  if (!found.ok()) return found.status();
  bool referenced = false;
  for (auto v = found->values.begin(); v != found->values.end(); ++v)
    if (v->is_string() && v->get<std::string>() == sha256) referenced = true;
  if (!referenced) return Status::NotFound("report " + report_id + " has no photo " + sha256);
  bytes->clear();
  FS_RETURN_IF_ERROR(service_.storage().Read([&](StorageReader& tx) -> Status {
    auto a = tx.FindAttachment(sha256);
    if (!a.ok()) return a.status();
    if (!a->has_value() || !(*a)->complete)
      return Status::FailedPrecondition("this photo has not reached HQ yet (" +
                                        std::to_string(a->has_value() ? (*a)->received : 0) +
                                        " of " + std::to_string(a->has_value() ? (*a)->total : 0) +
                                        " bytes); it arrives with the device's next sync");
    return tx.ReadAttachment(sha256, [&](std::string_view chunk) {
      bytes->append(chunk);
      return Status::Ok();
    });
  }));
  *content_type = SniffImageType(*bytes);
  return Status::Ok();
}

Result<json> HqDashboard::Charts(const HqPrincipal& who, const QueryParams& params,
                                 const std::string& lang_in) {
  const std::string lang = PickLanguage(lang_in);
  auto filter = ParseReportFilter(params, who);
  if (!filter.ok()) return filter.status();
  auto forms = LoadAllForms(service_);
  if (!forms.ok()) return forms.status();
  std::vector<KeyIndicator> indicators = KeyIndicatorsOf(*forms);
  std::vector<std::string> fields;
  for (const KeyIndicator& k : indicators) fields.push_back(k.field);
  std::map<std::string, json> registry;
  FS_RETURN_IF_ERROR(ReadRegistry(service_, &registry));
  std::vector<ReportAggregate> aggregates;
  std::vector<ReportPoint> points;
  FS_RETURN_IF_ERROR(service_.storage().CatchUpDerived());  // exact counts and sums
  FS_RETURN_IF_ERROR(service_.storage().Read([&](StorageReader& tx) -> Status {
    auto a = tx.AggregateReports(*filter, fields);
    if (!a.ok()) return a.status();
    aggregates = std::move(a).value();
    auto p = tx.ReportPoints(*filter, 5000);
    if (!p.ok()) return p.status();
    points = std::move(p).value();
    return Status::Ok();
  }));
  struct Cell {
    int64_t reports = 0;
    std::set<std::string> projects;
    std::map<std::string, double> sums;
    void Add(const ReportAggregate& a) {
      reports += a.reports;
      projects.insert(a.project);
      for (const auto& [k, v] : a.sums) sums[k] += v;
    }
  };
  std::map<std::pair<std::string, std::string>, Cell> by_month_sector;
  std::map<int, Cell> by_measure;
  std::map<std::string, Cell> by_group;
  std::set<std::string> months;
  int64_t total = 0;
  for (const ReportAggregate& a : aggregates) {
    auto it = registry.find(a.project);
    const json empty = json::object();
    const json& p = it == registry.end() ? empty : it->second;
    std::string sector = p.value("sector", std::string("unknown"));
    by_month_sector[{a.period, sector}].Add(a);
    months.insert(a.period);
    total += a.reports;
    for (const json& m : p.value("measures", json::array()))
      if (m.is_number_integer()) by_measure[m.get<int>()].Add(a);
    std::vector<std::string> groups;
    if (p.value("ldc", false)) groups.push_back("LDC");
    if (p.value("lldc", false)) groups.push_back("LLDC");
    if (p.value("sids", false)) groups.push_back("SIDS");
    if (groups.empty()) groups.push_back("other");
    for (const std::string& g : groups) by_group[g].Add(a);
  }
  auto sums_json = [](const std::map<std::string, double>& s) {
    json j = json::object();
    for (const auto& [k, v] : s) j[k] = v;
    return j;
  };
  json bms = json::array();
  for (const auto& [key, c] : by_month_sector)
    bms.push_back({{"period", key.first},
                   {"sector", key.second},
                   {"reports", c.reports},
                   {"sums", sums_json(c.sums)}});
  json bm = json::array();
  for (const auto& [m, c] : by_measure) {
    const schema::Measure* measure = schema::FindMeasure(m);
    bm.push_back({{"measure", m},
                  {"title", measure ? std::string(measure->title) : ""},
                  {"reports", c.reports},
                  {"projects", static_cast<int64_t>(c.projects.size())},
                  {"sums", sums_json(c.sums)}});
  }
  json bg = json::array();
  for (const char* g : {"LDC", "LLDC", "SIDS", "other"}) {
    auto it = by_group.find(g);
    Cell c = it == by_group.end() ? Cell{} : it->second;
    bg.push_back({{"group", g},
                  {"reports", c.reports},
                  {"projects", static_cast<int64_t>(c.projects.size())},
                  {"sums", sums_json(c.sums)}});
  }
  json pts = json::array();
  for (const ReportPoint& p : points) {
    auto it = registry.find(p.project);
    pts.push_back(
        {{"id", p.report_id},
         {"project", p.project},
         {"sector", it == registry.end() ? "unknown" : it->second.value("sector", "unknown")},
         {"status", p.status},
         {"lat", p.lat},
         {"lon", p.lon}});
  }
  json ind = json::array();
  for (const KeyIndicator& k : indicators)
    ind.push_back({{"field", k.field}, {"sector", k.sector}, {"label", k.label.Get(lang)}});
  return json{{"indicators", ind},
              {"months", json(std::vector<std::string>(months.begin(), months.end()))},
              {"by_month_sector", bms},
              {"by_measure", bm},
              {"by_group", bg},
              {"points", pts},
              {"total_reports", total},
              {"selection", DescribeFilter(*filter)}};
}

Result<json> HqDashboard::FollowUp(const HqPrincipal& who, const QueryParams& params,
                                   const std::string& lang) {
  auto filter = ParseReportFilter(params, who);
  if (!filter.ok()) return filter.status();
  auto fu = BuildFollowUp(service_, *filter);
  if (!fu.ok()) return fu.status();
  return FollowUpToJson(*fu, PickLanguage(lang));
}

Result<json> HqDashboard::Devices(const HqPrincipal& who) {
  FS_RETURN_IF_ERROR(RequireRole(who, HqRole::kAdmin, "managing devices"));
  auto devices = service_.ListDevices();
  if (!devices.ok()) return devices.status();
  json out = json::array();
  for (const Device& d : *devices)
    out.push_back({{"id", d.id},
                   {"name", d.name},
                   {"officer", d.officer},
                   {"region", d.region},
                   {"enrolled_at_ms", d.enrolled_at_ms},
                   {"last_seen_ms", d.last_seen_ms},
                   {"revoked", d.revoked()},
                   {"revoked_at_ms", d.revoked_at_ms}});
  return json{{"devices", out}};
}

Result<json> HqDashboard::EnrollDevice(const HqPrincipal& who, const json& body) {
  FS_RETURN_IF_ERROR(RequireRole(who, HqRole::kAdmin, "enrolling devices"));
  if (!body.is_object() || !body.contains("officer") || !body["officer"].is_string())
    return Status::InvalidArgument(
        "give the officer's name: {\"officer\": \"...\", \"region\": \"...\"}");
  std::string officer = body["officer"].get<std::string>();
  if (officer.find_first_not_of(" \t") == std::string::npos)
    return Status::InvalidArgument("the officer's name is empty");
  std::string region = body.value("region", std::string());
  auto code = service_.CreateEnrollCode(officer, region);
  if (!code.ok()) return code.status();
  return json{
      {"code", *code},
      {"officer", officer},
      {"region", region},
      {"expires_at_ms", service_.Now() + std::chrono::milliseconds(kEnrollCodeLifetime).count()}};
}

Status HqDashboard::RevokeDevice(const HqPrincipal& who, const std::string& device_id) {
  FS_RETURN_IF_ERROR(RequireRole(who, HqRole::kAdmin, "revoking devices"));
  return service_.RevokeDevice(device_id);
}

Result<json> HqDashboard::Projects(const HqPrincipal& who) {
  std::map<std::string, json> registry;
  FS_RETURN_IF_ERROR(ReadRegistry(service_, &registry));
  json out = json::array();
  for (auto& [code, p] : registry)
    if (RegionSees(who, p.value("region", std::string()))) out.push_back(p);
  return json{{"projects", out}, {"can_import", who.AtLeast(HqRole::kAdmin)}};
}

Result<json> HqDashboard::ImportProjects(const HqPrincipal& who, const json& body) {
  FS_RETURN_IF_ERROR(RequireRole(who, HqRole::kAdmin, "importing the project registry"));
  if (!body.is_object() || !body.contains("csv") || !body["csv"].is_string())
    return Status::InvalidArgument("send the registry as {\"csv\": \"code,title,...\"}");
  auto n = service_.ImportProjectsCsv(body["csv"].get<std::string>());
  if (!n.ok()) return n.status();
  return json{{"imported", *n}};
}

}  // namespace fieldsync::server
