// tests/schema/expr_test.cpp — the expression language: precedence, every
// function, null semantics, and parse errors with their columns.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "schema/expr.h"

using fieldsync::schema::EvalContext;
using fieldsync::schema::ParseExpr;
using fieldsync::schema::Value;
using nlohmann::json;

namespace {

// Evaluates src with fields from `fields` (JSON values as in a report).
Value Eval(const std::string& src, const json& fields = json::object(), Value current = {},
           std::string today = "2026-03-15") {
  auto e = ParseExpr(src);
  REQUIRE_MESSAGE(e.ok(), src << ": " << e.status().message());
  EvalContext ctx;
  ctx.current = std::move(current);
  ctx.today = std::move(today);
  ctx.lookup = [&](std::string_view name) {
    auto it = fields.find(std::string(name));
    return it == fields.end() ? Value::Null() : Value::FromJson(*it);
  };
  return e.value()->Eval(ctx);
}

double Num(const std::string& src, const json& fields = json::object()) {
  Value v = Eval(src, fields);
  REQUIRE_MESSAGE(v.v.index() == 2, src << " gave '" << v.ToString() << "'");
  return std::get<double>(v.v);
}

bool Bool(const std::string& src, const json& fields = json::object(), Value current = {}) {
  Value v = Eval(src, fields, std::move(current));
  REQUIRE_MESSAGE(v.v.index() == 1, src << " gave '" << v.ToString() << "'");
  return std::get<bool>(v.v);
}

std::string Error(const std::string& src) {
  auto e = ParseExpr(src);
  REQUIRE_MESSAGE(!e.ok(), src << " parsed but should not");
  return e.status().message();
}

}  // namespace

TEST_CASE("arithmetic precedence and associativity") {
  CHECK(Num("1 + 2 * 3") == 7);
  CHECK(Num("(1 + 2) * 3") == 9);
  CHECK(Num("10 - 4 - 3") == 3);  // left-associative
  CHECK(Num("100 div 10 div 2") == 5);
  CHECK(Num("7 mod 4 * 2") == 6);  // same level, left to right
  CHECK(Num("2 + 7 mod 4") == 5);
  CHECK(Num("-2 * 3") == -6);
  CHECK(Num("- - 4") == 4);
  CHECK(Num("9 / 2") == 4.5);  // "/" is div
  CHECK(Num(".5 + 1.25") == 1.75);
}

TEST_CASE("comparison binds tighter than not, and, or") {
  CHECK(Bool("1 + 1 = 2 and 3 > 2"));
  CHECK(Bool("1 = 2 or 2 = 2 and 3 = 3"));       // and before or
  CHECK_FALSE(Bool("(1 = 2 or 2 = 2) and 3 = 4"));
  CHECK(Bool("not 1 = 2"));                        // not (1 = 2)
  CHECK(Bool("not 1 = 2 and 2 = 2"));              // (not 1 = 2) and ...
  CHECK(Bool("not not 1"));
  CHECK_FALSE(Bool("not(1) = 1"));                 // function form: (not(1)) = 1 → false = true
  CHECK(Bool("not(0) = true()"));
}

TEST_CASE("comparison operators on numbers, strings and dates") {
  CHECK(Bool("3 < 4"));
  CHECK(Bool("4 <= 4"));
  CHECK(Bool("5 > 4"));
  CHECK(Bool("4 >= 4"));
  CHECK(Bool("4 != 5"));
  CHECK(Bool("'10' > 9"));  // numeric text compares as a number
  CHECK(Bool("'10' > '9'"));
  CHECK(Bool("'2026-03-01' < '2026-10-01'"));  // ISO dates as text
  CHECK(Bool("'abc' = 'abc'"));
  CHECK_FALSE(Bool("'abc' = 'abd'"));
  CHECK(Bool("${d} <= today()", {{"d", "2026-03-15"}}));
  CHECK_FALSE(Bool("${d} <= today()", {{"d", "2026-03-16"}}));
}

TEST_CASE("null semantics: no answer") {
  json f = {{"empty", nullptr}, {"zero", 0}, {"blank", ""}};
  CHECK(Bool("${missing} = ${empty}", f));
  CHECK(Bool("${missing} = ''", f));  // the XLSForm idiom for "not answered"
  CHECK(Bool("${blank} = ''", f));
  CHECK_FALSE(Bool("${zero} = ''", f));
  CHECK(Bool("${zero} != ''", f));
  CHECK_FALSE(Bool("${missing} < 1", f));   // ordering with null is false
  CHECK_FALSE(Bool("${missing} >= 1", f));
  CHECK(Eval("${missing} + 1", f).is_null());
  CHECK(Eval("'abc' * 2").is_null());       // non-numeric text
  CHECK(Eval("1 div 0").is_null());         // division by zero
  CHECK(Eval("5 mod 0").is_null());
  CHECK_FALSE(Eval("${missing}", f).Truthy());
}

