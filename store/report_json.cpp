// store/report_json.cpp — report statuses and the report's JSON form.
#include <array>
#include <cstdint>

#include "store/store_impl.h"

namespace fieldsync::store {
namespace {

constexpr std::array<std::pair<ReportStatus, std::string_view>, 5> kStatusNames = {{
    {ReportStatus::kDraft, "draft"},
    {ReportStatus::kFinalized, "finalized"},
    {ReportStatus::kReceived, "received"},
    {ReportStatus::kApproved, "approved"},
    {ReportStatus::kReturned, "returned"},
}};

Status WrongType(const char* member, const char* expected) {
  return Status::InvalidArgument(std::string("report member \"") + member + "\" must be " +
                                 expected);
}

// Each Read* leaves *out untouched when the member is absent or null.
Status ReadString(const nlohmann::json& j, const char* member, std::string* out) {
  auto it = j.find(member);
  if (it == j.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) return WrongType(member, "a string");
  *out = it->get<std::string>();
  return Status::Ok();
}

Status ReadInt(const nlohmann::json& j, const char* member, int64_t* out) {
  auto it = j.find(member);
  if (it == j.end() || it->is_null()) return Status::Ok();
  if (it->is_number_integer()) {
    *out = it->get<int64_t>();
    return Status::Ok();
  }
  if (it->is_number_float()) {
    double d = it->get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d))) {
      *out = static_cast<int64_t>(d);
      return Status::Ok();
    }
  }
  return WrongType(member, "a whole number");
}

}  // namespace

std::string_view ReportStatusName(ReportStatus s) {
  for (const auto& [status, name] : kStatusNames)
    if (status == s) return name;
  return "draft";
}

bool ParseReportStatus(std::string_view name, ReportStatus* out) {
  for (const auto& [status, n] : kStatusNames) {
    if (n == name) {
      *out = status;
      return true;
    }
  }
  return false;
}

nlohmann::json ReportToJson(const Report& r) {
  nlohmann::json j = {
      {"id", r.id},
      {"project", r.project_code},
      {"form_id", r.form_id},
      {"form_version", r.form_version},
      {"period", r.period},
      {"values", r.values.is_object() ? r.values : nlohmann::json::object()},
      {"status", std::string(ReportStatusName(r.status))},
      {"author", r.author},
      {"server_version", r.server_version},
      {"created_at_ms", r.created_at_ms},
      {"updated_at_ms", r.updated_at_ms},
  };
  if (!r.review.is_null()) j["review"] = r.review;
  return j;
}

Result<Report> ReportFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Status::InvalidArgument("a report must be a JSON object");
  Report r;
  FS_RETURN_IF_ERROR(ReadString(j, "id", &r.id));
  if (r.id.empty()) return Status::InvalidArgument("report has no \"id\"");
  FS_RETURN_IF_ERROR(ReadString(j, "project", &r.project_code));
  FS_RETURN_IF_ERROR(ReadString(j, "form_id", &r.form_id));
  int64_t form_version = 0;
  FS_RETURN_IF_ERROR(ReadInt(j, "form_version", &form_version));
  if (form_version < 0 || form_version > INT32_MAX)
    return WrongType("form_version", "a positive version number");
  r.form_version = static_cast<int>(form_version);
  FS_RETURN_IF_ERROR(ReadString(j, "period", &r.period));
  if (auto it = j.find("values"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return WrongType("values", "an object of field names to values");
    r.values = *it;
  }
  std::string status = "draft";
  FS_RETURN_IF_ERROR(ReadString(j, "status", &status));
  if (!ParseReportStatus(status, &r.status))
    return Status::InvalidArgument("report " + r.id + " has an unknown status '" + status +
                                   "' (expected draft, finalized, received, approved or returned)");
  FS_RETURN_IF_ERROR(ReadString(j, "author", &r.author));
  FS_RETURN_IF_ERROR(ReadInt(j, "server_version", &r.server_version));
  FS_RETURN_IF_ERROR(ReadInt(j, "created_at_ms", &r.created_at_ms));
  FS_RETURN_IF_ERROR(ReadInt(j, "updated_at_ms", &r.updated_at_ms));
  if (auto it = j.find("review"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return WrongType("review", "an object");
    r.review = *it;
  }
  return r;
}

namespace internal {

std::string DumpJson(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<nlohmann::json> ParseStoredJson(const std::string& text, std::string_view what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption("stored " + std::string(what) + " is not valid JSON (" + e.what() +
                              ")");
  }
}

bool IsSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char ch : s)
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  return true;
}

}  // namespace internal
}  // namespace fieldsync::store
