// server/main.cpp — fieldsync-server: the HQ server binary (see server/cli.h).
#include <iostream>
#include <string>
#include <vector>

#include "server/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return fieldsync::server::RunCli(args, std::cout, std::cerr);
}