TEST_CASE("truthiness") {
  CHECK_FALSE(Value::Null().Truthy());
  CHECK(Value{1.0}.Truthy());
  CHECK_FALSE(Value{0.0}.Truthy());
  CHECK(Value{std::string("x")}.Truthy());
  CHECK_FALSE(Value{std::string()}.Truthy());
  CHECK(Bool("1 and 'x'"));
  CHECK_FALSE(Bool("1 and ''"));
  CHECK(Bool("0 or 2"));
}

TEST_CASE("the current value and field references") {
  CHECK(Bool(". >= 0 and . <= 10", {}, Value{5.0}));
  CHECK_FALSE(Bool(". <= ${max}", {{"max", 3}}, Value{5.0}));
  CHECK(Num("${a} * ${b}", {{"a", 6}, {"b", 7}}) == 42);
  CHECK(Num("${big} + 1", {{"big", 4000000000u}}) == 4000000001.0);
}

TEST_CASE("functions") {
  json f = {{"prog", json::array({"hiv", "tb"})}, {"one", "maize"}, {"name", "Amadou"},
            {"gps", {{"lat", 14.5}, {"lon", -17.25}}}};
  SUBCASE("selected and count-selected") {
    CHECK(Bool("selected(${prog}, 'tb')", f));
    CHECK_FALSE(Bool("selected(${prog}, 'malaria')", f));
    CHECK_FALSE(Bool("selected(${prog}, 'h')", f));  // whole names only
    CHECK_FALSE(Bool("selected(${missing}, 'tb')", f));
    CHECK(Bool("selected(${one}, 'maize')", f));
    CHECK(Num("count-selected(${prog})", f) == 2);
    CHECK(Num("count-selected(${missing})", f) == 0);
  }
  SUBCASE("string-length counts characters, not bytes") {
    CHECK(Num("string-length(${name})", f) == 6);
    CHECK(Num("string-length('Ñandú')") == 5);
    CHECK(Num("string-length(${missing})", f) == 0);
  }
  SUBCASE("regex matches the whole string") {
    CHECK(Bool("regex('2026-03', '[0-9]{4}-[0-9]{2}')"));
    CHECK_FALSE(Bool("regex('x2026-03', '[0-9]{4}-[0-9]{2}')"));
    CHECK_FALSE(Bool("regex('2026-03x', '[0-9]{4}-[0-9]{2}')"));
    CHECK(Bool("regex(., 'a(b|c)*')", {}, Value{std::string("abcbc")}));
    CHECK_FALSE(Bool("regex(${missing}, '.*')"));
    // A pattern from a field is compiled at evaluation; a bad one yields null.
    CHECK(Bool("regex('abc', ${p})", {{"p", "a.c"}}));
    CHECK(Eval("regex('abc', ${p})", {{"p", "a(("}}).is_null());
    CHECK(Eval("regex('abc', ${p})", {{"p", std::string(201, 'a')}}).is_null());
  }
  SUBCASE("regex refuses huge repetition counts") {
    CHECK(Eval("regex('a', ${p})", {{"p", "a{21111111111111111111111111111}"}}).is_null());
    CHECK(Eval("regex('a', ${p})", {{"p", "a{1,1001}"}}).is_null());
    CHECK(Eval("regex('a', ${p})", {{"p", "(a)\\99999999999999999999"}}).is_null());
    CHECK(Bool("regex('aaa', ${p})", {{"p", "a{1,1000}"}}));
    CHECK(Bool("regex('{12345}', ${p})", {{"p", "\\{12345\\}"}}));  // escaped braces are text
  }
  SUBCASE("regex does not backtrack catastrophically") {
    // (a*)*b on 40 a's takes exponential time in a backtracking matcher.
    json g = {{"s", std::string(40, 'a')}};
    CHECK_FALSE(Bool("regex(${s}, '(a*)*b')", g));
  }
  SUBCASE("today") {
    CHECK(Eval("today()").ToString() == "2026-03-15");
    Value real = Eval("today()", {}, {}, "");  // system date
    CHECK(real.ToString().size() == 10);
    CHECK(real.ToString()[4] == '-');
  }
  SUBCASE("if evaluates only the chosen branch") {
    CHECK(Eval("if(1 > 0, 'yes', 'no')").ToString() == "yes");
    CHECK(Eval("if('', 'yes', 'no')").ToString() == "no");
    CHECK(Num("if(true(), 1, 1 div 0)") == 1);
  }
  SUBCASE("number and string") {
    CHECK(Num("number('12.5')") == 12.5);
    CHECK(Num("number(' 7 ')") == 7);
    CHECK(Eval("number('12abc')").is_null());
    CHECK(Eval("number('inf')").is_null());
    CHECK(Num("number(true())") == 1);
    CHECK(Eval("string(12.50)").ToString() == "12.5");
    CHECK(Eval("string(3)").ToString() == "3");
    CHECK(Eval("string(${gps})", f).ToString() == "14.5 -17.25");
    CHECK(Eval("string(${missing})", f).ToString().empty());
  }
  SUBCASE("true, false, not") {
    CHECK(Bool("true()"));
    CHECK_FALSE(Bool("false()"));
    CHECK(Bool("not(false())"));
    CHECK_FALSE(Bool("not('x')"));
  }
  SUBCASE("round, int, coalesce, concat") {
    CHECK(Num("round(2.5)") == 3);
    CHECK(Num("round(-2.5)") == -3);
    CHECK(Num("round(3.14159, 2)") == doctest::Approx(3.14));
    CHECK(Num("int(7.9)") == 7);
    CHECK(Num("int(-7.9)") == -7);
    CHECK(Num("coalesce(${missing}, 4)", f) == 4);
    CHECK(Eval("coalesce(${one}, 'x')", f).ToString() == "maize");
    CHECK(Eval("concat('a', 1, ${missing}, 'b')", f).ToString() == "a1b");
  }
}

