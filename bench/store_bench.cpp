// bench/store_bench.cpp — figures for the device store on a real file.
//
//   store_bench [--reports N] [--samples N] [--runs N] [--dir PATH]
//
// Prints:
//  - finalize latency (p50/p99/max): Finalize of a draft (report row, history
//    row, outbox collapse, one commit with synchronous=FULL); also a draft's
//    creation, create+finalize as two calls, and creating it finalized in one
//    call (`report new --finalize`); the disk's own 4 KiB write+fdatasync
//    latency (the floor under any durable commit) and finalize with
//    synchronous=OFF (the store's own cost, not durable) for comparison;
//  - bulk inserts per second: CreateReport in a loop inside one transaction
//    opened through raw() (how an import or a pull of many reports writes);
//  - the first page (50 rows, newest first, filtered by status) at N reports,
//    p50 over --runs runs, plus the unfiltered page and a count.
// Targets: finalize p99 <= 1 ms; first page <= 5 ms at 100,000 reports.
// The data folder is a fresh temp dir on the same disk as /tmp unless --dir.
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "store/store.h"

namespace {

using fieldsync::store::Report;
using fieldsync::store::ReportFilter;
using fieldsync::store::ReportStatus;
using fieldsync::store::Store;
using Clock = std::chrono::steady_clock;

struct Options {
  int reports = 100000;
  int samples = 1000;
  int runs = 30;
  std::filesystem::path dir;
};

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// CPU time of this thread in ms: the store's own work, apart from waiting
// for the disk or for a CPU on a busy machine.
double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// The floor under any durable commit on this disk: one 4 KiB write and
// fdatasync, as SQLite does for the WAL at each commit with synchronous=FULL.
std::vector<double> DiskSyncFloor(const std::filesystem::path& dir, int samples) {
  std::vector<double> ms;
  std::filesystem::path file = dir / "sync-probe";
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ms;
  std::string page(4096, 'x');
  for (int i = 0; i < samples; ++i) {
    auto t0 = Clock::now();
    if (::pwrite(fd, page.data(), page.size(), static_cast<off_t>(i % 64) * 4096) < 0 ||
        ::fdatasync(fd) != 0)
      break;
    ms.push_back(Ms(Clock::now() - t0));
  }
  ::close(fd);
  std::filesystem::remove(file);
  return ms;
}

struct Stats {
  double p50, p99, max;
};

Stats Summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
  };
  return {at(0.50), at(0.99), v.back()};
}

void PrintLatency(const char* what, const std::vector<double>& ms) {
  Stats s = Summarize(ms);
  std::printf("%-58s n=%zu  p50=%.3f ms  p99=%.3f ms  max=%.3f ms\n", what, ms.size(), s.p50, s.p99,
              s.max);
}

// A draft of a realistic size: a monthly health report of a dozen fields.
Report MakeDraft(int i) {
  Report r;
  r.project_code = i % 3 ? "SSC-HLT-001" : "SSC-AGR-007";
  r.form_id = "health_monthly";
  r.form_version = 1;
  r.author = "amina";
  char period[16];
  std::snprintf(period, sizeof period, "20%02d-%02d", 20 + (i / 12) % 6, 1 + i % 12);
  r.values = {{"period", period},
              {"facility", "Kasungu district hospital"},
              {"visits", 100 + i % 400},
              {"visits_female", 50 + i % 200},
              {"under5", i % 90},
              {"vaccinated", i % 70},
              {"referrals", i % 9},
              {"stockout", i % 7 == 0},
              {"chw_active", 12 + i % 5},
              {"location", {{"lat", -13.03 + i % 100 * 1e-4}, {"lon", 33.48}}},
              {"notes", "routine month; two outreach sessions"}};
  return r;
}

bool Check(const fieldsync::Status& s, const char* what) {
  if (s.ok()) return true;
  std::fprintf(stderr, "store_bench: %s: %s\n", what, s.ToString().c_str());
  return false;
}

