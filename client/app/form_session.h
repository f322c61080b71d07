// client/app/form_session.h — one report being edited interactively (the GUI's
// form screen), without any UI.
//
// A FormSession holds a form and the current values, takes what a person
// types field by field, and keeps live state the UI draws every frame:
// per-field errors, relevance, calculated values, a dirty flag. Saving goes
// through DeviceApp::SaveValues, so the rules of device_app.h hold (nothing is
// written unless valid; drafts must pass kDraft, finalizing kFinalize).
//
// Live errors: a text that does not parse for the field's type is kept as
// typed and reported for that field (the value keeps its last good state);
// constraints are checked as soon as a field has a value; "required" errors
// appear only after a finalize was attempted (an empty new form is not a wall
// of red).
//
// The session borrows the DeviceApp (which must outlive it). One thread at a
// time.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/app/device_app.h"

namespace fieldsync::app {

class FormSession {
 public:
  // A new report of `form_id` (latest version) for `project_code`, starting
  // from the form's defaults. NotFound for an unknown project or form.
  static Result<std::unique_ptr<FormSession>> New(DeviceApp* app, const std::string& project_code,
                                                  const std::string& form_id);
  // An existing report (id or unique prefix), with its form version.
  static Result<std::unique_ptr<FormSession>> Edit(DeviceApp* app, const std::string& report_id);

  const schema::Form& form() const { return *form_; }
  const std::string& project_code() const { return project_code_; }
  const std::string& report_id() const { return report_id_; }  // empty until first saved
  // The status of the saved copy; nullopt before the first save.
  std::optional<store::ReportStatus> saved_status() const { return saved_status_; }
  // True when HQ owns the report (received, approved): saving is refused.
  bool read_only() const;
  // Values as they would be saved (calculations applied, no nulls).
  const nlohmann::json& values() const { return values_; }
  // True when something changed since the last save (or since opening).
  bool dirty() const { return dirty_; }

  // Sets a field from text typed by a person (schema::ParseValue). On a parse
  // error the text is kept for Text() and the error for FieldErrors(); the
  // value is left as it was; the error is returned. An empty text clears.
  // Unknown, note and calculated fields are refused (InvalidArgument).
  Status SetText(const std::string& field, std::string_view text);
  // Sets a typed value (a select widget, the GPS); null clears.
  Status SetValue(const std::string& field, const nlohmann::json& value);
  Status Clear(const std::string& field) { return SetValue(field, nullptr); }
  // Attaches a photo file to a photo field (copied into the store on save).
  Status AttachPhoto(const std::string& field, const std::filesystem::path& file);

  // What the field's text box shows: the rejected text after a parse error,
  // else the value formatted for a person ("" when unanswered).
  std::string Text(const std::string& field) const;
  const nlohmann::json& Value(const std::string& field) const;
  // The field's current errors (parse error first). Empty when fine.
  std::vector<schema::FieldError> FieldErrors(const std::string& field) const;
  // Every current error, in form order.
  const std::vector<schema::FieldError>& Errors() const { return errors_; }
  // What would block finalizing now (every required question included).
  std::vector<schema::FieldError> FinalizeErrors() const;
  bool IsRelevant(const std::string& field) const;
  bool IsCalculated(const std::string& field) const;

  // Saves as a draft (creating the report on first save). Refused while a
  // field holds text that does not parse. On success dirty() becomes false
  // and report_id() is set.
  Result<store::Report> SaveDraft();
  // Validates in finalize mode and saves as finalized. On refusal the
  // required errors become visible in Errors().
  Result<store::Report> Finalize();

 private:
  FormSession(DeviceApp* app, std::shared_ptr<const schema::Form> form) : app_(app), form_(std::move(form)) {}
  Result<const schema::Question*> Settable(const std::string& field) const;
  void Recompute();
  Result<store::Report> Save(bool finalize);
  void Saved(const store::Report& r);

  DeviceApp* app_;
  std::shared_ptr<const schema::Form> form_;
  std::string project_code_;
  std::string report_id_;
  std::optional<store::ReportStatus> saved_status_;
  nlohmann::json values_ = nlohmann::json::object();
  std::map<std::string, std::string> rejected_text_;              // field → text that did not parse
  std::map<std::string, schema::FieldError> parse_errors_;        // field → its parse error
  std::vector<DeviceApp::PendingAttachment> pending_attachments_;
  std::vector<schema::FieldError> errors_;
  bool show_required_ = false;
  bool dirty_ = false;
};

}  // namespace fieldsync::app
