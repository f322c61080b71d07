// bench/sync_bench.cpp — a sync of N reports over an emulated 2G link.
//
//   sync_bench [--reports N] [--kbit RATE] [--rtt MS] [--format msgpack|json]
//              [--level Z] [--seed S]
//
// Starts a fresh fieldsync-server (FIELDSYNC_BUILD_DIR/server/fieldsync-server)
// behind the fault proxy shaped to RATE kbit/s each way and RTT ms round trip
// (default 64 kbit/s, 600 ms), fills a fresh device with N realistic reports
// (default 1,000; health, education, agriculture) and syncs them with the
// engine over libcurl. Prints seconds, requests, wire bytes each way, the raw
// JSON size of the reports, the bandwidth floor (compressed payload ÷ link
// rate) and the ratios the design promises, each with PASS/FAIL:
//   time ≤ 1.3 × floor; requests ≤ ceil(compressed / 64 KiB) + 3;
//   wire bytes ≤ 0.35 × raw JSON; a sync with nothing to do: 1 request,
//   < 1 KB each way.
// First it measures the encodings offline on the same reports (JSON vs
// MessagePack, zstd levels) so the choice of the default is visible.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "store/store.h"
#include "sync/codec.h"
#include "sync/curl_transport.h"
#include "sync/engine.h"
#include "sync/fault_transport.h"
#include "tests/e2e/e2e_fixture.h"
#include "tools/faultproxy/proxy.h"

using namespace fieldsync;
using namespace fieldsync::testing;
using nlohmann::json;

namespace {

struct Args {
  int reports = 1000;
  int kbit = 64;
  int rtt_ms = 600;
  sync::BodyFormat format = sync::SyncOptions{}.format;
  int level = sync::SyncOptions{}.zstd_level;
  uint32_t seed = 2003;
};

bool ParseArgs(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "-h" || k == "--help") return false;
    if (i + 1 >= argc) return false;
    std::string v = argv[++i];
    try {
      if (k == "--reports")
        a->reports = std::stoi(v);
      else if (k == "--kbit")
        a->kbit = std::stoi(v);
      else if (k == "--rtt")
        a->rtt_ms = std::stoi(v);
      else if (k == "--level")
        a->level = std::stoi(v);
      else if (k == "--seed")
        a->seed = static_cast<uint32_t>(std::stoul(v));
      else if (k == "--format" && (v == "json" || v == "msgpack"))
        a->format = v == "json" ? sync::BodyFormat::kJson : sync::BodyFormat::kMsgpack;
      else
        return false;
    } catch (const std::exception&) {
      return false;
    }
  }
  return a->reports > 0 && a->kbit > 0 && a->rtt_ms >= 0;
}

const char* Verdict(bool ok) { return ok ? "PASS" : "FAIL"; }

// Times each exchange and the local work between exchanges.
class TimingTransport : public sync::Transport {
 public:
  explicit TimingTransport(sync::Transport* inner) : inner_(inner) {}
  struct Row {
    std::string what;
    size_t up = 0, down = 0;
    double gap_ms = 0, exchange_ms = 0;
  };
  Result<sync::HttpResponse> Send(const sync::HttpRequest& r,
                                  sync::FailureKind* f = nullptr) override {
    auto t0 = std::chrono::steady_clock::now();
    Row row;
    row.what = r.method + " " + r.url.substr(r.url.find("/api/"));
    row.up = r.body.size();
    row.gap_ms = last_ ? std::chrono::duration<double, std::milli>(t0 - *last_).count() : 0;
    auto res = inner_->Send(r, f);
    auto t1 = std::chrono::steady_clock::now();
    row.exchange_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    if (res.ok()) row.down = res->body.size();
    rows_.push_back(row);
    last_ = t1;
    return res;
  }
  sync::TransportCounters counters() const override { return inner_->counters(); }
  void SetCancelFlag(const std::atomic<bool>* flag) override { inner_->SetCancelFlag(flag); }
  const std::vector<Row>& rows() const { return rows_; }

 private:
  sync::Transport* inner_;
  std::vector<Row> rows_;
  std::optional<std::chrono::steady_clock::time_point> last_;
};

// The outbox entries as the engine would send them.
json BatchOf(const std::vector<store::OutboxEntry>& entries, size_t from, size_t to) {
  json batch = json::array();
  for (size_t i = from; i < to && i < entries.size(); ++i) {
    json e = entries[i].payload;
    e["seq"] = entries[i].seq;
    e["kind"] = entries[i].kind;
    batch.push_back(std::move(e));
  }
  return {{"batch", batch}, {"cursor", "42"}, {"pull_limit", 500}};
}

