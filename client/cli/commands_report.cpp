// client/cli/commands_report.cpp — `report new|set|finalize|show|list`: the
// officer's reports, through fieldsync_app (which validates before writing).
#include <fstream>
#include <limits>
#include <ostream>
#include <sstream>

#include "client/cli/command_table.h"
#include "client/cli/output.h"

namespace fieldsync::cli_app {

namespace {

constexpr char kIdHint[] = "ids may be abbreviated to their first 4 or more characters";

// --values FILE.json: a JSON object of field name → typed value.
Result<nlohmann::json> ReadValuesFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read values file '" + path + "'");
  std::ostringstream buf;
  buf << in.rdbuf();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(buf.str());
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix.
    if (size_t close = what.find("] "); what.rfind("[json.exception", 0) == 0 && close != std::string::npos) {
      what = what.substr(close + 2);
    }
    return Status::InvalidArgument("values file '" + path + "' is not valid JSON: " + what);
  }
  if (!j.is_object()) {
    return Status::InvalidArgument("values file '" + path +
                                   "' must hold a JSON object of field name to value");
  }
  return j;
}

// Collects --values, NAME=VALUE (from --set or positionals) and --attach.
Result<app::ReportInput> BuildInput(CliContext& ctx, const cli::ParsedArgs& args,
                                    const std::vector<std::string>& assignments) {
  app::ReportInput input;
  if (args.Has("--values")) {
    auto values = ReadValuesFile(args.Get("--values"));
    if (!values.ok()) return values.status();
    input.json_values = std::move(values).value();
  }
  for (const auto& text : assignments) {
    auto a = app::ParseAssignment(text);
    if (!a.ok()) return UsageError(ctx, a.status().message());
    input.assignments.push_back(std::move(a).value());
  }
  for (const auto& text : args.GetAll("--attach")) {
    size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
      return UsageError(ctx, "--attach expects NAME=PATH, got '" + text + "'");
    }
    input.attachments.push_back(app::AttachRequest{text.substr(0, eq), text.substr(eq + 1), ""});
  }
  return input;
}

nlohmann::json HistoryJson(const store::HistoryEntry& h) {
  return {{"id", h.id},         {"at_ms", h.at_ms},         {"author", h.author},
          {"source", h.source}, {"field", h.field},         {"old", h.old_value},
          {"new", h.new_value}, {"note", h.note}};
}

nlohmann::json ErrorJson(const schema::FieldError& e) {
  return {{"field", e.field}, {"label", e.label}, {"message", e.message}};
}

std::string ShortId(const std::string& id) { return id.substr(0, 8); }

