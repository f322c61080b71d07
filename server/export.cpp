// server/export.cpp — report exports and the follow-up report (export.h).
#include "server/export.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <set>

#include "common/text.h"
#include "schema/catalogue.h"
#include "server/merge.h"

namespace fieldsync::server {
namespace {

using nlohmann::json;

// The headline counts of the shipped forms, in the order reports show them.
const std::map<std::string, std::vector<std::string>>& ChosenIndicators() {
  static const std::map<std::string, std::vector<std::string>> chosen = {
      {"health",
       {"hiv_tested", "hiv_treatment", "malaria_tested", "malaria_treated", "bednets_distributed",
        "tb_screened", "tb_treatment"}},
      {"education",
       {"learners_enrolled", "learners_completed", "women_enrolled", "teachers_trained"}},
      {"agriculture",
       {"farmers_trained", "women_farmers", "hectares_planted", "irrigation_schemes"}},
  };
  return chosen;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Contains(const json& list, const json& value) {
  if (!list.is_array()) return false;
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string CsvCell(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string CellText(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out;
    for (const json& x : v) {
      if (!out.empty()) out += ' ';
      out += x.is_string() ? x.get<std::string>() : x.dump();
    }
    return out;
  }
  if (v.is_object() && v.contains("lat") && v.contains("lon"))
    return v["lat"].dump() + " " + v["lon"].dump();
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A sum as a person reads it: whole numbers without ".0", others to 2 places.
std::string NumberText(double v) {
  char buf[64];
  if (std::fabs(v - std::round(v)) < 1e-9 && std::fabs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// A whole number with thin grouping for the printable page (12 345).
std::string GroupedText(double v) {
  std::string s = NumberText(v);
  size_t end = s.find('.');
  if (end == std::string::npos) end = s.size();
  size_t start = (s[0] == '-') ? 1 : 0;
  for (int64_t i = static_cast<int64_t>(end) - 3; i > static_cast<int64_t>(start); i -= 3)
    s.insert(static_cast<size_t>(i), "\u202f");
  return s;
}

Status ReadProjects(Service& service, std::vector<StoredProject>* out) {
  return service.storage().Read([&](StorageReader& tx) -> Status {
    auto p = tx.ListProjects();
    if (!p.ok()) return p.status();
    *out = std::move(p).value();
    return Status::Ok();
  });
}

const std::vector<std::string>& GroupOrder() {
  static const std::vector<std::string> order = {"LDC", "LLDC", "SIDS", "other"};
  return order;
}

std::vector<std::string> GroupsOf(const json& project) {
  std::vector<std::string> g;
  if (project.value("ldc", false)) g.push_back("LDC");
  if (project.value("lldc", false)) g.push_back("LLDC");
  if (project.value("sids", false)) g.push_back("SIDS");
  if (g.empty()) g.push_back("other");
  return g;
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

Result<std::vector<std::shared_ptr<const schema::Form>>> LoadAllForms(Service& service) {
  std::vector<std::pair<std::string, int>> keys;
  FS_RETURN_IF_ERROR(service.storage().Read([&](StorageReader& tx) -> Status {
    auto forms = tx.ListForms();
    if (!forms.ok()) return forms.status();
    for (const json& def : *forms) {
      if (!def.is_object() || !def.contains("id") || !def["id"].is_string() ||
          !def.contains("version") || !def["version"].is_number_integer())
        return Status::Corruption("a stored form definition has no id or version");
      keys.emplace_back(def["id"].get<std::string>(), def["version"].get<int>());
    }
    return Status::Ok();
  }));
  std::vector<std::shared_ptr<const schema::Form>> out;
  for (const auto& [id, version] : keys) {
    auto f = service.FindForm(id, version);
    if (!f)
      return Status::Corruption("stored form " + id + "@" + std::to_string(version) +
                                " does not parse");
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<KeyIndicator> KeyIndicatorsOf(
    const std::vector<std::shared_ptr<const schema::Form>>& forms) {
  // The latest version of each form decides its indicators.
  std::map<std::string, std::shared_ptr<const schema::Form>> latest;
  for (const auto& f : forms) {
    auto& slot = latest[f->id];
    if (!slot || slot->version < f->version) slot = f;
  }
  std::vector<KeyIndicator> out;
  std::set<std::string> seen;
  auto add = [&](const schema::Form& form, const schema::Question& q) {
    if (!seen.insert(q.name).second) return;
    out.push_back({q.name, form.id, form.sector, q.label});
  };
  for (const auto& [id, form] : latest) {
    auto chosen = ChosenIndicators().find(id);
    if (chosen != ChosenIndicators().end()) {
      for (const std::string& name : chosen->second)
        if (const schema::Question* q = form->Find(name)) add(*form, *q);
      continue;
    }
    for (const schema::Question& q : form->questions)
      if (q.type == schema::QuestionType::kInteger || q.type == schema::QuestionType::kDecimal)
        add(*form, q);
  }
  return out;
}

// --- filtering in memory ---

ReportMatcher::ReportMatcher(ReportFilter filter, const std::vector<StoredProject>& projects)
    : filter_(std::move(filter)), search_lower_(Lower(filter_.search)) {
  for (const StoredProject& p : projects) {
    json data = p.data.is_object() ? p.data : json::object();
    data["region"] = p.region;
    projects_[p.code] = std::move(data);
  }
}

bool ReportMatcher::Matches(const StoredReport& r) const {
  const ReportFilter& f = filter_;
  if (!f.project.empty() && r.project != f.project) return false;
  if (!f.form_id.empty() && r.form_id != f.form_id) return false;
  if (!f.status.empty() && r.status != f.status) return false;
  if (!f.statuses.empty() &&
      std::find(f.statuses.begin(), f.statuses.end(), r.status) == f.statuses.end())
    return false;
  if (!f.officer.empty() && r.author != f.officer) return false;
  if (!f.period_from.empty() && r.period < f.period_from) return false;
  if (!f.period_to.empty() && r.period > f.period_to) return false;
  const bool project_level =
      !f.region.empty() || !f.sector.empty() || !f.country.empty() || f.measure > 0;
  auto it = projects_.find(r.project);
  if (project_level) {
    if (it == projects_.end()) return false;
    const json& p = it->second;
    if (!f.region.empty() && p.value("region", std::string()) != f.region) return false;
    if (!f.sector.empty() && p.value("sector", std::string()) != f.sector) return false;
    if (!f.country.empty() && !Contains(p.value("beneficiaries", json::array()), f.country) &&
        !Contains(p.value("providers", json::array()), f.country))
      return false;
    if (f.measure > 0 && !Contains(p.value("measures", json::array()), f.measure)) return false;
  }
  if (!search_lower_.empty()) {
    // The rules of ReportFilter::search (the inbox's full-text index).
    bool hit =
        it != projects_.end() &&
        Lower(it->second.value("title", std::string())).find(search_lower_) != std::string::npos;
    if (!hit) {
      std::vector<std::string> words;
      auto add = [&](const std::string& text) {
        for (std::string& w : SearchTokens(text)) words.push_back(std::move(w));
      };
      add(r.id);
      add(r.author);
      add(r.project);
      for (auto v = r.values.begin(); v != r.values.end(); ++v)
        if (v->is_string()) add(v->get<std::string>());
      const std::vector<std::string> wanted = SearchTokens(filter_.search);
      hit = !wanted.empty();
      for (const std::string& w : wanted) {
        bool found = std::any_of(words.begin(), words.end(),
                                 [&](const std::string& x) { return x.rfind(w, 0) == 0; });
        if (!found) hit = false;
      }
    }
    if (!hit) return false;
  }
  return true;
}

// --- report exports ---

namespace {

struct Column {
  std::string name;
  const schema::Question* question = nullptr;  // of the first form naming it
  std::vector<std::string> forms;              // "id@version" of every form naming it
};

Status WriteLabels(const std::vector<Column>& fields, const std::string& lang, std::ostream& out) {
  out << "column,label,type,forms,choices\n";
  static const std::pair<const char*, const char*> fixed[] = {
      {"id", "Report id"},
      {"project", "Project code"},
      {"form_id", "Form"},
      {"form_version", "Form version"},
      {"period", "Reporting period (YYYY-MM)"},
      {"status", "Status (draft, received, approved, returned)"},
      {"author", "Field officer"},
      {"device_id", "Device"},
      {"server_version", "Server version of the report"},
      {"created_at_ms", "Created on the device (ms since 1970, device clock)"},
      {"updated_at_ms", "Last edited on the device (ms since 1970, device clock)"}};
  for (const auto& [name, label] : fixed) out << name << ',' << CsvCell(label) << ",,,\n";
  for (const Column& c : fields) {
    std::string label, type, choices, forms;
    if (c.question) {
      label = c.question->label.Get(lang);
      type = std::string(schema::QuestionTypeName(c.question->type));
      for (const schema::Choice& ch : c.question->choices)
        choices += (choices.empty() ? "" : "; ") + ch.name + "=" + ch.label.Get(lang);
    }
    for (const std::string& f : c.forms) forms += (forms.empty() ? "" : " ") + f;
    out << CsvCell(c.name) << ',' << CsvCell(label) << ',' << type << ',' << CsvCell(forms) << ','
        << CsvCell(choices) << '\n';
  }
  return out ? Status::Ok() : Status::IOError("writing the labels file failed");
}

}  // namespace

Status ExportReports(Service& service, ReportExportFormat format, const ReportFilter& filter,
                     std::ostream& out, std::ostream* labels, const std::string& lang) {
  auto forms = LoadAllForms(service);
  if (!forms.ok()) return forms.status();
  std::vector<StoredProject> projects;
  FS_RETURN_IF_ERROR(ReadProjects(service, &projects));
  const ReportMatcher matcher(filter, projects);

  std::vector<Column> columns;
  std::map<std::string, size_t> column_of;
  if (format == ReportExportFormat::kCsv) {
    std::vector<std::shared_ptr<const schema::Form>> sorted = *forms;
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      return std::tie(a->id, a->version) < std::tie(b->id, b->version);
    });
    for (const auto& f : sorted)
      for (const schema::Question& q : f->questions) {
        if (!q.HoldsValue()) continue;
        // The report's own `period` column is its `period` answer: once.
        if (q.name == "period") continue;
        auto [it, fresh] = column_of.emplace(q.name, columns.size());
        if (fresh) columns.push_back({q.name, &q, {}});
        columns[it->second].forms.push_back(f->Key());
      }
  }

  return service.storage().Read([&](StorageReader& tx) -> Status {
    if (format == ReportExportFormat::kCsv) {
      std::set<std::string> extra;
      FS_RETURN_IF_ERROR(tx.ForEachReport([&](const StoredReport& r) {
        if (!matcher.Matches(r)) return Status::Ok();
        for (auto it = r.values.begin(); it != r.values.end(); ++it)
          if (it.key() != "period" && !column_of.count(it.key())) extra.insert(it.key());
        return Status::Ok();
      }));
      for (const std::string& e : extra) {
        column_of.emplace(e, columns.size());
        columns.push_back({e, nullptr, {}});
      }
      if (labels) FS_RETURN_IF_ERROR(WriteLabels(columns, lang, *labels));
      out << "id,project,form_id,form_version,period,status,author,device_id,server_version,"
             "created_at_ms,updated_at_ms";
      for (const Column& c : columns) out << ',' << CsvCell(c.name);
      out << '\n';
      FS_RETURN_IF_ERROR(tx.ForEachReport([&](const StoredReport& r) {
        if (!matcher.Matches(r)) return Status::Ok();
        out << CsvCell(r.id) << ',' << CsvCell(r.project) << ',' << CsvCell(r.form_id) << ','
            << r.form_version << ',' << CsvCell(r.period) << ',' << r.status << ','
            << CsvCell(r.author) << ',' << r.device_id << ',' << r.server_version << ','
            << r.created_at_ms << ',' << r.updated_at_ms;
        for (const Column& c : columns) {
          auto it = r.values.find(c.name);
          out << ',' << (it == r.values.end() ? "" : CsvCell(CellText(*it)));
        }
        out << '\n';
        return Status::Ok();
      }));
    } else if (format == ReportExportFormat::kJson) {
      out << "[";
      bool first = true;
      FS_RETURN_IF_ERROR(tx.ForEachReport([&](const StoredReport& r) {
        if (!matcher.Matches(r)) return Status::Ok();
        json j = ReportToJson(r);
        j["device_id"] = r.device_id;
        out << (first ? "\n" : ",\n") << j.dump(-1, ' ', false, json::error_handler_t::replace);
        first = false;
        return Status::Ok();
      }));
      out << (first ? "]\n" : "\n]\n");
    } else {
      out << "{\"type\":\"FeatureCollection\",\"features\":[";
      bool first = true;
      FS_RETURN_IF_ERROR(tx.ForEachReport([&](const StoredReport& r) {
        if (!matcher.Matches(r)) return Status::Ok();
        for (auto it = r.values.begin(); it != r.values.end(); ++it) {
          const json& v = it.value();
          if (!v.is_object() || !v.contains("lat") || !v.contains("lon") || !v["lat"].is_number() ||
              !v["lon"].is_number())
            continue;
          json props = ReportToJson(r);
          props["device_id"] = r.device_id;
          props["location_field"] = it.key();
          json feature = {{"type", "Feature"},
                          {"geometry", {{"type", "Point"}, {"coordinates", {v["lon"], v["lat"]}}}},
                          {"properties", std::move(props)}};
          out << (first ? "\n" : ",\n")
              << feature.dump(-1, ' ', false, json::error_handler_t::replace);
          first = false;
          break;  // one point per report: its first geopoint
        }
        return Status::Ok();
      }));
      out << (first ? "]}\n" : "\n]}\n");
    }
    if (!out) return Status::IOError("writing the export failed");
    return Status::Ok();
  });
}

// --- the follow-up report ---

Result<FollowUp> BuildFollowUp(Service& service, const ReportFilter& filter_in) {
  FollowUp fu;
  fu.filter = filter_in;
  if (fu.filter.status.empty() && fu.filter.statuses.empty())
    fu.filter.statuses = {"received", "approved"};
  fu.generated_at_ms = service.Now();
  auto forms = LoadAllForms(service);
  if (!forms.ok()) return forms.status();
  fu.indicators = KeyIndicatorsOf(*forms);
  std::vector<std::string> fields;
  for (const KeyIndicator& k : fu.indicators) fields.push_back(k.field);

  std::vector<StoredProject> projects;
  std::vector<ReportAggregate> aggregates;
  FS_RETURN_IF_ERROR(service.storage().CatchUpDerived());  // exact sums
  FS_RETURN_IF_ERROR(service.storage().Read([&](StorageReader& tx) -> Status {
    auto p = tx.ListProjects();
    if (!p.ok()) return p.status();
    projects = std::move(p).value();
    auto a = tx.AggregateReports(fu.filter, fields);
    if (!a.ok()) return a.status();
    aggregates = std::move(a).value();
    return Status::Ok();
  }));
  struct PerProject {
    int64_t reports = 0;
    std::map<std::string, double> sums;
  };
  std::map<std::string, PerProject> per_project;
  for (const ReportAggregate& a : aggregates) {
    PerProject& p = per_project[a.project];
    p.reports += a.reports;
    fu.reports_counted += a.reports;
    for (const auto& [k, v] : a.sums) p.sums[k] += v;
  }
  // Registered projects the filter's project-level conditions admit.
  ReportFilter project_level;
  project_level.region = fu.filter.region;
  project_level.sector = fu.filter.sector;
  project_level.country = fu.filter.country;
  project_level.measure = fu.filter.measure;
  const ReportMatcher admits(project_level, projects);
  std::map<std::tuple<int, std::string, int>, FollowUpRow> rows;  // (measure, sector, group index)
  for (const StoredProject& sp : projects) {
    if (!fu.filter.project.empty() && sp.code != fu.filter.project) continue;
    StoredReport probe;
    probe.project = sp.code;
    if (!admits.Matches(probe)) continue;
    const json& p = sp.data;
    if (!p.is_object() || !p.contains("measures") || !p["measures"].is_array()) continue;
    std::string sector = p.value("sector", std::string());
    auto pp = per_project.find(sp.code);
    for (const json& m : p["measures"]) {
      if (!m.is_number_integer()) continue;
      int measure = m.get<int>();
      if (fu.filter.measure > 0 && measure != fu.filter.measure) continue;
      for (const std::string& g : GroupsOf(p)) {
        int gi = static_cast<int>(std::find(GroupOrder().begin(), GroupOrder().end(), g) -
                                  GroupOrder().begin());
        FollowUpRow& row = rows[{measure, sector, gi}];
        row.measure = measure;
        row.sector = sector;
        row.group = g;
        row.projects += 1;
        if (pp != per_project.end() && pp->second.reports > 0) {
          row.projects_reporting += 1;
          row.reports += pp->second.reports;
          for (const auto& [k, v] : pp->second.sums) row.sums[k] += v;
        }
      }
    }
  }
  for (auto& [key, row] : rows) fu.rows.push_back(std::move(row));
  return fu;
}

Status WriteFollowUpCsv(const FollowUp& fu, std::ostream& out) {
  out << "measure,measure_title,sector,beneficiary_group,projects,projects_reporting,reports";
  for (const KeyIndicator& k : fu.indicators) out << ',' << CsvCell(k.field);
  out << '\n';
  for (const FollowUpRow& r : fu.rows) {
    const schema::Measure* m = schema::FindMeasure(r.measure);
    out << r.measure << ',' << CsvCell(m ? std::string(m->title) : "") << ',' << CsvCell(r.sector)
        << ',' << r.group << ',' << r.projects << ',' << r.projects_reporting << ',' << r.reports;
    for (const KeyIndicator& k : fu.indicators) {
      auto it = r.sums.find(k.field);
      out << ',' << (it == r.sums.end() ? "" : NumberText(it->second));
    }
    out << '\n';
  }
  return out ? Status::Ok() : Status::IOError("writing the follow-up report failed");
}

std::string DescribeFilter(const ReportFilter& f) {
  std::vector<std::string> parts;
  if (!f.region.empty()) parts.push_back("region " + f.region);
  if (!f.sector.empty()) parts.push_back("sector " + f.sector);
  if (!f.country.empty()) parts.push_back("country " + f.country);
  if (f.measure > 0) parts.push_back("Framework measure " + std::to_string(f.measure));
  if (!f.project.empty()) parts.push_back("project " + f.project);
  if (!f.form_id.empty()) parts.push_back("form " + f.form_id);
  if (!f.status.empty()) parts.push_back("status " + f.status);
  if (!f.statuses.empty()) {
    std::string s;
    for (const std::string& x : f.statuses) s += (s.empty() ? "" : " or ") + x;
    parts.push_back("status " + s);
  }
  if (!f.officer.empty()) parts.push_back("officer " + f.officer);
  if (!f.period_from.empty() || !f.period_to.empty())
    parts.push_back("period " + (f.period_from.empty() ? std::string("…") : f.period_from) +
                    " to " + (f.period_to.empty() ? std::string("…") : f.period_to));
  if (!f.search.empty()) parts.push_back("matching \"" + f.search + "\"");
  if (parts.empty()) return "all reports";
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out;
}

Status WriteFollowUpHtml(const FollowUp& fu, std::ostream& out, const std::string& lang) {
  std::map<std::string, const KeyIndicator*> by_field;
  for (const KeyIndicator& k : fu.indicators) by_field[k.field] = &k;
  out << "<!doctype html>\n<html lang=\"" << HtmlEscape(lang) << "\">\n<head>\n"
      << "<meta charset=\"utf-8\">\n"
      << "<title>Follow-up report by Framework measure</title>\n"
      << "<style>\n"
         "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',"
         "'DejaVu Sans',sans-serif;color:#1d2630;margin:2rem;font-size:11pt}\n"
         "h1{font-size:1.5rem;margin:0 0 .25rem}\n"
         "h2{font-size:1.05rem;margin:1.6rem 0 .4rem;border-bottom:2px solid #1f5f8b;"
         "padding-bottom:.2rem;break-after:avoid}\n"
         ".area{color:#5a6672;font-weight:normal;font-size:.9rem}\n"
         ".meta{color:#5a6672;margin:0 0 1rem}\n"
         "table{border-collapse:collapse;width:100%;break-inside:auto}\n"
         "th,td{border:1px solid #c9d1d9;padding:.3rem .5rem;vertical-align:top;text-align:left}\n"
         "th{background:#eef3f7}\n"
         "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
         "tr{break-inside:avoid}\n"
         "ul{margin:0;padding-left:1rem}\n"
         ".empty{color:#5a6672;font-style:italic}\n"
         "@media print{body{margin:0}a{color:inherit;text-decoration:none}}\n"
         "</style>\n</head>\n<body>\n";
  out << "<h1>Follow-up report by Framework measure</h1>\n";
  out << "<p class=\"meta\">Marrakech Framework of Implementation (2003). Generated "
      << HtmlEscape(FormatUtc(fu.generated_at_ms)) << " from "
      << HtmlEscape(DescribeFilter(fu.filter)) << ": " << fu.reports_counted << " report"
      << (fu.reports_counted == 1 ? "" : "s") << ". A project benefiting several groups "
      << "(LDC, LLDC, SIDS) is counted in each.</p>\n";
  if (fu.rows.empty())
    out << "<p class=\"empty\">No registered project matches this selection.</p>\n";
  int current = -1;
  for (size_t i = 0; i < fu.rows.size(); ++i) {
    const FollowUpRow& r = fu.rows[i];
    if (r.measure != current) {
      if (current != -1) out << "</tbody></table>\n";
      current = r.measure;
      const schema::Measure* m = schema::FindMeasure(r.measure);
      out << "<h2>Measure " << r.measure;
      if (m)
        out << " — " << HtmlEscape(m->title) << " <span class=\"area\">(" << HtmlEscape(m->area)
            << ")</span>";
      out << "</h2>\n<table><thead><tr><th>Sector</th><th>Beneficiaries</th>"
             "<th>Projects</th><th>Reporting</th><th>Reports</th><th>Key indicators (sums)</th>"
             "</tr></thead><tbody>\n";
    }
    out << "<tr><td>" << HtmlEscape(r.sector) << "</td><td>" << HtmlEscape(r.group)
        << "</td><td class=\"n\">" << r.projects << "</td><td class=\"n\">" << r.projects_reporting
        << "</td><td class=\"n\">" << r.reports << "</td><td>";
    if (r.sums.empty()) {
      out << "<span class=\"empty\">none reported</span>";
    } else {
      out << "<ul>";
      for (const KeyIndicator& k : fu.indicators) {
        auto it = r.sums.find(k.field);
        if (it == r.sums.end()) continue;
        out << "<li>" << HtmlEscape(k.label.Get(lang)) << ": <b>" << GroupedText(it->second)
            << "</b></li>";
      }
      out << "</ul>";
    }
    out << "</td></tr>\n";
  }
  if (current != -1) out << "</tbody></table>\n";
  out << "</body>\n</html>\n";
  return out ? Status::Ok() : Status::IOError("writing the follow-up report failed");
}

json FollowUpToJson(const FollowUp& fu, const std::string& lang) {
  json indicators = json::array();
  for (const KeyIndicator& k : fu.indicators)
    indicators.push_back({{"field", k.field},
                          {"form_id", k.form_id},
                          {"sector", k.sector},
                          {"label", k.label.Get(lang)}});
  json rows = json::array();
  for (const FollowUpRow& r : fu.rows) {
    const schema::Measure* m = schema::FindMeasure(r.measure);
    json sums = json::object();
    for (const auto& [k, v] : r.sums) sums[k] = v;
    rows.push_back({{"measure", r.measure},
                    {"measure_title", m ? std::string(m->title) : ""},
                    {"measure_area", m ? std::string(m->area) : ""},
                    {"sector", r.sector},
                    {"group", r.group},
                    {"projects", r.projects},
                    {"projects_reporting", r.projects_reporting},
                    {"reports", r.reports},
                    {"sums", sums}});
  }
  return {{"indicators", indicators},
          {"rows", rows},
          {"reports_counted", fu.reports_counted},
          {"generated_at_ms", fu.generated_at_ms},
          {"selection", DescribeFilter(fu.filter)}};
}

}  // namespace fieldsync::server
