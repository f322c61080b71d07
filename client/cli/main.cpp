// client/cli/main.cpp — fieldsync-cli, the headless device client: a thin main
// over the command table (command_table.h) and fieldsync_app.
#include <iostream>
#include <string>
#include <vector>

#include "client/cli/command_table.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return fieldsync::cli_app::RunCli(args, std::cout, std::cerr);
}
