// client/app/device_app.h — the device's application logic, shared by the
// headless fieldsync-cli and the Dear ImGui GUI.
//
// DeviceApp sits between a person's input and the store: it finds projects and
// forms, turns typed text into typed values (schema::ParseValue), validates with
// the form (schema::Validate), applies calculations, stores photos, and writes
// reports through store::Store — which puts each change and its outbox entry
// in one transaction.
//
// RULES
//  1. Nothing is written unless the whole change is valid: every check
//     (project, form, field names, types, attachments' files, draft
//     validation; finalize validation when finalizing) runs before the first
//     write. A failed call leaves the database as it was.
//  2. Drafts must pass ValidationMode::kDraft (types, unknown fields,
//     constraints of answered fields); finalizing must pass kFinalize and a
//     refusal lists every error. Calculations are applied before every save.
//     A report that is already finalized stays finalize-valid when edited.
//  3. Every error is a Status with one line a person can act on (no newline),
//     naming the field and, for a misspelt name, the close names.
//  4. The author of a change is the enrolled officer, else
//     AppOptions::fallback_author, else $USER, else "officer".
//  5. On first open the shipped forms (schema::ShippedForms) and the demo
//     projects (schema::DemoProjects) are seeded, only when the store has no
//     forms and no projects. An interrupted seeding resumes on the next open.
//
// No I/O except through the store (and reading the attachment files it is
// given). No UI. Thread safety: one thread at a time, like the Store.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "schema/catalogue.h"
#include "schema/form.h"
#include "schema/validate.h"
#include "store/store.h"

namespace fieldsync::app {

struct AppOptions {
  std::string lang = "en";       // labels in messages (one of schema::kLanguages)
  std::string fallback_author;   // when not enrolled; empty = $USER, then "officer"
  std::string today;             // "YYYY-MM-DD" for today(); empty = system date
  bool seed_reference_data = true;  // seed shipped forms and demo projects (rule 5)
};

// One "NAME=VALUE" typed by a person.
struct Assignment {
  std::string name;
  std::string text;
};
// Splits at the first '='. InvalidArgument "expected NAME=VALUE, got 'abc'"
// when there is no '=' or the name is empty.
Result<Assignment> ParseAssignment(std::string_view text);

// A photo to attach: the file is copied into the store and the field set to
// its SHA-256.
struct AttachRequest {
  std::string field;
  std::filesystem::path file;
  std::string mime;  // empty = guessed from the extension
};

// Values from every source, applied in this order (later wins): JSON values
// (already typed, checked with CheckValueType; null clears), text assignments
// (parsed by the field's type; an empty text clears), attachments.
struct ReportInput {
  nlohmann::json json_values = nlohmann::json::object();
  std::vector<Assignment> assignments;
  std::vector<AttachRequest> attachments;
  bool empty() const {
    return (json_values.is_null() || json_values.empty()) && assignments.empty() &&
           attachments.empty();
  }
};

struct NewReportRequest {
  std::string project_code;
  std::string form_id;
  int form_version = 0;   // 0 = the latest the device has
  ReportInput input;
  bool finalize = false;  // validate in kFinalize mode and store as finalized
};

// A report with what a person needs to review it.
struct ReportDetails {
  store::Report report;
  std::vector<store::HistoryEntry> history;  // oldest first
  std::vector<schema::FieldError> errors;    // what still blocks finalizing
};

// The device's state for the "N reports waiting" badge and `status`.
struct DeviceStatus {
  int64_t pending_changes = 0;                  // outbox entries
  std::vector<store::DeadLetter> dead_letters;
  int64_t pending_attachments = 0;              // photos not yet uploaded
  std::map<std::string, int64_t> reports_by_status;  // "draft" → n (every status listed)
  int64_t reports_total = 0;
  store::DeviceState device;                    // includes the token: never print it
  bool enrolled() const { return !device.token.empty(); }
};

class DeviceApp {
 public:
  // Opens (creating when missing) the data folder and its store; seeds the
  // reference data (rule 5). Errors from Store::Open pass through.
  static Result<std::unique_ptr<DeviceApp>> Open(const std::filesystem::path& data_dir,
                                                 AppOptions options = {});