int Run(const Options& opt) {
  auto opened = Store::Open(opt.dir / "data");
  if (!Check(opened.status(), "open")) return 1;
  Store& store = *opened.value();
  std::printf("store_bench: data folder %s, synchronous=FULL, WAL\n", (opt.dir / "data").c_str());

  // --- latency of single durable changes ---
  std::vector<double> floor_ms = DiskSyncFloor(opt.dir, std::min(opt.samples, 300));
  if (!floor_ms.empty()) PrintLatency("disk floor: 4 KiB write + fdatasync", floor_ms);
  std::vector<double> create_ms, finalize_ms, both_ms, direct_ms;
  for (int i = 0; i < opt.samples; ++i) {
    auto t0 = Clock::now();
    auto r = store.CreateReport(MakeDraft(i));
    auto t1 = Clock::now();
    if (!Check(r.status(), "create")) return 1;
    auto f = store.Finalize(r->id, "amina");
    auto t2 = Clock::now();
    if (!Check(f.status(), "finalize")) return 1;
    Report d = MakeDraft(i);
    d.status = ReportStatus::kFinalized;
    auto t3 = Clock::now();
    auto direct = store.CreateReport(d);
    auto t4 = Clock::now();
    if (!Check(direct.status(), "create finalized")) return 1;
    create_ms.push_back(Ms(t1 - t0));
    finalize_ms.push_back(Ms(t2 - t1));
    both_ms.push_back(Ms(t2 - t0));
    direct_ms.push_back(Ms(t4 - t3));
  }
  PrintLatency("finalize (draft -> finalized + history + outbox, 1 commit)", finalize_ms);
  PrintLatency("create draft (row + history + outbox, 1 commit)", create_ms);
  PrintLatency("create + finalize (2 calls, 2 commits)", both_ms);
  PrintLatency("create finalized in one call (report new --finalize)", direct_ms);

  // The same finalize without waiting for the disk: what the store itself
  // costs. NOT durable; for comparison only.
  if (sqlite3_exec(store.raw(), "PRAGMA synchronous = OFF", nullptr, nullptr, nullptr) != SQLITE_OK)
    return 1;
  std::vector<double> nosync_ms;
  for (int i = 0; i < opt.samples; ++i) {
    auto r = store.CreateReport(MakeDraft(i));
    if (!Check(r.status(), "create")) return 1;
    auto t0 = Clock::now();
    auto f = store.Finalize(r->id, "amina");
    nosync_ms.push_back(Ms(Clock::now() - t0));
    if (!Check(f.status(), "finalize")) return 1;
  }
  PrintLatency("finalize with synchronous=OFF (store cost only; not durable)", nosync_ms);
  if (sqlite3_exec(store.raw(), "PRAGMA synchronous = FULL", nullptr, nullptr, nullptr) !=
      SQLITE_OK)
    return 1;

  // --- bulk inserts ---
  int existing = 3 * opt.samples;
  int to_insert = std::max(0, opt.reports - existing);
  const int kBatch = 10000;
  auto bulk0 = Clock::now();
  double bulk_cpu0 = ThreadCpuMs();
  for (int done = 0; done < to_insert;) {
    if (sqlite3_exec(store.raw(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
      return 1;
    int end = std::min(to_insert, done + kBatch);
    for (; done < end; ++done) {
      Report d = MakeDraft(done);
      if (done % 5 == 0) d.status = ReportStatus::kFinalized;
      auto r = store.CreateReport(d);
      if (!Check(r.status(), "bulk create")) return 1;
    }
    if (sqlite3_exec(store.raw(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return 1;
  }
  double bulk_s = Ms(Clock::now() - bulk0) / 1000.0;
  double bulk_cpu_s = (ThreadCpuMs() - bulk_cpu0) / 1000.0;
  if (to_insert > 0)
    std::printf(
        "%-58s %d reports in %.2f s = %.0f reports/s (batches of %d; CPU %.2f s = %.0f "
        "reports/CPU-s)\n",
        "bulk insert (report + history + outbox, one tx per batch)", to_insert, bulk_s,
        to_insert / bulk_s, kBatch, bulk_cpu_s, to_insert / bulk_cpu_s);

  // --- first page ---
  auto total = store.CountReports(ReportFilter());
  if (!Check(total.status(), "count")) return 1;
  auto page = [&](const char* what, const ReportFilter& f) -> bool {
    std::vector<double> ms;
    size_t rows = 0;
    for (int i = 0; i < opt.runs; ++i) {
      auto t0 = Clock::now();
      auto list = store.ListReports(f);
      ms.push_back(Ms(Clock::now() - t0));
      if (!Check(list.status(), "list")) return false;
      rows = list->size();
    }
    Stats s = Summarize(ms);
    std::printf("%-58s rows=%zu  p50=%.3f ms  p99=%.3f ms  (%lld reports)\n", what, rows, s.p50,
                s.p99, static_cast<long long>(total.value()));
    return true;
  };
  ReportFilter drafts;
  drafts.status = ReportStatus::kDraft;
  ReportFilter finalized;
  finalized.status = ReportStatus::kFinalized;
  ReportFilter returned;  // a status with no reports at all
  returned.status = ReportStatus::kReturned;
  if (!page("first page, status=finalized, newest first (50 rows)", finalized)) return 1;
  if (!page("first page, status=draft, newest first (50 rows)", drafts)) return 1;
  if (!page("first page, status=returned (no matches)", returned)) return 1;
  if (!page("first page, no filter, newest first (50 rows)", ReportFilter())) return 1;
  {
    std::vector<double> ms;
    for (int i = 0; i < opt.runs; ++i) {
      auto t0 = Clock::now();
      auto n = store.CountReports(finalized);
      ms.push_back(Ms(Clock::now() - t0));
      if (!Check(n.status(), "count")) return 1;
    }
    PrintLatency("count, status=finalized", ms);
  }
  return 0;
}

int Usage() {
  std::fprintf(
      stderr,
      "usage: store_bench [--reports N] [--samples N] [--runs N] [--dir PATH]\n"
      "  --reports N  reports in the database for the list figures (default 100000)\n"
      "  --samples N  single-change latency samples (default 1000)\n"
      "  --runs N     runs per list query (default 30)\n"
      "  --dir PATH   where to create the data folder (default: a new temp dir, removed after)\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--help" || a == "-h") {
      Usage();
      return 0;
    } else if ((a == "--reports" || a == "--samples" || a == "--runs") && (v = next())) {
      int n = std::atoi(v);
      if (n <= 0) return Usage();
      (a == "--reports" ? opt.reports : a == "--samples" ? opt.samples : opt.runs) = n;
    } else if (a == "--dir" && (v = next())) {
      opt.dir = v;
    } else {
      std::fprintf(stderr, "store_bench: unknown or incomplete option '%s'\n", a.c_str());
      return Usage();
    }
  }
  bool temp = opt.dir.empty();
  if (temp) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "fieldsync-bench-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
      std::fprintf(stderr, "store_bench: cannot create a temp dir: %s\n", std::strerror(errno));
      return 1;
    }
    opt.dir = tmpl;
  }
  int rc = Run(opt);
  if (temp) {
    std::error_code ec;
    std::filesystem::remove_all(opt.dir, ec);
  }
  return rc;
}
