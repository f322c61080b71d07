// tests/schema/validate_test.cpp — the validator on a small purpose-built form:
// all errors at once in form order, modes, relevance, calculations, messages.
#include <doctest/doctest.h>

#include <string>

#include "schema/validate.h"

using namespace fieldsync::schema;
using nlohmann::json;

namespace {

Form TestForm() {
  auto f = ParseForm(json::parse(R"json({
    "id": "clinic", "version": 1, "sector": "health",
    "questions": [
      {"name": "intro", "type": "note", "label": {"en": "Monthly figures", "fr": "Chiffres du mois"}},
      {"name": "tested", "type": "integer", "required": true,
       "label": {"en": "People tested", "fr": "Personnes dépistées"},
       "constraint": ". >= 0 and . <= 1000"},
      {"name": "positive", "type": "integer", "required": true,
       "label": {"en": "Positive", "fr": "Positifs"},
       "constraint": ". <= ${tested}",
       "constraint_message": {"en": "must not exceed people tested (${tested})",
                              "fr": "ne doit pas dépasser les personnes dépistées (${tested})"}},
      {"name": "stockout", "type": "select_one", "required": true, "label": {"en": "Stock-out?"},
       "choices": [{"name": "yes", "label": {"en": "Yes"}}, {"name": "no", "label": {"en": "No"}}]},
      {"name": "days", "type": "integer", "required": true, "label": {"en": "Days"},
       "relevant": "${stockout} = 'yes'", "constraint": ". <= 31"},
      {"name": "rate", "type": "calculate", "calculate": "round(100 * ${positive} div ${tested}, 1)",
       "constraint": ". <= 100"},
      {"name": "note_text", "type": "text", "label": {"en": "Comment"},
       "relevant": "${rate} > 50"},
      {"name": "visit", "type": "date", "label": {"en": "Visit date"}, "constraint": ". <= today()"}
    ]})json"));
  REQUIRE_MESSAGE(f.ok(), f.status().message());
  return std::move(f.value());
}

std::vector<std::string> Lines(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.ToString());
  return out;
}

ValidateOptions Opts(ValidationMode mode = ValidationMode::kFinalize, std::string lang = "en") {
  ValidateOptions o;
  o.mode = mode;
  o.lang = std::move(lang);
  o.today = "2026-03-15";
  return o;
}

}  // namespace

TEST_CASE("a valid report has no errors") {
  Form f = TestForm();
  json v = {{"tested", 120}, {"positive", 7}, {"stockout", "no"}};
  CHECK(Validate(f, v, Opts()).empty());
  v["stockout"] = "yes";
  v["days"] = 3;
  v["visit"] = "2026-03-15";
  CHECK(Validate(f, v, Opts()).empty());
}

TEST_CASE("every error at once, in form order, with labels") {
  Form f = TestForm();
  json v = {{"visit", "2026-04-01"}, {"positive", 130}, {"tested", "many"}, {"extra", 1},
            {"stockout", "yes"}};
  auto lines = Lines(Validate(f, v, Opts()));
  std::vector<std::string> want = {
      "People tested (tested): expects a whole number, got 'many'",
      // tested is not a number, so the comparison has nothing to compare to.
      "Positive (positive): must not exceed people tested (?)",
      "Days (days): required",
      "Visit date (visit): must satisfy . <= today()",
      "extra: unknown field",
  };
  CHECK(lines == want);
}

TEST_CASE("draft mode skips required but keeps types and constraints") {
  Form f = TestForm();
  CHECK(Validate(f, json::object(), Opts(ValidationMode::kDraft)).empty());
  auto finalize = Lines(Validate(f, json::object(), Opts()));
  CHECK(finalize == std::vector<std::string>{"People tested (tested): required",
                                             "Positive (positive): required",
                                             "Stock-out? (stockout): required"});
  auto draft = Lines(Validate(f, {{"tested", 5}, {"positive", 9}}, Opts(ValidationMode::kDraft)));
  CHECK(draft == std::vector<std::string>{"Positive (positive): must not exceed people tested (5)",
                                          "rate: must satisfy . <= 100"});
}

TEST_CASE("messages and labels come in the chosen language") {
  Form f = TestForm();
  auto errors = Validate(f, {{"tested", 5}, {"positive", 9}, {"stockout", "no"}},
                         Opts(ValidationMode::kFinalize, "fr"));
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].field == "positive");
  CHECK(errors[0].label == "Positifs");
  CHECK(errors[0].message == "ne doit pas dépasser les personnes dépistées (5)");
  CHECK(errors[1].message == "doit respecter . <= 100");
  auto required = Validate(f, json::object(), Opts(ValidationMode::kFinalize, "pt"));
  REQUIRE_FALSE(required.empty());
  CHECK(required[0].message == "obrigatório");
  CHECK(required[0].label == "People tested");  // no pt label: falls back to English
}

TEST_CASE("an irrelevant question is neither required nor checked") {
  Form f = TestForm();
  json v = {{"tested", 10}, {"positive", 1}, {"stockout", "no"}, {"days", "garbage"}};
  CHECK(Validate(f, v, Opts()).empty());
  CHECK_FALSE(IsRelevant(f, *f.Find("days"), v));
  v["stockout"] = "yes";
  CHECK(IsRelevant(f, *f.Find("days"), v));
  CHECK(Lines(Validate(f, v, Opts())) ==
        std::vector<std::string>{"Days (days): expects a whole number, got 'garbage'"});
  CHECK(IsRelevant(f, *f.Find("tested"), v));  // no relevant expression
}

TEST_CASE("relevance can depend on a calculation") {
  Form f = TestForm();
  json v = {{"tested", 10}, {"positive", 6}};
  CHECK(IsRelevant(f, *f.Find("note_text"), v));  // rate = 60
  v["positive"] = 2;
  CHECK_FALSE(IsRelevant(f, *f.Find("note_text"), v));  // rate = 20
}

TEST_CASE("ApplyCalculations sets and clears calculated fields") {
  Form f = TestForm();
  json v = ApplyCalculations(f, {{"tested", 3}, {"positive", 1}});
  CHECK(v["rate"] == json(33.3));
  CHECK(v["tested"] == json(3));
  v = ApplyCalculations(f, {{"tested", 0}, {"positive", 0}, {"rate", 99}});
  CHECK_FALSE(v.contains("rate"));  // division by zero: no value
  v = ApplyCalculations(f, {{"tested", 4}, {"positive", 2}});
  CHECK(v["rate"] == json(50));
  CHECK(v["rate"].is_number_integer());
}

TEST_CASE("a value for a note, and values that are not an object") {
  Form f = TestForm();
  auto lines = Lines(Validate(f, {{"intro", "x"}}, Opts(ValidationMode::kDraft)));
  CHECK(lines == std::vector<std::string>{"Monthly figures (intro): is a note and holds no value"});
  auto bad = Validate(f, json::array(), Opts());
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].field.empty());
  CHECK(bad[0].ToString() == "report values must be a JSON object of field name → value");
}