std::string ValueText(const schema::Form* form, const std::string& field,
                      const nlohmann::json& value, const std::string& lang) {
  if (value.is_null()) return "-";
  const schema::Question* q = form ? form->Find(field) : nullptr;
  if (q) return schema::FormatValue(*q, value, lang);
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// --- report new -------------------------------------------------------------

Status RunNew(CliContext& ctx, const cli::ParsedArgs& args) {
  if (!args.Has("--project")) return UsageError(ctx, "'report new' needs --project CODE");
  if (!args.Has("--form")) return UsageError(ctx, "'report new' needs --form ID");
  app::NewReportRequest request;
  request.project_code = args.Get("--project");
  request.form_id = args.Get("--form");
  request.finalize = args.Has("--finalize");
  auto input = BuildInput(ctx, args, args.GetAll("--set"));
  if (!input.ok()) return input.status();
  request.input = std::move(input).value();
  auto app = ctx.App();
  if (!app.ok()) return app.status();
  auto report = (*app)->CreateReport(request);
  if (!report.ok()) return report.status();
  if (args.Has("--json")) {
    PrintJson(*ctx.out, store::ReportToJson(*report));
  } else {
    *ctx.out << report->id << "\n";
  }
  return Status::Ok();
}

// --- report set ---------------------------------------------------------------

Status RunSet(CliContext& ctx, const cli::ParsedArgs& args) {
  std::vector<std::string> assignments(args.positionals.begin() + 1, args.positionals.end());
  for (const auto& s : args.GetAll("--set")) assignments.push_back(s);
  auto input = BuildInput(ctx, args, assignments);
  if (!input.ok()) return input.status();
  if (input->empty()) {
    return UsageError(ctx, "nothing to set: give NAME=VALUE, --values FILE.json or --attach NAME=PATH");
  }
  auto app = ctx.App();
  if (!app.ok()) return app.status();
  auto before = (*app)->ResolveReportId(args.positionals[0]);
  if (!before.ok()) return before.status();
  auto old = (*app)->store().GetReport(*before);
  if (!old.ok()) return old.status();
  auto report = (*app)->UpdateReport(*before, *input);
  if (!report.ok()) return report.status();
  if (args.Has("--json")) {
    PrintJson(*ctx.out, store::ReportToJson(*report));
  } else if (report->updated_at_ms == old->updated_at_ms && report->values == old->values) {
    *ctx.out << "report " << report->id << ": nothing changed\n";
  } else {
    *ctx.out << "report " << report->id << ": saved ("
             << store::ReportStatusName(report->status) << ")\n";
  }
  return Status::Ok();
}

// --- report finalize ---------------------------------------------------------

Status RunFinalize(CliContext& ctx, const cli::ParsedArgs& args) {
  auto app = ctx.App();
  if (!app.ok()) return app.status();
  auto report = (*app)->FinalizeReport(args.positionals[0]);
  if (!report.ok()) return report.status();
  if (args.Has("--json")) {
    PrintJson(*ctx.out, store::ReportToJson(*report));
  } else {
    *ctx.out << "report " << report->id << ": finalized; it will be sent at the next sync\n";
  }
  return Status::Ok();
}

// --- report show ---------------------------------------------------------------

Status RunShow(CliContext& ctx, const cli::ParsedArgs& args) {
  auto app = ctx.App();
  if (!app.ok()) return app.status();
  auto details = (*app)->ShowReport(args.positionals[0]);
  if (!details.ok()) return details.status();
  const store::Report& r = details->report;
  if (args.Has("--json")) {
    nlohmann::json j = store::ReportToJson(r);
    j["has_conflict"] = r.has_conflict;
    j["history"] = nlohmann::json::array();
    for (const auto& h : details->history) j["history"].push_back(HistoryJson(h));
    j["errors"] = nlohmann::json::array();
    for (const auto& e : details->errors) j["errors"].push_back(ErrorJson(e));
    PrintJson(*ctx.out, j);
    return Status::Ok();
  }
  auto form = (*app)->FindForm(r.form_id, r.form_version);
  const schema::Form* f = form.ok() ? form->get() : nullptr;
  std::ostream& out = *ctx.out;
  out << "Report   " << r.id << "\n";
  out << "Status   " << store::ReportStatusName(r.status)
      << (r.has_conflict ? "  (a value was overruled; see the history)" : "") << "\n";
  out << "Project  " << r.project_code << "\n";
  out << "Form     " << r.form_id << " v" << r.form_version
      << (f ? " — " + f->title.Get(ctx.lang) : std::string()) << "\n";
  out << "Author   " << r.author << "\n";
  out << "Created  " << FormatTime(r.created_at_ms) << "    Updated  " << FormatTime(r.updated_at_ms)
      << "\n";
  if (!r.review.is_null() && r.review.is_object()) {
    out << "Review   " << r.review.value("decision", std::string()) << " by "
        << r.review.value("reviewer", std::string()) << ": "
        << r.review.value("comment", std::string()) << "\n";
  }
  out << "\nValues\n";
  Table values({"  FIELD", "LABEL", "VALUE"});
  if (f) {
    for (const auto& q : f->questions) {
      if (!q.HoldsValue() || !r.values.contains(q.name)) continue;
      values.Row({"  " + q.name, Ellipsize(q.label.Get(ctx.lang), 40),
                  ValueText(f, q.name, r.values[q.name], ctx.lang)});
    }
  } else {
    for (const auto& [k, v] : r.values.items()) values.Row({"  " + k, "", ValueText(nullptr, k, v, ctx.lang)});
  }
  if (values.empty()) {
    out << "  (no answers yet)\n";
  } else {
    values.Print(out);
  }
  if (!details->errors.empty() && r.status != store::ReportStatus::kFinalized) {
    out << "\nStill needed before it can be finalized\n";
    for (const auto& e : details->errors) out << "  - " << e.ToString() << "\n";
  }
  if (!details->history.empty()) {
    out << "\nHistory\n";
    Table h({"  WHEN", "WHO", "SOURCE", "CHANGE"});
    for (const auto& e : details->history) {
      std::string change;
      if (e.field.empty() || e.field == "status") {
        std::string to = e.new_value.is_string() ? e.new_value.get<std::string>() : e.new_value.dump();
        change = e.old_value.is_string() ? "status " + e.old_value.get<std::string>() + " → " + to
                                         : "created (" + to + ")";
      } else {
        change = e.field + ": " + ValueText(f, e.field, e.old_value, ctx.lang) + " → " +
                 ValueText(f, e.field, e.new_value, ctx.lang);
      }
      if (!e.note.empty()) change += " (" + e.note + ")";
      h.Row({"  " + FormatTime(e.at_ms), e.author, e.source, Ellipsize(change, 80)});
    }
    h.Print(out);
  }
  return Status::Ok();
}

// --- report list -----------------------------------------------------------------

Status RunList(CliContext& ctx, const cli::ParsedArgs& args) {
  store::ReportFilter filter;
  if (args.Has("--status")) {
    store::ReportStatus s;
    std::string name = args.Get("--status");
    if (!store::ParseReportStatus(name, &s)) {
      std::vector<std::string> names = {"draft", "finalized", "received", "approved", "returned"};
      return UsageError(ctx, "unknown status '" + name + "'" + cli::DidYouMean(name, names) +
                                 " (statuses: " + Join(names) + ")");
    }
    filter.status = s;
  }
  filter.project_code = args.Get("--project");
  filter.form_id = args.Get("--form");
  filter.period = args.Get("--period");
  filter.search = args.Get("--search");
  if (args.Has("--limit")) {
    std::string text = args.Get("--limit");
    int n = 0;
    try {
      size_t used = 0;
      n = std::stoi(text, &used);
      if (used != text.size() || n < 1) throw std::invalid_argument(text);
    } catch (const std::exception&) {
      return UsageError(ctx, "--limit expects a whole number of at least 1, got '" + text + "'");
    }
    filter.limit = n;
  } else {
    // People get the newest thousand; scripts get everything.
    filter.limit = args.Has("--json") ? std::numeric_limits<int>::max() : 1000;
  }
  auto app = ctx.App();
  if (!app.ok()) return app.status();
  auto reports = (*app)->ListReports(filter);
  if (!reports.ok()) return reports.status();
  if (args.Has("--json")) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : *reports) arr.push_back(store::ReportToJson(r));
    PrintJson(*ctx.out, arr);
    return Status::Ok();
  }
  if (reports->empty()) {
    *ctx.out << "No reports" << (filter.status ? " with that status" : "") << ".\n";
    return Status::Ok();
  }
  Table t({"ID", "STATUS", "FORM", "PROJECT", "PERIOD", "UPDATED", "AUTHOR"});
  for (const auto& r : *reports) {
    std::string status(store::ReportStatusName(r.status));
    if (r.has_conflict) status += "!";
    t.Row({ShortId(r.id), status, r.form_id + " v" + std::to_string(r.form_version),
           r.project_code, r.period.empty() ? "-" : r.period, FormatTime(r.updated_at_ms),
           r.author});
  }
  t.Print(*ctx.out);
  auto total = (*app)->store().CountReports(filter);
  size_t shown = reports->size();
  *ctx.out << "\n" << shown << (shown == 1 ? " report" : " reports");
  if (total.ok() && *total > static_cast<int64_t>(shown)) *ctx.out << " of " << *total << " (use --limit)";
  *ctx.out << "; " << kIdHint << ".\n";
  return Status::Ok();
}

