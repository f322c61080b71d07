// tests/schema/shipped_forms_test.cpp — the health, education and agriculture
// forms compiled into the library: complete translations, the common
// questions, a valid report per form, and what each constraint catches.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>

#include "schema/form.h"
#include "schema/validate.h"

using namespace fieldsync::schema;
using nlohmann::json;

namespace {

const Form& Shipped(std::string_view id) {
  const Form* f = FindShippedForm(id);
  REQUIRE_MESSAGE(f != nullptr, id);
  return *f;
}

std::vector<FieldError> Check(const Form& f, const json& values, std::string lang = "en") {
  ValidateOptions o;
  o.lang = std::move(lang);
  o.today = "2026-03-15";
  return Validate(f, values, o);
}

std::string Dump(const std::vector<FieldError>& errors) {
  std::string s;
  for (const auto& e : errors) s += e.ToString() + "\n";
  return s;
}

// The fields that have errors, in order.
std::vector<std::string> Fields(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.field);
  return out;
}

const std::string kPhoto(64, 'c');

json ValidHealth() {
  return {{"period", "2026-02"},
          {"programme", {"hiv", "malaria", "tb"}},
          {"hiv_tested", 420},
          {"hiv_positive", 31},
          {"hiv_treatment", 29},
          {"malaria_tested", 1250},
          {"malaria_positive", 610},
          {"malaria_treated", 598},
          {"bednets_distributed", 3400},
          {"tb_screened", 300},
          {"tb_confirmed", 12},
          {"tb_treatment", 12},
          {"stockout", "yes"},
          {"stockout_days", 6},
          {"staff_deployed", 14},
          {"narrative", "Artemether-lumefantrine ran out for six days in week two."},
          {"location", {{"lat", -25.9692}, {"lon", 32.5732}}},
          {"photo", kPhoto}};
}

json ValidEducation() {
  return {{"period", "2026-02"},       {"classes_held", 64},        {"learners_enrolled", 180},
          {"learners_completed", 142}, {"women_enrolled", 97},      {"teachers_trained", 12},
          {"scholarships_awarded", 5}, {"narrative", "Two new literacy circles opened."}};
}

json ValidAgriculture() {
  return {{"period", "2026-02"},
          {"farmers_trained", 250},
          {"women_farmers", 110},
          {"hectares_planted", 180.5},
          {"seed_distributed_kg", 4512.5},
          {"main_crop", "rice"},
          {"yield_t_ha", 4.2},
          {"irrigation_schemes", 3},
          {"location", {{"lat", 14.6928}, {"lon", -17.4467}, {"acc", 8}}}};
}

json Valid(std::string_view id) {
  if (id == "health") return ValidHealth();
  if (id == "education") return ValidEducation();
  return ValidAgriculture();
}

}  // namespace

TEST_CASE("three shipped forms, version 1, sector = id") {
  const auto& forms = ShippedForms();
  REQUIRE(forms.size() == 3);
  std::set<std::string> ids;
  for (const Form& f : forms) {
    ids.insert(f.id);
    CHECK(f.version == 1);
    CHECK(f.sector == f.id);
  }
  CHECK(ids == std::set<std::string>{"health", "education", "agriculture"});
  CHECK(FindShippedForm("water") == nullptr);
  CHECK(&ShippedForms() == &ShippedForms());  // parsed once, shared
}

TEST_CASE("the embedded forms are the JSON files in schema/forms") {
  for (const Form& f : ShippedForms()) {
    auto path = std::filesystem::path(FIELDSYNC_SOURCE_DIR) / "schema" / "forms" / (f.id + ".json");
    auto file = LoadFormFile(path);
    REQUIRE_MESSAGE(file.ok(), file.status().message());
    CHECK(FormToJson(file.value()) == FormToJson(f));
  }
}

TEST_CASE("every text of every shipped form exists in en, fr, es and pt") {
  for (const Form& f : ShippedForms()) {
    auto complete = [&](const LocalizedText& t, const std::string& what) {
      for (auto lang : kLanguages) {
        auto it = t.by_lang.find(std::string(lang));
        CHECK_MESSAGE((it != t.by_lang.end() && !it->second.empty()),
                      f.id << " " << what << " has no '" << lang << "' text");
      }
      // A translation that is just the English text again is probably missing.
      std::set<std::string> distinct;
      for (const auto& [lang, text] : t.by_lang) distinct.insert(text);
      return distinct.size();
    };
    complete(f.title, "title");
    for (const Question& q : f.questions) {
      complete(q.label, q.name + " label");
      if (!q.hint.empty()) complete(q.hint, q.name + " hint");
      if (q.constraint_expr) {
        size_t distinct = complete(q.constraint_message, q.name + " constraint_message");
        CHECK_MESSAGE(distinct >= 3, f.id << " " << q.name << " constraint messages look untranslated");
      }
      for (const Choice& c : q.choices) complete(c.label, q.name + " choice " + c.name);
    }
  }
}

