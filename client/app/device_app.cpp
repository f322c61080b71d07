// client/app/device_app.cpp — the device's application logic (see device_app.h).
#include "client/app/device_app.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <system_error>

#include "common/cli_args.h"
#include "common/sha256.h"

namespace fieldsync::app {

namespace {

constexpr char kSeedSetting[] = "reference_seeded";  // "", "seeding", "done"

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string ShortId(const std::string& id) { return id.size() > 8 ? id.substr(0, 8) : id; }

bool EditableByDevice(store::ReportStatus s) {
  return s == store::ReportStatus::kDraft || s == store::ReportStatus::kReturned ||
         s == store::ReportStatus::kFinalized;
}

Status HqOwns(const store::Report& r) {
  return Status::FailedPrecondition(
      "report " + ShortId(r.id) + " is " + std::string(store::ReportStatusName(r.status)) +
      " at HQ and cannot be changed on the device until HQ returns it");
}

// Checks a field named by a person may be given a value.
Result<const schema::Question*> SettableQuestion(const schema::Form& form, std::string_view name) {
  const schema::Question* q = form.Find(name);
  if (!q) return DeviceApp::UnknownField(form, name);
  if (!q->HoldsValue()) {
    return Status::InvalidArgument("field " + Quoted(name) + " of form " + Quoted(form.id) +
                                   " is a note and holds no value");
  }
  if (q->type == schema::QuestionType::kCalculate) {
    return Status::InvalidArgument("field " + Quoted(name) + " of form " + Quoted(form.id) +
                                   " is calculated from other answers and cannot be set");
  }
  return q;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Result<Assignment> ParseAssignment(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Status::InvalidArgument("expected NAME=VALUE, got " + Quoted(text));
  }
  return Assignment{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

std::string GuessMime(const std::filesystem::path& file) {
  std::string ext = Lower(file.extension().string());
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".png") return "image/png";
  if (ext == ".webp") return "image/webp";
  if (ext == ".gif") return "image/gif";
  if (ext == ".heic") return "image/heic";
  return "application/octet-stream";
}

Result<std::unique_ptr<DeviceApp>> DeviceApp::Open(const std::filesystem::path& data_dir,
                                                   AppOptions options) {
  auto store = store::Store::Open(data_dir);
  if (!store.ok()) return store.status();
  std::unique_ptr<DeviceApp> app(new DeviceApp());
  app->options_ = std::move(options);
  if (app->options_.lang.empty()) app->options_.lang = "en";
  app->store_ = std::move(store).value();
  if (app->options_.seed_reference_data) {
    FS_RETURN_IF_ERROR(app->SeedReferenceData().WithContext("seeding the shipped forms"));
  }
  return app;
}

// A "seeding" flag makes an interrupted seeding resume: without it, a device
// killed after the first form would look seeded forever. Two processes seeding
// at once is harmless: upserts are keyed.
Status DeviceApp::SeedReferenceData() {
  auto flag = store_->GetSetting(kSeedSetting, "");
  if (!flag.ok()) return flag.status();
  if (*flag == "done") return Status::Ok();
  if (flag->empty()) {
    auto forms = store_->ListForms();
    if (!forms.ok()) return forms.status();
    auto projects = store_->ListProjects();
    if (!projects.ok()) return projects.status();
    if (!forms->empty() || !projects->empty()) return store_->SetSetting(kSeedSetting, "done");
    FS_RETURN_IF_ERROR(store_->SetSetting(kSeedSetting, "seeding"));
  }
  for (const auto& form : schema::ShippedForms()) {
    auto existing = store_->GetForm(form.id, form.version);
    if (existing.ok()) continue;
    if (existing.status().code() != Status::Code::kNotFound) return existing.status();
    FS_RETURN_IF_ERROR(store_->UpsertForm(schema::FormToJson(form)));
  }
  for (const auto& project : schema::DemoProjects()) {
    auto existing = store_->GetProject(project.code);
    if (existing.ok()) continue;
    if (existing.status().code() != Status::Code::kNotFound) return existing.status();
    FS_RETURN_IF_ERROR(store_->UpsertProject(schema::ProjectToJson(project)));
  }
  return store_->SetSetting(kSeedSetting, "done");
}

// --- reference data -------------------------------------------------------

Result<std::vector<schema::Project>> DeviceApp::Projects() {
  auto rows = store_->ListProjects();
  if (!rows.ok()) return rows.status();
  std::vector<schema::Project> out;
  for (const auto& row : *rows) {
    auto p = schema::ProjectFromJson(row);
    if (!p.ok()) {
      std::string code = row.is_object() && row.contains("code") && row["code"].is_string()
                             ? row["code"].get<std::string>()
                             : "?";
      return Status::Corruption("project " + Quoted(code) + " on the device is invalid: " +
                                p.status().message());
    }
    out.push_back(std::move(p).value());
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.code < b.code; });
  return out;
}

Result<schema::Project> DeviceApp::FindProject(const std::string& code) {
  auto row = store_->GetProject(code);
  if (!row.ok()) {
    if (row.status().code() != Status::Code::kNotFound) return row.status();
    std::vector<std::string> codes;
    if (auto all = store_->ListProjects(); all.ok()) {
      for (const auto& p : *all) {
        if (p.contains("code") && p["code"].is_string()) codes.push_back(p["code"].get<std::string>());
      }
    }
    // Project codes are upper case; a person may type them in lower case.
    for (const auto& c : codes) {
      if (Lower(c) == Lower(code)) {
        return Status::NotFound("unknown project " + Quoted(code) + " (did you mean " +
                                Quoted(c) + "?)");
      }
    }
    std::string msg = "unknown project " + Quoted(code) + cli::DidYouMean(code, codes);
    if (cli::CloseMatches(code, codes, 1).empty()) msg += "; list them with 'projects'";
    return Status::NotFound(msg);
  }
  auto p = schema::ProjectFromJson(*row);
  if (!p.ok()) {
    return Status::Corruption("project " + Quoted(code) + " on the device is invalid: " +
                              p.status().message());
  }
  return p;
}

Result<std::vector<std::shared_ptr<const schema::Form>>> DeviceApp::Forms() {
  auto rows = store_->ListForms();
  if (!rows.ok()) return rows.status();
  std::vector<std::shared_ptr<const schema::Form>> out;
  for (const auto& row : *rows) {
    auto parsed = schema::ParseForm(row);
    if (!parsed.ok()) {
      return Status::Corruption("a form on the device is invalid: " + parsed.status().message());
    }
    auto form = std::make_shared<const schema::Form>(std::move(parsed).value());
    auto [it, inserted] = form_cache_.emplace(form->Key(), form);
    out.push_back(it->second);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->id < b->id; });
  return out;
}

Result<std::shared_ptr<const schema::Form>> DeviceApp::FindForm(const std::string& id,
                                                                int version) {
  if (version > 0) {
    auto it = form_cache_.find(id + "@" + std::to_string(version));
    if (it != form_cache_.end()) return it->second;
  }
  auto row = store_->GetForm(id, version);
  if (!row.ok()) {
    if (row.status().code() != Status::Code::kNotFound) return row.status();
    std::vector<std::string> ids;
    if (auto all = store_->ListForms(); all.ok()) {
      for (const auto& f : *all) {
        if (f.contains("id") && f["id"].is_string()) ids.push_back(f["id"].get<std::string>());
      }
    }
    if (version > 0 && std::find(ids.begin(), ids.end(), id) != ids.end()) {
      return Status::NotFound("form " + Quoted(id) + " version " + std::to_string(version) +
                              " is not on this device; sync to fetch it");
    }
    std::string msg = "unknown form " + Quoted(id) + cli::DidYouMean(id, ids);
    if (cli::CloseMatches(id, ids, 1).empty()) {
      std::string known;
      for (const auto& i : ids) known += (known.empty() ? "" : ", ") + i;
      msg += known.empty() ? "; the device has no forms" : "; known forms: " + known;
    }
    return Status::NotFound(msg);
  }
  auto parsed = schema::ParseForm(*row);
  if (!parsed.ok()) {
    return Status::Corruption("form " + Quoted(id) + " on the device is invalid: " +
                              parsed.status().message());
  }
  auto form = std::make_shared<const schema::Form>(std::move(parsed).value());
  auto [it, inserted] = form_cache_.emplace(form->Key(), form);
  return it->second;
}

// --- building blocks --------------------------------------------------------

Status DeviceApp::UnknownField(const schema::Form& form, std::string_view name) {
  std::vector<std::string> names;
  for (const auto& q : form.questions) {
    if (q.HoldsValue() && q.type != schema::QuestionType::kCalculate) names.push_back(q.name);
  }
  std::string msg = "form " + Quoted(form.id) + " has no field " + Quoted(name);
  auto close = cli::CloseMatches(name, names, 3);
  if (close.size() == 1) {
    msg += " (did you mean " + Quoted(close[0]) + "?)";
  } else if (!close.empty()) {
    msg += " (close names: ";
    for (size_t i = 0; i < close.size(); ++i) msg += (i ? ", " : "") + close[i];
    msg += ")";
  } else {
    msg += "; its fields are: ";
    for (size_t i = 0; i < names.size(); ++i) msg += (i ? ", " : "") + names[i];
  }
  return Status::InvalidArgument(msg);
}

std::string DeviceApp::JoinErrors(const std::vector<schema::FieldError>& errors) {
  if (errors.size() == 1) return errors[0].ToString();
  std::string out = std::to_string(errors.size()) + " errors: ";
  for (size_t i = 0; i < errors.size(); ++i) out += (i ? "; " : "") + errors[i].ToString();
  return out;
}

Result<nlohmann::json> DeviceApp::ApplyInput(const schema::Form& form,
                                             const nlohmann::json& values,
                                             const ReportInput& input,
                                             std::vector<PendingAttachment>* to_store) {
  nlohmann::json out = values.is_object() ? values : nlohmann::json::object();
  if (!input.json_values.is_null()) {
    if (!input.json_values.is_object()) {
      return Status::InvalidArgument(
          "values must be a JSON object of field name to value, got a JSON " +
          std::string(input.json_values.type_name()));
    }
    for (const auto& [name, value] : input.json_values.items()) {
      auto q = SettableQuestion(form, name);
      if (!q.ok()) return q.status();
      if (value.is_null()) {
        out.erase(name);
        continue;
      }
      FS_RETURN_IF_ERROR(schema::CheckValueType(**q, value));
      out[name] = value;
    }
  }
  for (const auto& a : input.assignments) {
    auto q = SettableQuestion(form, a.name);
    if (!q.ok()) return q.status();
    auto parsed = schema::ParseValue(**q, a.text);
    if (!parsed.ok()) return parsed.status();
    if (parsed->is_null()) {
      out.erase(a.name);
    } else {
      out[a.name] = std::move(parsed).value();
    }
  }
  for (const auto& att : input.attachments) {
    auto q = SettableQuestion(form, att.field);
    if (!q.ok()) return q.status();
    if ((*q)->type != schema::QuestionType::kPhoto) {
      return Status::InvalidArgument("field " + Quoted(att.field) + " is of type " +
                                     std::string(schema::QuestionTypeName((*q)->type)) +
                                     "; only photo fields take a file");
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(att.file, ec)) {
      return Status::NotFound("photo for field " + Quoted(att.field) + ": no file " +
                              Quoted(att.file.string()));
    }
    auto hash = Sha256File(att.file);
    if (!hash.ok()) return hash.status();
    out[att.field] = *hash;
    // A later attachment for the same field replaces an earlier one.
    if (to_store) {
      std::erase_if(*to_store, [&](const PendingAttachment& p) { return p.field == att.field; });
      to_store->push_back(PendingAttachment{att.field, att.file,
                                            att.mime.empty() ? GuessMime(att.file) : att.mime,
                                            *hash});
    }
  }
  return out;
}

nlohmann::json DeviceApp::Normalize(const schema::Form& form, const nlohmann::json& values) const {
  nlohmann::json in = values.is_object() ? values : nlohmann::json::object();
  nlohmann::json calculated = schema::ApplyCalculations(form, in, options_.today);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, v] : calculated.items()) {
    if (!v.is_null()) out[k] = v;
  }
  return out;
}

