// tests/store/crash_test.cpp — a writer process killed (SIGKILL) at a random
// moment leaves a sound database where every change is whole or absent.
//
// The child creates reports, edits and finalizes them in a loop and reports
// each call that returned ok on a pipe. The parent kills it at a random time,
// reopens the database and checks: integrity_check is ok; every report has
// exactly one outbox entry carrying exactly the stored report; replaying the
// report's history rebuilds its values and status; every call the child saw
// succeed is on disk.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <random>
#include <set>
#include <sstream>

#include "store_test_util.h"

namespace fieldsync::store {
namespace {

using nlohmann::json;
using testing::OpenStore;
using testing::QueryInt;
using testing::QueryText;
using testing::TempDir;

// Step numbers the child reports: 1 created, 2 edited, 3 finalized.
[[noreturn]] void WriterChild(const std::filesystem::path& dir, int out_fd) {
  auto opened = Store::Open(dir);
  if (!opened.ok()) _exit(2);
  Store& s = *opened.value();
  auto say = [&](const std::string& id, int step) {
    std::string line = id + " " + std::to_string(step) + "\n";
    if (write(out_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(3);
  };
  for (int i = 0;; ++i) {
    Report d;
    d.project_code = "SSC-HLT-001";
    d.form_id = "health_monthly";
    d.form_version = 1;
    d.author = "amina";
    d.values = {{"period", "2024-06"}, {"visits", i}, {"note", std::string(200 + i % 50, 'n')}};
    auto r = s.CreateReport(d);
    if (!r.ok()) _exit(4);
    say(r->id, 1);
    if (!s.SetValues(r->id, {{"visits", i + 1000}, {"extra", "x"}, {"note", nullptr}}, "amina")
             .ok())
      _exit(5);
    say(r->id, 2);
    if (i % 2 == 0) {
      if (!s.Finalize(r->id, "amina").ok()) _exit(6);
      say(r->id, 3);
    }
  }
}

std::map<std::string, int> ReadSteps(int fd) {
  std::string all;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) all.append(buf, static_cast<size_t>(n));
  std::map<std::string, int> steps;
  std::istringstream in(all);
  std::string id;
  int step;
  while (in >> id >> step) steps[id] = std::max(steps[id], step);
  return steps;
}

// What the stored report says about how far the child got with it.
int StepOf(const Report& r) {
  if (r.status == ReportStatus::kFinalized) return 3;
  if (r.values.contains("extra")) return 2;
  return 1;
}

void CheckDatabase(const std::filesystem::path& dir,
                   const std::map<std::string, int>& acknowledged) {
  auto s = OpenStore(dir);
  CHECK(QueryText(s->raw(), "PRAGMA integrity_check") == "ok");
  CHECK(QueryInt(s->raw(), "PRAGMA foreign_key_check") == -1);  // no rows

  auto reports = s->ListReports(testing::Filter().Limit(0));
  REQUIRE(reports.ok());
  auto outbox = s->PeekOutbox(0, SIZE_MAX);
  REQUIRE(outbox.ok());
  std::map<std::string, OutboxEntry> by_report;
  std::set<int64_t> seqs;
  for (const auto& e : outbox.value()) {
    CHECK_MESSAGE(by_report.count(e.report_id) == 0, "two outbox entries for " << e.report_id);
    by_report[e.report_id] = e;
    seqs.insert(e.seq);
  }
  CHECK(by_report.size() == reports->size());
  int64_t next_seq =
      std::stoll(QueryText(s->raw(), "SELECT value FROM meta WHERE key = 'next_seq'"));
  if (!seqs.empty()) CHECK(*seqs.rbegin() < next_seq);

  for (const Report& r : reports.value()) {
    INFO("report " << r.id);
    // The outbox entry carries exactly this report.
    auto it = by_report.find(r.id);
    REQUIRE(it != by_report.end());
    CHECK(it->second.payload["report"] == ReportToJson(r));
    std::set<std::string> changed;
    for (const auto& f : it->second.payload["changed"]) changed.insert(f.get<std::string>());
    std::set<std::string> expected = {"period", "visits", "note", "status"};
    if (StepOf(r) >= 2) expected.insert("extra");
    CHECK(changed == expected);

    // The history replays to the stored values and status.
    json values = json::object();
    json status;
    auto hist = s->History(r.id);
    REQUIRE(hist.ok());
    for (const auto& h : hist.value()) {
      if (h.field == "status") {
        CHECK(h.old_value == status);
        status = h.new_value;
        continue;
      }
      CHECK(h.old_value == (values.contains(h.field) ? values[h.field] : json()));
      if (h.new_value.is_null()) {
        values.erase(h.field);
      } else {
        values[h.field] = h.new_value;
      }
    }
    CHECK(values == r.values);
    CHECK(status == std::string(ReportStatusName(r.status)));
    size_t rows[] = {0, 4, 7, 8};  // history rows after steps 1, 2, 3
    CHECK(hist->size() == rows[StepOf(r)]);
  }

  // Nothing the child saw succeed was lost.
  for (const auto& [id, step] : acknowledged) {
    INFO("acknowledged report " << id);
    auto r = s->GetReport(id);
    REQUIRE(r.ok());
    CHECK(StepOf(r.value()) >= step);
  }
}

TEST_CASE("A writer killed at a random moment leaves every change whole or absent") {
  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < 4; ++round) {
    TempDir dir;
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      close(fds[0]);
      WriterChild(dir.path(), fds[1]);
    }
    close(fds[1]);
    int delay_ms = std::uniform_int_distribution<int>(80, 600)(rng);
    usleep(static_cast<useconds_t>(delay_ms) * 1000);
    REQUIRE(kill(pid, SIGKILL) == 0);
    int wstatus = 0;
    REQUIRE(waitpid(pid, &wstatus, 0) == pid);
    // Killed, not exited: an early exit means the child hit an error.
    REQUIRE_MESSAGE(WIFSIGNALED(wstatus), "writer exited with status " << WEXITSTATUS(wstatus));
    auto acknowledged = ReadSteps(fds[0]);
    close(fds[0]);
    INFO("round " << round << ", killed after " << delay_ms << " ms, " << acknowledged.size()
                  << " reports");
    CheckDatabase(dir.path(), acknowledged);
  }
}

}  // namespace
}  // namespace fieldsync::store
