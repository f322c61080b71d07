// tests/e2e/bundle_e2e_test.cpp — sync by carried files (sneakernet) end to
// end: the real fieldsync-cli writes a push bundle, the real fieldsync-server
// answers it with `admin bundle import --reply`, the device imports the reply.
// The server process is stopped after enrollment: no link at all.
#include <doctest/doctest.h>

#include <random>

#include "common/sha256.h"
#include "sync/engine.h"
#include "tests/e2e/e2e_fixture.h"

using namespace fieldsync;
using namespace fieldsync::testing;
using nlohmann::json;

namespace {

json Json(const Ran& r) {
  try {
    return json::parse(r.out);
  } catch (const json::exception&) {
    FAIL("not JSON: " << r.out << " / " << r.err);
    return json();
  }
}

size_t Lines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The HQ database as bytes (with its WAL, when one is left).
std::string DbFingerprint(const std::filesystem::path& db) {
  std::string wal = db.string() + "-wal";
  return Sha256Hex(ReadFile(db)) + "/" +
         (std::filesystem::exists(wal) ? Sha256Hex(ReadFile(wal)) : "-");
}

// What the device holds, for "nothing changed" comparisons.
json DeviceReports(Device& dev) {
  json out = json::array();
  for (const auto& r : dev.Reports())
    out.push_back({{"id", r.id},
                   {"status", store::ReportStatusName(r.status)},
                   {"values", r.values},
                   {"server_version", r.server_version}});
  return out;
}

}  // namespace

