// schema/form.h — form definitions: the XLSForm concepts as JSON.
//
// A form is a versioned list of typed questions. The JSON format (documented in
// docs/forms.md) is:
//
//   {"id": "health", "version": 3, "sector": "health",
//    "title": {"en": "...", "fr": "...", "es": "...", "pt": "..."},
//    "questions": [
//      {"name": "hiv_tested", "type": "integer",
//       "label": {"en": "People tested for HIV", "fr": ...},
//       "hint": {...}, "required": true,
//       "constraint": ". >= 0 and . <= 100000",
//       "constraint_message": {"en": "...", ...},
//       "relevant": "${programme} != 'malaria'",
//       "calculate": "...", "default": 0,
//       "choices": [{"name": "maize", "label": {...}}]}]}
//
// Types: integer, decimal, text, date (YYYY-MM-DD), select_one, select_multiple,
// geopoint, photo, note (display only, holds no value), calculate (holds the
// value of its calculate expression; never typed by a person).
//
// Report values are a JSON object name → value, typed as:
//   integer → JSON integer; decimal → JSON number; text, date, select_one → string;
//   select_multiple → array of choice names; geopoint → {"lat": n, "lon": n,
//   optional "alt", "acc"}; photo → lowercase hex SHA-256 of the attachment;
//   calculate → whatever its expression yields (number or string).
// A missing key or JSON null means "no answer".
//
// Pure logic: no I/O except LoadFormFile, which reads the one file it is given.
// Thread safety: Form is immutable after parsing and safe to share.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace fieldsync::schema {

class Expr;  // schema/expr.h

// The languages every shipped form and the UI carry.
inline constexpr std::string_view kLanguages[] = {"en", "fr", "es", "pt"};

// Text in several languages. Get() falls back to "en", then to any language,
// then to the empty string.
struct LocalizedText {
  std::map<std::string, std::string> by_lang;
  std::string Get(std::string_view lang) const;
  bool empty() const { return by_lang.empty(); }
};

enum class QuestionType {
  kInteger, kDecimal, kText, kDate, kSelectOne, kSelectMultiple,
  kGeopoint, kPhoto, kNote, kCalculate,
};
// "integer", "select_one", ... and back. ParseQuestionType returns false on an
// unknown name.
std::string_view QuestionTypeName(QuestionType t);
bool ParseQuestionType(std::string_view name, QuestionType* out);

struct Choice {
  std::string name;
  LocalizedText label;
};

struct Question {
  std::string name;
  QuestionType type = QuestionType::kText;
  LocalizedText label;
  LocalizedText hint;
  bool required = false;
  std::string constraint;  // source text; empty when none
  LocalizedText constraint_message;
  std::string relevant;
  std::string calculate;
  std::vector<Choice> choices;
  nlohmann::json default_value;  // null when none
  // Compiled expressions (null when the source is empty). Owned by the Question.
  std::shared_ptr<const Expr> constraint_expr;
  std::shared_ptr<const Expr> relevant_expr;
  std::shared_ptr<const Expr> calculate_expr;

  const Choice* FindChoice(std::string_view name) const;
  bool HoldsValue() const { return type != QuestionType::kNote; }
};

struct Form {
  std::string id;
  int version = 0;
  std::string sector;
  LocalizedText title;
  std::vector<Question> questions;

  const Question* Find(std::string_view name) const;
  // A stable key for this definition: "<id>@<version>".
  std::string Key() const { return id + "@" + std::to_string(version); }
};

// Parses and checks a definition: unique names, known types, choices present
// for select types, every expression compiles and refers only to existing
// fields. Errors name the form, the field and the column, e.g.
//   "form 'health' field 'hiv_positive' constraint: unexpected ')' at column 12".
Result<Form> ParseForm(const nlohmann::json& definition);
Result<Form> ParseFormText(std::string_view json_text);
Result<Form> LoadFormFile(const std::filesystem::path& path);
// The JSON definition of a parsed form (round-trips through ParseForm).
nlohmann::json FormToJson(const Form& form);

// The forms fieldsync ships (health, education, agriculture), parsed once and
// shared. Their JSON sources are compiled into the library.
const std::vector<Form>& ShippedForms();
const Form* FindShippedForm(std::string_view id);

// Parses a value typed by a person (CLI --set, GUI text box) by the question's
// type: "12" for integer, "3.5" for decimal, "2026-03-01" for date, a choice
// name for select_one, "a b" or "a,b" for select_multiple, "lat,lon" or
// "lat lon" for geopoint. An empty string means "no answer" (JSON null).
// Errors name the field and the expected type:
//   "field 'hiv_tested' expects a whole number, got 'abc'".
Result<nlohmann::json> ParseValue(const Question& q, std::string_view text);

// Checks that a JSON value already has the question's type (from --values
// FILE.json or from a peer). Same error style as ParseValue.
Status CheckValueType(const Question& q, const nlohmann::json& value);

// The value as a person reads it ("12", "maize, rice", "12.5000, -3.2000").
std::string FormatValue(const Question& q, const nlohmann::json& value,
                        std::string_view lang);

}  // namespace fieldsync::schema