std::vector<schema::FieldError> DeviceApp::Check(const schema::Form& form,
                                                 const nlohmann::json& values,
                                                 schema::ValidationMode mode) const {
  schema::ValidateOptions opts;
  opts.mode = mode;
  opts.lang = options_.lang;
  opts.today = options_.today;
  return schema::Validate(form, Normalize(form, values), opts);
}

nlohmann::json DeviceApp::InitialValues(const schema::Form& form) const {
  nlohmann::json values = nlohmann::json::object();
  for (const auto& q : form.questions) {
    if (q.HoldsValue() && q.type != schema::QuestionType::kCalculate && !q.default_value.is_null()) {
      values[q.name] = q.default_value;
    }
  }
  return Normalize(form, values);
}

std::string DeviceApp::Author() {
  if (auto state = store_->GetDeviceState(); state.ok() && !state->officer.empty()) {
    return state->officer;
  }
  if (!options_.fallback_author.empty()) return options_.fallback_author;
  if (const char* user = std::getenv("USER"); user && *user) return user;
  return "officer";
}

Result<store::Report> DeviceApp::SaveValues(const std::string& id,
                                            const std::string& project_code,
                                            const schema::Form& form,
                                            const nlohmann::json& values,
                                            const std::vector<PendingAttachment>& attachments,
                                            bool finalize) {
  std::optional<store::Report> existing;
  if (!id.empty()) {
    auto r = store_->GetReport(id);
    if (!r.ok()) return r.status();
    if (!EditableByDevice(r->status)) return HqOwns(*r);
    if (finalize && r->status == store::ReportStatus::kFinalized) {
      return Status::FailedPrecondition("report " + ShortId(id) + " is already finalized");
    }
    existing = std::move(r).value();
  } else if (project_code.empty()) {
    return Status::InvalidArgument("a new report needs a project");
  }

  nlohmann::json normalized = Normalize(form, values);
  bool finalize_rules = finalize || (existing && existing->status == store::ReportStatus::kFinalized);
  auto errors = Check(form, normalized,
                      finalize_rules ? schema::ValidationMode::kFinalize
                                     : schema::ValidationMode::kDraft);
  if (!errors.empty()) {
    std::string what;
    if (!existing) {
      what = finalize ? "report not saved, cannot finalize: " : "report not saved: ";
    } else if (finalize) {
      what = "cannot finalize report " + ShortId(id) + ": ";
    } else if (finalize_rules) {
      what = "report " + ShortId(id) + " not changed (it is finalized and must stay complete): ";
    } else {
      what = "report " + ShortId(id) + " not changed: ";
    }
    return Status::InvalidArgument(what + JoinErrors(errors));
  }

  // Every check passed: from here on we write.
  for (const auto& p : attachments) {
    auto stored = store_->AddAttachment(p.file, p.mime);
    if (!stored.ok()) return stored.status();
    if (stored->sha256 != p.sha256) {
      return Status::Conflict("photo " + Quoted(p.file.string()) + " changed while it was being "
                              "attached; attach it again");
    }
  }
  const std::string author = Author();

  if (!existing) {
    store::Report draft;
    draft.project_code = project_code;
    draft.form_id = form.id;
    draft.form_version = form.version;
    draft.values = normalized;
    if (normalized.contains("period") && normalized["period"].is_string()) {
      draft.period = normalized["period"].get<std::string>();
    }
    draft.status = finalize ? store::ReportStatus::kFinalized : store::ReportStatus::kDraft;
    draft.author = author;
    return store_->CreateReport(draft);
  }

  nlohmann::json changes = nlohmann::json::object();
  for (const auto& [k, v] : normalized.items()) {
    if (!existing->values.contains(k) || existing->values[k] != v) changes[k] = v;
  }
  for (const auto& [k, v] : existing->values.items()) {
    if (!normalized.contains(k) && !v.is_null()) changes[k] = nullptr;
  }
  store::Report current = *existing;
  if (!changes.empty()) {
    auto updated = store_->SetValues(id, changes, author);
    if (!updated.ok()) return updated.status();
    current = std::move(updated).value();
  }
  if (finalize) return store_->Finalize(id, author);
  return current;
}

