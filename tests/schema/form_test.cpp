// tests/schema/form_test.cpp — parsing and checking form definitions, and
// typing values (ParseValue, CheckValueType, FormatValue).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "schema/form.h"

using namespace fieldsync::schema;
using nlohmann::json;

namespace {

json MinimalForm() {
  return json::parse(R"({
    "id": "health", "version": 2, "sector": "health",
    "title": {"en": "Health", "fr": "Santé"},
    "questions": [
      {"name": "hiv_tested", "type": "integer", "label": {"en": "People tested"},
       "required": true, "constraint": ". >= 0"},
      {"name": "hiv_positive", "type": "integer", "label": {"en": "Positive"},
       "constraint": ". <= ${hiv_tested}"}
    ]})");
}

std::string FormError(const json& def) {
  auto f = ParseForm(def);
  REQUIRE_MESSAGE(!f.ok(), def.dump());
  return f.status().message();
}

Question Q(QuestionType type, std::vector<std::string> choices = {}) {
  Question q;
  q.name = "f";
  q.type = type;
  q.label.by_lang["en"] = "F";
  for (auto& c : choices) {
    Choice choice;
    choice.name = c;
    choice.label.by_lang["en"] = c == "maize" ? "Maize" : c;
    choice.label.by_lang["fr"] = c == "maize" ? "Maïs" : c;
    q.choices.push_back(choice);
  }
  return q;
}

std::string ParseError(const Question& q, std::string_view text) {
  auto v = ParseValue(q, text);
  REQUIRE_MESSAGE(!v.ok(), text);
  return v.status().message();
}

}  // namespace

TEST_CASE("a valid definition parses") {
  auto f = ParseForm(MinimalForm());
  REQUIRE_MESSAGE(f.ok(), f.status().message());
  CHECK(f->id == "health");
  CHECK(f->version == 2);
  CHECK(f->Key() == "health@2");
  CHECK(f->title.Get("fr") == "Santé");
  REQUIRE(f->questions.size() == 2);
  CHECK(f->questions[0].required);
  CHECK(f->questions[0].constraint_expr != nullptr);
  CHECK(f->questions[1].relevant_expr == nullptr);
  CHECK(f->Find("hiv_positive") == &f->questions[1]);
  CHECK(f->Find("nope") == nullptr);
}

TEST_CASE("LocalizedText falls back to English, then any language") {
  LocalizedText t;
  CHECK(t.Get("fr").empty());
  t.by_lang["pt"] = "Olá";
  CHECK(t.Get("fr") == "Olá");
  t.by_lang["en"] = "Hello";
  CHECK(t.Get("fr") == "Hello");
  t.by_lang["fr"] = "Bonjour";
  CHECK(t.Get("fr") == "Bonjour");
}

TEST_CASE("question type names round-trip") {
  for (auto name : {"integer", "decimal", "text", "date", "select_one", "select_multiple", "geopoint",
                    "photo", "note", "calculate"}) {
    QuestionType t;
    REQUIRE(ParseQuestionType(name, &t));
    CHECK(QuestionTypeName(t) == name);
  }
  QuestionType t;
  CHECK_FALSE(ParseQuestionType("integr", &t));
}