TEST_CASE("every form has period, location, photo and ranges on every number") {
  for (const Form& f : ShippedForms()) {
    CAPTURE(f.id);
    const Question* period = f.Find("period");
    REQUIRE(period != nullptr);
    CHECK(period->type == QuestionType::kText);
    CHECK(period->required);
    REQUIRE(period->constraint_expr != nullptr);
    const Question* location = f.Find("location");
    REQUIRE(location != nullptr);
    CHECK(location->type == QuestionType::kGeopoint);
    CHECK_FALSE(location->required);
    const Question* photo = f.Find("photo");
    REQUIRE(photo != nullptr);
    CHECK(photo->type == QuestionType::kPhoto);
    CHECK_FALSE(photo->required);
    REQUIRE(f.Find("narrative") != nullptr);
    for (const Question& q : f.questions) {
      if (q.type != QuestionType::kInteger && q.type != QuestionType::kDecimal) continue;
      CHECK_MESSAGE(q.constraint_expr != nullptr, q.name << " has no range");
      // Every number refuses a negative value and an absurdly large one.
      for (json bad : {json(-1), json(100000000)}) {
        json v = Valid(f.id);
        v[q.name] = bad;
        auto errors = Check(f, v);
        // Figures bounded by this one may fail too, but this one must.
        auto fields = Fields(errors);
        CHECK_MESSAGE(std::find(fields.begin(), fields.end(), q.name) != fields.end(),
                      q.name << " = " << bad << ":\n" << Dump(errors));
      }
    }
  }
}

TEST_CASE("a valid report passes each shipped form, in every language") {
  for (const Form& f : ShippedForms()) {
    for (auto lang : kLanguages) {
      auto errors = Check(f, Valid(f.id), std::string(lang));
      CHECK_MESSAGE(errors.empty(), f.id << " (" << lang << "):\n" << Dump(errors));
    }
  }
}

TEST_CASE("period must be a plausible YYYY-MM") {
  const Form& f = Shipped("education");
  for (const char* bad : {"2026-13", "2026-00", "2026-3", "26-03", "2026-03-01", "1999-12", "march"}) {
    json v = ValidEducation();
    v["period"] = bad;
    auto errors = Check(f, v);
    REQUIRE_MESSAGE(errors.size() == 1, bad);
    CHECK(errors[0].field == "period");
    CHECK(errors[0].message == "Use the format YYYY-MM, e.g. 2026-03");
  }
  json v = ValidEducation();
  v["period"] = "2026-12";
  CHECK(Check(f, v).empty());
  v.erase("period");
  CHECK(Fields(Check(f, v)) == std::vector<std::string>{"period"});
}

TEST_CASE("health: cross-field constraints") {
  const Form& f = Shipped("health");
  struct Case {
    const char* field;
    json value;
    const char* message;
  };
  for (const Case& c : {
           Case{"hiv_positive", 421, "Must be between 0 and the number of people tested (420)"},
           Case{"hiv_treatment", 32, "Must be between 0 and the number of people who tested positive (31)"},
           Case{"malaria_positive", 1251,
                "Must be between 0 and the number of people tested for malaria (1250)"},
           Case{"malaria_treated", 611, "Must be between 0 and the number of confirmed cases (610)"},
           Case{"tb_confirmed", 301, "Must be between 0 and the number of people screened (300)"},
           Case{"tb_treatment", 13, "Must be between 0 and the number of confirmed cases (12)"},
           Case{"stockout_days", 32, "Enter a number of days between 0 and 31"},
           Case{"bednets_distributed", 200001, "Enter a whole number between 0 and 200000"},
       }) {
    json v = ValidHealth();
    v[c.field] = c.value;
    auto errors = Check(f, v);
    REQUIRE_MESSAGE(errors.size() == 1, c.field << ":\n" << Dump(errors));
    CHECK(errors[0].field == c.field);
    CHECK(errors[0].message == c.message);
  }
  // The upper bounds are the previous figures: equal is fine.
  json v = ValidHealth();
  v["hiv_positive"] = 420;
  v["hiv_treatment"] = 420;
  v["stockout_days"] = 31;
  CHECK(Check(f, v).empty());
  // In French, with the figure filled in.
  v["hiv_positive"] = 500;
  auto fr = Check(f, v, "fr");
  REQUIRE(fr.size() >= 1);
  CHECK(fr[0].label == "Personnes dépistées séropositives au VIH");
  CHECK(fr[0].message == "Doit être compris entre 0 et le nombre de personnes dépistées (420)");
}

