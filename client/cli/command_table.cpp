// client/cli/command_table.cpp — dispatch of fieldsync-cli: global options,
// data folder resolution, finding and running a command.
#include "client/cli/command_table.h"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <ostream>

#include "client/cli/output.h"

namespace fieldsync::cli_app {

namespace {

constexpr char kIntro[] =
    "fieldsync-cli — the headless fieldsync device client: record reports on\n"
    "cooperation projects offline and send them to HQ when a link exists.";

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// --data, then $FIELDSYNC_DATA, then $XDG_DATA_HOME/fieldsync, then
// ~/.local/share/fieldsync.
Result<std::filesystem::path> DefaultDataDir() {
  if (auto d = Env("FIELDSYNC_DATA"); !d.empty()) return std::filesystem::path(d);
  if (auto x = Env("XDG_DATA_HOME"); !x.empty()) return std::filesystem::path(x) / "fieldsync";
  if (auto h = Env("HOME"); !h.empty()) {
    return std::filesystem::path(h) / ".local" / "share" / "fieldsync";
  }
  return Status::InvalidArgument("no data folder: give --data DIR or set FIELDSYNC_DATA");
}

bool KnownLanguage(std::string_view lang) {
  return std::find(std::begin(schema::kLanguages), std::end(schema::kLanguages), lang) !=
         std::end(schema::kLanguages);
}

int Fail(std::ostream& err, const Status& s, int code) {
  PrintError(err, s.message());
  return code;
}

}  // namespace

Result<app::DeviceApp*> CliContext::App() {
  if (!app_) {
    app::AppOptions options;
    options.lang = lang;
    auto opened = app::DeviceApp::Open(data_dir, options);
    if (!opened.ok()) return opened.status();
    app_ = std::move(opened).value();
  }
  return app_.get();
}

void CommandTable::Add(Command command) { commands_.push_back(std::move(command)); }

std::vector<const Command*> CommandTable::Sorted() const {
  std::vector<const Command*> out;
  for (const auto& c : commands_) out.push_back(&c);
  std::stable_sort(out.begin(), out.end(), [](const Command* a, const Command* b) {
    return a->order != b->order ? a->order < b->order : a->spec.name < b->spec.name;
  });
  return out;
}

const Command* CommandTable::Find(const cli::CommandSpec* spec) const {
  for (const auto& c : commands_) {
    if (&c.spec == spec) return &c;
  }
  return nullptr;
}

CommandTable& GlobalCommandTable() {
  static CommandTable table;
  return table;
}

const std::vector<cli::OptionSpec>& GlobalOptions() {
  static const std::vector<cli::OptionSpec> options = {
      {"--data", "DIR",
       "the device's data folder (default: $FIELDSYNC_DATA, else $XDG_DATA_HOME/fieldsync, "
       "else ~/.local/share/fieldsync)",
       false},
      {"--lang", "L", "language of labels in messages: en, fr, es, pt (default: $FIELDSYNC_LANG, else en)",
       false},
  };
  return options;
}

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  try {
    const CommandTable& table = GlobalCommandTable();
    std::vector<const Command*> commands = table.Sorted();
    std::vector<const cli::CommandSpec*> specs;
    for (const auto* c : commands) specs.push_back(&c->spec);

    // Global options before the command.
    cli::CommandSpec globals;
    globals.name = "";
    globals.options = GlobalOptions();
    std::vector<std::string> global_names = {"--help", "--version"};
    for (const auto& o : globals.options) global_names.push_back(o.name);
    std::string data_arg, lang_arg;
    size_t i = 0;
    while (i < args.size() && args[i].size() > 1 && args[i][0] == '-') {
      const std::string& a = args[i];
      if (a == "--help" || a == "-h") {
        out << cli::CommandListText(kProgram, kIntro, specs, GlobalOptions());
        return 0;
      }
      if (a == "--version") {
        out << kProgram << " 0.1.0\n";
        return 0;
      }
      std::string name = a.substr(0, a.find('='));
      if (name != "--data" && name != "--lang") {
        return Fail(err,
                    Status::InvalidArgument("unknown option '" + name + "'" +
                                            cli::DidYouMean(name, global_names) +
                                            " (global options go before the command: --data, --lang)"),
                    cli::kUsageExit);
      }
      std::string value;
      if (name.size() < a.size()) {
        value = a.substr(name.size() + 1);
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return Fail(err, Status::InvalidArgument("option '" + name + "' needs a value"),
                    cli::kUsageExit);
      }
      (name == "--data" ? data_arg : lang_arg) = value;
      ++i;
    }
    std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
    if (rest.empty()) {
      return Fail(err,
                  Status::InvalidArgument(std::string("missing command (run '") + kProgram +
                                          " --help' to list them)"),
                  cli::kUsageExit);
    }
    size_t consumed = 0;
    auto found = cli::FindCommand(specs, rest, &consumed);
    if (!found.ok()) {
      // "report --help": the group's subcommands.
      std::vector<const cli::CommandSpec*> group;
      for (const auto* s : specs) {
        if (s->name.rfind(rest[0] + " ", 0) == 0) group.push_back(s);
      }
      bool wants_help = rest.size() >= 2 && (rest[1] == "--help" || rest[1] == "-h");
      if (!group.empty() && wants_help) {
        out << cli::CommandListText(kProgram, "", group, GlobalOptions());
        return 0;
      }
      return Fail(err, found.status(), cli::kUsageExit);
    }
    const Command* command = table.Find(*found);

    // The command's own options plus the global ones, accepted after it too.
    cli::CommandSpec spec = command->spec;
    for (const auto& g : GlobalOptions()) {
      if (!spec.FindOption(g.name)) spec.options.push_back(g);
    }
    std::vector<std::string> command_args(rest.begin() + static_cast<std::ptrdiff_t>(consumed),
                                          rest.end());
    auto parsed = cli::Parse(spec, command_args);
    if (!parsed.ok()) return Fail(err, parsed.status(), cli::kUsageExit);
    if (parsed->help) {
      out << cli::HelpText(kProgram, spec);
      return 0;
    }
    if (parsed->Has("--data")) data_arg = parsed->Get("--data");
    if (parsed->Has("--lang")) lang_arg = parsed->Get("--lang");

    CliContext ctx;
    ctx.out = &out;
    ctx.err = &err;
    if (lang_arg.empty()) lang_arg = Env("FIELDSYNC_LANG");
    if (!lang_arg.empty()) {
      if (!KnownLanguage(lang_arg)) {
        return Fail(err,
                    Status::InvalidArgument("unknown language '" + lang_arg +
                                            "' (fieldsync has en, fr, es, pt)"),
                    cli::kUsageExit);
      }
      ctx.lang = lang_arg;
    }
    if (!data_arg.empty()) {
      ctx.data_dir = data_arg;
    } else {
      auto dir = DefaultDataDir();
      if (!dir.ok()) return Fail(err, dir.status(), cli::kUsageExit);
      ctx.data_dir = *dir;
    }

    Status result = command->run(ctx, *parsed);
    out.flush();
    if (!result.ok()) return Fail(err, result, ctx.exit_code != 0 ? ctx.exit_code : 1);
    return ctx.exit_code;
  } catch (const std::exception& e) {
    return Fail(err, Status::Internal(std::string("internal error: ") + e.what()), 1);
  }
}

}  // namespace fieldsync::cli_app
