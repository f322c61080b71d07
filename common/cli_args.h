// common/cli_args.h — argument parsing shared by fieldsync's command-line tools
// (fieldsync-cli, fieldsync-server).
//
// A tool is a table of commands; each command is one or two words ("projects",
// "report new") followed by options and positional arguments. This file parses
// what follows the command words against a CommandSpec and produces help text;
// finding the command in the table is the tool's job (see FindCommand).
//
// Accepted forms: "--name value", "--name=value", flags without a value,
// "--" ends the options (everything after is positional), "-h"/"--help"
// anywhere asks for help. Options and positionals may be interleaved.
//
// Every error is an InvalidArgument whose message is one line a person can act
// on, naming the command and suggesting the closest valid spelling:
//   "unknown option '--projet' for 'report new' (did you mean '--project'?)"
// Tools print it as "<program>: <message>" and exit with kUsageExit.
//
// Pure logic, no I/O. Thread safety: values.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace fieldsync::cli {

// Exit code for a usage error (unknown command, option or bad arguments);
// other errors exit 1.
inline constexpr int kUsageExit = 2;
inline constexpr size_t kUnlimited = std::numeric_limits<size_t>::max();

struct OptionSpec {
  std::string name;        // with the dashes: "--project"
  std::string value_name;  // "CODE"; empty for a flag that takes no value
  std::string help;        // one line
  bool repeatable = false; // may be given several times (--set A=1 --set B=2)
};

struct CommandSpec {
  std::string name;         // the command words: "report new"
  std::string summary;      // one line, for the tool's command list
  std::string positionals;  // usage of positionals, e.g. "ID NAME=VALUE..."
  size_t min_positionals = 0;
  size_t max_positionals = 0;  // kUnlimited for no limit
  std::vector<OptionSpec> options;
  std::string details;      // further help text (examples), may be empty

  const OptionSpec* FindOption(std::string_view name) const;
};

// The result of parsing: options in the order given, and positionals.
class ParsedArgs {
 public:
  bool help = false;  // -h/--help was given; nothing else was checked
  std::vector<std::string> positionals;

  bool Has(std::string_view name) const;
  // The last value given for the option, or fallback when absent.
  std::string Get(std::string_view name, std::string_view fallback = {}) const;
  // Every value given for a repeatable option, in order.
  std::vector<std::string> GetAll(std::string_view name) const;
  void Add(std::string name, std::string value) { values_.emplace_back(std::move(name), std::move(value)); }
  const std::vector<std::pair<std::string, std::string>>& values() const { return values_; }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

// Parses `args` (what follows the command words) against `spec`.
// Errors (InvalidArgument):
//   unknown option (with the closest option suggested), a value missing or
//   given to a flag, a non-repeatable option given twice, too few or too many
//   positionals.
Result<ParsedArgs> Parse(const CommandSpec& spec, const std::vector<std::string>& args);

// "Usage: fieldsync-cli report new --project CODE --form ID [options]" — one line.
std::string UsageLine(std::string_view program, const CommandSpec& spec);
// Full help: usage, summary, options with their help, details.
std::string HelpText(std::string_view program, const CommandSpec& spec);
// The tool's overview: usage and every command with its summary.
std::string CommandListText(std::string_view program, std::string_view intro,
                            const std::vector<const CommandSpec*>& commands,
                            const std::vector<OptionSpec>& global_options);

// Finds the command named by the leading words of `args` (longest match
// first). On success *consumed is the number of words used. Errors name the
// unknown command and suggest the closest one:
//   "unknown command 'report nwe' (did you mean 'report new'?)"
//   "'report' needs a subcommand: new, set, finalize, show, list"
Result<const CommandSpec*> FindCommand(const std::vector<const CommandSpec*>& commands,
                                       const std::vector<std::string>& args, size_t* consumed);

// Levenshtein distance (bytes).
size_t EditDistance(std::string_view a, std::string_view b);
// Candidates close to `word` (small edit distance for its length, or one is a
// prefix of the other), closest first, at most `max` of them.
std::vector<std::string> CloseMatches(std::string_view word,
                                      const std::vector<std::string>& candidates,
                                      size_t max = 3);
// " (did you mean 'x'?)" for the closest candidate, or "" when none is close.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace fieldsync::cli