TEST_CASE("health: relevance follows the programmes and the stock-out answer") {
  const Form& f = Shipped("health");
  json v = {{"period", "2026-02"}, {"programme", {"malaria"}}, {"malaria_tested", 100},
            {"malaria_positive", 40}, {"malaria_treated", 40}, {"bednets_distributed", 0},
            {"stockout", "no"}, {"staff_deployed", 3}};
  CHECK_MESSAGE(Check(f, v).empty(), Dump(Check(f, v)));
  CHECK_FALSE(IsRelevant(f, *f.Find("hiv_tested"), v));
  CHECK_FALSE(IsRelevant(f, *f.Find("stockout_days"), v));
  CHECK(IsRelevant(f, *f.Find("bednets_distributed"), v));

  v.erase("bednets_distributed");
  CHECK(Fields(Check(f, v)) == std::vector<std::string>{"bednets_distributed"});
  v["bednets_distributed"] = 10;

  v["stockout"] = "yes";
  CHECK(Fields(Check(f, v)) == std::vector<std::string>{"stockout_days"});
  v["stockout_days"] = 0;  // less than a day
  CHECK(Check(f, v).empty());

  v["programme"] = {"hiv"};  // malaria figures now ignored, HIV ones required
  CHECK(Fields(Check(f, v)) ==
        std::vector<std::string>{"hiv_tested", "hiv_positive", "hiv_treatment"});
  v["programme"] = json::array();
  CHECK(Fields(Check(f, v)) == std::vector<std::string>{"programme"});
}

TEST_CASE("education: completed and women are bounded by enrolment") {
  const Form& f = Shipped("education");
  for (const char* field : {"learners_completed", "women_enrolled"}) {
    json v = ValidEducation();
    v[field] = 181;
    auto errors = Check(f, v);
    REQUIRE_MESSAGE(errors.size() == 1, Dump(errors));
    CHECK(errors[0].field == field);
    CHECK(errors[0].message == "Must be between 0 and the number of learners enrolled (180)");
  }
  json v = ApplyCalculations(f, ValidEducation());
  CHECK(v["completion_rate"] == json(78.9));
}

TEST_CASE("agriculture: crops, yield, women farmers and seed per hectare") {
  const Form& f = Shipped("agriculture");
  json v = ValidAgriculture();
  v["women_farmers"] = 251;
  CHECK(Fields(Check(f, v)) == std::vector<std::string>{"women_farmers"});

  v = ValidAgriculture();
  v["yield_t_ha"] = 30.5;
  auto errors = Check(f, v, "es");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].message == "Ingrese un rendimiento entre 0 y 30 t/ha");
  v["yield_t_ha"] = 30;
  CHECK(Check(f, v).empty());

  v["main_crop"] = "quinoa";
  CHECK(Fields(Check(f, v)) == std::vector<std::string>{"main_crop"});
  v["main_crop"] = "other";
  CHECK(Fields(Check(f, v)) == std::vector<std::string>{"main_crop_other"});
  v["main_crop_other"] = "Fonio";
  CHECK(Check(f, v).empty());

  std::set<std::string> crops;
  for (const Choice& c : f.Find("main_crop")->choices) crops.insert(c.name);
  CHECK(crops == std::set<std::string>{"maize", "rice", "sorghum", "millet", "cassava", "beans",
                                       "wheat", "other"});

  json calc = ApplyCalculations(f, ValidAgriculture());
  CHECK(calc["seed_per_hectare"] == json(25));  // 4512.5 kg / 180.5 ha
  v = ValidAgriculture();
  v["hectares_planted"] = 0;
  CHECK_FALSE(ApplyCalculations(f, v).contains("seed_per_hectare"));
  CHECK(Check(f, v).empty());
  CHECK(Fields(Check(f, {{"period", "2026-02"}, {"hectares_planted", 50000.5}})).front() ==
        "farmers_trained");
}
