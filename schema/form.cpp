// schema/form.cpp — parsing and checking form definitions, typing report
// values, and the shipped forms compiled into the library.
//
// A definition is checked completely before it is accepted: a form that
// parses here can be rendered, validated and evaluated without further
// checks. Unknown keys are refused so that a misspelt "contraint" is caught
// when the form is written, not months later in the field.
#include "schema/form.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "schema/expr.h"
#include "schema/internal.h"

namespace fieldsync::schema {

using nlohmann::json;

// ---------------------------------------------------------------- small helpers

namespace internal {

bool IsCalendarDate(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (t[i] < '0' || t[i] > '9') return false;
  auto num = [&](size_t b, size_t n) {
    int v = 0;
    for (size_t i = b; i < b + n; ++i) v = v * 10 + (t[i] - '0');
    return v;
  };
  int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int max = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  return d <= max;
}

std::string QuoteForMessage(std::string_view text) {
  constexpr size_t kMax = 60;
  if (text.size() <= kMax) return "'" + std::string(text) + "'";
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 boundary
  return "'" + std::string(text.substr(0, cut)) + "...'";
}

namespace {
// Whether a value is small enough to print whole. Bounded recursion: a
// deeply nested value from a peer must not exhaust the stack in dump().
bool SmallJson(const json& v, int depth) {
  if (!v.is_structured()) return true;
  if (depth >= 3 || v.size() > 8) return false;
  for (const auto& e : v)
    if (!SmallJson(e, depth + 1)) return false;
  return true;
}
}  // namespace

std::string JsonForMessage(const json& value) {
  if (value.is_string()) return QuoteForMessage(value.get_ref<const std::string&>());
  if (!SmallJson(value, 0)) return value.is_array() ? "a long or nested list" : "a large object";
  std::string s = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > 60) s = s.substr(0, 60) + "...";
  return s;
}

}  // namespace internal

namespace {

using internal::IsCalendarDate;
using internal::JsonForMessage;
using internal::QuoteForMessage;

bool IsName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  auto start = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!start(s[0])) return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return start(c) || (c >= '0' && c <= '9'); });
}

// Choice names travel inside space-separated select_multiple strings.
bool IsChoiceName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.';
  });
}