TEST_CASE("values convert to and from JSON") {
  CHECK(Value::FromJson(json::array({"a", "b"})).ToString() == "a b");
  CHECK(Value::FromJson(json(nullptr)).is_null());
  CHECK(Value::FromJson(json(3)).ToJson() == json(3));
  CHECK(Value{2.5}.ToJson() == json(2.5));
  CHECK(Value{4.0}.ToJson().is_number_integer());
  CHECK(Value{true}.ToJson() == json(true));
  CHECK(Value{0.1 + 0.2}.ToString() == "0.30000000000000004");
  CHECK(Value{-0.0}.ToString() == "0");
  CHECK(Value{1e20}.ToString() == "1e+20");
}

TEST_CASE("references are collected in order") {
  auto e = ParseExpr("${a} + if(${b} > 0, ${c}, ${a})");
  REQUIRE(e.ok());
  std::vector<std::string> refs;
  e.value()->CollectRefs(&refs);
  CHECK(refs == std::vector<std::string>{"a", "b", "c", "a"});
}

TEST_CASE("parse errors name the problem and a 1-based column") {
  CHECK(Error(". <= ${a})") == "unexpected ')' at column 10");
  CHECK(Error("1 +") == "unexpected end of expression at column 4");
  CHECK(Error("") == "unexpected end of expression at column 1");
  CHECK(Error("  foo(1)") == "unknown function 'foo' at column 3");
  CHECK(Error("1 + 'abc") == "unterminated string at column 5");
  CHECK(Error("${a") == "unterminated field reference at column 1");
  CHECK(Error("${1a} = 2") == "invalid field name in ${...} at column 1");
  CHECK(Error("$a") == "expected '{' after '$' at column 1");
  CHECK(Error("1 # 2") == "unexpected character '#' at column 3");
  CHECK(Error("1 < 2 < 3") == "unexpected '<' at column 7");
  CHECK(Error("(1 + 2") == "expected ')' at column 7");
  CHECK(Error("selected(${a})") == "function 'selected' takes 2 arguments, got 1 at column 1");
  CHECK(Error("today(1)") == "function 'today' takes 0 arguments, got 1 at column 1");
  CHECK(Error("round()") == "function 'round' takes 1 to 2 arguments, got 0 at column 1");
  CHECK(Error("x + 1") == "unknown name 'x' (write ${x} for a field) at column 1");
  CHECK(Error("today") == "expected '(' after 'today' at column 6");
  CHECK(Error("1 and and 2") == "unexpected 'and' at column 7");
  CHECK(Error("regex(., 'a((')") == "invalid regular expression at column 10");
  CHECK(Error("regex(., '" + std::string(201, 'a') + "')") ==
        "regular expression longer than 200 characters at column 10");
  CHECK(Error("f(1, 2") == "unknown function 'f' at column 1");
  CHECK(Error("if(1, 2 3)") == "unexpected number 3 at column 9");
}

TEST_CASE("hostile input is refused, not crashed on") {
  std::string deep(3000, '(');
  CHECK(Error(deep + "1" + std::string(3000, ')')).find("nested too deeply") != std::string::npos);
  std::string nots;
  for (int i = 0; i < 2000; ++i) nots += "not ";
  CHECK(Error(nots + "1").find("nested too deeply") != std::string::npos);
  CHECK(Error(std::string(3000, '-') + "1").find("nested too deeply") != std::string::npos);
  std::string chain = "1";
  for (int i = 0; i < 500; ++i) chain += " + 1";
  CHECK(Error(chain).find("nested too deeply") != std::string::npos);
  CHECK(Error(std::string(20000, ' ') + "1").find("longer than") != std::string::npos);
  CHECK(Error("\xff").find("at column 1") != std::string::npos);
  // A long but flat expression is fine.
  std::string ok = "1";
  for (int i = 0; i < 50; ++i) ok += " + 1";
  CHECK(Num(ok) == 51);
}
