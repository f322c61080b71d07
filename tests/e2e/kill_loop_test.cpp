// tests/e2e/kill_loop_test.cpp — crash safety of sync: 2,000 reports pushed
// over a slow link while the client (fieldsync-cli) and the server
// (fieldsync-server) are SIGKILLed at random moments, at least 20 times each.
// The officer keeps editing reports between crashes. At the end HQ must hold
// exactly the device's 2,000 reports, field for field, with nothing left in
// the outbox — no loss, no duplicate.
//
// The link (the fault proxy, in this process) runs at 64 kbit/s with 40 ms
// each way and each client run starts with 2 KiB batches (doubling while
// they succeed), so the whole set takes about as long as the loop and kills
// land mid-batch, mid-answer and between batches. The server is restarted on the
// same port behind the proxy. The seed is printed; FIELDSYNC_KILL_SEED
// replays a run.
#include <doctest/doctest.h>

#include <cstdlib>
#include <iostream>

#include "sync/engine.h"
#include "tests/e2e/e2e_fixture.h"
#include "tools/faultproxy/proxy.h"

using namespace fieldsync;
using namespace fieldsync::testing;
using nlohmann::json;
using ms = std::chrono::milliseconds;

TEST_CASE("2,000 reports survive 20+ SIGKILLs of the client and 20+ of the server") {
  uint64_t seed = std::random_device{}();
  if (const char* s = std::getenv("FIELDSYNC_KILL_SEED")) seed = std::strtoull(s, nullptr, 10);
  std::cout << "kill loop seed " << seed << " (FIELDSYNC_KILL_SEED to replay)\n";
  std::mt19937_64 rng(seed);
  auto between = [&](int lo, int hi) {
    return ms(std::uniform_int_distribution<int>(lo, hi)(rng));
  };

  Hq hq;
  faultproxy::FaultProxyOptions po;
  po.upstream_port = static_cast<uint16_t>(hq.server.port());
  po.link.delay_up = po.link.delay_down = ms(40);
  po.link.rate_up_bps = po.link.rate_down_bps = 64000;
  faultproxy::FaultProxy proxy(po);
  REQUIRE(proxy.Start().ok());

  Device dev;
  {
    std::string code = hq.server.EnrollCode("Amina", "west-africa");
    auto e = sync::Enroll(dev.store(), "http://" + proxy.address(), code, "tablet-07");
    REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  }
  std::vector<std::string> ids = dev.AddReports(2000, static_cast<uint32_t>(seed));
  dev.Close();

  int client_kills = 0, server_kills = 0, completed_runs = 0, edits = 0;
  const auto started = std::chrono::steady_clock::now();
  SampleReports gen(static_cast<uint32_t>(seed >> 7));
  for (int round = 0; client_kills < 20 || server_kills < 20; ++round) {
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() - started < std::chrono::minutes(4),
                    "kill loop too slow: " << client_kills << " client and " << server_kills
                                           << " server kills");
    // The officer edits a few reports between crashes (new outbox entries,
    // collapsed into unsent ones) — there is always something to send.
    dev.Open();
    for (int k = 0; k < 3; ++k) {
      const std::string& id = ids[std::uniform_int_distribution<size_t>(0, ids.size() - 1)(rng)];
      app::ReportInput in;
      in.json_values = {
          {"narrative", gen.Narrative("health") + " (edit " + std::to_string(edits) + ")"}};
      auto r = dev.app->UpdateReport(id, in);
      if (r.ok()) ++edits;  // HQ may own it by now (pulled as received): refused, fine
    }
    dev.Close();

    Child client({CliBin(), "--data", dev.data.string(), "sync", "--max-attempts", "1000",
                  "--time-budget", "300", "--batch-kib", "2"},
                 dev.scratch / "client.out", dev.scratch / "client.err");
    // Mostly early kills; every fifth run lives a few seconds, so batches are
    // acknowledged between crashes whatever the machine's load.
    std::this_thread::sleep_for(round % 5 == 4 ? between(1500, 4000) : between(50, 1500));
    const bool kill_server = server_kills < 20 && (round % 2 == 1 || client_kills >= 20);
    if (kill_server) {
      hq.server.Kill9();
      ++server_kills;
      std::this_thread::sleep_for(between(0, 300));
      hq.server.Start();  // same port, behind the proxy
      std::this_thread::sleep_for(between(50, 1200));
    }
    if (client.running()) {
      client.Kill(SIGKILL);
      client.Wait();
      ++client_kills;
    } else {
      ++completed_runs;
      std::string err = ReadFile(dev.scratch / "client.err");
      CHECK_MESSAGE(client.Wait() == 0, "a sync that ran to its end failed: " << err);
    }
  }

  // Some batches were acknowledged between the crashes (the loop tested
  // partial progress, not just one sync at the end).
  dev.Open();
  const int64_t pending_after_loop = dev.Pending();
  dev.Close();
  CHECK(pending_after_loop < 2000);

  // Heal the link and finish: one last sync must complete.
  proxy.Heal();
  Ran last = Cli(dev.scratch.path(), dev.data, {"sync", "--json", "--max-attempts", "20"});
  REQUIRE_MESSAGE(last.code == 0, last.err);
  std::cout << "kill loop: " << client_kills << " client kills, " << server_kills
            << " server kills, " << completed_runs << " syncs ran to their end, " << edits
            << " edits, " << pending_after_loop << " entries still queued after the loop, proxy "
            << proxy.counters().ToString() << "\n";
  CHECK(client_kills >= 20);
  CHECK(server_kills >= 20);

  dev.Open();
  CHECK(dev.Pending() == 0);
  CHECK(dev.store().DeadLetters()->empty());
  json exported = hq.server.ExportJson();
  CHECK(exported.size() == 2000);
  auto diffs = Differences(exported, dev.Reports());
  for (size_t i = 0; i < diffs.size() && i < 10; ++i) MESSAGE(diffs[i]);
  CHECK(diffs.empty());
}
