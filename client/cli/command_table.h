// client/cli/command_table.h — the command table of fieldsync-cli.
//
// Each command is a CommandSpec (its words, options, help; common/cli_args.h)
// plus a function that runs it. Commands live in files named commands_*.cpp,
// which client/cli/CMakeLists.txt picks up by glob; each file registers its
// commands with a static CommandRegistrar, so adding a command group touches
// no other file. For example, client/cli/commands_sync.cpp would hold:
//
//   namespace fieldsync::cli_app {
//   namespace {
//   Status RunSync(CliContext& ctx, const cli::ParsedArgs& args) { ... }
//   const CommandRegistrar kSync([](CommandTable& t) {
//     cli::CommandSpec spec;
//     spec.name = "sync";
//     spec.summary = "send waiting changes and fetch HQ's (exit 0 only when all acknowledged)";
//     spec.options = {{"--json", "", "machine-readable summary"}};
//     t.Add({spec, RunSync, /*order=*/90});
//   });
//   }  // namespace
//   }  // namespace fieldsync::cli_app
//
// and, when it needs fieldsync_sync, one line in client/cli/CMakeLists.txt
// (a commented place is left there).
//
// A command's function returns Status: ok → exit 0 (or ctx.exit_code when a
// command sets it); an error → "fieldsync-cli: <message>" on stderr, exit 1.
// Usage errors (unknown command or option, bad arguments) exit 2 before any
// command runs, so they never touch the data folder.
#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "client/app/device_app.h"
#include "common/cli_args.h"
#include "common/status.h"

namespace fieldsync::cli_app {

inline constexpr char kProgram[] = "fieldsync-cli";

// What a running command may use. The device is opened on first use of App()
// (so --help and usage errors never create a data folder).
struct CliContext {
  std::filesystem::path data_dir;
  std::string lang = "en";
  std::ostream* out = nullptr;  // stdout: results
  std::ostream* err = nullptr;  // stderr: the one error line (main prints it)
  int exit_code = 0;            // a command may set a non-zero exit with an ok Status

  Result<app::DeviceApp*> App();

 private:
  std::unique_ptr<app::DeviceApp> app_;
};

using RunFn = std::function<Status(CliContext&, const cli::ParsedArgs&)>;

struct Command {
  cli::CommandSpec spec;
  RunFn run;
  int order = 50;  // position in the command list of --help (lower first)
};

class CommandTable {
 public:
  void Add(Command command);
  // Commands sorted by order, then name.
  std::vector<const Command*> Sorted() const;
  const Command* Find(const cli::CommandSpec* spec) const;

 private:
  std::vector<Command> commands_;
};

// The process-wide table, filled by CommandRegistrars before main runs.
CommandTable& GlobalCommandTable();

struct CommandRegistrar {
  explicit CommandRegistrar(const std::function<void(CommandTable&)>& add) {
    add(GlobalCommandTable());
  }
};

// Options every command accepts (before or after the command words).
const std::vector<cli::OptionSpec>& GlobalOptions();

// Runs the tool: parses global options, finds the command, runs it.
// Returns the process exit code. Everything printed goes to out/err.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace fieldsync::cli_app
