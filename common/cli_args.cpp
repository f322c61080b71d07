// common/cli_args.cpp — argument parsing shared by the command-line tools.
#include "common/cli_args.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace fieldsync::cli {

namespace {

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string JoinNames(const std::vector<std::string>& names, std::string_view sep) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += sep;
    out += n;
  }
  return out;
}

std::string PositionalCountError(const CommandSpec& spec, size_t got) {
  std::string expects = spec.positionals.empty() ? "no arguments" : spec.positionals;
  std::string what = got == 1 ? "1 argument" : std::to_string(got) + " arguments";
  return Quoted(spec.name) + " expects " + expects + ", got " + what + " (see '" +
         spec.name + " --help')";
}

}  // namespace

const OptionSpec* CommandSpec::FindOption(std::string_view n) const {
  for (const auto& o : options) {
    if (o.name == n) return &o;
  }
  return nullptr;
}

bool ParsedArgs::Has(std::string_view name) const {
  return std::any_of(values_.begin(), values_.end(),
                     [&](const auto& kv) { return kv.first == name; });
}

std::string ParsedArgs::Get(std::string_view name, std::string_view fallback) const {
  for (auto it = values_.rbegin(); it != values_.rend(); ++it) {
    if (it->first == name) return it->second;
  }
  return std::string(fallback);
}

std::vector<std::string> ParsedArgs::GetAll(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : values_) {
    if (n == name) out.push_back(v);
  }
  return out;
}

Result<ParsedArgs> Parse(const CommandSpec& spec, const std::vector<std::string>& args) {
  ParsedArgs parsed;
  // Help wins over every other check, so "report new --help" works even with
  // the required options missing.
  for (const auto& a : args) {
    if (a == "--") break;
    if (a == "--help" || a == "-h") {
      parsed.help = true;
      return parsed;
    }
  }
  std::vector<std::string> option_names;
  for (const auto& o : spec.options) option_names.push_back(o.name);

  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (options_done || a.size() < 2 || a[0] != '-' || a == "-") {
      parsed.positionals.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    std::string name = a;
    std::string inline_value;
    bool has_inline = false;
    if (size_t eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      name = a.substr(0, eq);
      inline_value = a.substr(eq + 1);
      has_inline = true;
    }
    const OptionSpec* opt = spec.FindOption(name);
    if (!opt) {
      // A negative number is a positional ("report set ID lat=-3").
      if (name.size() > 1 && (std::isdigit(static_cast<unsigned char>(name[1])) || name[1] == '.')) {
        parsed.positionals.push_back(a);
        continue;
      }
      return Status::InvalidArgument("unknown option " + Quoted(name) + " for " +
                                     Quoted(spec.name) + DidYouMean(name, option_names));
    }
    if (!opt->repeatable && parsed.Has(opt->name)) {
      return Status::InvalidArgument("option " + Quoted(opt->name) + " for " + Quoted(spec.name) +
                                     " given twice");
    }
    if (opt->value_name.empty()) {
      if (has_inline) {
        return Status::InvalidArgument("option " + Quoted(opt->name) + " for " +
                                       Quoted(spec.name) + " takes no value");
      }
      parsed.Add(opt->name, "");
      continue;
    }
    if (has_inline) {
      parsed.Add(opt->name, inline_value);
      continue;
    }
    if (i + 1 >= args.size()) {
      return Status::InvalidArgument("option " + Quoted(opt->name) + " for " + Quoted(spec.name) +
                                     " needs a value (" + opt->value_name + ")");
    }
    parsed.Add(opt->name, args[++i]);
  }
  size_t n = parsed.positionals.size();
  if (n < spec.min_positionals) {
    return Status::InvalidArgument(PositionalCountError(spec, n));
  }
  if (n > spec.max_positionals) {
    if (spec.max_positionals == 0) {
      return Status::InvalidArgument("unexpected argument " + Quoted(parsed.positionals[0]) +
                                     " for " + Quoted(spec.name) + " (see '" + spec.name +
                                     " --help')");
    }
    return Status::InvalidArgument(PositionalCountError(spec, n));
  }
  return parsed;
}

std::string UsageLine(std::string_view program, const CommandSpec& spec) {
  std::string line = "Usage: " + std::string(program) + " " + spec.name;
  if (!spec.options.empty()) line += " [options]";
  if (!spec.positionals.empty()) line += " " + spec.positionals;
  return line;
}