std::string_view Trim(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

std::string ChoiceList(const Question& q) {
  std::string s;
  for (size_t i = 0; i < q.choices.size(); ++i) {
    if (i) s += ", ";
    if (i == 12) return s + "...";
    s += q.choices[i].name;
  }
  return s;
}

// "expects a whole number" and friends: the first half of every type error.
std::string Expects(const Question& q) {
  switch (q.type) {
    case QuestionType::kInteger: return "expects a whole number";
    case QuestionType::kDecimal: return "expects a number";
    case QuestionType::kText: return "expects text";
    case QuestionType::kDate: return "expects a date YYYY-MM-DD";
    case QuestionType::kSelectOne: return "expects one of " + ChoiceList(q);
    case QuestionType::kSelectMultiple: return "expects choices among " + ChoiceList(q);
    case QuestionType::kGeopoint:
      return "expects a location 'latitude longitude' (-90..90, -180..180)";
    case QuestionType::kPhoto: return "expects a photo (SHA-256 of the file, 64 hex digits)";
    case QuestionType::kNote: return "is a note and holds no value";
    case QuestionType::kCalculate: return "expects a number or text";
  }
  return "expects a value";
}

bool IsSha256Hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool InLatLonRange(double lat, double lon) {
  return std::isfinite(lat) && std::isfinite(lon) && lat >= -90 && lat <= 90 && lon >= -180 &&
         lon <= 180;
}

Status FieldError(const Question& q, const std::string& problem) {
  return Status::InvalidArgument("field '" + q.name + "' " + problem);
}

// ---------------------------------------------------------------- parsing a definition

class FormParser {
 public:
  Result<Form> Parse(const json& def) {
    if (!def.is_object()) return Status::InvalidArgument("form: the definition must be a JSON object");
    Form form;
    auto id = def.find("id");
    if (id == def.end() || !id->is_string() || !IsName(id->get<std::string>()))
      return Status::InvalidArgument(
          "form: 'id' must be a name (letters, digits, '_'; starting with a letter)");
    form.id = id->get<std::string>();
    prefix_ = "form '" + form.id + "'";
    for (const auto& [key, _] : def.items()) {
      static const std::set<std::string, std::less<>> kKeys = {"id", "version", "sector", "title",
                                                              "questions"};
      if (!kKeys.count(key)) return Err("unknown key " + QuoteForMessage(key));
    }
    auto version = def.find("version");
    if (version == def.end() || !version->is_number_integer() || version->get<int64_t>() < 1 ||
        version->get<int64_t>() > std::numeric_limits<int>::max())
      return Err("'version' must be a whole number of at least 1");
    form.version = static_cast<int>(version->get<int64_t>());
    auto sector = def.find("sector");
    if (sector == def.end() || !sector->is_string() || sector->get_ref<const std::string&>().empty())
      return Err("'sector' must be a non-empty string");
    form.sector = sector->get<std::string>();
    if (auto t = def.find("title"); t != def.end())
      FS_RETURN_IF_ERROR(ParseText(*t, "'title'", &form.title));
    auto qs = def.find("questions");
    if (qs == def.end() || !qs->is_array() || qs->empty())
      return Err("'questions' must be a non-empty array");
    std::set<std::string, std::less<>> names;
    for (size_t i = 0; i < qs->size(); ++i) {
      Question q;
      FS_RETURN_IF_ERROR(ParseQuestion((*qs)[i], i, &q));
      if (!names.insert(q.name).second)
        return Err("field " + QuoteForMessage(q.name) + " appears more than once");
      form.questions.push_back(std::move(q));
    }
    // References are checked once every name is known (a relevance may look ahead).
    for (const Question& q : form.questions) {
      auto check = [&](const std::shared_ptr<const Expr>& e, std::string_view what) -> Status {
        if (!e) return Status::Ok();
        std::vector<std::string> refs;
        e->CollectRefs(&refs);
        for (const auto& r : refs)
          if (!names.count(r))
            return Status::InvalidArgument(prefix_ + " field '" + q.name + "' " + std::string(what) +
                                           ": unknown field ${" + r + "}");
        return Status::Ok();
      };
      FS_RETURN_IF_ERROR(check(q.constraint_expr, "constraint"));
      FS_RETURN_IF_ERROR(check(q.relevant_expr, "relevant"));
      FS_RETURN_IF_ERROR(check(q.calculate_expr, "calculate"));
    }
    return form;
  }

 private:
  Status Err(const std::string& m) const { return Status::InvalidArgument(prefix_ + ": " + m); }

  Status ParseText(const json& j, const std::string& what, LocalizedText* out) const {
    if (j.is_string()) {  // shorthand for English only
      if (!j.get_ref<const std::string&>().empty()) out->by_lang["en"] = j.get<std::string>();
      return Status::Ok();
    }
    if (!j.is_object())
      return Err(what + " must be an object of language → text, e.g. {\"en\": \"...\"}");
    for (const auto& [lang, text] : j.items()) {
      if (lang.empty() || lang.size() > 16 || !text.is_string())
        return Err(what + " must map language codes to strings");
      if (!text.get_ref<const std::string&>().empty()) out->by_lang[lang] = text.get<std::string>();
    }
    return Status::Ok();
  }

  Status ParseQuestion(const json& j, size_t index, Question* q) {
    std::string where = prefix_ + " question " + std::to_string(index + 1);
    if (!j.is_object()) return Status::InvalidArgument(where + ": must be a JSON object");
    auto name = j.find("name");
    if (name == j.end() || !name->is_string() || !IsName(name->get<std::string>()))
      return Status::InvalidArgument(
          where + ": 'name' must be a name (letters, digits, '_'; starting with a letter)");
    q->name = name->get<std::string>();
    std::string field = prefix_ + " field '" + q->name + "'";
    auto err = [&](const std::string& m) { return Status::InvalidArgument(field + ": " + m); };
    // A report's own attributes sit beside its answers in exports and the
    // dashboard; an answer of the same name would be ambiguous. (`period`
    // is meant to be a question: the report's period is its answer.)
    static const std::set<std::string, std::less<>> kReserved = {
        "id",     "project",   "form_id",        "form_version",  "status",
        "author", "device_id", "server_version", "created_at_ms", "updated_at_ms"};
    if (kReserved.count(q->name))
      return err("'" + q->name + "' is reserved for the report's own " + q->name +
                 "; give the question another name");

    static const std::set<std::string, std::less<>> kKeys = {
        "name",     "type",     "label",     "hint",    "required",          "constraint",
        "relevant", "calculate", "choices", "default", "constraint_message"};
    for (const auto& [key, _] : j.items())
      if (!kKeys.count(key)) return err("unknown key " + QuoteForMessage(key));

    auto type = j.find("type");
    if (type == j.end() || !type->is_string()) return err("'type' must be a string");
    if (!ParseQuestionType(type->get<std::string>(), &q->type))
      return err("unknown type " + JsonForMessage(*type) +
                 " (integer, decimal, text, date, select_one, select_multiple, geopoint, photo, "
                 "note, calculate)");

    auto text = [&](const char* key, LocalizedText* out) -> Status {
      auto it = j.find(key);
      if (it == j.end()) return Status::Ok();
      Status s = ParseText(*it, std::string("'") + key + "'", out);
      return s.ok() ? s : err(std::string("'") + key + "' must map language codes to strings");
    };
    FS_RETURN_IF_ERROR(text("label", &q->label));
    FS_RETURN_IF_ERROR(text("hint", &q->hint));
    FS_RETURN_IF_ERROR(text("constraint_message", &q->constraint_message));
    if (q->label.empty() && q->type != QuestionType::kCalculate) return err("'label' is missing");

    if (auto r = j.find("required"); r != j.end()) {
      if (!r->is_boolean()) return err("'required' must be true or false");
      q->required = r->get<bool>();
    }

    auto expr = [&](const char* key, std::string* src, std::shared_ptr<const Expr>* out) -> Status {
      auto it = j.find(key);
      if (it == j.end()) return Status::Ok();
      if (!it->is_string()) return err(std::string("'") + key + "' must be a string");
      *src = it->get<std::string>();
      if (src->find_first_not_of(" \t\r\n") == std::string::npos) {
        src->clear();
        return Status::Ok();
      }
      auto parsed = ParseExpr(*src);
      if (!parsed.ok())
        return Status::InvalidArgument(field + " " + key + ": " + parsed.status().message());
      *out = parsed.value();
      return Status::Ok();
    };
    FS_RETURN_IF_ERROR(expr("constraint", &q->constraint, &q->constraint_expr));
    FS_RETURN_IF_ERROR(expr("relevant", &q->relevant, &q->relevant_expr));
    FS_RETURN_IF_ERROR(expr("calculate", &q->calculate, &q->calculate_expr));

    bool select = q->type == QuestionType::kSelectOne || q->type == QuestionType::kSelectMultiple;
    auto choices = j.find("choices");
    if (select) {
      if (choices == j.end() || !choices->is_array() || choices->empty())
        return err("a " + std::string(QuestionTypeName(q->type)) + " question needs 'choices'");
      std::set<std::string, std::less<>> seen;
      for (const auto& c : *choices) {
        Choice choice;
        auto cn = c.is_object() ? c.find("name") : c.end();
        if (!c.is_object() || cn == c.end() || !cn->is_string() ||
            !IsChoiceName(cn->get<std::string>()))
          return err("each choice needs a 'name' (letters, digits, '_', '-', '.'; no spaces)");
        choice.name = cn->get<std::string>();
        for (const auto& [key, _] : c.items())
          if (key != "name" && key != "label")
            return err("choice '" + choice.name + "': unknown key " + QuoteForMessage(key));
        if (auto cl = c.find("label"); cl != c.end()) {
          Status s = ParseText(*cl, "label", &choice.label);
          if (!s.ok()) return err("choice '" + choice.name + "': 'label' must map language codes to strings");
        }
        if (choice.label.empty()) return err("choice '" + choice.name + "' has no 'label'");
        if (!seen.insert(choice.name).second)
          return err("choice '" + choice.name + "' appears more than once");
        q->choices.push_back(std::move(choice));
      }
    } else if (choices != j.end()) {
      return err("only select_one and select_multiple questions have 'choices'");
    }

    if (q->type == QuestionType::kCalculate && !q->calculate_expr)
      return err("a calculate question needs a 'calculate' expression");
    if (q->type != QuestionType::kCalculate && q->calculate_expr)
      return err("only calculate questions have a 'calculate' expression");
    if (q->type == QuestionType::kNote &&
        (q->required || q->constraint_expr || j.contains("default")))
      return err("a note holds no value: no 'required', 'constraint' or 'default'");

    if (auto d = j.find("default"); d != j.end() && !d->is_null()) {
      std::string problem = internal::TypeProblem(*q, *d);
      if (!problem.empty()) return err("'default' " + problem);
      q->default_value = *d;
    }
    return Status::Ok();
  }

  std::string prefix_ = "form";
};

}  // namespace