// --- reports ------------------------------------------------------------------

Result<store::Report> DeviceApp::CreateReport(const NewReportRequest& request) {
  if (request.project_code.empty()) return Status::InvalidArgument("a new report needs a project");
  if (request.form_id.empty()) return Status::InvalidArgument("a new report needs a form");
  auto project = FindProject(request.project_code);
  if (!project.ok()) return project.status();
  auto form = FindForm(request.form_id, request.form_version);
  if (!form.ok()) return form.status();
  std::vector<PendingAttachment> pending;
  auto values = ApplyInput(**form, InitialValues(**form), request.input, &pending);
  if (!values.ok()) return values.status();
  return SaveValues("", project->code, **form, *values, pending, request.finalize);
}

Result<store::Report> DeviceApp::UpdateReport(const std::string& id_or_prefix,
                                              const ReportInput& input) {
  auto id = ResolveReportId(id_or_prefix);
  if (!id.ok()) return id.status();
  auto report = store_->GetReport(*id);
  if (!report.ok()) return report.status();
  if (!EditableByDevice(report->status)) return HqOwns(*report);
  auto form = FindForm(report->form_id, report->form_version);
  if (!form.ok()) return form.status();
  std::vector<PendingAttachment> pending;
  auto values = ApplyInput(**form, report->values, input, &pending);
  if (!values.ok()) return values.status();
  if (pending.empty() && Normalize(**form, *values) == Normalize(**form, report->values)) {
    return report;  // nothing changes: no history, no outbox entry
  }
  return SaveValues(*id, "", **form, *values, pending, false);
}

