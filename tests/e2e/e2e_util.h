// tests/e2e/e2e_util.h — running the real binaries for end-to-end tests:
// child processes, an HQ server on a loopback port that can be SIGKILLed and
// restarted on the same port, and a device data folder.
//
// Binaries are found through FIELDSYNC_BUILD_DIR (set by tests/CMakeLists.txt).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace fieldsync::testing {

inline std::filesystem::path BuildDir() { return FIELDSYNC_BUILD_DIR; }
inline std::string ServerBin() { return (BuildDir() / "server/fieldsync-server").string(); }
inline std::string CliBin() { return (BuildDir() / "client/cli/fieldsync-cli").string(); }

class ScratchDir {
 public:
  ScratchDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("fieldsync-e2e-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A child process with stdout and stderr sent to files.
class Child {
 public:
  Child() = default;
  Child(const std::vector<std::string>& argv, const std::filesystem::path& out,
        const std::filesystem::path& err, const std::string& stdin_file = "") {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, stdin_file.empty() ? "/dev/null" : stdin_file.c_str(),
                                     O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int rc = posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  }
  Child(Child&& o) noexcept : pid_(o.pid_), status_(o.status_) { o.pid_ = -1; }
  Child& operator=(Child&& o) noexcept {
    std::swap(pid_, o.pid_);
    std::swap(status_, o.status_);
    return *this;
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      Wait();
    }
  }
  bool running() {
    if (pid_ <= 0) return false;
    int st = 0;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = st;
      pid_ = -1;
      return false;
    }
    return true;
  }
  void Kill(int sig = SIGKILL) {
    if (pid_ > 0) kill(pid_, sig);
  }
  // Waits and returns the exit code (128 + signal when killed).
  int Wait() {
    if (pid_ > 0) {
      int st = 0;
      while (waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
      }
      status_ = st;
      pid_ = -1;
    }
    if (WIFEXITED(status_)) return WEXITSTATUS(status_);
    if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
    return -1;
  }
  // Waits up to `limit`; true when it ended.
  bool WaitFor(std::chrono::milliseconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (running()) {
      if (std::chrono::steady_clock::now() > end) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
};

struct Ran {
  int code = -1;
  std::string out, err;
};

// Runs a command to completion.
inline Ran RunTool(const std::filesystem::path& scratch, const std::vector<std::string>& argv,
                   const std::string& stdin_text = "") {
  static int n = 0;
  ++n;
  auto out = scratch / ("run" + std::to_string(n) + ".out");
  auto err = scratch / ("run" + std::to_string(n) + ".err");
  std::string in;
  if (!stdin_text.empty()) {
    in = (scratch / ("run" + std::to_string(n) + ".in")).string();
    std::ofstream(in) << stdin_text;
  }
  Child c(argv, out, err, in);
  Ran r;
  r.code = c.Wait();
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  return r;
}

// fieldsync-server on 127.0.0.1: the first start picks a free port, restarts
// reuse it.
class HqServer {
 public:
  explicit HqServer(std::filesystem::path dir) : dir_(std::move(dir)), db_(dir_ / "hq.db") {}
  ~HqServer() { Stop(); }

  const std::filesystem::path& db() const { return db_; }
  // Extra arguments for `serve` (e.g. --tls-cert/--tls-key), before Start().
  void SetServeArgs(std::vector<std::string> args) { serve_args_ = std::move(args); }
  std::string url() const { return url_; }
  int port() const { return port_; }

  void Start() {
    for (int attempt = 0; attempt < 50; ++attempt) {
      ++starts_;
      auto out = dir_ / ("serve" + std::to_string(starts_) + ".out");
      auto err = dir_ / ("serve" + std::to_string(starts_) + ".err");
      std::vector<std::string> argv = {ServerBin(), "serve",
                                       "--db",      db_.string(),
                                       "--listen",  "127.0.0.1:" + std::to_string(port_),
                                       "--quiet"};
      argv.insert(argv.end(), serve_args_.begin(), serve_args_.end());
      child_ = Child(argv, out, err);
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (std::chrono::steady_clock::now() < deadline) {
        std::string text = ReadFile(out);
        auto pos = text.find("listening on ");
        auto eol = pos == std::string::npos ? pos : text.find('\n', pos);
        if (eol != std::string::npos) {
          url_ = text.substr(pos + 13, eol - pos - 13);
          port_ = std::stoi(url_.substr(url_.rfind(':') + 1));
          return;
        }
        if (!child_.running()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      child_.Kill();
      child_.Wait();
      // The port may still be held by the previous instance for a moment.
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("fieldsync-server did not start: " +
                             ReadFile(dir_ / ("serve" + std::to_string(starts_) + ".err")));
  }
  void Kill9() {
    child_.Kill(SIGKILL);
    child_.Wait();
  }
  void Stop() {
    child_.Kill(SIGTERM);
    if (!child_.WaitFor(std::chrono::seconds(10))) child_.Kill(SIGKILL);
    child_.Wait();
  }

  Ran Admin(std::vector<std::string> args, const std::string& stdin_text = "") {
    std::vector<std::string> argv = {ServerBin(), "admin", "--db", db_.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunTool(dir_, argv, stdin_text);
  }
  // A one-time enrollment code for an officer in `region`.
  std::string EnrollCode(const std::string& officer, const std::string& region) {
    Ran r = Admin({"enroll", "--officer", officer, "--region", region});
    if (r.code != 0) throw std::runtime_error("admin enroll failed: " + r.err);
    std::string code = r.out;
    while (!code.empty() && (code.back() == '\n' || code.back() == ' ')) code.pop_back();
    return code;
  }
  nlohmann::json ExportJson() {
    Ran r = Admin({"export", "--format", "json"});
    if (r.code != 0) throw std::runtime_error("admin export failed: " + r.err);
    return nlohmann::json::parse(r.out);
  }
  // Imports the demo project registry (the same projects devices are seeded with).
  void ImportDemoProjects(const std::string& csv) {
    auto file = dir_ / "projects.csv";
    std::ofstream(file) << csv;
    Ran r = Admin({"projects", "import", file.string()});
    if (r.code != 0) throw std::runtime_error("projects import failed: " + r.err);
  }

 private:
  std::filesystem::path dir_, db_;
  std::string url_;
  std::vector<std::string> serve_args_;
  int port_ = 0;
  int starts_ = 0;
  Child child_;
};

// Runs fieldsync-cli with --data DIR.
inline Ran Cli(const std::filesystem::path& scratch, const std::filesystem::path& data,
               std::vector<std::string> args) {
  std::vector<std::string> argv = {CliBin(), "--data", data.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunTool(scratch, argv);
}

}  // namespace fieldsync::testing
