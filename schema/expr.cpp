// schema/expr.cpp — the expression language: values, a lexer, a
// recursive-descent parser building an immutable AST, and its evaluation.
//
// Limits that keep hostile or broken forms harmless (forms arrive from a
// server and from files): an expression is at most kMaxSourceLength bytes, its
// tree at most kMaxDepth levels deep (so parsing, evaluation and destruction
// recurse a bounded amount), and a regex() pattern at most kMaxPatternLength
// characters, run by libstdc++'s polynomial-time matcher where available.
#include "schema/expr.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <regex>

#include "schema/internal.h"

namespace fieldsync::schema {
namespace internal {

std::optional<double> ParseNumber(std::string_view text) {
  size_t b = 0, e = text.size();
  while (b < e && (text[b] == ' ' || text[b] == '\t' || text[b] == '\n' || text[b] == '\r')) ++b;
  while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\n' ||
                   text[e - 1] == '\r'))
    --e;
  std::string_view t = text.substr(b, e - b);
  bool negative = false;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    negative = t[0] == '-';
    t.remove_prefix(1);
  }
  // digits [. digits] | . digits — nothing else (no exponent, inf or nan).
  size_t i = 0, int_digits = 0, frac_digits = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++int_digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++frac_digits;
  }
  if (i != t.size() || int_digits + frac_digits == 0) return std::nullopt;
  double x = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), x);
  if (ec != std::errc() || ptr != t.data() + t.size() || !std::isfinite(x)) return std::nullopt;
  return negative ? -x : x;
}

std::string FormatNumber(double x) {
  if (x == 0) return "0";  // also -0
  if (std::fabs(x) < 1e15 && x == std::trunc(x)) {
    return std::to_string(static_cast<int64_t>(x));
  }
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, x);
  if (ec != std::errc()) return "0";
  return std::string(buf, ptr);
}

std::string TodayUtc() {
  using namespace std::chrono;
  year_month_day ymd{floor<days>(system_clock::now())};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace internal

namespace {

using internal::FormatNumber;
using internal::ParseNumber;

constexpr size_t kMaxSourceLength = 10000;
constexpr int kMaxDepth = 100;
constexpr size_t kMaxPatternLength = 200;
// A regex() subject longer than this yields null: libstdc++'s matcher
// needs time and memory proportional to subject × pattern.
constexpr size_t kMaxSubjectLength = 10000;

// ---------------------------------------------------------------- values

std::optional<double> ToNumber(const Value& v) {
  switch (v.v.index()) {
    case 1: return std::get<bool>(v.v) ? 1.0 : 0.0;
    case 2: return std::get<double>(v.v);
    case 3: return ParseNumber(std::get<std::string>(v.v));
    default: return std::nullopt;
  }
}

Value NumberValue(double x) {
  if (!std::isfinite(x)) return Value::Null();
  if (x == 0) x = 0;  // no "-0"
  return Value{x};
}

// null and '' both mean "no answer" to "=" and "!=" (the XLSForm idiom
// ${x} = '' tests for an empty answer).
bool IsNullish(const Value& v) {
  return v.is_null() || (v.v.index() == 3 && std::get<std::string>(v.v).empty());
}

std::vector<std::string_view> SplitWords(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    size_t b = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') ++i;
    if (i > b) out.push_back(s.substr(b, i - b));
  }
  return out;
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

// ---------------------------------------------------------------- lexer

enum class Tok {
  kEnd, kNumber, kString, kDot, kRef, kIdent, kLParen, kRParen, kComma,
  kPlus, kMinus, kStar, kSlash, kEq, kNe, kLt, kLe, kGt, kGe,
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // ident name, ref name, string contents, or the operator
  double number = 0;
  size_t column = 1;  // 1-based
};

std::string At(std::string what, size_t column) {
  return what + " at column " + std::to_string(column);
}

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string DescribeChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7F) return std::string("unexpected character '") + c + "'";
  char buf[32];
  std::snprintf(buf, sizeof buf, "unexpected byte 0x%02X", u);
  return buf;
}