TEST_CASE("definition errors name the form, the field and the column") {
  json def = MinimalForm();
  def["questions"][1]["constraint"] = ". <= ${hiv_tested})";
  CHECK(FormError(def) == "form 'health' field 'hiv_positive' constraint: unexpected ')' at column 19");

  def = MinimalForm();
  def["questions"][1]["relevant"] = "${nothere} > 0";
  CHECK(FormError(def) == "form 'health' field 'hiv_positive' relevant: unknown field ${nothere}");

  def = MinimalForm();
  def["questions"][1]["name"] = "hiv_tested";
  CHECK(FormError(def) == "form 'health': field 'hiv_tested' appears more than once");

  def = MinimalForm();
  def["questions"][1]["name"] = "status";
  CHECK(FormError(def) ==
        "form 'health' field 'status': 'status' is reserved for the report's own status; give "
        "the question another name");

  def = MinimalForm();
  def["questions"][0]["type"] = "integr";
  CHECK(FormError(def).rfind("form 'health' field 'hiv_tested': unknown type 'integr'", 0) == 0);

  def = MinimalForm();
  def["questions"][0]["type"] = "select_one";
  CHECK(FormError(def) == "form 'health' field 'hiv_tested': a select_one question needs 'choices'");

  def = MinimalForm();
  def["questions"][0]["contraint"] = ". > 0";
  CHECK(FormError(def) == "form 'health' field 'hiv_tested': unknown key 'contraint'");

  def = MinimalForm();
  def["questions"][0].erase("label");
  CHECK(FormError(def) == "form 'health' field 'hiv_tested': 'label' is missing");

  def = MinimalForm();
  def["questions"][0]["required"] = "yes";
  CHECK(FormError(def) == "form 'health' field 'hiv_tested': 'required' must be true or false");

  def = MinimalForm();
  def["questions"][0]["default"] = "abc";
  CHECK(FormError(def) ==
        "form 'health' field 'hiv_tested': 'default' expects a whole number, got 'abc'");

  def = MinimalForm();
  def["questions"][0]["name"] = "has space";
  CHECK(FormError(def).rfind("form 'health' question 1: 'name' must be a name", 0) == 0);

  def = MinimalForm();
  def["version"] = 0;
  CHECK(FormError(def) == "form 'health': 'version' must be a whole number of at least 1");

  def = MinimalForm();
  def.erase("id");
  CHECK(FormError(def).rfind("form: 'id' must be a name", 0) == 0);

  def = MinimalForm();
  def["questions"] = json::array();
  CHECK(FormError(def) == "form 'health': 'questions' must be a non-empty array");

  def = MinimalForm();
  def["questions"][0]["calculate"] = "1 + 1";
  CHECK(FormError(def) ==
        "form 'health' field 'hiv_tested': only calculate questions have a 'calculate' expression");

  def = MinimalForm();
  def["questions"][0]["type"] = "calculate";
  CHECK(FormError(def) ==
        "form 'health' field 'hiv_tested': a calculate question needs a 'calculate' expression");

  def = MinimalForm();
  def["questions"][0]["type"] = "note";
  CHECK(FormError(def).find("a note holds no value") != std::string::npos);

  def = MinimalForm();
  def["questions"][0]["type"] = "select_multiple";
  def["questions"][0]["constraint"] = "true()";
  def["questions"][0]["choices"] = json::parse(R"([{"name": "a b", "label": "A"}])");
  CHECK(FormError(def).find("each choice needs a 'name'") != std::string::npos);
  def["questions"][0]["choices"] =
      json::parse(R"([{"name": "a", "label": "A"}, {"name": "a", "label": "A2"}])");
  CHECK(FormError(def) == "form 'health' field 'hiv_tested': choice 'a' appears more than once");

  CHECK(FormError(json::array()) == "form: the definition must be a JSON object");
}

TEST_CASE("ParseFormText reports JSON syntax errors") {
  auto f = ParseFormText("{\"id\": ");
  REQUIRE_FALSE(f.ok());
  CHECK(f.status().message().rfind("form: not valid JSON: parse error at line 1", 0) == 0);
}

TEST_CASE("FormToJson round-trips through ParseForm") {
  for (const Form& shipped : ShippedForms()) {
    json j = FormToJson(shipped);
    auto again = ParseForm(j);
    REQUIRE_MESSAGE(again.ok(), again.status().message());
    CHECK(FormToJson(again.value()) == j);
    CHECK(again->questions.size() == shipped.questions.size());
  }
  auto minimal = ParseForm(MinimalForm());
  REQUIRE(minimal.ok());
  json back = FormToJson(minimal.value());
  CHECK(back["questions"][0]["constraint"] == ". >= 0");
  CHECK_FALSE(back["questions"][1].contains("required"));
}

TEST_CASE("LoadFormFile reads a file and names it in errors") {
  auto dir = std::filesystem::temp_directory_path() / "fieldsync_form_test";
  std::filesystem::create_directories(dir);
  auto good = dir / "good.json";
  std::ofstream(good) << MinimalForm().dump(2);
  auto f = LoadFormFile(good);
  REQUIRE_MESSAGE(f.ok(), f.status().message());
  CHECK(f->id == "health");

  auto bad = dir / "bad.json";
  std::ofstream(bad) << "{\"id\": \"x\"}";
  auto b = LoadFormFile(bad);
  REQUIRE_FALSE(b.ok());
  CHECK(b.status().message().find(bad.string()) != std::string::npos);
  CHECK(b.status().message().find("'version'") != std::string::npos);

  auto missing = LoadFormFile(dir / "missing.json");
  CHECK(missing.status().code() == fieldsync::Status::Code::kNotFound);
  std::filesystem::remove_all(dir);
}

