// common/status.cpp — Status names and formatting.
#include "common/status.h"

#include <array>

namespace fieldsync {
namespace {
struct CodeNameEntry {
  Status::Code code;
  std::string_view name;
};
constexpr std::array<CodeNameEntry, 13> kCodeNames = {{
    {Status::Code::kOk, "ok"},
    {Status::Code::kInvalidArgument, "invalid_argument"},
    {Status::Code::kNotFound, "not_found"},
    {Status::Code::kAlreadyExists, "already_exists"},
    {Status::Code::kFailedPrecondition, "failed_precondition"},
    {Status::Code::kPermissionDenied, "permission_denied"},
    {Status::Code::kUnauthenticated, "unauthenticated"},
    {Status::Code::kConflict, "conflict"},
    {Status::Code::kCorruption, "corruption"},
    {Status::Code::kIOError, "io_error"},
    {Status::Code::kUnavailable, "unavailable"},
    {Status::Code::kTooLarge, "too_large"},
    {Status::Code::kInternal, "internal"},
}};
}  // namespace

std::string_view Status::CodeName(Code c) {
  for (const auto& e : kCodeNames)
    if (e.code == c) return e.name;
  return "internal";
}

Status::Code Status::CodeFromName(std::string_view name) {
  for (const auto& e : kCodeNames)
    if (e.name == name) return e.code;
  return Code::kInternal;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string s(CodeName(code_));
  for (auto& ch : s)
    if (ch == '_') ch = ' ';
  return s + ": " + message_;
}

Status Status::WithContext(std::string_view prefix) const {
  if (ok()) return *this;
  return Status(code_, std::string(prefix) + ": " + message_);
}

}  // namespace fieldsync
