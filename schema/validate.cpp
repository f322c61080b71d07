// schema/validate.cpp — checking a report's values against its form.
//
// Evaluation walks the form once, in order. For each question it decides
// relevance, then its effective value: the typed value when relevant (a value
// of the wrong type counts as no answer), the calculated value for a
// calculate question, and null when irrelevant — so a question hidden by
// relevance hides its answer from every later expression too, as in XLSForm.
// An expression that looks at a question not yet reached sees that
// question's typed value (calculations not yet reached are null).
#include "schema/validate.h"

#include <map>

#include "schema/expr.h"
#include "schema/internal.h"

namespace fieldsync::schema {

using nlohmann::json;

namespace {

struct Evaluation {
  std::vector<json> raw;            // as supplied (null when missing)
  std::vector<std::string> problem; // type problem of raw; empty when it fits
  std::vector<json> effective;      // see the file comment
  std::vector<bool> relevant;
};

Evaluation Evaluate(const Form& form, const json& values, std::string_view today) {
  const size_t n = form.questions.size();
  Evaluation ev;
  ev.raw.resize(n);
  ev.problem.resize(n);
  ev.effective.resize(n);
  ev.relevant.assign(n, true);
  std::vector<bool> done(n, false);
  std::map<std::string_view, size_t> index;
  for (size_t i = 0; i < n; ++i) {
    const Question& q = form.questions[i];
    index.emplace(q.name, i);
    if (values.is_object()) {
      if (auto it = values.find(q.name); it != values.end()) ev.raw[i] = *it;
    }
    ev.problem[i] = internal::TypeProblem(q, ev.raw[i]);
  }
  // "" and [] are no answer, like null: required catches them, expressions see null.
  auto typed = [&](size_t i) -> json {
    const json& v = ev.raw[i];
    if (form.questions[i].type == QuestionType::kCalculate || !ev.problem[i].empty()) return nullptr;
    if ((v.is_string() || v.is_array()) && v.empty()) return nullptr;
    return v;
  };
  EvalContext ctx;
  ctx.today = today.empty() ? internal::TodayUtc() : std::string(today);
  ctx.lookup = [&](std::string_view name) -> Value {
    auto it = index.find(name);
    if (it == index.end()) return Value::Null();
    size_t i = it->second;
    return Value::FromJson(done[i] ? ev.effective[i] : typed(i));
  };
  for (size_t i = 0; i < n; ++i) {
    const Question& q = form.questions[i];
    if (q.relevant_expr) {
      ctx.current = Value::FromJson(typed(i));
      ev.relevant[i] = q.relevant_expr->Eval(ctx).Truthy();
    }
    if (!ev.relevant[i] || !q.HoldsValue()) {
      ev.effective[i] = nullptr;
    } else if (q.type == QuestionType::kCalculate) {
      ctx.current = Value::Null();
      ev.effective[i] = q.calculate_expr->Eval(ctx).ToJson();
    } else {
      ev.effective[i] = typed(i);
    }
    done[i] = true;
  }
  return ev;
}

// The few words Validate adds itself, in the UI languages.
std::string Phrase(std::string_view key, std::string_view lang) {
  struct Entry {
    std::string_view key, en, fr, es, pt;
  };
  static constexpr Entry kPhrases[] = {
      {"required", "required", "obligatoire", "obligatorio", "obrigatório"},
      {"unknown", "unknown field", "champ inconnu", "campo desconocido", "campo desconhecido"},
      {"satisfy", "must satisfy ", "doit respecter ", "debe cumplir ", "deve satisfazer "},
  };
  for (const Entry& e : kPhrases) {
    if (e.key != key) continue;
    if (lang == "fr") return std::string(e.fr);
    if (lang == "es") return std::string(e.es);
    if (lang == "pt") return std::string(e.pt);
    return std::string(e.en);
  }
  return std::string(key);
}

// Replaces ${name} in a constraint message with that field's value as a
// person reads it ("must not exceed people tested (${hiv_tested})").
std::string Interpolate(const std::string& message, const Form& form, const Evaluation& ev,
                        std::string_view lang) {
  std::string out;
  size_t i = 0;
  while (i < message.size()) {
    size_t open = message.find("${", i);
    size_t close = open == std::string::npos ? open : message.find('}', open);
    if (close == std::string::npos) {
      out += message.substr(i);
      break;
    }
    out += message.substr(i, open - i);
    std::string name = message.substr(open + 2, close - open - 2);
    bool found = false;
    for (size_t k = 0; k < form.questions.size() && !found; ++k) {
      if (form.questions[k].name != name) continue;
      found = true;
      std::string formatted = FormatValue(form.questions[k], ev.effective[k], lang);
      out += formatted.empty() ? std::string_view("?") : std::string_view(formatted);  // "?": not answered
    }
    if (!found) out.append(message, open, close - open + 1);
    i = close + 1;
  }
  return out;
}

}  // namespace

std::string FieldError::ToString() const {
  if (field.empty()) return message;
  if (label.empty() || label == field) return field + ": " + message;
  return label + " (" + field + "): " + message;
}

std::vector<FieldError> Validate(const Form& form, const json& values, const ValidateOptions& opts) {
  std::vector<FieldError> errors;
  if (!values.is_null() && !values.is_object()) {
    errors.push_back({"", "", "report values must be a JSON object of field name → value"});
    return errors;
  }
  Evaluation ev = Evaluate(form, values, opts.today);
  EvalContext ctx;
  ctx.today = opts.today.empty() ? internal::TodayUtc() : opts.today;
  ctx.lookup = [&](std::string_view name) -> Value {
    for (size_t k = 0; k < form.questions.size(); ++k)
      if (form.questions[k].name == name) return Value::FromJson(ev.effective[k]);
    return Value::Null();
  };
  for (size_t i = 0; i < form.questions.size(); ++i) {
    const Question& q = form.questions[i];
    std::string label = q.label.Get(opts.lang);
    if (label.empty()) label = q.name;
    auto fail = [&](std::string message) { errors.push_back({q.name, label, std::move(message)}); };
    if (!q.HoldsValue()) {
      if (!ev.raw[i].is_null()) fail(ev.problem[i]);
      continue;
    }
    if (!ev.relevant[i]) continue;  // neither required nor constrained; value ignored
    if (q.type != QuestionType::kCalculate && !ev.problem[i].empty()) {
      fail(ev.problem[i]);
      continue;
    }
    const json& value = ev.effective[i];
    if (value.is_null()) {
      if (opts.mode == ValidationMode::kFinalize && q.required) fail(Phrase("required", opts.lang));
      continue;
    }
    if (q.constraint_expr) {
      ctx.current = Value::FromJson(value);
      if (!q.constraint_expr->Eval(ctx).Truthy()) {
        std::string message = q.constraint_message.Get(opts.lang);
        if (message.empty()) message = Phrase("satisfy", opts.lang) + q.constraint;
        fail(Interpolate(message, form, ev, opts.lang));
      }
    }
  }
  if (values.is_object()) {
    for (const auto& [key, _] : values.items())
      if (!form.Find(key)) errors.push_back({key, "", Phrase("unknown", opts.lang)});
  }
  return errors;
}

bool IsRelevant(const Form& form, const Question& q, const json& values, std::string_view today) {
  if (!q.relevant_expr) return true;
  Evaluation ev = Evaluate(form, values, today);
  for (size_t i = 0; i < form.questions.size(); ++i)
    if (&form.questions[i] == &q || form.questions[i].name == q.name) return ev.relevant[i];
  return true;
}

json ApplyCalculations(const Form& form, const json& values, std::string_view today) {
  json out = values.is_object() ? values : json::object();
  Evaluation ev = Evaluate(form, values, today);
  for (size_t i = 0; i < form.questions.size(); ++i) {
    const Question& q = form.questions[i];
    if (q.type != QuestionType::kCalculate) continue;
    if (ev.effective[i].is_null()) out.erase(q.name);
    else out[q.name] = ev.effective[i];
  }
  return out;
}

}  // namespace fieldsync::schema