TEST_CASE("ParseValue: integers") {
  Question q = Q(QuestionType::kInteger);
  q.name = "hiv_tested";
  CHECK(ParseValue(q, "12").value() == json(12));
  CHECK(ParseValue(q, " -7 ").value() == json(-7));
  CHECK(ParseValue(q, "+3").value() == json(3));
  CHECK(ParseValue(q, "").value().is_null());
  CHECK(ParseValue(q, "   ").value().is_null());
  CHECK(ParseValue(q, "9223372036854775807").value() == json(INT64_MAX));
  CHECK(ParseValue(q, "-9223372036854775808").value() == json(INT64_MIN));
  CHECK(ParseError(q, "abc") == "field 'hiv_tested' expects a whole number, got 'abc'");
  CHECK(ParseError(q, "12.5") == "field 'hiv_tested' expects a whole number, got '12.5'");
  CHECK(ParseError(q, "1e3") == "field 'hiv_tested' expects a whole number, got '1e3'");
  CHECK(ParseError(q, "9223372036854775808").find("(too large)") != std::string::npos);
  CHECK(ParseError(q, "99999999999999999999999").find("(too large)") != std::string::npos);
}

TEST_CASE("ParseValue: decimals, text, dates") {
  Question d = Q(QuestionType::kDecimal);
  CHECK(ParseValue(d, "3.5").value() == json(3.5));
  CHECK(ParseValue(d, "-0.25").value() == json(-0.25));
  CHECK(ParseValue(d, "12").value() == json(12.0));
  CHECK(ParseError(d, "3,5") == "field 'f' expects a number, got '3,5' (write decimals with '.')");
  CHECK(ParseError(d, "nan") == "field 'f' expects a number, got 'nan'");
  CHECK(ParseError(d, "inf") == "field 'f' expects a number, got 'inf'");

  Question t = Q(QuestionType::kText);
  CHECK(ParseValue(t, "Bonjour à tous").value() == json("Bonjour à tous"));

  Question date = Q(QuestionType::kDate);
  CHECK(ParseValue(date, "2026-03-01").value() == json("2026-03-01"));
  CHECK(ParseValue(date, "2024-02-29").value() == json("2024-02-29"));  // leap year
  CHECK(ParseError(date, "2025-02-29") == "field 'f' expects a date YYYY-MM-DD, got '2025-02-29'");
  CHECK_FALSE(ParseValue(date, "1900-02-29").ok());  // not a leap year
  CHECK(ParseValue(date, "2000-02-29").ok());        // is one
  CHECK_FALSE(ParseValue(date, "2026-04-31").ok());
  CHECK_FALSE(ParseValue(date, "2026-13-01").ok());
  CHECK_FALSE(ParseValue(date, "2026-3-1").ok());
  CHECK_FALSE(ParseValue(date, "01/03/2026").ok());
}

TEST_CASE("ParseValue: selects, geopoints, photos, notes") {
  Question one = Q(QuestionType::kSelectOne, {"maize", "rice"});
  CHECK(ParseValue(one, "rice").value() == json("rice"));
  CHECK(ParseError(one, "corn") == "field 'f' expects one of maize, rice, got 'corn'");

  Question many = Q(QuestionType::kSelectMultiple, {"hiv", "malaria", "tb"});
  CHECK(ParseValue(many, "hiv tb").value() == json::array({"hiv", "tb"}));
  CHECK(ParseValue(many, "tb,hiv, tb").value() == json::array({"tb", "hiv"}));
  CHECK(ParseValue(many, " , ").value().is_null());
  CHECK(ParseError(many, "hiv flu") == "field 'f' expects choices among hiv, malaria, tb, got 'flu'");

  Question g = Q(QuestionType::kGeopoint);
  CHECK(ParseValue(g, "12.5,-3.2").value() == json({{"lat", 12.5}, {"lon", -3.2}}));
  CHECK(ParseValue(g, "12.5 -3.2 350 5").value() ==
        json({{"lat", 12.5}, {"lon", -3.2}, {"alt", 350.0}, {"acc", 5.0}}));
  CHECK_FALSE(ParseValue(g, "91 0").ok());
  CHECK_FALSE(ParseValue(g, "0 181").ok());
  CHECK_FALSE(ParseValue(g, "12.5").ok());
  CHECK_FALSE(ParseValue(g, "north east").ok());

  Question p = Q(QuestionType::kPhoto);
  std::string hash(64, 'a');
  CHECK(ParseValue(p, std::string(64, 'A')).value() == json(hash));
  CHECK_FALSE(ParseValue(p, "abc").ok());

  Question n = Q(QuestionType::kNote);
  CHECK(ParseError(n, "x") == "field 'f' is a note and holds no value");
  Question c = Q(QuestionType::kCalculate);
  CHECK(ParseError(c, "1") == "field 'f' is calculated and cannot be typed");
}

