// schema/internal.h — helpers shared by the schema library's own files.
// Not part of the library's contract: nothing outside schema/ includes it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "schema/form.h"

namespace fieldsync::schema::internal {

// One shipped form's JSON source, compiled in by cmake/embed_files.cmake.
struct EmbeddedForm {
  const char* name;            // file name without ".json", e.g. "health"
  const unsigned char* data;   // NUL-terminated
  std::size_t size;            // without the NUL
};
extern const EmbeddedForm kEmbeddedForms[];
extern const std::size_t kEmbeddedFormCount;

// Why value does not fit q's type, as the tail of a sentence
// ("expects a whole number, got 12.5"); empty when it fits. null always fits.
std::string TypeProblem(const Question& q, const nlohmann::json& value);

// True for a real calendar date written YYYY-MM-DD (years 0001-9999).
bool IsCalendarDate(std::string_view text);

// A number as a person writes it: no trailing zeros, no exponent for
// ordinary magnitudes ("12", "3.5", "-0.25").
std::string FormatNumber(double x);

// Parses a whole decimal number (optional sign, optional surrounding blanks);
// std::nullopt for anything else, including "inf", "nan", "1e5" and "".
std::optional<double> ParseNumber(std::string_view text);

// 'text' quoted for an error message, cut to a readable length.
std::string QuoteForMessage(std::string_view text);
// Any JSON value for an error message: strings quoted, the rest dumped
// (invalid UTF-8 replaced, never throws), cut to a readable length.
std::string JsonForMessage(const nlohmann::json& value);

// Today's date in UTC as YYYY-MM-DD.
std::string TodayUtc();

}  // namespace fieldsync::schema::internal