const CommandRegistrar kReport([](CommandTable& t) {
  const cli::OptionSpec json{"--json", "", "print the report as JSON", false};
  const cli::OptionSpec values{"--values", "FILE.json",
                               "values from a JSON object of field name to value", false};
  const cli::OptionSpec attach{"--attach", "NAME=PATH",
                               "attach a photo file to a photo field", true};

  cli::CommandSpec create;
  create.name = "report new";
  create.summary = "create a report (prints its id)";
  create.options = {{"--project", "CODE", "the project reported on (see 'projects')", false},
                    {"--form", "ID", "the form to fill (see 'forms')", false},
                    {"--set", "NAME=VALUE", "answer a field (see 'forms --fields')", true},
                    values,
                    attach,
                    {"--finalize", "", "check every required answer and finalize now", false},
                    {"--json", "", "print the new report as JSON instead of its id", false}};
  create.details =
      "Values are typed as the field's type: 12, 3.5, 2026-03-01, a choice name,\n"
      "\"maize rice\" for several choices, \"lat,lon\" for a place. An empty value\n"
      "clears an answer. Nothing is saved unless every value is valid.\n\n"
      "Example:\n"
      "  fieldsync-cli report new --project SSC-HLT-001 --form health \\\n"
      "      --set period=2026-03 --set programme=hiv --set hiv_tested=120 ...";
  t.Add({create, RunNew, 30});

  cli::CommandSpec set;
  set.name = "report set";
  set.summary = "change answers of a draft, returned or finalized report";
  set.positionals = "ID NAME=VALUE...";
  set.min_positionals = 1;
  set.max_positionals = cli::kUnlimited;
  set.options = {{"--set", "NAME=VALUE", "answer a field (same as a positional NAME=VALUE)", true},
                 values, attach, json};
  set.details = std::string("Report ") + kIdHint + ".";
  t.Add({set, RunSet, 31});

  cli::CommandSpec finalize;
  finalize.name = "report finalize";
  finalize.summary = "finalize a report (refused, with every error listed, when incomplete)";
  finalize.positionals = "ID";
  finalize.min_positionals = finalize.max_positionals = 1;
  finalize.options = {json};
  t.Add({finalize, RunFinalize, 32});

  cli::CommandSpec show;
  show.name = "report show";
  show.summary = "show a report, what blocks finalizing it, and its history";
  show.positionals = "ID";
  show.min_positionals = show.max_positionals = 1;
  show.options = {{"--json", "", "the report JSON plus \"history\" and \"errors\"", false}};
  t.Add({show, RunShow, 33});

  cli::CommandSpec list;
  list.name = "report list";
  list.summary = "list reports, newest first";
  list.options = {{"--status", "S", "only draft, finalized, received, approved or returned", false},
                  {"--project", "CODE", "only this project", false},
                  {"--form", "ID", "only this form", false},
                  {"--period", "YYYY-MM", "only this reporting period", false},
                  {"--search", "TEXT", "only reports whose id, project or values contain TEXT", false},
                  {"--limit", "N", "at most N reports (default: 1000 in the table, all with --json)", false},
                  {"--json", "", "print the reports as a JSON array", false}};
  t.Add({list, RunList, 34});
});

}  // namespace

}  // namespace fieldsync::cli_app