TEST_CASE("CheckValueType") {
  Question i = Q(QuestionType::kInteger);
  i.name = "hiv_tested";
  CHECK(CheckValueType(i, json(12)).ok());
  CHECK(CheckValueType(i, json(nullptr)).ok());
  CHECK(CheckValueType(i, json(12.5)).message() == "field 'hiv_tested' expects a whole number, got 12.5");
  CHECK(CheckValueType(i, json("12")).message() == "field 'hiv_tested' expects a whole number, got '12'");
  CHECK(CheckValueType(i, json(18446744073709551615ull)).message().find("too large") != std::string::npos);

  json deep = json::array();
  for (int k = 0; k < 100000; ++k) deep = json::array({std::move(deep)});
  CHECK(CheckValueType(i, deep).message() == "field 'hiv_tested' expects a whole number, got a long or nested list");
  CHECK(FormatValue(i, deep, "en") == "a long or nested list");

  Question d = Q(QuestionType::kDecimal);
  CHECK(CheckValueType(d, json(3)).ok());
  CHECK(CheckValueType(d, json(3.5)).ok());
  CHECK_FALSE(CheckValueType(d, json(true)).ok());

  Question date = Q(QuestionType::kDate);
  CHECK(CheckValueType(date, json("2026-02-28")).ok());
  CHECK_FALSE(CheckValueType(date, json("2026-02-30")).ok());

  Question many = Q(QuestionType::kSelectMultiple, {"hiv", "tb"});
  CHECK(CheckValueType(many, json::array({"tb"})).ok());
  CHECK_FALSE(CheckValueType(many, json("tb")).ok());
  CHECK_FALSE(CheckValueType(many, json::array({"flu"})).ok());
  CHECK(CheckValueType(many, json::array({"tb", "tb"})).message() == "field 'f' lists 'tb' more than once");

  Question g = Q(QuestionType::kGeopoint);
  CHECK(CheckValueType(g, json({{"lat", 1}, {"lon", 2}, {"acc", 5}})).ok());
  CHECK_FALSE(CheckValueType(g, json({{"lat", 1}})).ok());
  CHECK_FALSE(CheckValueType(g, json({{"lat", 1}, {"lon", 2}, {"speed", 3}})).ok());
  CHECK_FALSE(CheckValueType(g, json({{"lat", 100}, {"lon", 2}})).ok());

  Question p = Q(QuestionType::kPhoto);
  CHECK(CheckValueType(p, json(std::string(64, 'f'))).ok());
  CHECK_FALSE(CheckValueType(p, json(std::string(64, 'F'))).ok());  // lowercase only

  Question n = Q(QuestionType::kNote);
  CHECK(CheckValueType(n, json(nullptr)).ok());
  CHECK_FALSE(CheckValueType(n, json("x")).ok());

  Question c = Q(QuestionType::kCalculate);
  CHECK(CheckValueType(c, json(2.5)).ok());
  CHECK(CheckValueType(c, json("x")).ok());
  CHECK_FALSE(CheckValueType(c, json::array()).ok());
}

TEST_CASE("FormatValue shows values as a person reads them") {
  Question many = Q(QuestionType::kSelectMultiple, {"maize", "rice"});
  CHECK(FormatValue(many, json::array({"maize", "rice"}), "en") == "Maize, rice");
  CHECK(FormatValue(many, json::array({"maize"}), "fr") == "Maïs");
  Question one = Q(QuestionType::kSelectOne, {"maize"});
  CHECK(FormatValue(one, json("maize"), "fr") == "Maïs");
  Question g = Q(QuestionType::kGeopoint);
  CHECK(FormatValue(g, json({{"lat", 12.5}, {"lon", -3.2}}), "en") == "12.5000, -3.2000");
  CHECK(FormatValue(Q(QuestionType::kInteger), json(12), "en") == "12");
  CHECK(FormatValue(Q(QuestionType::kInteger), json(INT64_MAX), "en") == "9223372036854775807");
  CHECK(FormatValue(Q(QuestionType::kDecimal), json(12.50), "en") == "12.5");
  CHECK(FormatValue(Q(QuestionType::kText), json(nullptr), "en").empty());
  CHECK(FormatValue(Q(QuestionType::kDate), json("2026-03-01"), "en") == "2026-03-01");
}