// ---------------------------------------------------------------- public: types, text

std::string LocalizedText::Get(std::string_view lang) const {
  if (auto it = by_lang.find(std::string(lang)); it != by_lang.end()) return it->second;
  if (auto it = by_lang.find("en"); it != by_lang.end()) return it->second;
  return by_lang.empty() ? std::string() : by_lang.begin()->second;
}

namespace {
struct TypeNameEntry {
  QuestionType type;
  std::string_view name;
};
constexpr TypeNameEntry kTypeNames[] = {
    {QuestionType::kInteger, "integer"},       {QuestionType::kDecimal, "decimal"},
    {QuestionType::kText, "text"},             {QuestionType::kDate, "date"},
    {QuestionType::kSelectOne, "select_one"},  {QuestionType::kSelectMultiple, "select_multiple"},
    {QuestionType::kGeopoint, "geopoint"},     {QuestionType::kPhoto, "photo"},
    {QuestionType::kNote, "note"},             {QuestionType::kCalculate, "calculate"},
};
}  // namespace

std::string_view QuestionTypeName(QuestionType t) {
  for (const auto& e : kTypeNames)
    if (e.type == t) return e.name;
  return "text";
}

bool ParseQuestionType(std::string_view name, QuestionType* out) {
  for (const auto& e : kTypeNames) {
    if (e.name == name) {
      *out = e.type;
      return true;
    }
  }
  return false;
}