Result<std::vector<Token>> Lex(std::string_view src) {
  std::vector<Token> out;
  size_t i = 0;
  while (true) {
    while (i < src.size() && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r'))
      ++i;
    Token t;
    t.column = i + 1;
    if (i == src.size()) {
      out.push_back(t);
      return out;
    }
    char c = src[i];
    if (IsDigit(c) || (c == '.' && i + 1 < src.size() && IsDigit(src[i + 1]))) {
      size_t b = i;
      while (i < src.size() && IsDigit(src[i])) ++i;
      if (i < src.size() && src[i] == '.') {
        ++i;
        while (i < src.size() && IsDigit(src[i])) ++i;
      }
      auto n = ParseNumber(src.substr(b, i - b));
      if (!n) return Status::InvalidArgument(At("number too large", t.column));
      t.kind = Tok::kNumber;
      t.number = *n;
      t.text = std::string(src.substr(b, i - b));
    } else if (c == '.') {
      t.kind = Tok::kDot;
      t.text = ".";
      ++i;
    } else if (c == '\'' || c == '"') {
      size_t close = src.find(c, i + 1);
      if (close == std::string_view::npos)
        return Status::InvalidArgument(At("unterminated string", t.column));
      t.kind = Tok::kString;
      t.text = std::string(src.substr(i + 1, close - i - 1));
      i = close + 1;
    } else if (c == '$') {
      if (i + 1 >= src.size() || src[i + 1] != '{')
        return Status::InvalidArgument(At("expected '{' after '$'", t.column));
      size_t close = src.find('}', i + 2);
      if (close == std::string_view::npos)
        return Status::InvalidArgument(At("unterminated field reference", t.column));
      std::string_view name = src.substr(i + 2, close - i - 2);
      bool valid = !name.empty() && IsIdentStart(name[0]) &&
                   std::all_of(name.begin(), name.end(), IsIdentChar);
      if (!valid) return Status::InvalidArgument(At("invalid field name in ${...}", t.column));
      t.kind = Tok::kRef;
      t.text = std::string(name);
      i = close + 1;
    } else if (IsIdentStart(c)) {
      size_t b = i;
      // Hyphens join words of function names (count-selected).
      while (i < src.size() &&
             (IsIdentChar(src[i]) ||
              (src[i] == '-' && i + 1 < src.size() && IsIdentStart(src[i + 1]))))
        ++i;
      t.kind = Tok::kIdent;
      t.text = std::string(src.substr(b, i - b));
    } else {
      auto two = src.substr(i, 2);
      struct OpText { std::string_view text; Tok kind; };
      static constexpr OpText kOps[] = {
          {"!=", Tok::kNe}, {"<=", Tok::kLe}, {">=", Tok::kGe}, {"=", Tok::kEq},
          {"<", Tok::kLt},  {">", Tok::kGt},  {"+", Tok::kPlus}, {"-", Tok::kMinus},
          {"*", Tok::kStar}, {"/", Tok::kSlash}, {"(", Tok::kLParen}, {")", Tok::kRParen},
          {",", Tok::kComma},
      };
      bool found = false;
      for (const OpText& op : kOps) {
        if (two.substr(0, op.text.size()) == op.text) {
          t.kind = op.kind;
          t.text = std::string(op.text);
          i += op.text.size();
          found = true;
          break;
        }
      }
      if (!found) return Status::InvalidArgument(At(DescribeChar(c), t.column));
    }
    out.push_back(std::move(t));
  }
}

// ---------------------------------------------------------------- AST

class Node : public Expr {
 public:
  int depth = 1;
};
using NodePtr = std::unique_ptr<Node>;

class Literal final : public Node {
 public:
  explicit Literal(Value v) : value_(std::move(v)) {}
  Value Eval(const EvalContext&) const override { return value_; }
  void CollectRefs(std::vector<std::string>*) const override {}

 private:
  Value value_;
};

class Current final : public Node {
 public:
  Value Eval(const EvalContext& ctx) const override { return ctx.current; }
  void CollectRefs(std::vector<std::string>*) const override {}
};

class Ref final : public Node {
 public:
  explicit Ref(std::string name) : name_(std::move(name)) {}
  Value Eval(const EvalContext& ctx) const override {
    return ctx.lookup ? ctx.lookup(name_) : Value::Null();
  }
  void CollectRefs(std::vector<std::string>* out) const override { out->push_back(name_); }

 private:
  std::string name_;
};

enum class Op { kOr, kAnd, kEq, kNe, kLt, kLe, kGt, kGe, kAdd, kSub, kMul, kDiv, kMod, kNeg, kNot };

bool Ordered(Op op, const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return false;
  auto cmp = [op](const auto& x, const auto& y) {
    switch (op) {
      case Op::kLt: return x < y;
      case Op::kLe: return x <= y;
      case Op::kGt: return x > y;
      default: return x >= y;
    }
  };
  if (a.v.index() == 3 && b.v.index() == 3) {
    const auto& sa = std::get<std::string>(a.v);
    const auto& sb = std::get<std::string>(b.v);
    auto na = ParseNumber(sa), nb = ParseNumber(sb);
    if (na && nb) return cmp(*na, *nb);
    return cmp(sa, sb);  // ISO dates compare correctly as text
  }
  auto na = ToNumber(a), nb = ToNumber(b);
  return na && nb && cmp(*na, *nb);
}

bool Equal(const Value& a, const Value& b) {
  bool an = IsNullish(a), bn = IsNullish(b);
  if (an || bn) return an && bn;
  if (a.v.index() == 1 || b.v.index() == 1) return a.Truthy() == b.Truthy();
  if (a.v.index() == 2 || b.v.index() == 2) {
    auto na = ToNumber(a), nb = ToNumber(b);
    return na && nb && *na == *nb;
  }
  return std::get<std::string>(a.v) == std::get<std::string>(b.v);
}

class Unary final : public Node {
 public:
  Unary(Op op, NodePtr arg) : op_(op), arg_(std::move(arg)) {}
  Value Eval(const EvalContext& ctx) const override {
    Value x = arg_->Eval(ctx);
    if (op_ == Op::kNot) return Value{!x.Truthy()};
    auto n = ToNumber(x);
    return n ? NumberValue(-*n) : Value::Null();
  }
  void CollectRefs(std::vector<std::string>* out) const override { arg_->CollectRefs(out); }

 private:
  Op op_;
  NodePtr arg_;
};

class Binary final : public Node {
 public:
  Binary(Op op, NodePtr l, NodePtr r) : op_(op), l_(std::move(l)), r_(std::move(r)) {}
  Value Eval(const EvalContext& ctx) const override {
    if (op_ == Op::kOr) return Value{l_->Eval(ctx).Truthy() || r_->Eval(ctx).Truthy()};
    if (op_ == Op::kAnd) return Value{l_->Eval(ctx).Truthy() && r_->Eval(ctx).Truthy()};
    Value a = l_->Eval(ctx), b = r_->Eval(ctx);
    switch (op_) {
      case Op::kEq: return Value{Equal(a, b)};
      case Op::kNe: return Value{!Equal(a, b)};
      case Op::kLt: case Op::kLe: case Op::kGt: case Op::kGe: return Value{Ordered(op_, a, b)};
      default: break;
    }
    auto x = ToNumber(a), y = ToNumber(b);
    if (!x || !y) return Value::Null();
    switch (op_) {
      case Op::kAdd: return NumberValue(*x + *y);
      case Op::kSub: return NumberValue(*x - *y);
      case Op::kMul: return NumberValue(*x * *y);
      case Op::kDiv: return *y == 0 ? Value::Null() : NumberValue(*x / *y);
      case Op::kMod: return *y == 0 ? Value::Null() : NumberValue(std::fmod(*x, *y));
      default: return Value::Null();
    }
  }
  void CollectRefs(std::vector<std::string>* out) const override {
    l_->CollectRefs(out);
    r_->CollectRefs(out);
  }

 private:
  Op op_;
  NodePtr l_, r_;
};

// ---------------------------------------------------------------- functions

enum class Fn {
  kSelected, kCountSelected, kStringLength, kRegex, kToday, kIf, kNumber, kString,
  kTrue, kFalse, kNot, kRound, kInt, kCoalesce, kConcat,
};

struct FnInfo {
  std::string_view name;
  Fn fn;
  int min_args, max_args;
};
constexpr FnInfo kFunctions[] = {
    {"selected", Fn::kSelected, 2, 2},
    {"count-selected", Fn::kCountSelected, 1, 1},
    {"string-length", Fn::kStringLength, 1, 1},
    {"regex", Fn::kRegex, 2, 2},
    {"today", Fn::kToday, 0, 0},
    {"if", Fn::kIf, 3, 3},
    {"number", Fn::kNumber, 1, 1},
    {"string", Fn::kString, 1, 1},
    {"true", Fn::kTrue, 0, 0},
    {"false", Fn::kFalse, 0, 0},
    {"not", Fn::kNot, 1, 1},
    {"round", Fn::kRound, 1, 2},
    {"int", Fn::kInt, 1, 1},
    {"coalesce", Fn::kCoalesce, 2, 2},
    {"concat", Fn::kConcat, 1, 16},
};

const FnInfo* FindFunction(std::string_view name) {
  for (const FnInfo& f : kFunctions)
    if (f.name == name) return &f;
  return nullptr;
}

// Whether every number inside {...} is at most kMaxRepeatCount. libstdc++
// reads repetition counts into a long without an overflow check (undefined
// behaviour, found by fuzz_expr), and large counts build huge automata.
// Conservative: braces inside a character class are screened too.
bool RepeatCountsAreSmall(std::string_view pattern) {
  constexpr long kMaxRepeatCount = 1000;
  bool in_braces = false;
  long number = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      // An escaped character is never a brace; a back-reference number is
      // read like a count, so keep it short too.
      size_t digits = 0;
      while (i + 1 < pattern.size() && pattern[i + 1] >= '0' && pattern[i + 1] <= '9') ++i, ++digits;
      if (digits > 3) return false;
      if (digits == 0) ++i;
      number = 0;
      continue;
    }
    if (c == '{') in_braces = true, number = 0;
    else if (c == '}') in_braces = false;
    else if (in_braces && c >= '0' && c <= '9') {
      number = number * 10 + (c - '0');
      if (number > kMaxRepeatCount) return false;
    } else {
      number = 0;
    }
  }
  return true;
}