Result<store::Report> DeviceApp::FinalizeReport(const std::string& id_or_prefix) {
  auto id = ResolveReportId(id_or_prefix);
  if (!id.ok()) return id.status();
  auto report = store_->GetReport(*id);
  if (!report.ok()) return report.status();
  if (!EditableByDevice(report->status)) return HqOwns(*report);
  if (report->status == store::ReportStatus::kFinalized) {
    return Status::FailedPrecondition("report " + ShortId(*id) + " is already finalized");
  }
  auto form = FindForm(report->form_id, report->form_version);
  if (!form.ok()) return form.status();
  return SaveValues(*id, "", **form, report->values, {}, true);
}

Result<ReportDetails> DeviceApp::ShowReport(const std::string& id_or_prefix) {
  auto id = ResolveReportId(id_or_prefix);
  if (!id.ok()) return id.status();
  auto report = store_->GetReport(*id);
  if (!report.ok()) return report.status();
  auto history = store_->History(*id);
  if (!history.ok()) return history.status();
  ReportDetails details{std::move(report).value(), std::move(history).value(), {}};
  auto form = FindForm(details.report.form_id, details.report.form_version);
  if (form.ok()) {
    details.errors = Check(**form, details.report.values, schema::ValidationMode::kFinalize);
  } else {
    details.errors.push_back(schema::FieldError{"", "", form.status().message()});
  }
  return details;
}