const Choice* Question::FindChoice(std::string_view n) const {
  for (const Choice& c : choices)
    if (c.name == n) return &c;
  return nullptr;
}

const Question* Form::Find(std::string_view n) const {
  for (const Question& q : questions)
    if (q.name == n) return &q;
  return nullptr;
}

// ---------------------------------------------------------------- public: definitions

Result<Form> ParseForm(const json& definition) { return FormParser().Parse(definition); }

Result<Form> ParseFormText(std::string_view json_text) {
  json def;
  try {
    def = json::parse(json_text.begin(), json_text.end());
  } catch (const json::exception& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, ..." → "parse error at line 1, ..."
    if (auto close = what.find("] "); close != std::string::npos) what = what.substr(close + 2);
    return Status::InvalidArgument("form: not valid JSON: " + what);
  }
  return ParseForm(def);
}

Result<Form> LoadFormFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return Status::NotFound("form file '" + path.string() + "' does not exist");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open form file '" + path.string() + "'");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return Status::IOError("cannot read form file '" + path.string() + "'");
  auto form = ParseFormText(buf.str());
  if (!form.ok()) return form.status().WithContext(path.string());
  return form;
}

json FormToJson(const Form& form) {
  auto text = [](const LocalizedText& t) {
    json j = json::object();
    for (const auto& [lang, s] : t.by_lang) j[lang] = s;
    return j;
  };
  json qs = json::array();
  for (const Question& q : form.questions) {
    json j = {{"name", q.name}, {"type", std::string(QuestionTypeName(q.type))}};
    if (!q.label.empty()) j["label"] = text(q.label);
    if (!q.hint.empty()) j["hint"] = text(q.hint);
    if (q.required) j["required"] = true;
    if (!q.constraint.empty()) j["constraint"] = q.constraint;
    if (!q.constraint_message.empty()) j["constraint_message"] = text(q.constraint_message);
    if (!q.relevant.empty()) j["relevant"] = q.relevant;
    if (!q.calculate.empty()) j["calculate"] = q.calculate;
    if (!q.default_value.is_null()) j["default"] = q.default_value;
    if (!q.choices.empty()) {
      json cs = json::array();
      for (const Choice& c : q.choices) cs.push_back({{"name", c.name}, {"label", text(c.label)}});
      j["choices"] = std::move(cs);
    }
    qs.push_back(std::move(j));
  }
  json out = {{"id", form.id}, {"version", form.version}, {"sector", form.sector},
              {"questions", std::move(qs)}};
  if (!form.title.empty()) out["title"] = text(form.title);
  return out;
}

