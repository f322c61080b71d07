// schema/expr.h — the expression language of constraint, relevant, calculate.
//
// Grammar (lowest precedence first):
//   expr    := or
//   or      := and ("or" and)*
//   and     := not ("and" not)*
//   not     := "not" not | cmp            (also the function form not(x))
//   cmp     := add (("=" | "!=" | "<" | "<=" | ">" | ">=") add)?
//   add     := mul (("+" | "-") mul)*
//   mul     := unary (("*" | "div" | "mod") unary)*
//   unary   := "-" unary | primary
//   primary := number | 'string' | "string" | "." | ${name} | call | "(" expr ")"
//   call    := ident "(" [expr ("," expr)*] ")"
// Functions: selected(list, 'choice'), count-selected(list), string-length(s),
//   regex(s, 'pattern') (ECMAScript, whole-string match), today() (YYYY-MM-DD),
//   if(cond, a, b), number(x), string(x), true(), false(), and not(x);
//   also round(x[, digits]), int(x), coalesce(a, b) (b when a is null or ''),
//   concat(a, ...). "/" is accepted as a synonym of "div".
// "=" and "!=" treat '' like null, so ${x} = '' tests "not answered".
// Limits: 10,000 characters, 100 levels of nesting; regex() patterns of at
// most 200 characters, matched without backtracking (see docs/forms.md).
//
// Values are null (no answer), bool, number (double) or string; select_multiple
// values are strings of space-separated choice names (as in XLSForm). Comparing
// with null: "=" and "!=" compare nullness; ordering comparisons with null are
// false. Arithmetic on null or non-numeric strings yields null (NaN-free).
// Division by zero yields null. Truthiness: null → false, bool, number ≠ 0,
// string non-empty.
//
// Pure logic; Expr is immutable and thread-safe after Parse.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace fieldsync::schema {

struct Value {
  std::variant<std::monostate, bool, double, std::string> v;
  static Value Null() { return {}; }
  bool is_null() const { return v.index() == 0; }
  bool Truthy() const;
  std::string ToString() const;  // numbers without trailing zeros
  // From a report value (JSON): arrays become space-separated strings,
  // geopoints "lat lon", integers doubles.
  static Value FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// What an expression sees when evaluated.
struct EvalContext {
  Value current;                                          // "."
  std::function<Value(std::string_view name)> lookup;     // ${name}; null if unset
  std::string today;  // "YYYY-MM-DD"; empty means the system date (UTC)
};

class Expr {
 public:
  virtual ~Expr() = default;
  virtual Value Eval(const EvalContext& ctx) const = 0;
  // Names referenced as ${name}, appended in order of appearance.
  virtual void CollectRefs(std::vector<std::string>* out) const = 0;
};

// Parses an expression. On failure: InvalidArgument with the message
// "<what> at column N" (1-based), e.g. "unknown function 'foo' at column 3".
// Callers add "form 'X' field 'Y' constraint: " in front.
Result<std::shared_ptr<const Expr>> ParseExpr(std::string_view source);

}  // namespace fieldsync::schema
