// schema/validate.h — checking a report's values against its form.
//
// Validation returns every error at once, in form order, each naming the
// field by name and by its label in the chosen language. It also evaluates
// relevance (an irrelevant question is neither required nor constrained, and
// its value is ignored) and calculations.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "schema/form.h"

namespace fieldsync::schema {

struct FieldError {
  std::string field;    // question name; empty for report-level errors
  std::string label;    // the question's label in the chosen language
  std::string message;  // what is expected, e.g. "must not exceed people tested (120)"
  // "People tested for HIV (hiv_tested): required" — one line for a person.
  std::string ToString() const;
};

enum class ValidationMode {
  kDraft,     // types, unknown fields and constraints of answered fields
  kFinalize,  // kDraft plus every relevant required question answered
};

struct ValidateOptions {
  ValidationMode mode = ValidationMode::kFinalize;
  std::string lang = "en";
  std::string today;  // for today(); empty = system date
};

// Every error in the values; empty when valid. Unknown field names are errors.
std::vector<FieldError> Validate(const Form& form, const nlohmann::json& values,
                                 const ValidateOptions& opts = {});

// Whether the question is relevant given the values (true without a
// relevant expression).
bool IsRelevant(const Form& form, const Question& q, const nlohmann::json& values,
                std::string_view today = {});

// Returns values with every calculate question set from its expression
// (in form order, so later calculations see earlier ones).
nlohmann::json ApplyCalculations(const Form& form, const nlohmann::json& values,
                                 std::string_view today = {});

}  // namespace fieldsync::schema