std::optional<std::regex> CompilePattern(std::string_view pattern) {
  if (Utf8Length(pattern) > kMaxPatternLength || !RepeatCountsAreSmall(pattern)) return std::nullopt;
  auto flags = std::regex::ECMAScript;
#if defined(__GLIBCXX__)
  // libstdc++ extension: a breadth-first matcher whose time is polynomial in
  // the subject (no catastrophic backtracking). Patterns with
  // back-references are refused with error_complexity.
  flags |= std::regex_constants::__polynomial;
#endif
  try {
    return std::regex(pattern.begin(), pattern.end(), flags);
  } catch (const std::exception&) {  // std::regex_error, std::bad_alloc
    return std::nullopt;
  }
}

Value MatchPattern(const std::regex& re, const Value& subject) {
  if (subject.is_null()) return Value{false};
  std::string s = subject.ToString();
  if (s.size() > kMaxSubjectLength) return Value::Null();
  try {
    return Value{std::regex_match(s, re)};
  } catch (const std::exception&) {
    return Value::Null();
  }
}

class Call final : public Node {
 public:
  Call(Fn fn, std::vector<NodePtr> args, std::optional<std::regex> pattern)
      : fn_(fn), args_(std::move(args)), pattern_(std::move(pattern)) {}

  Value Eval(const EvalContext& ctx) const override {
    switch (fn_) {
      case Fn::kSelected: {
        Value list = args_[0]->Eval(ctx);
        std::string choice = args_[1]->Eval(ctx).ToString();
        if (list.is_null()) return Value{false};
        std::string s = list.ToString();
        for (auto w : SplitWords(s))
          if (w == choice) return Value{true};
        return Value{false};
      }
      case Fn::kCountSelected: {
        Value list = args_[0]->Eval(ctx);
        return Value{static_cast<double>(SplitWords(list.ToString()).size())};
      }
      case Fn::kStringLength:
        return Value{static_cast<double>(Utf8Length(args_[0]->Eval(ctx).ToString()))};
      case Fn::kRegex: {
        Value subject = args_[0]->Eval(ctx);
        if (pattern_) return MatchPattern(*pattern_, subject);
        Value p = args_[1]->Eval(ctx);
        if (p.is_null()) return Value::Null();
        auto re = CompilePattern(p.ToString());
        return re ? MatchPattern(*re, subject) : Value::Null();
      }
      case Fn::kToday:
        return Value{ctx.today.empty() ? internal::TodayUtc() : ctx.today};
      case Fn::kIf:
        return args_[0]->Eval(ctx).Truthy() ? args_[1]->Eval(ctx) : args_[2]->Eval(ctx);
      case Fn::kNumber: {
        auto n = ToNumber(args_[0]->Eval(ctx));
        return n ? NumberValue(*n) : Value::Null();
      }
      case Fn::kString: return Value{args_[0]->Eval(ctx).ToString()};
      case Fn::kTrue: return Value{true};
      case Fn::kFalse: return Value{false};
      case Fn::kNot: return Value{!args_[0]->Eval(ctx).Truthy()};
      case Fn::kRound: {
        auto x = ToNumber(args_[0]->Eval(ctx));
        if (!x) return Value::Null();
        double digits = 0;
        if (args_.size() > 1) {
          auto d = ToNumber(args_[1]->Eval(ctx));
          if (!d) return Value::Null();
          digits = std::clamp(std::trunc(*d), 0.0, 10.0);
        }
        double scale = std::pow(10.0, digits);
        return NumberValue(std::round(*x * scale) / scale);
      }
      case Fn::kInt: {
        auto x = ToNumber(args_[0]->Eval(ctx));
        return x ? NumberValue(std::trunc(*x)) : Value::Null();
      }
      case Fn::kCoalesce: {
        Value a = args_[0]->Eval(ctx);
        return IsNullish(a) ? args_[1]->Eval(ctx) : a;
      }
      case Fn::kConcat: {
        std::string s;
        for (const auto& a : args_) s += a->Eval(ctx).ToString();
        return Value{std::move(s)};
      }
    }
    return Value::Null();
  }
  void CollectRefs(std::vector<std::string>* out) const override {
    for (const auto& a : args_) a->CollectRefs(out);
  }