// ---------------------------------------------------------------- shipped forms

const std::vector<Form>& ShippedForms() {
  static const std::vector<Form> forms = [] {
    std::vector<Form> out;
    for (size_t i = 0; i < internal::kEmbeddedFormCount; ++i) {
      const auto& e = internal::kEmbeddedForms[i];
      auto form = ParseFormText(std::string_view(reinterpret_cast<const char*>(e.data), e.size));
      if (!form.ok()) {
        // A shipped form is part of the build; one that does not parse is a bug
        // that tests/schema catches. Failing loudly beats shipping without it.
        std::fprintf(stderr, "fieldsync: shipped form '%s' is broken: %s\n", e.name,
                     form.status().message().c_str());
        std::abort();
      }
      out.push_back(std::move(form.value()));
    }
    return out;
  }();
  return forms;
}

const Form* FindShippedForm(std::string_view id) {
  for (const Form& f : ShippedForms())
    if (f.id == id) return &f;
  return nullptr;
}

// ---------------------------------------------------------------- values

std::string internal::TypeProblem(const Question& q, const json& v) {
  if (v.is_null()) return "";
  auto bad = [&]() { return Expects(q) + ", got " + JsonForMessage(v); };
  switch (q.type) {
    case QuestionType::kInteger:
      if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
        return bad() + " (too large)";
      return v.is_number_integer() ? "" : bad();
    case QuestionType::kDecimal:
      return v.is_number() && std::isfinite(v.get<double>()) ? "" : bad();
    case QuestionType::kText: return v.is_string() ? "" : bad();
    case QuestionType::kDate:
      return v.is_string() && IsCalendarDate(v.get_ref<const std::string&>()) ? "" : bad();
    case QuestionType::kSelectOne:
      return v.is_string() && q.FindChoice(v.get_ref<const std::string&>()) ? "" : bad();
    case QuestionType::kSelectMultiple: {
      if (!v.is_array()) return bad();
      std::set<std::string, std::less<>> seen;
      for (const auto& e : v) {
        if (!e.is_string() || !q.FindChoice(e.get_ref<const std::string&>())) return bad();
        if (!seen.insert(e.get<std::string>()).second)
          return "lists " + JsonForMessage(e) + " more than once";
      }
      return "";
    }
    case QuestionType::kGeopoint: {
      if (!v.is_object()) return bad();
      auto lat = v.find("lat"), lon = v.find("lon");
      if (lat == v.end() || lon == v.end() || !lat->is_number() || !lon->is_number() ||
          !InLatLonRange(lat->get<double>(), lon->get<double>()))
        return bad();
      for (const auto& [key, val] : v.items()) {
        if (key == "lat" || key == "lon") continue;
        if ((key != "alt" && key != "acc") || !val.is_number() || !std::isfinite(val.get<double>()))
          return bad();
      }
      return "";
    }
    case QuestionType::kPhoto:
      return v.is_string() && IsSha256Hex(v.get_ref<const std::string&>()) ? "" : bad();
    case QuestionType::kNote: return Expects(q);
    case QuestionType::kCalculate:
      return v.is_number() || v.is_string() || v.is_boolean() ? "" : bad();
  }
  return bad();
}

