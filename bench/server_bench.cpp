// bench/server_bench.cpp — HQ ingest over loopback: a real fieldsync server
// (HttpServer + Service + SQLite in a temporary folder) and a few client
// threads, one enrolled device each, pushing finalized health reports in
// batches through real HTTP. Prints reports/s and batch latencies.
//
//   server_bench [--reports N] [--batch N] [--clients N] [--server-threads N]
//                [--synchronous FULL|NORMAL] [--format json|msgpack] [--zstd]
//
// Request bodies are encoded before the clock starts (a device encodes while
// the officer types); the figure is what the server ingests: decode, validate
// against the form, apply in one transaction per batch, answer.
#include <httplib.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "schema/catalogue.h"
#include "server/http_server.h"
#include "server/service.h"
#include "server/sqlite_storage.h"
#include "sync/codec.h"

using namespace fieldsync;
using namespace fieldsync::server;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  int reports = 20000;
  int batch = 500;
  int clients = 4;
  int server_threads = 8;
  std::string synchronous = "FULL";
  sync::BodyFormat format = sync::BodyFormat::kJson;
  bool zstd = false;
  bool direct = false;  // call Service::Sync in-process, no HTTP (for comparison)
};

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "server_bench: %s\n", msg.c_str());
  std::exit(1);
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--reports") o.reports = std::stoi(next());
    else if (a == "--batch") o.batch = std::stoi(next());
    else if (a == "--clients") o.clients = std::stoi(next());
    else if (a == "--server-threads") o.server_threads = std::stoi(next());
    else if (a == "--synchronous") o.synchronous = next();
    else if (a == "--format") o.format = next() == "msgpack" ? sync::BodyFormat::kMsgpack : sync::BodyFormat::kJson;
    else if (a == "--zstd") o.zstd = true;
    else if (a == "--direct") o.direct = true;
    else Die("unknown option '" + a + "'");
  }
  if (o.reports < 1 || o.batch < 1 || o.clients < 1) Die("counts must be positive");
  return o;
}

json Report(int n) {
  char id[40];
  std::snprintf(id, sizeof id, "%032x", n + 1);
  int tested = 100 + n % 900;
  json values = {{"period", "2026-10"},
                 {"programme", {"hiv", "malaria"}},
                 {"hiv_tested", tested},
                 {"hiv_positive", tested / 20},
                 {"hiv_treatment", tested / 25},
                 {"malaria_tested", 300 + n % 50},
                 {"malaria_positive", 40},
                 {"malaria_treated", 38},
                 {"bednets_distributed", 120},
                 {"stockout", n % 7 == 0 ? "yes" : "no"},
                 {"staff_deployed", 4 + n % 5},
                 {"narrative", "Outreach week in the district; clinics open every day."}};
  if (n % 7 == 0) values["stockout_days"] = 3;
  return {{"id", id},         {"project", "TRI-HLT-002"},
          {"form_id", "health"}, {"form_version", 1},
          {"period", "2026-10"}, {"values", values},
          {"status", "finalized"}, {"author", "Amina"},
          {"created_at_ms", 1'790'000'000'000 + n}, {"updated_at_ms", 1'790'000'000'000 + n}};
}