 private:
  Fn fn_;
  std::vector<NodePtr> args_;
  std::optional<std::regex> pattern_;  // compiled at parse time for a literal pattern
};

// ---------------------------------------------------------------- parser

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : toks_(std::move(tokens)) {}

  Result<NodePtr> ParseAll() {
    auto e = ParseOr();
    if (!e.ok()) return e;
    if (Peek().kind != Tok::kEnd) return Unexpected(Peek());
    return e;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return toks_[std::min(pos_ + ahead, toks_.size() - 1)];
  }
  const Token& Next() { return toks_[std::min(pos_++, toks_.size() - 1)]; }
  bool IsWord(const Token& t, std::string_view w) const {
    return t.kind == Tok::kIdent && t.text == w;
  }

  static Status Unexpected(const Token& t) {
    switch (t.kind) {
      case Tok::kEnd: return Status::InvalidArgument(At("unexpected end of expression", t.column));
      case Tok::kNumber: return Status::InvalidArgument(At("unexpected number " + t.text, t.column));
      case Tok::kString: return Status::InvalidArgument(At("unexpected string", t.column));
      case Tok::kRef:
        return Status::InvalidArgument(At("unexpected ${" + t.text + "}", t.column));
      default: return Status::InvalidArgument(At("unexpected '" + t.text + "'", t.column));
    }
  }

  // Every recursive step goes through Enter so hostile input cannot exhaust the stack.
  class DepthGuard {
   public:
    explicit DepthGuard(int* d) : d_(d) { ++*d_; }
    ~DepthGuard() { --*d_; }

   private:
    int* d_;
  };
  Status CheckDepth(size_t column) const {
    if (depth_ > kMaxDepth) return Status::InvalidArgument(At("expression nested too deeply", column));
    return Status::Ok();
  }
  Result<NodePtr> Make(NodePtr n, size_t column, std::initializer_list<const Node*> kids) {
    int d = 0;
    for (const Node* k : kids) d = std::max(d, k->depth);
    n->depth = d + 1;
    if (n->depth > kMaxDepth)
      return Status::InvalidArgument(At("expression nested too deeply", column));
    return n;
  }

  Result<NodePtr> ParseOr() {
    DepthGuard g(&depth_);
    FS_RETURN_IF_ERROR(CheckDepth(Peek().column));
    auto left = ParseAnd();
    if (!left.ok()) return left;
    NodePtr l = std::move(left.value());
    while (IsWord(Peek(), "or")) {
      size_t col = Next().column;
      auto right = ParseAnd();
      if (!right.ok()) return right;
      NodePtr r = std::move(right.value());
      const Node *lp = l.get(), *rp = r.get();
      auto made = Make(std::make_unique<Binary>(Op::kOr, std::move(l), std::move(r)), col, {lp, rp});
      if (!made.ok()) return made;
      l = std::move(made.value());
    }
    return l;
  }

  Result<NodePtr> ParseAnd() {
    auto left = ParseNot();
    if (!left.ok()) return left;
    NodePtr l = std::move(left.value());
    while (IsWord(Peek(), "and")) {
      size_t col = Next().column;
      auto right = ParseNot();
      if (!right.ok()) return right;
      NodePtr r = std::move(right.value());
      const Node *lp = l.get(), *rp = r.get();
      auto made = Make(std::make_unique<Binary>(Op::kAnd, std::move(l), std::move(r)), col, {lp, rp});
      if (!made.ok()) return made;
      l = std::move(made.value());
    }
    return l;
  }

  Result<NodePtr> ParseNot() {
    // "not(" is the function form, parsed as a call in ParsePrimary so that
    // not(x) = y means (not(x)) = y, as in XPath.
    if (IsWord(Peek(), "not") && Peek(1).kind != Tok::kLParen) {
      DepthGuard g(&depth_);
      size_t col = Next().column;
      FS_RETURN_IF_ERROR(CheckDepth(col));
      auto arg = ParseNot();
      if (!arg.ok()) return arg;
      const Node* ap = arg.value().get();
      return Make(std::make_unique<Unary>(Op::kNot, std::move(arg.value())), col, {ap});
    }
    return ParseCmp();
  }

  Result<NodePtr> ParseCmp() {
    auto left = ParseAdd();
    if (!left.ok()) return left;
    Op op;
    switch (Peek().kind) {
      case Tok::kEq: op = Op::kEq; break;
      case Tok::kNe: op = Op::kNe; break;
      case Tok::kLt: op = Op::kLt; break;
      case Tok::kLe: op = Op::kLe; break;
      case Tok::kGt: op = Op::kGt; break;
      case Tok::kGe: op = Op::kGe; break;
      default: return left;
    }
    size_t col = Next().column;
    auto right = ParseAdd();
    if (!right.ok()) return right;
    const Node *lp = left.value().get(), *rp = right.value().get();
    return Make(std::make_unique<Binary>(op, std::move(left.value()), std::move(right.value())),
                col, {lp, rp});
  }

  Result<NodePtr> ParseAdd() {
    auto left = ParseMul();
    if (!left.ok()) return left;
    NodePtr l = std::move(left.value());
    while (Peek().kind == Tok::kPlus || Peek().kind == Tok::kMinus) {
      Op op = Peek().kind == Tok::kPlus ? Op::kAdd : Op::kSub;
      size_t col = Next().column;
      auto right = ParseMul();
      if (!right.ok()) return right;
      NodePtr r = std::move(right.value());
      const Node *lp = l.get(), *rp = r.get();
      auto made = Make(std::make_unique<Binary>(op, std::move(l), std::move(r)), col, {lp, rp});
      if (!made.ok()) return made;
      l = std::move(made.value());
    }
    return l;
  }

  Result<NodePtr> ParseMul() {
    auto left = ParseUnary();
    if (!left.ok()) return left;
    NodePtr l = std::move(left.value());
    while (true) {
      Op op;
      if (Peek().kind == Tok::kStar) op = Op::kMul;
      else if (Peek().kind == Tok::kSlash || IsWord(Peek(), "div")) op = Op::kDiv;
      else if (IsWord(Peek(), "mod")) op = Op::kMod;
      else break;
      size_t col = Next().column;
      auto right = ParseUnary();
      if (!right.ok()) return right;
      NodePtr r = std::move(right.value());
      const Node *lp = l.get(), *rp = r.get();
      auto made = Make(std::make_unique<Binary>(op, std::move(l), std::move(r)), col, {lp, rp});
      if (!made.ok()) return made;
      l = std::move(made.value());
    }
    return l;
  }

  Result<NodePtr> ParseUnary() {
    if (Peek().kind == Tok::kMinus) {
      DepthGuard g(&depth_);
      size_t col = Next().column;
      FS_RETURN_IF_ERROR(CheckDepth(col));
      auto arg = ParseUnary();
      if (!arg.ok()) return arg;
      const Node* ap = arg.value().get();
      return Make(std::make_unique<Unary>(Op::kNeg, std::move(arg.value())), col, {ap});
    }
    return ParsePrimary();
  }

  Result<NodePtr> ParsePrimary() {
    const Token& t = Peek();
    switch (t.kind) {
      case Tok::kNumber: Next(); return NodePtr(std::make_unique<Literal>(Value{t.number}));
      case Tok::kString: Next(); return NodePtr(std::make_unique<Literal>(Value{t.text}));
      case Tok::kDot: Next(); return NodePtr(std::make_unique<Current>());
      case Tok::kRef: Next(); return NodePtr(std::make_unique<Ref>(t.text));
      case Tok::kLParen: {
        Next();
        auto inner = ParseOr();
        if (!inner.ok()) return inner;
        if (Peek().kind != Tok::kRParen) {
          if (Peek().kind == Tok::kEnd)
            return Status::InvalidArgument(At("expected ')'", Peek().column));
          return Unexpected(Peek());
        }
        Next();
        return inner;
      }
      case Tok::kIdent: return ParseCall();
      default: return Unexpected(t);
    }
  }

  Result<NodePtr> ParseCall() {
    Token name = Next();
    const FnInfo* fn = FindFunction(name.text);
    bool is_call = Peek().kind == Tok::kLParen;
    if (!fn) {
      if (is_call) return Status::InvalidArgument(At("unknown function '" + name.text + "'", name.column));
      if (name.text == "and" || name.text == "or" || name.text == "div" || name.text == "mod")
        return Unexpected(name);
      return Status::InvalidArgument(
          At("unknown name '" + name.text + "' (write ${" + name.text + "} for a field)", name.column));
    }
    if (!is_call)
      return Status::InvalidArgument(At("expected '(' after '" + name.text + "'", Peek().column));
    Next();
    DepthGuard g(&depth_);
    FS_RETURN_IF_ERROR(CheckDepth(name.column));
    std::vector<NodePtr> args;
    std::vector<size_t> arg_columns;
    if (Peek().kind != Tok::kRParen) {
      while (true) {
        arg_columns.push_back(Peek().column);
        auto a = ParseOr();
        if (!a.ok()) return a;
        args.push_back(std::move(a.value()));
        if (Peek().kind == Tok::kComma) {
          Next();
          continue;
        }
        if (Peek().kind == Tok::kRParen) break;
        if (Peek().kind == Tok::kEnd)
          return Status::InvalidArgument(At("expected ')'", Peek().column));
        return Unexpected(Peek());
      }
    }
    Next();  // ')'
    int n = static_cast<int>(args.size());
    if (n < fn->min_args || n > fn->max_args) {
      std::string want = fn->min_args == fn->max_args
                             ? std::to_string(fn->min_args)
                             : std::to_string(fn->min_args) + " to " + std::to_string(fn->max_args);
      return Status::InvalidArgument(At("function '" + name.text + "' takes " + want +
                                            (want == "1" ? " argument" : " arguments") + ", got " +
                                            std::to_string(n),
                                        name.column));
    }
    std::optional<std::regex> pattern;
    if (fn->fn == Fn::kRegex) {
      if (const auto* lit = dynamic_cast<const Literal*>(args[1].get())) {
        std::string p = lit->Eval(EvalContext{}).ToString();
        if (Utf8Length(p) > kMaxPatternLength)
          return Status::InvalidArgument(At("regular expression longer than " +
                                                std::to_string(kMaxPatternLength) + " characters",
                                            arg_columns[1]));
        pattern = CompilePattern(p);
        if (!pattern)
          return Status::InvalidArgument(At("invalid regular expression", arg_columns[1]));
      }
    }
    int d = 0;
    for (const auto& a : args) d = std::max(d, a->depth);
    auto node = std::make_unique<Call>(fn->fn, std::move(args), std::move(pattern));
    node->depth = d + 1;
    if (node->depth > kMaxDepth)
      return Status::InvalidArgument(At("expression nested too deeply", name.column));
    return NodePtr(std::move(node));
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

// ---------------------------------------------------------------- Value

bool Value::Truthy() const {
  switch (v.index()) {
    case 1: return std::get<bool>(v);
    case 2: return std::get<double>(v) != 0;
    case 3: return !std::get<std::string>(v).empty();
    default: return false;
  }
}

std::string Value::ToString() const {
  switch (v.index()) {
    case 1: return std::get<bool>(v) ? "true" : "false";
    case 2: return FormatNumber(std::get<double>(v));
    case 3: return std::get<std::string>(v);
    default: return "";
  }
}

Value Value::FromJson(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::boolean: return Value{j.get<bool>()};
    case nlohmann::json::value_t::number_integer:
      return Value{static_cast<double>(j.get<int64_t>())};
    case nlohmann::json::value_t::number_unsigned:
      return Value{static_cast<double>(j.get<uint64_t>())};
    case nlohmann::json::value_t::number_float: return NumberValue(j.get<double>());
    case nlohmann::json::value_t::string: return Value{j.get<std::string>()};
    case nlohmann::json::value_t::array: {
      std::string s;
      for (const auto& e : j) {
        if (e.is_structured()) continue;  // only scalars: no recursion on hostile nesting
        Value item = FromJson(e);
        if (item.is_null()) continue;
        if (!s.empty()) s += ' ';
        s += item.ToString();
      }
      return Value{std::move(s)};
    }
    case nlohmann::json::value_t::object: {
      auto lat = j.find("lat"), lon = j.find("lon");
      if (lat != j.end() && lon != j.end() && lat->is_number() && lon->is_number())
        return Value{FormatNumber(lat->get<double>()) + " " + FormatNumber(lon->get<double>())};
      return Value::Null();
    }
    default: return Value::Null();
  }
}

nlohmann::json Value::ToJson() const {
  switch (v.index()) {
    case 1: return std::get<bool>(v);
    case 2: {
      double x = std::get<double>(v);
      if (!std::isfinite(x)) return nullptr;
      // Whole numbers travel as JSON integers (exactly representable range).
      if (x == std::trunc(x) && std::fabs(x) <= 9007199254740992.0) return static_cast<int64_t>(x);
      return x;
    }
    case 3: return std::get<std::string>(v);
    default: return nullptr;
  }
}

Result<std::shared_ptr<const Expr>> ParseExpr(std::string_view source) {
  if (source.size() > kMaxSourceLength)
    return Status::InvalidArgument(At("expression longer than " + std::to_string(kMaxSourceLength) +
                                          " characters",
                                      kMaxSourceLength + 1));
  auto tokens = Lex(source);
  if (!tokens.ok()) return tokens.status();
  Parser parser(std::move(tokens.value()));
  auto root = parser.ParseAll();
  if (!root.ok()) return root.status();
  return std::shared_ptr<const Expr>(std::move(root.value()));
}

}  // namespace fieldsync::schema
