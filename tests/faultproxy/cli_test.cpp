// tests/faultproxy/cli_test.cpp — the faultproxy executable, run as scripts run it.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tests/faultproxy/upstream.h"

namespace {

const std::string kBinary = std::string(FIELDSYNC_BUILD_DIR) + "/tools/faultproxy/faultproxy";

struct Child {
  pid_t pid = -1;
  FILE* out = nullptr;  // its stdout
  FILE* err = nullptr;  // its stderr
};

Child Spawn(const std::vector<std::string>& args) {
  REQUIRE_MESSAGE(access(kBinary.c_str(), X_OK) == 0,
                  "build the faultproxy target first: " << kBinary);
  int out[2], err[2];
  REQUIRE(pipe(out) == 0);
  REQUIRE(pipe(err) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(out[0]);
    close(err[0]);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(kBinary.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(kBinary.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  return Child{pid, fdopen(out[0], "r"), fdopen(err[0], "r")};
}

std::string ReadLine(FILE* f) {
  char buf[512];
  if (!fgets(buf, sizeof buf, f)) return "";
  return buf;
}

std::string ReadAll(FILE* f) {
  std::string s;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, f)) s.append(buf, n);
  return s;
}

int Wait(Child& c) {
  int status = 0;
  waitpid(c.pid, &status, 0);
  fclose(c.out);
  fclose(c.err);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("faultproxy runs until SIGTERM and prints its counters") {
  fieldsync::faultproxy::testing::Upstream upstream;
  Child child = Spawn({"--listen", "127.0.0.1:0", "--upstream",
                       "127.0.0.1:" + std::to_string(upstream.port()), "--duplicate-every", "1",
                       "--delay-ms", "5", "--seed", "7"});
  std::string line = ReadLine(child.out);
  const std::string prefix = "listening on 127.0.0.1:";
  REQUIRE(line.rfind(prefix, 0) == 0);
  int port = std::stoi(line.substr(prefix.size()));
  CHECK(port > 0);

  httplib::Client cli("127.0.0.1", port);
  auto res = cli.Post("/count", "x", "text/plain");
  REQUIRE(res);
  CHECK(res->body == "2");
  CHECK(upstream.count_calls() == 2);

  kill(child.pid, SIGTERM);
  std::string rest = ReadAll(child.out);
  CHECK(Wait(child) == 0);
  CHECK(rest.find("counters: connections=1 ") != std::string::npos);
  CHECK(rest.find(" requests=1 ") != std::string::npos);
  CHECK(rest.find(" duplicated_requests=1 ") != std::string::npos);
}

TEST_CASE("faultproxy rejects bad arguments with one line and exit 2") {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--upstream", "127.0.0.1:1", "--rate-bps", "fast"},
           {"--delay-ms", "5"},
           {"--upstream", "nowhere"},
           {"--upstream", "127.0.0.1:1", "--reset-when", "sometimes"},
           {"--upstream", "127.0.0.1:1", "--bogus", "1"}}) {
    Child child = Spawn(args);
    std::string err = ReadAll(child.err);
    CHECK(Wait(child) == 2);
    CHECK(err.rfind("faultproxy: ", 0) == 0);
    CHECK(err.find('\n') == err.size() - 1);
  }
}

TEST_CASE("faultproxy --help describes every option") {
  Child child = Spawn({"--help"});
  std::string out = ReadAll(child.out);
  CHECK(Wait(child) == 0);
  for (const char* flag :
       {"--listen", "--upstream", "--delay-ms", "--rate-bps", "--reset-after", "--stall-after",
        "--drop-response-every", "--duplicate-every", "--seed"}) {
    CHECK_MESSAGE(out.find(flag) != std::string::npos, flag);
  }
}
