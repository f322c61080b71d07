// fuzz/fuzz_expr.cpp — libFuzzer target: any bytes as an expression.
// Parsing must fail cleanly (a message with a column) or yield an expression
// that evaluates without crashing against fields of every kind.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "schema/expr.h"

using fieldsync::schema::EvalContext;
using fieldsync::schema::ParseExpr;
using fieldsync::schema::Value;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view source(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseExpr(source);
  if (!parsed.ok()) {
    if (parsed.status().message().find(" at column ") == std::string::npos) {
      std::fprintf(stderr, "error without a column: %s\n", parsed.status().message().c_str());
      std::abort();
    }
    return 0;
  }
  const auto& expr = parsed.value();
  std::vector<std::string> refs;
  expr->CollectRefs(&refs);

  // Field values chosen by the name's first letter, so inputs can reach
  // every kind: no answer, numbers, choice lists, dates, text.
  auto lookup = [](std::string_view name) -> Value {
    switch (name.empty() ? 'z' : name[0]) {
      case 'a': return Value{12.0};
      case 'b': return Value{-0.5};
      case 'c': return Value{std::string("hiv malaria tb")};
      case 'd': return Value{std::string("2026-03-01")};
      case 'e': return Value{std::string("")};
      case 'f': return Value{false};
      case 'g': return Value{std::string("[a-z]+(0|1)*")};
      case 'h': return Value{1e308};
      default: return Value::Null();
    }
  };
  for (const Value& current : {Value::Null(), Value{7.0}, Value{std::string("abc")}}) {
    EvalContext ctx;
    ctx.current = current;
    ctx.lookup = lookup;
    ctx.today = "2026-03-15";
    Value v = expr->Eval(ctx);
    (void)v.Truthy();
    (void)v.ToString();
    (void)v.ToJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return 0;
}