TEST_CASE("sneakernet: reports and a photo reach HQ by file; HQ's review comes back by file") {
  Hq hq;
  Device dev;
  {
    std::string code = hq.server.EnrollCode("Amina", "west-africa");
    auto e = sync::Enroll(dev.store(), hq.server.url(), code, "tablet-09");
    REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  }
  hq.server.Stop();  // from here on there is no link

  auto ids = dev.AddReports(12, 5);
  std::filesystem::path photo = dev.scratch / "well.jpg";
  std::string photo_bytes;
  {
    std::mt19937 rng(9);
    for (int i = 0; i < 1'300'000; ++i) photo_bytes.push_back(static_cast<char>(rng()));
    std::ofstream(photo, std::ios::binary) << photo_bytes;
  }
  app::ReportInput input;
  input.attachments.push_back({"photo", photo, "image/jpeg"});
  REQUIRE(dev.app->UpdateReport(ids[0], input).ok());
  dev.Close();

  // Device → file → HQ → file → device.
  auto push = dev.scratch / "to-hq.fsb";
  Ran exported = dev.Cli({"bundle", "export", push.string(), "--json"});
  REQUIRE_MESSAGE(exported.code == 0, exported.err);
  CHECK(Json(exported)["entries"].get<int>() >= 12);
  CHECK(Json(exported)["photos"] == 1);

  auto reply = hq.scratch / "to-device.fsb";
  Ran imported = hq.server.Admin({"bundle", "import", push.string(), "--reply", reply.string()});
  REQUIRE_MESSAGE(imported.code == 0, imported.err);
  CHECK(Lines(imported.out) == 1);
  CHECK(imported.out.find("1 of 1 photo stored") != std::string::npos);
  CHECK(imported.out.find("0 rejected") != std::string::npos);

  Ran applied = dev.Cli({"bundle", "import", reply.string(), "--json"});
  REQUIRE_MESSAGE(applied.code == 0, applied.err);
  CHECK(Json(applied)["rejected"] == 0);
  CHECK(Json(applied)["photos"] == 1);
  CHECK(Json(applied)["pulled"].get<int>() > 0);  // HQ's projects and forms

  json status = Json(dev.Cli({"status", "--json"}));
  CHECK(status["pending"] == 0);
  CHECK(status["dead_letters"].empty());

  dev.Open();
  CHECK(Differences(hq.server.ExportJson(), dev.Reports()).empty());
  auto att = dev.store().GetAttachment(Sha256Hex(photo_bytes));
  REQUIRE(att.ok());
  CHECK(att->uploaded);
  json stats = json::parse(hq.server.Admin({"stats", "--json"}).out);
  CHECK(stats["reports"]["total"] == 12);
  CHECK(stats["attachments"]["complete"] == 1);
  CHECK(stats["attachments"]["pending"] == 0);

  // HQ reviews two reports; the next carried bundle (nothing pending, just
  // the cursor) brings the decisions back.
  REQUIRE(
      hq.server.Admin({"review", ids[1], "--return", "--comment", "Check the well depth"}).code ==
      0);
  REQUIRE(hq.server.Admin({"review", ids[2], "--approve"}).code == 0);
  dev.Close();
  auto push2 = dev.scratch / "to-hq-2.fsb";
  REQUIRE(dev.Cli({"bundle", "export", push2.string()}).code == 0);
  auto reply2 = hq.scratch / "to-device-2.fsb";
  Ran imported2 = hq.server.Admin({"bundle", "import", push2.string(), "--reply", reply2.string()});
  REQUIRE_MESSAGE(imported2.code == 0, imported2.err);
  CHECK(imported2.out.find("0 entries") != std::string::npos);
  Ran applied2 = dev.Cli({"bundle", "import", reply2.string(), "--json"});
  REQUIRE_MESSAGE(applied2.code == 0, applied2.err);
  CHECK(Json(applied2)["pulled"].get<int>() >= 2);
  dev.Open();
  auto returned = dev.store().GetReport(ids[1]);
  REQUIRE(returned.ok());
  CHECK(returned->status == store::ReportStatus::kReturned);
  CHECK(returned->review["comment"] == "Check the well depth");
  CHECK(dev.store().GetReport(ids[2])->status == store::ReportStatus::kApproved);
  CHECK(Differences(hq.server.ExportJson(), dev.Reports()).empty());

  // Both bundles imported twice on each side: nothing changes.
  const json hq_before = hq.server.ExportJson();
  const std::string stats_before = hq.server.Admin({"stats", "--json"}).out;
  const json device_before = DeviceReports(dev);
  dev.Close();
  auto again1 = hq.scratch / "again-1.fsb";
  auto again2 = hq.scratch / "again-2.fsb";
  Ran twice1 =
      hq.server.Admin({"bundle", "import", push.string(), "--reply", again1.string(), "--json"});
  REQUIRE_MESSAGE(twice1.code == 0, twice1.err);
  json t1 = Json(twice1);
  CHECK(t1["replayed"] == t1["entries"]);
  CHECK(t1["photos_new"] == 0);
  CHECK(t1["photos_stored"] == 1);
  REQUIRE(hq.server.Admin({"bundle", "import", push2.string(), "--reply", again2.string()}).code ==
          0);
  CHECK(hq.server.ExportJson() == hq_before);
  CHECK(hq.server.Admin({"stats", "--json"}).out == stats_before);
  for (const auto& f : {reply, reply2, again1, again2}) {
    Ran r = dev.Cli({"bundle", "import", f.string(), "--json"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(Json(r)["acknowledged"] == 0);
    CHECK(Json(r)["pulled"] == 0);
  }
  CHECK(Json(dev.Cli({"status", "--json"}))["pending"] == 0);
  dev.Open();
  CHECK(DeviceReports(dev) == device_before);
  dev.Close();

  // A damaged bundle: one line, non-zero exit, HQ's database untouched. The
  // device writes its frame with a content checksum, so damage anywhere is seen.
  const std::string good = ReadFile(push);
  REQUIRE(good.size() > 5);
  CHECK((static_cast<uint8_t>(good[4]) & 0x04) != 0);  // zstd Content_Checksum_flag
  const std::string before = DbFingerprint(hq.server.db());
  std::string flipped = good;
  for (size_t at : {good.size() / 3, good.size() / 2, good.size() - 10}) {
    flipped = good;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x01);
    auto bad = hq.scratch / "flipped.fsb";
    std::ofstream(bad, std::ios::binary | std::ios::trunc) << flipped;
    auto out = hq.scratch / "never.fsb";
    Ran r = hq.server.Admin({"bundle", "import", bad.string(), "--reply", out.string()});
    CHECK_MESSAGE(r.code == 1, "byte " << at);
    CHECK(Lines(r.err) == 1);
    CHECK(r.err.find("not a fieldsync bundle") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out));
  }
  {
    auto bad = hq.scratch / "truncated.fsb";
    std::ofstream(bad, std::ios::binary | std::ios::trunc) << good.substr(0, good.size() - 100);
    auto out = hq.scratch / "never.fsb";
    Ran r = hq.server.Admin({"bundle", "import", bad.string(), "--reply", out.string()});
    CHECK(r.code == 1);
    CHECK(Lines(r.err) == 1);
    CHECK_FALSE(std::filesystem::exists(out));
  }
  CHECK(DbFingerprint(hq.server.db()) == before);

  // The device refuses a damaged reply the same way, and the push bundle as a reply.
  {
    std::string r = ReadFile(reply2);
    r[r.size() / 2] = static_cast<char>(r[r.size() / 2] ^ 0x01);
    auto bad = dev.scratch / "bad-reply.fsb";
    std::ofstream(bad, std::ios::binary | std::ios::trunc) << r;
    Ran d = dev.Cli({"bundle", "import", bad.string()});
    CHECK(d.code != 0);
    CHECK(Lines(d.err) == 1);
    Ran wrong = dev.Cli({"bundle", "import", push.string()});
    CHECK(wrong.code != 0);
    CHECK(wrong.err.find("push bundle, not a reply bundle") != std::string::npos);
  }
  dev.Open();
  CHECK(DeviceReports(dev) == device_before);
}