  store::Store& store() { return *store_; }
  const AppOptions& options() const { return options_; }
  const std::filesystem::path& data_dir() const { return store_->data_dir(); }

  // --- reference data ---
  // Every project on the device, sorted by code.
  Result<std::vector<schema::Project>> Projects();
  // NotFound "unknown project 'X' (did you mean 'Y'?)".
  Result<schema::Project> FindProject(const std::string& code);
  // The latest version of each form, sorted by id.
  Result<std::vector<std::shared_ptr<const schema::Form>>> Forms();
  // version 0 = latest. NotFound "unknown form 'helth' (did you mean 'health'?)".
  // Parsed forms are cached; the pointer stays valid while the app lives.
  Result<std::shared_ptr<const schema::Form>> FindForm(const std::string& id, int version = 0);

  // --- reports ---
  // Creates a report (rule 1, 2). Defaults of unanswered questions are filled
  // in. Returns the stored report (its id is new).
  Result<store::Report> CreateReport(const NewReportRequest& request);
  // Applies `input` to an existing report. When nothing changes, returns the
  // report without writing. FailedPrecondition when HQ owns the report
  // (received, approved).
  Result<store::Report> UpdateReport(const std::string& id, const ReportInput& input);
  // draft/returned → finalized; FailedPrecondition listing every error
  // ("cannot finalize report 3fa2…: 2 errors: People tested (hiv_tested): required; …").
  Result<store::Report> FinalizeReport(const std::string& id);
  // The report, its history and what still blocks finalizing.
  Result<ReportDetails> ShowReport(const std::string& id);
  Result<std::vector<store::Report>> ListReports(const store::ReportFilter& filter);
  Result<DeviceStatus> GetStatus();

  // Accepts a full id or a unique prefix of at least 4 characters.
  // NotFound "no report 'abcd' on this device"; InvalidArgument when ambiguous.
  Result<std::string> ResolveReportId(const std::string& id_or_prefix);

  // --- building blocks (used by FormSession) ---
  // Applies `input` to `values` (a copy is returned); checks field names,
  // types and attachment files, and records the attachments to store in
  // *to_store (field, file, mime, hash). Writes nothing.
  struct PendingAttachment {
    std::string field;
    std::filesystem::path file;
    std::string mime;
    std::string sha256;
  };
  Result<nlohmann::json> ApplyInput(const schema::Form& form, const nlohmann::json& values,
                                    const ReportInput& input,
                                    std::vector<PendingAttachment>* to_store);
  // Errors of `values` (calculations applied first) in the given mode.
  std::vector<schema::FieldError> Check(const schema::Form& form, const nlohmann::json& values,
                                        schema::ValidationMode mode) const;
  // Values with calculations applied and "no answer" (null) entries removed.
  nlohmann::json Normalize(const schema::Form& form, const nlohmann::json& values) const;
  // The values a new report of this form starts with (defaults, calculations).
  nlohmann::json InitialValues(const schema::Form& form) const;
  // Validates and saves complete `values`: creates a report when id is empty
  // (project_code required), else replaces the report's values with `values`
  // (fields absent from `values` are cleared). Stores the pending attachments
  // first. finalize = validate in kFinalize mode and finalize.
  Result<store::Report> SaveValues(const std::string& id, const std::string& project_code,
                                   const schema::Form& form, const nlohmann::json& values,
                                   const std::vector<PendingAttachment>& attachments,
                                   bool finalize);

  // The author of changes made now (rule 4).
  std::string Author();

  // "unknown field 'hiv_testd' in form 'health' (did you mean 'hiv_tested'?)" —
  // also lists close names, or every field when none is close.
  static Status UnknownField(const schema::Form& form, std::string_view name);
  // "3 errors: A (a): required; B (b): must be ..." — one line.
  static std::string JoinErrors(const std::vector<schema::FieldError>& errors);

 private:
  DeviceApp() = default;
  Status SeedReferenceData();

  AppOptions options_;
  std::unique_ptr<store::Store> store_;
  std::map<std::string, std::shared_ptr<const schema::Form>> form_cache_;  // by "id@version"
};

// A person's mime guess from a file name (jpg, jpeg, png, webp, gif, heic;
// else application/octet-stream).
std::string GuessMime(const std::filesystem::path& file);

}  // namespace fieldsync::app