Result<json> ParseValue(const Question& q, std::string_view raw) {
  std::string_view text = Trim(raw);
  if (text.empty()) return json(nullptr);
  auto bad = [&](std::string extra = "") {
    return FieldError(q, Expects(q) + ", got " + QuoteForMessage(raw) + extra);
  };
  switch (q.type) {
    case QuestionType::kInteger: {
      auto n = internal::ParseNumber(text);
      if (!n || text.find('.') != std::string_view::npos) return bad();
      // Whole digits only: convert exactly, not through double.
      std::string_view digits = text;
      bool negative = false;
      if (digits[0] == '+' || digits[0] == '-') {
        negative = digits[0] == '-';
        digits.remove_prefix(1);
      }
      uint64_t mag = 0;
      for (char c : digits) {
        if (mag > (std::numeric_limits<uint64_t>::max() - 9) / 10) return bad(" (too large)");
        mag = mag * 10 + static_cast<uint64_t>(c - '0');
      }
      uint64_t limit = uint64_t(std::numeric_limits<int64_t>::max()) + (negative ? 1 : 0);
      if (mag > limit) return bad(" (too large)");
      int64_t value = negative ? static_cast<int64_t>(0 - mag) : static_cast<int64_t>(mag);
      return json(value);
    }
    case QuestionType::kDecimal: {
      auto n = internal::ParseNumber(text);
      if (!n) {
        if (text.find(',') != std::string_view::npos && text.find('.') == std::string_view::npos)
          return bad(" (write decimals with '.')");
        return bad();
      }
      return json(*n);
    }
    case QuestionType::kText: return json(std::string(raw));
    case QuestionType::kDate:
      if (!IsCalendarDate(text)) return bad();
      return json(std::string(text));
    case QuestionType::kSelectOne:
      if (!q.FindChoice(text)) return bad();
      return json(std::string(text));
    case QuestionType::kSelectMultiple: {
      json out = json::array();
      std::set<std::string, std::less<>> seen;
      size_t i = 0;
      while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == ',' || text[i] == '\t')) ++i;
        size_t b = i;
        while (i < text.size() && text[i] != ' ' && text[i] != ',' && text[i] != '\t') ++i;
        if (i == b) break;
        std::string_view item = text.substr(b, i - b);
        if (!q.FindChoice(item))
          return FieldError(q, Expects(q) + ", got " + QuoteForMessage(item));
        if (seen.insert(std::string(item)).second) out.push_back(std::string(item));
      }
      if (out.empty()) return json(nullptr);
      return out;
    }
    case QuestionType::kGeopoint: {
      std::vector<double> parts;
      size_t i = 0;
      while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == ',' || text[i] == '\t')) ++i;
        size_t b = i;
        while (i < text.size() && text[i] != ' ' && text[i] != ',' && text[i] != '\t') ++i;
        if (i == b) break;
        auto n = internal::ParseNumber(text.substr(b, i - b));
        if (!n) return bad();
        parts.push_back(*n);
      }
      if (parts.size() < 2 || parts.size() > 4 || !InLatLonRange(parts[0], parts[1])) return bad();
      json out = {{"lat", parts[0]}, {"lon", parts[1]}};
      if (parts.size() > 2) out["alt"] = parts[2];
      if (parts.size() > 3) out["acc"] = parts[3];
      return out;
    }
    case QuestionType::kPhoto: {
      std::string lower(text);
      for (char& c : lower)
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
      if (!IsSha256Hex(lower)) return bad();
      return json(lower);
    }
    case QuestionType::kNote: return FieldError(q, "is a note and holds no value");
    case QuestionType::kCalculate: return FieldError(q, "is calculated and cannot be typed");
  }
  return bad();
}

Status CheckValueType(const Question& q, const json& value) {
  std::string problem = internal::TypeProblem(q, value);
  return problem.empty() ? Status::Ok() : FieldError(q, problem);
}

std::string FormatValue(const Question& q, const json& value, std::string_view lang) {
  if (value.is_null()) return "";
  if (!internal::TypeProblem(q, value).empty())
    return value.is_string() ? value.get<std::string>() : JsonForMessage(value);
  auto choice_label = [&](const std::string& name) {
    const Choice* c = q.FindChoice(name);
    std::string label = c ? c->label.Get(lang) : "";
    return label.empty() ? name : label;
  };
  switch (q.type) {
    case QuestionType::kSelectOne: return choice_label(value.get<std::string>());
    case QuestionType::kSelectMultiple: {
      std::string s;
      for (const auto& e : value) {
        if (!s.empty()) s += ", ";
        s += choice_label(e.get<std::string>());
      }
      return s;
    }
    case QuestionType::kGeopoint: {
      char buf[96];
      std::snprintf(buf, sizeof buf, "%.4f, %.4f", value["lat"].get<double>(),
                    value["lon"].get<double>());
      return buf;
    }
    case QuestionType::kInteger: return value.dump();
    default: return Value::FromJson(value).ToString();
  }
}

}  // namespace fieldsync::schema