// CPU seconds (user + system) this process used so far.
double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return sec(ru.ru_utime) + sec(ru.ru_stime);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = ParseArgs(argc, argv);
  std::string tmpl = (std::filesystem::temp_directory_path() / "fieldsync-server-bench-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) Die("cannot make a temporary folder");
  const std::filesystem::path dir = tmpl;

  StorageOptions so;
  so.sqlite_synchronous = opt.synchronous;
  auto storage = OpenSqliteStorage(dir / "hq.db", so);
  if (!storage.ok()) Die(storage.status().ToString());
  auto svc = Service::Open(std::move(storage).value());
  if (!svc.ok()) Die(svc.status().ToString());
  if (!(*svc)->ImportProjects(schema::DemoProjects()).ok()) Die("cannot import projects");

  HttpOptions ho;
  ho.threads = opt.server_threads;
  ho.log_requests = false;
  HttpServer http(**svc, ho);
  if (Status s = http.Start(); !s.ok()) Die(s.ToString());

  // One device per client thread, each with its batches encoded up front.
  struct Client {
    std::string token;
    std::vector<std::string> bodies;
    std::vector<int64_t> last_seq;
    std::vector<double> latencies_ms;
    int64_t bytes = 0;
    std::string error;
  };
  std::vector<Client> clients(static_cast<size_t>(opt.clients));
  std::string cursor;
  int next_report = 0;
  for (int c = 0; c < opt.clients; ++c) {
    auto code = (*svc)->CreateEnrollCode("Officer " + std::to_string(c), "west-africa");
    auto e = (*svc)->Enroll(*code, "bench");
    if (!e.ok()) Die(e.status().ToString());
    Client& cl = clients[static_cast<size_t>(c)];
    cl.token = e->token;
    if (c == 0) {
      auto d = (*svc)->Authenticate(cl.token);
      auto pulled = (*svc)->Sync(*d, {{"batch", json::array()}, {"pull_limit", 1000}});
      cursor = (*pulled)["cursor"];
    }
    int share = opt.reports / opt.clients + (c < opt.reports % opt.clients ? 1 : 0);
    int64_t seq = 0;
    for (int done = 0; done < share;) {
      json batch = json::array();
      for (int k = 0; k < opt.batch && done < share; ++k, ++done) {
        batch.push_back({{"seq", ++seq}, {"kind", "report"}, {"base_version", 0},
                         {"changed", {"status"}}, {"report", Report(next_report++)}});
      }
      json body = {{"batch", std::move(batch)}, {"cursor", cursor}, {"pull_limit", 100}};
      cl.bodies.push_back(sync::EncodeBody(body, opt.format, opt.zstd));
      cl.bytes += static_cast<int64_t>(cl.bodies.back().size());
      cl.last_seq.push_back(seq);
    }
  }

  const auto start = Clock::now();
  const double cpu_start = CpuSeconds();
  std::vector<std::thread> threads;
  for (Client& cl : clients) {
    threads.emplace_back([&cl, &opt, &svc, port = http.port()] {
      if (opt.direct) {
        auto device = (*svc)->Authenticate(cl.token);
        for (size_t i = 0; i < cl.bodies.size(); ++i) {
          auto t0 = Clock::now();
          auto body = sync::DecodeBody(cl.bodies[i], opt.format, opt.zstd ? "zstd" : "");
          auto answer = (*svc)->Sync(*device, *body);
          cl.latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
          if (!answer.ok() || (*answer)["acked_seq"] != cl.last_seq[i]) {
            cl.error = "unexpected answer to batch " + std::to_string(i);
            return;
          }
        }
        return;
      }
      httplib::Client c("127.0.0.1", port);
      c.set_keep_alive(true);
      c.set_read_timeout(60, 0);
      c.set_write_timeout(60, 0);
      c.set_decompress(false);
      httplib::Headers h = {{"Authorization", "Bearer " + cl.token}};
      if (opt.zstd) {
        h.emplace("Content-Encoding", "zstd");
        h.emplace("Accept-Encoding", "zstd");
      }
      const std::string type(sync::ContentTypeOf(opt.format));
      for (size_t i = 0; i < cl.bodies.size(); ++i) {
        auto t0 = Clock::now();
        auto res = c.Post("/api/v1/sync", h, cl.bodies[i], type.c_str());
        cl.latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (!res || res->status != 200) {
          cl.error = res ? "HTTP " + std::to_string(res->status) + ": " + res->body
                         : "transport error " + httplib::to_string(res.error());
          return;
        }
        auto answer = sync::DecodeBody(res->body, opt.format, res->get_header_value("Content-Encoding"));
        if (!answer.ok() || (*answer)["acked_seq"] != cl.last_seq[i]) {
          cl.error = "unexpected answer to batch " + std::to_string(i);
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = CpuSeconds() - cpu_start;

  std::vector<double> lat;
  int64_t bytes = 0;
  size_t batches = 0;
  for (const Client& cl : clients) {
    if (!cl.error.empty()) Die(cl.error);
    lat.insert(lat.end(), cl.latencies_ms.begin(), cl.latencies_ms.end());
    bytes += cl.bytes;
    batches += cl.bodies.size();
  }
  // The search index and chart summaries are folded in after the commit, by
  // a background step that waits for a quiet moment (server/storage.h); what
  // it still has to do after the last batch is measured here, and counted in
  // the "ingest + fold" figure.
  const auto fold_start = Clock::now();
  const double fold_cpu_start = CpuSeconds();
  if (Status st = (*svc)->storage().CatchUpDerived(); !st.ok()) Die(st.ToString());
  const double fold_seconds = std::chrono::duration<double>(Clock::now() - fold_start).count();
  const double fold_cpu = CpuSeconds() - fold_cpu_start;
  auto stats = (*svc)->GetStats();
  if (!stats.ok() || stats->reports != opt.reports)
    Die("the server holds " + std::to_string(stats.ok() ? stats->reports : -1) + " reports, not " +
        std::to_string(opt.reports));

  std::printf("server ingest over loopback: %d reports, batches of %d, %d clients, %d server threads\n",
              opt.reports, opt.batch, opt.clients, opt.server_threads);
  std::printf("  storage: SQLite WAL, synchronous=%s; bodies: %s%s%s\n", opt.synchronous.c_str(),
              opt.format == sync::BodyFormat::kMsgpack ? "msgpack" : "json", opt.zstd ? "+zstd" : "",
              opt.direct ? "; DIRECT (Service::Sync in-process, no HTTP)" : "");
  std::printf("  %.2f s  ->  %.0f reports/s  (%zu batches, %.1f batches/s)\n", seconds,
              opt.reports / seconds, batches, static_cast<double>(batches) / seconds);
  // On a shared machine the wall figure depends on the neighbours; the CPU
  // figure (server and client threads together) does not.
  std::printf("  CPU %.2f s (server + clients)  ->  %.0f us/report, %.0f reports per CPU-second\n",
              cpu, cpu * 1e6 / opt.reports, opt.reports / cpu);
  std::printf("  search index + summaries folded in %.2f s after the last batch (CPU %.0f us/report)"
              "  ->  ingest + fold: %.0f reports/s\n",
              fold_seconds, fold_cpu * 1e6 / opt.reports, opt.reports / (seconds + fold_seconds));
  std::printf("  batch latency ms: p50 %.1f  p95 %.1f  max %.1f\n", Percentile(lat, 0.5),
              Percentile(lat, 0.95), Percentile(lat, 1.0));
  std::printf("  request bytes: %.1f MiB (%.0f B/report)\n", static_cast<double>(bytes) / (1 << 20),
              static_cast<double>(bytes) / opt.reports);

  http.Stop();
  svc->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
