// fuzz/fuzz_form.cpp — libFuzzer target: any bytes as what HQ or a peer sends
// to schema/: a form definition, report values, a project registry.
// Invariants checked beyond "no crash":
//   - a definition that parses round-trips: ParseForm(FormToJson(f)) gives
//     the same JSON again;
//   - validation, calculations and formatting accept any values.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "schema/catalogue.h"
#include "schema/form.h"
#include "schema/validate.h"

using namespace fieldsync::schema;
using nlohmann::json;

namespace {

void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_form: %s: %s\n", what, detail.c_str());
  std::abort();
}

// Exercises everything that takes a form and values.
void UseForm(const Form& form, const json& values) {
  for (auto lang : {"en", "fr"}) {
    ValidateOptions opts;
    opts.lang = lang;
    opts.today = "2026-03-15";
    for (const FieldError& e : Validate(form, values, opts)) (void)e.ToString();
  }
  json calculated = ApplyCalculations(form, values, "2026-03-15");
  for (const Question& q : form.questions) {
    (void)IsRelevant(form, q, values, "2026-03-15");
    if (calculated.is_object() && calculated.contains(q.name)) {
      (void)CheckValueType(q, calculated[q.name]);
      (void)FormatValue(q, calculated[q.name], "pt");
    }
    (void)FormatValue(q, q.default_value, "es");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  // 1. As a form definition.
  auto form = ParseFormText(text);
  if (form.ok()) {
    json j = FormToJson(form.value());
    auto again = ParseForm(j);
    if (!again.ok()) Fail("FormToJson output does not parse", again.status().message());
    if (FormToJson(again.value()) != j) Fail("FormToJson does not round-trip", form->id);
    UseForm(form.value(), json::object());
    json defaults = json::object();
    for (const Question& q : form->questions) {
      if (!q.default_value.is_null()) defaults[q.name] = q.default_value;
      for (std::string_view typed : {std::string_view("12"), text.substr(0, 64)}) {
        auto v = ParseValue(q, typed);
        if (v.ok() && !CheckValueType(q, v.value()).ok())
          Fail("ParseValue result fails CheckValueType", q.name);
      }
    }
    UseForm(form.value(), defaults);
  }

  // 2. As report values for each shipped form.
  json values = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!values.is_discarded()) {
    for (const Form& shipped : ShippedForms()) UseForm(shipped, values);
    // 3. As one project in JSON.
    auto project = ProjectFromJson(values);
    if (project.ok()) {
      auto again = ProjectFromJson(ProjectToJson(project.value()));
      if (!again.ok()) Fail("ProjectToJson output does not parse", again.status().message());
    }
  }

  // 4. As a project registry in CSV.
  auto projects = ParseProjectsCsv(text);
  if (projects.ok()) {
    for (const Project& p : projects.value()) {
      if (!ProjectFromJson(ProjectToJson(p)).ok()) Fail("a CSV project fails ProjectFromJson", p.code);
    }
  } else if (projects.status().message().rfind("line ", 0) != 0) {
    Fail("a CSV error without a line", projects.status().message());
  }
  return 0;
}