std::string HelpText(std::string_view program, const CommandSpec& spec) {
  std::ostringstream out;
  out << UsageLine(program, spec) << "\n";
  if (!spec.summary.empty()) out << "\n" << spec.summary << "\n";
  if (!spec.options.empty()) {
    out << "\nOptions:\n";
    size_t width = 0;
    std::vector<std::string> heads;
    for (const auto& o : spec.options) {
      std::string head = o.name;
      if (!o.value_name.empty()) head += " " + o.value_name;
      if (o.repeatable) head += "...";
      width = std::max(width, head.size());
      heads.push_back(head);
    }
    for (size_t i = 0; i < spec.options.size(); ++i) {
      out << "  " << heads[i] << std::string(width - heads[i].size() + 2, ' ')
          << spec.options[i].help << "\n";
    }
    out << "  -h, --help" << std::string(width > 8 ? width - 8 : 2, ' ') << "show this help\n";
  }
  if (!spec.details.empty()) out << "\n" << spec.details << (spec.details.back() == '\n' ? "" : "\n");
  return out.str();
}

std::string CommandListText(std::string_view program, std::string_view intro,
                            const std::vector<const CommandSpec*>& commands,
                            const std::vector<OptionSpec>& global_options) {
  std::ostringstream out;
  out << "Usage: " << program << " [global options] COMMAND [options] [arguments]\n";
  if (!intro.empty()) out << "\n" << intro << "\n";
  size_t width = 0;
  for (const auto* c : commands) width = std::max(width, c->name.size());
  out << "\nCommands:\n";
  for (const auto* c : commands) {
    out << "  " << c->name << std::string(width - c->name.size() + 2, ' ') << c->summary << "\n";
  }
  if (!global_options.empty()) {
    out << "\nGlobal options (before or after the command):\n";
    size_t w = 0;
    for (const auto& o : global_options) w = std::max(w, o.name.size() + 1 + o.value_name.size());
    for (const auto& o : global_options) {
      std::string head = o.name + (o.value_name.empty() ? "" : " " + o.value_name);
      out << "  " << head << std::string(w - head.size() + 2, ' ') << o.help << "\n";
    }
  }
  out << "\nRun '" << program << " COMMAND --help' for a command's options.\n";
  return out.str();
}

Result<const CommandSpec*> FindCommand(const std::vector<const CommandSpec*>& commands,
                                       const std::vector<std::string>& args, size_t* consumed) {
  if (args.empty()) return Status::InvalidArgument("missing command (see '--help')");
  // Longest match first: two words, then one.
  if (args.size() >= 2) {
    std::string two = args[0] + " " + args[1];
    for (const auto* c : commands) {
      if (c->name == two) {
        *consumed = 2;
        return c;
      }
    }
  }
  for (const auto* c : commands) {
    if (c->name == args[0]) {
      *consumed = 1;
      return c;
    }
  }
  // A group word ("report") followed by nothing or by an unknown subcommand.
  std::vector<std::string> subcommands;
  std::vector<std::string> all_names;
  for (const auto* c : commands) {
    all_names.push_back(c->name);
    if (c->name.rfind(args[0] + " ", 0) == 0) subcommands.push_back(c->name.substr(args[0].size() + 1));
  }
  if (!subcommands.empty()) {
    if (args.size() < 2 || args[1].rfind("-", 0) == 0) {
      return Status::InvalidArgument(Quoted(args[0]) + " needs a subcommand: " +
                                     JoinNames(subcommands, ", "));
    }
    return Status::InvalidArgument("unknown command " + Quoted(args[0] + " " + args[1]) +
                                   DidYouMean(args[0] + " " + args[1], all_names));
  }
  return Status::InvalidArgument("unknown command " + Quoted(args[0]) +
                                 DidYouMean(args[0], all_names));
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::vector<std::string> CloseMatches(std::string_view word,
                                      const std::vector<std::string>& candidates, size_t max) {
  std::string_view bare = word;
  while (!bare.empty() && bare.front() == '-') bare.remove_prefix(1);
  size_t limit = std::max<size_t>(1, (bare.size() + 2) / 3);
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& c : candidates) {
    if (c == word) continue;
    size_t d = EditDistance(word, c);
    bool prefix = word.size() >= 3 + (word.size() - bare.size()) &&
                  (c.rfind(word, 0) == 0 || word.rfind(c, 0) == 0);
    if (d <= limit || prefix) scored.emplace_back(prefix ? std::min(d, limit) : d, c);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (const auto& s : scored) {
    if (out.size() >= max) break;
    out.push_back(s.second);
  }
  return out;
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  auto close = CloseMatches(word, candidates, 1);
  if (close.empty()) return "";
  return " (did you mean " + Quoted(close[0]) + "?)";
}

}  // namespace fieldsync::cli
