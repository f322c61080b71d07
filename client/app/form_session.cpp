// client/app/form_session.cpp — interactive editing of one report (see form_session.h).
#include "client/app/form_session.h"

#include <system_error>

#include "common/sha256.h"

namespace fieldsync::app {

namespace {

const nlohmann::json& NullJson() {
  static const nlohmann::json kNull;
  return kNull;
}

}  // namespace

Result<std::unique_ptr<FormSession>> FormSession::New(DeviceApp* app,
                                                      const std::string& project_code,
                                                      const std::string& form_id) {
  auto project = app->FindProject(project_code);
  if (!project.ok()) return project.status();
  auto form = app->FindForm(form_id);
  if (!form.ok()) return form.status();
  std::unique_ptr<FormSession> s(new FormSession(app, *form));
  s->project_code_ = project->code;
  s->values_ = app->InitialValues(**form);
  s->Recompute();
  return s;
}

Result<std::unique_ptr<FormSession>> FormSession::Edit(DeviceApp* app,
                                                       const std::string& report_id) {
  auto id = app->ResolveReportId(report_id);
  if (!id.ok()) return id.status();
  auto report = app->store().GetReport(*id);
  if (!report.ok()) return report.status();
  auto form = app->FindForm(report->form_id, report->form_version);
  if (!form.ok()) return form.status();
  std::unique_ptr<FormSession> s(new FormSession(app, *form));
  s->project_code_ = report->project_code;
  s->Saved(*report);
  // A returned report shows what blocks re-finalizing straight away.
  if (report->status == store::ReportStatus::kReturned) s->show_required_ = true;
  s->Recompute();
  return s;
}

bool FormSession::read_only() const {
  return saved_status_ && (*saved_status_ == store::ReportStatus::kReceived ||
                           *saved_status_ == store::ReportStatus::kApproved);
}

Result<const schema::Question*> FormSession::Settable(const std::string& field) const {
  const schema::Question* q = form_->Find(field);
  if (!q) return DeviceApp::UnknownField(*form_, field);
  if (!q->HoldsValue() || q->type == schema::QuestionType::kCalculate) {
    return Status::InvalidArgument("field '" + field + "' cannot be set: it is " +
                                   (q->HoldsValue() ? "calculated" : "a note"));
  }
  return q;
}

Status FormSession::SetText(const std::string& field, std::string_view text) {
  auto q = Settable(field);
  if (!q.ok()) return q.status();
  auto parsed = schema::ParseValue(**q, text);
  if (!parsed.ok()) {
    rejected_text_[field] = std::string(text);
    parse_errors_[field] = schema::FieldError{field, (*q)->label.Get(app_->options().lang),
                                              parsed.status().message()};
    dirty_ = true;
    Recompute();
    return parsed.status();
  }
  rejected_text_.erase(field);
  parse_errors_.erase(field);
  return SetValue(field, *parsed);
}

Status FormSession::SetValue(const std::string& field, const nlohmann::json& value) {
  auto q = Settable(field);
  if (!q.ok()) return q.status();
  if (!value.is_null()) FS_RETURN_IF_ERROR(schema::CheckValueType(**q, value));
  rejected_text_.erase(field);
  parse_errors_.erase(field);
  std::erase_if(pending_attachments_,
                [&](const DeviceApp::PendingAttachment& p) { return p.field == field; });
  nlohmann::json next = values_;
  if (value.is_null()) {
    next.erase(field);
  } else {
    next[field] = value;
  }
  next = app_->Normalize(*form_, next);
  if (next != values_) {
    values_ = std::move(next);
    dirty_ = true;
  }
  Recompute();
  return Status::Ok();
}

Status FormSession::AttachPhoto(const std::string& field, const std::filesystem::path& file) {
  ReportInput input;
  input.attachments.push_back(AttachRequest{field, file, ""});
  std::vector<DeviceApp::PendingAttachment> pending;
  auto next = app_->ApplyInput(*form_, values_, input, &pending);
  if (!next.ok()) return next.status();
  rejected_text_.erase(field);
  parse_errors_.erase(field);
  std::erase_if(pending_attachments_,
                [&](const DeviceApp::PendingAttachment& p) { return p.field == field; });
  pending_attachments_.insert(pending_attachments_.end(), pending.begin(), pending.end());
  values_ = app_->Normalize(*form_, *next);
  dirty_ = true;
  Recompute();
  return Status::Ok();
}

std::string FormSession::Text(const std::string& field) const {
  if (auto it = rejected_text_.find(field); it != rejected_text_.end()) return it->second;
  const schema::Question* q = form_->Find(field);
  if (!q || !values_.contains(field)) return "";
  return schema::FormatValue(*q, values_[field], app_->options().lang);
}

const nlohmann::json& FormSession::Value(const std::string& field) const {
  auto it = values_.find(field);
  return it == values_.end() ? NullJson() : *it;
}

std::vector<schema::FieldError> FormSession::FieldErrors(const std::string& field) const {
  std::vector<schema::FieldError> out;
  for (const auto& e : errors_) {
    if (e.field == field) out.push_back(e);
  }
  return out;
}

std::vector<schema::FieldError> FormSession::FinalizeErrors() const {
  std::vector<schema::FieldError> out;
  for (const auto& [field, e] : parse_errors_) out.push_back(e);
  auto v = app_->Check(*form_, values_, schema::ValidationMode::kFinalize);
  out.insert(out.end(), v.begin(), v.end());
  return out;
}

bool FormSession::IsRelevant(const std::string& field) const {
  const schema::Question* q = form_->Find(field);
  return q && schema::IsRelevant(*form_, *q, values_, app_->options().today);
}

bool FormSession::IsCalculated(const std::string& field) const {
  const schema::Question* q = form_->Find(field);
  return q && q->type == schema::QuestionType::kCalculate;
}

// Errors in form order: each field's parse error before its validation errors,
// then report-level errors.
void FormSession::Recompute() {
  auto validation = app_->Check(*form_, values_,
                                show_required_ ? schema::ValidationMode::kFinalize
                                               : schema::ValidationMode::kDraft);
  errors_.clear();
  for (const auto& q : form_->questions) {
    if (auto it = parse_errors_.find(q.name); it != parse_errors_.end()) errors_.push_back(it->second);
    for (const auto& e : validation) {
      if (e.field == q.name) errors_.push_back(e);
    }
  }
  for (const auto& e : validation) {
    if (!form_->Find(e.field)) errors_.push_back(e);
  }
}

void FormSession::Saved(const store::Report& r) {
  report_id_ = r.id;
  saved_status_ = r.status;
  values_ = app_->Normalize(*form_, r.values);
  pending_attachments_.clear();
  dirty_ = false;
}

Result<store::Report> FormSession::Save(bool finalize) {
  if (read_only()) {
    return Status::FailedPrecondition("this report is with HQ and cannot be changed on the device");
  }
  if (!parse_errors_.empty()) {
    std::vector<schema::FieldError> errs;
    for (const auto& [field, e] : parse_errors_) errs.push_back(e);
    return Status::InvalidArgument("fix what was typed first: " + DeviceApp::JoinErrors(errs));
  }
  auto saved = app_->SaveValues(report_id_, project_code_, *form_, values_, pending_attachments_,
                                finalize);
  if (!saved.ok()) {
    Recompute();
    return saved.status();
  }
  Saved(*saved);
  Recompute();
  return saved;
}

Result<store::Report> FormSession::SaveDraft() { return Save(false); }

Result<store::Report> FormSession::Finalize() {
  show_required_ = true;
  Recompute();
  // A saved, unchanged draft is finalized as it stands.
  return Save(true);
}

}  // namespace fieldsync::app