void CompareEncodings(store::Store& st) {
  auto entries = st.PeekOutbox(0, SIZE_MAX);
  if (!entries.ok() || entries->empty()) return;
  // Batches of ~64 KiB compressed hold a few hundred reports; measure at 250.
  const size_t per_batch = 250;
  std::printf("\nencodings of the same %zu outbox entries, in batches of %zu:\n", entries->size(),
              per_batch);
  std::printf("  %-8s %-6s %12s %8s %10s\n", "format", "zstd", "bytes", "ratio", "encode ms");
  size_t json_raw = 0;
  for (size_t i = 0; i < entries->size(); i += per_batch)
    json_raw +=
        sync::EncodeBody(BatchOf(*entries, i, i + per_batch), sync::BodyFormat::kJson, false)
            .size();
  for (auto f : {sync::BodyFormat::kJson, sync::BodyFormat::kMsgpack}) {
    for (int level : {0, 3, 6, 9, 12, 15, 19}) {
      size_t total = 0;
      auto t0 = std::chrono::steady_clock::now();
      for (size_t i = 0; i < entries->size(); i += per_batch)
        total += sync::EncodeBody(BatchOf(*entries, i, i + per_batch), f, level > 0, level).size();
      double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      std::printf("  %-8s %-6s %12zu %8.3f %10.1f\n",
                  f == sync::BodyFormat::kJson ? "json" : "msgpack",
                  level ? std::to_string(level).c_str() : "none", total,
                  static_cast<double>(total) / static_cast<double>(json_raw), ms);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) {
    std::fprintf(stderr,
                 "usage: sync_bench [--reports N] [--kbit RATE] [--rtt MS] "
                 "[--format msgpack|json] [--level Z] [--seed S]\n");
    return 2;
  }
  try {
    Hq hq;
    faultproxy::FaultProxyOptions po;
    po.upstream_port = static_cast<uint16_t>(hq.server.port());
    faultproxy::FaultProxy proxy(po);
    if (Status s = proxy.Start(); !s.ok()) throw std::runtime_error(s.ToString());

    Device dev;
    std::string code = hq.server.EnrollCode("Amina", "west-africa");
    auto e = sync::Enroll(dev.store(), "http://" + proxy.address(), code, "bench-tablet");
    if (!e.ok()) throw std::runtime_error(e.status().ToString());
    {
      sync::CurlTransport t;
      auto first = sync::SyncOnce(dev.store(), t);  // reference data, unshaped
      if (!first.complete) throw std::runtime_error(first.error.ToString());
    }

    auto ids = dev.AddReports(args.reports, args.seed);
    size_t raw_json = 0;
    for (const auto& id : ids)
      raw_json += store::ReportToJson(*dev.store().GetReport(id)).dump().size();
    CompareEncodings(dev.store());

    // The link: RATE each way, RTT split evenly.
    faultproxy::LinkShape link;
    link.delay_up = link.delay_down = std::chrono::milliseconds(args.rtt_ms / 2);
    link.rate_up_bps = link.rate_down_bps = static_cast<uint64_t>(args.kbit) * 1000;
    proxy.SetLink(link);

    sync::CurlTransport curl;  // a new connection, as after a link comes up
    TimingTransport timing(&curl);
    sync::FaultTransport recorder(&timing);
    sync::SyncOptions options;
    options.format = args.format;
    options.zstd_level = args.level;
    auto t0 = std::chrono::steady_clock::now();
    sync::SyncReport r = sync::SyncOnce(dev.store(), recorder, options);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!r.complete) throw std::runtime_error("sync incomplete: " + r.error.ToString());

    size_t compressed = 0;
    for (const auto& l : recorder.log()) compressed += l.request.body.size();
    const double rate_bytes = args.kbit * 1000.0 / 8.0;
    const double floor_s = static_cast<double>(compressed) / rate_bytes;
    const double wire = static_cast<double>(r.bytes_up + r.bytes_down);
    const int64_t max_requests =
        static_cast<int64_t>(std::ceil(static_cast<double>(compressed) / 65536.0)) + 3;

    sync::SyncReport noop = sync::SyncOnce(dev.store(), curl, options);

    std::printf("\nsync of %d reports over %d kbit/s each way, %d ms RTT (%s, zstd %d)\n",
                args.reports, args.kbit, args.rtt_ms,
                args.format == sync::BodyFormat::kJson ? "json" : "msgpack", args.level);
    std::printf("  seconds                 %10.2f\n", seconds);
    std::printf("  requests                %10lld  (%lld batches)\n",
                static_cast<long long>(r.requests), static_cast<long long>(r.batches));
    std::printf("  bytes up (wire)         %10lld\n", static_cast<long long>(r.bytes_up));
    std::printf("  bytes down (wire)       %10lld\n", static_cast<long long>(r.bytes_down));
    std::printf("  raw JSON of the reports %10zu\n", raw_json);
    std::printf("  compressed payload      %10zu  (request bodies)\n", compressed);
    std::printf("  wire / raw JSON         %10.3f\n", wire / static_cast<double>(raw_json));
    std::printf("  bandwidth floor (s)     %10.2f  (compressed payload / link rate)\n", floor_s);
    std::printf("  time / floor            %10.3f\n", seconds / floor_s);
    std::printf("  no-op sync              %10lld request(s), %lld B up, %lld B down\n",
                static_cast<long long>(noop.requests), static_cast<long long>(noop.bytes_up),
                static_cast<long long>(noop.bytes_down));
    std::printf("\n  %-22s %10s %10s %12s %14s\n", "exchange", "body up", "body down",
                "exchange ms", "local ms before");
    for (const auto& row : timing.rows())
      std::printf("  %-22s %10zu %10zu %12.0f %14.0f\n", row.what.c_str(), row.up, row.down,
                  row.exchange_ms, row.gap_ms);
    std::printf("\nacceptance:\n");
    std::printf("  %s time <= 1.3 x floor             (%.3f)\n", Verdict(seconds <= 1.3 * floor_s),
                seconds / floor_s);
    std::printf("  %s requests <= ceil(C/64KiB) + 3   (%lld <= %lld)\n",
                Verdict(r.requests <= max_requests), static_cast<long long>(r.requests),
                static_cast<long long>(max_requests));
    std::printf("  %s wire bytes <= 0.35 x raw JSON   (%.3f)\n",
                Verdict(wire <= 0.35 * static_cast<double>(raw_json)),
                wire / static_cast<double>(raw_json));
    bool noop_ok =
        noop.complete && noop.requests == 1 && noop.bytes_up < 1024 && noop.bytes_down < 1024;
    std::printf("  %s no-op sync: 1 request, < 1 KB each way\n", Verdict(noop_ok));
    std::printf("  proxy: %s\n", proxy.counters().ToString().c_str());
    return 0;
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "sync_bench: %s\n", ex.what());
    return 1;
  }
}