Result<std::vector<store::Report>> DeviceApp::ListReports(const store::ReportFilter& filter) {
  return store_->ListReports(filter);
}

Result<DeviceStatus> DeviceApp::GetStatus() {
  DeviceStatus s;
  auto pending = store_->PendingCount();
  if (!pending.ok()) return pending.status();
  s.pending_changes = *pending;
  auto dead = store_->DeadLetters();
  if (!dead.ok()) return dead.status();
  s.dead_letters = std::move(dead).value();
  auto photos = store_->PendingAttachments();
  if (!photos.ok()) return photos.status();
  s.pending_attachments = static_cast<int64_t>(photos->size());
  for (auto st : {store::ReportStatus::kDraft, store::ReportStatus::kFinalized,
                  store::ReportStatus::kReceived, store::ReportStatus::kApproved,
                  store::ReportStatus::kReturned}) {
    store::ReportFilter f;
    f.status = st;
    auto n = store_->CountReports(f);
    if (!n.ok()) return n.status();
    s.reports_by_status[std::string(store::ReportStatusName(st))] = *n;
    s.reports_total += *n;
  }
  auto state = store_->GetDeviceState();
  if (!state.ok()) return state.status();
  s.device = std::move(state).value();
  return s;
}

Result<std::string> DeviceApp::ResolveReportId(const std::string& id_or_prefix) {
  std::string id = Lower(id_or_prefix);
  if (id.empty()) return Status::InvalidArgument("a report id is needed");
  if (id.size() >= 32) {
    auto r = store_->GetReport(id);
    if (r.ok()) return id;
    if (r.status().code() != Status::Code::kNotFound) return r.status();
    return Status::NotFound("no report " + Quoted(id_or_prefix) + " on this device");
  }
  if (id.size() < 4) {
    return Status::InvalidArgument("report id " + Quoted(id_or_prefix) +
                                   " is too short; give at least 4 characters of it");
  }
  store::ReportFilter f;
  f.search = id;
  f.limit = 100000;
  auto rows = store_->ListReports(f);
  if (!rows.ok()) return rows.status();
  std::vector<std::string> matches;
  for (const auto& r : *rows) {
    if (r.id.rfind(id, 0) == 0) matches.push_back(r.id);
  }
  if (matches.empty()) return Status::NotFound("no report " + Quoted(id_or_prefix) + " on this device");
  if (matches.size() > 1) {
    return Status::InvalidArgument("report id " + Quoted(id_or_prefix) + " matches " +
                                   std::to_string(matches.size()) +
                                   " reports; give more characters");
  }
  return matches[0];
}

}  // namespace fieldsync::app
