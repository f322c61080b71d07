// tests/server/bundle_cli_test.cpp — `fieldsync-server admin bundle import`:
// the real binary answering push bundles (sync by file) on a real SQLite
// file. The bundles are written here, so that each test can say exactly what
// a device carried (photos nobody refers to, a small pull page, damage).
#include <zstd.h>

#include <functional>

#include "common/sha256.h"
#include "server_test_util.h"
#include "sync/bundle.h"

using namespace fieldsync;
using namespace fieldsync::server;
using namespace fieldsync::server::testing;

namespace {

std::string ReadBytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void WriteBytes(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << bytes;
}

std::string Base64(std::string_view in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    if (i + 1 < in.size()) v |= uint32_t(uint8_t(in[i + 1])) << 8;
    if (i + 2 < in.size()) v |= uint8_t(in[i + 2]);
    out += k[v >> 18];
    out += k[(v >> 12) & 63];
    out += i + 1 < in.size() ? k[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? k[v & 63] : '=';
  }
  return out;
}

std::string PhotoBytes(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  for (char& c : s) {
    seed = seed * 1664525u + 1013904223u;
    c = static_cast<char>(seed >> 24);
  }
  return s;
}

// One zstd frame with its content checksum, as sync/bundle.cpp writes bundles.
std::string Frame(const json& j) {
  const std::string raw = j.dump();
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
  size_t n = ZSTD_compress2(c, out.data(), out.size(), raw.data(), raw.size());
  ZSTD_freeCCtx(c);
  REQUIRE_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

// Writes a push bundle the way a device does (one zstd frame of JSON).
void WritePushBundle(const std::filesystem::path& file, const std::string& device_id,
                     const json& request, const std::vector<std::string>& photos) {
  json ph = json::array();
  for (const std::string& p : photos)
    ph.push_back({{"sha256", Sha256Hex(p)}, {"mime", "image/jpeg"}, {"data_base64", Base64(p)}});
  json b = {{"format", sync::kBundleFormat},
            {"version", sync::kBundleVersion},
            {"kind", "push"},
            {"device_id", device_id},
            {"created_at_ms", 1},
            {"request", request},
            {"photos", ph}};
  WriteBytes(file, Frame(b));
}

json ReadReply(const std::filesystem::path& file) {
  auto j = sync::DecodeBody(ReadBytes(file), sync::BodyFormat::kJson, "zstd", 1u << 30);
  REQUIRE_MESSAGE(j.ok(), j.status().ToString());
  return *j;
}

size_t LineCount(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

// An HQ database file with the test registry and one enrolled device; no
// server process: the binary opens the file itself.
struct BundleHq {
  TempDir dir;
  std::filesystem::path db = dir.path() / "hq.db";
  std::string device_id;

  explicit BundleHq(const std::string& region = "west-africa") {
    auto svc = Open();
    REQUIRE(svc->ImportProjects(TestProjects()).ok());
    auto code = svc->CreateEnrollCode("Amina", region);
    REQUIRE(code.ok());
    auto e = svc->Enroll(*code, "tablet");
    REQUIRE_MESSAGE(e.ok(), e.status().ToString());
    device_id = e->device_id;
  }
  std::unique_ptr<Service> Open() {
    auto storage = OpenSqliteStorage(db);
    REQUIRE(storage.ok());
    auto svc = Service::Open(std::move(storage).value());
    REQUIRE_MESSAGE(svc.ok(), svc.status().ToString());
    return std::move(svc).value();
  }
  RunResult Import(const std::filesystem::path& in, const std::filesystem::path& reply,
                   bool as_json = false) {
    std::vector<std::string> args = {"admin",  "--db",      db.string(), "bundle",
                                     "import", in.string(), "--reply",   reply.string()};
    if (as_json) args.push_back("--json");
    return RunServerBinary(args, dir.path());
  }
  // The database as bytes (with its WAL, if one was left): equal hashes mean
  // nothing was written.
  std::string Fingerprint() {
    std::string wal = db.string() + "-wal";
    return Sha256Hex(ReadBytes(db)) + "/" +
           (std::filesystem::exists(wal) ? Sha256Hex(ReadBytes(wal)) : "-");
  }
};

}  // namespace

TEST_CASE(
    "admin bundle import answers a carried bundle as a sync would, and again changes nothing") {
  BundleHq hq;
  const std::string photo = PhotoBytes(1'500'000, 7);  // two chunks
  const std::string stray = PhotoBytes(2000, 8);       // no report refers to it
  json with_photo = HealthValues(80);
  with_photo["photo"] = Sha256Hex(photo);
  const std::string a = ReportId(1), b = ReportId(2), c = ReportId(3);
  json request = {
      {"batch",
       {Entry(1, HealthReport(a, "finalized", "TRI-HLT-002", with_photo)),
        Entry(2, HealthReport(b)), Entry(3, HealthReport(c, "finalized", "NO-SUCH-PROJECT"))}},
      {"cursor", ""},
      {"pull_limit", 100000}};
  auto in = hq.dir.path() / "amina.fsb";
  WritePushBundle(in, hq.device_id, request, {photo, stray});

  auto reply = hq.dir.path() / "amina-reply.fsb";
  RunResult first = hq.Import(in, reply);
  REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  CHECK(first.err.empty());
  CHECK(LineCount(first.out) == 1);
  CHECK(first.out.find("from " + hq.device_id + " (Amina)") != std::string::npos);
  CHECK(first.out.find("3 entries (2 applied, 0 merged, 0 conflict, 1 rejected)") !=
        std::string::npos);
  CHECK(first.out.find("1 of 2 photos stored (1 refused)") != std::string::npos);
  CHECK(first.out.find("reply written to " + reply.string()) != std::string::npos);
  CHECK(first.out.find("more changes") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(reply.string() + ".tmp"));

  json r1 = ReadReply(reply);
  CHECK(r1["kind"] == "reply");
  CHECK(r1["device_id"] == hq.device_id);
  CHECK(r1["request_last_seq"] == 3);
  CHECK(r1["answer"]["acked_seq"] == 3);
  REQUIRE(r1["answer"]["results"].size() == 3);
  CHECK(r1["answer"]["results"][0]["outcome"] == "applied");
  CHECK(r1["answer"]["results"][1]["outcome"] == "applied");
  CHECK(r1["answer"]["results"][2]["outcome"] == "rejected");
  CHECK(r1["answer"]["results"][2]["reason"].get<std::string>().find("NO-SUCH-PROJECT") !=
        std::string::npos);
  CHECK(r1["answer"]["changes"].size() > 0);  // HQ's projects and forms for the device
  CHECK(r1["photos_received"] == json::array({Sha256Hex(photo)}));

  int64_t version_a = 0;
  size_t history_a = 0;
  {
    auto svc = hq.Open();
    auto ra = svc->GetReport(a);
    REQUIRE(ra.ok());
    REQUIRE(ra->has_value());
    CHECK((*ra)->status == "received");
    CHECK((*ra)->device_id == hq.device_id);
    CHECK((*ra)->values["hiv_tested"] == 80);
    version_a = (*ra)->server_version;
    history_a = svc->History(a)->size();
    CHECK(svc->GetReport(b)->has_value());
    CHECK_FALSE(svc->GetReport(c)->has_value());
    std::string stored;
    REQUIRE(svc->storage()
                .Read([&](StorageReader& tx) {
                  return tx.ReadAttachment(Sha256Hex(photo), [&](std::string_view bytes) {
                    stored.append(bytes);
                    return Status::Ok();
                  });
                })
                .ok());
    CHECK(stored == photo);
    auto st = svc->GetStats();
    REQUIRE(st.ok());
    CHECK(st->reports == 2);
    CHECK(st->attachments_complete == 1);
    CHECK(st->attachments_pending == 0);
  }

  // The same bundle again (the officer carried it twice): nothing changes,
  // and the reply says the same.
  auto reply2 = hq.dir.path() / "amina-reply-2.fsb";
  RunResult second = hq.Import(in, reply2, true);
  REQUIRE_MESSAGE(second.exit_code == 0, second.err);
  json summary = json::parse(second.out);
  CHECK(summary["entries"] == 3);
  CHECK(summary["replayed"] == 3);
  CHECK(summary["applied"] == 2);
  CHECK(summary["rejected"] == 1);
  CHECK(summary["photos"] == 2);
  CHECK(summary["photos_stored"] == 1);
  CHECK(summary["photos_new"] == 0);
  CHECK(summary["photos_skipped"].size() == 1);
  CHECK(summary["photos_skipped"][0]["sha256"] == Sha256Hex(stray));
  CHECK(summary["more"] == false);
  CHECK(summary["reply"] == reply2.string());
  json r2 = ReadReply(reply2);
  CHECK(r2["answer"]["results"] == r1["answer"]["results"]);
  CHECK(r2["answer"]["changes"] == r1["answer"]["changes"]);
  CHECK(r2["answer"]["cursor"] == r1["answer"]["cursor"]);
  CHECK(r2["photos_received"] == r1["photos_received"]);
  {
    auto svc = hq.Open();
    CHECK((*svc->GetReport(a))->server_version == version_a);
    auto st = svc->GetStats();
    REQUIRE(st.ok());
    CHECK(st->reports == 2);
    CHECK(st->attachments_complete == 1);
    auto hist = svc->History(a);
    REQUIRE(hist.ok());
    CHECK(hist->size() == history_a);
  }
}

TEST_CASE("admin bundle import: a review made at HQ travels back; a large pull says 'more'") {
  BundleHq hq;
  const std::string a = ReportId(10);
  auto in = hq.dir.path() / "1.fsb";
  WritePushBundle(in, hq.device_id,
                  {{"batch", {Entry(1, HealthReport(a))}}, {"cursor", ""}, {"pull_limit", 100000}},
                  {});
  REQUIRE(hq.Import(in, hq.dir.path() / "1-reply.fsb").exit_code == 0);
  const std::string cursor = ReadReply(hq.dir.path() / "1-reply.fsb")["answer"]["cursor"];

  RunResult review = RunServerBinary(
      {"admin", "--db", hq.db.string(), "review", a, "--return", "--comment", "Recount"},
      hq.dir.path());
  REQUIRE_MESSAGE(review.exit_code == 0, review.err);

  // The next bundle carries nothing but the cursor; its reply brings the review.
  auto in2 = hq.dir.path() / "2.fsb";
  WritePushBundle(in2, hq.device_id,
                  {{"batch", json::array()}, {"cursor", cursor}, {"pull_limit", 100000}}, {});
  auto reply2 = hq.dir.path() / "2-reply.fsb";
  RunResult second = hq.Import(in2, reply2);
  REQUIRE_MESSAGE(second.exit_code == 0, second.err);
  CHECK(second.out.find("0 entries") != std::string::npos);
  json changes = ReadReply(reply2)["answer"]["changes"];
  bool found = false;
  for (const json& ch : changes) {
    if (ch["key"] == a) {
      found = true;
      CHECK(ch["data"].dump().find("Recount") != std::string::npos);
    }
  }
  CHECK(found);

  // A pull page smaller than HQ's feed: the summary tells the officer to come back.
  auto in3 = hq.dir.path() / "3.fsb";
  WritePushBundle(in3, hq.device_id, {{"batch", json::array()}, {"cursor", ""}, {"pull_limit", 1}},
                  {});
  RunResult paged = hq.Import(in3, hq.dir.path() / "3-reply.fsb");
  REQUIRE_MESSAGE(paged.exit_code == 0, paged.err);
  CHECK(paged.out.find("1 change for the device") != std::string::npos);
  CHECK(paged.out.find("HQ has more changes") != std::string::npos);
  CHECK(LineCount(paged.out) == 1);
  RunResult paged_json = hq.Import(in3, hq.dir.path() / "3-reply.fsb", true);
  CHECK(json::parse(paged_json.out)["more"] == true);
  CHECK(ReadReply(hq.dir.path() / "3-reply.fsb")["answer"]["more"] == true);
}

TEST_CASE(
    "admin bundle import refuses damaged, foreign and wrong files with one line, writing nothing") {
  BundleHq hq;
  auto good = hq.dir.path() / "good.fsb";
  WritePushBundle(
      good, hq.device_id,
      {{"batch", {Entry(1, HealthReport(ReportId(20)))}}, {"cursor", ""}, {"pull_limit", 100000}},
      {});
  const std::string bytes = ReadBytes(good);
  const std::string before = hq.Fingerprint();
  auto reply = hq.dir.path() / "reply.fsb";

  struct Case {
    std::string name;
    std::string content;  // empty: the file is not created
    std::string expect;   // in the error line
  };
  std::string truncated = bytes.substr(0, bytes.size() / 2);
  std::string flipped = bytes;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x5a);
  json reply_kind = {{"format", sync::kBundleFormat},
                     {"version", 1},
                     {"kind", "reply"},
                     {"device_id", hq.device_id}};
  json future = {{"format", sync::kBundleFormat}, {"version", 99}, {"kind", "push"}};
  json bad_photo = {
      {"format", sync::kBundleFormat},
      {"version", 1},
      {"kind", "push"},
      {"device_id", hq.device_id},
      {"request", {{"batch", json::array()}, {"cursor", ""}}},
      {"photos",
       {{{"sha256", Sha256Hex("abc")}, {"mime", "image/jpeg"}, {"data_base64", Base64("abd")}}}}};
  json bad_envelope = {{"format", sync::kBundleFormat},
                       {"version", 1},
                       {"kind", "push"},
                       {"device_id", hq.device_id},
                       {"request", {{"batch", "not a list"}, {"cursor", ""}}}};
  auto z = [](const json& j) { return Frame(j); };
  std::vector<Case> cases = {
      {"truncated", truncated, "not a fieldsync bundle"},
      {"flipped", flipped, "not a fieldsync bundle"},
      {"missing", std::string(), "cannot read"},
      {"zero-bytes", std::string(), "not a fieldsync bundle"},
      {"text", "hello, HQ\n", "not a fieldsync bundle"},
      {"reply-kind", z(reply_kind), "reply bundle, not a push bundle"},
      {"future", z(future), "version 99"},
      {"bad-photo", z(bad_photo), "damaged"},
      {"bad-envelope", z(bad_envelope), "nothing was applied"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    auto in = hq.dir.path() / (c.name + ".fsb");
    if (c.name != "missing") WriteBytes(in, c.content);
    RunResult r = hq.Import(in, reply);
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK(LineCount(r.err) == 1);
    CHECK(r.err.rfind("fieldsync-server: ", 0) == 0);
    CHECK_MESSAGE(r.err.find(c.expect) != std::string::npos, r.err);
    CHECK_FALSE(std::filesystem::exists(reply));
    CHECK(hq.Fingerprint() == before);
  }

  // A device HQ does not know, and a revoked one.
  auto foreign = hq.dir.path() / "foreign.fsb";
  WritePushBundle(foreign, "d_0000000000000000",
                  {{"batch", json::array()}, {"cursor", ""}, {"pull_limit", 10}}, {});
  RunResult unknown = hq.Import(foreign, reply);
  CHECK(unknown.exit_code == 1);
  CHECK(LineCount(unknown.err) == 1);
  CHECK(unknown.err.find("no device 'd_0000000000000000'") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(reply));

  REQUIRE(RunServerBinary({"admin", "--db", hq.db.string(), "revoke", hq.device_id}, hq.dir.path())
              .exit_code == 0);
  RunResult revoked = hq.Import(good, reply);
  CHECK(revoked.exit_code == 1);
  CHECK(LineCount(revoked.err) == 1);
  CHECK(revoked.err.find("was revoked") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(reply));
  CHECK_FALSE(hq.Open()->GetReport(ReportId(20))->has_value());

  // Usage: --reply is required, and is not the bundle itself; no database is
  // created by a mistyped --db.
  RunResult no_reply = RunServerBinary(
      {"admin", "--db", hq.db.string(), "bundle", "import", good.string()}, hq.dir.path());
  CHECK(no_reply.exit_code == 2);
  CHECK(LineCount(no_reply.err) == 1);
  CHECK(no_reply.err.find("--reply") != std::string::npos);
  CHECK(hq.Import(good, good).exit_code == 2);
  RunResult no_folder = hq.Import(good, hq.dir.path() / "no-such-folder" / "reply.fsb");
  CHECK(no_folder.exit_code == 2);
  CHECK(no_folder.err.find("no-such-folder") != std::string::npos);
  CHECK_FALSE(hq.Open()->GetReport(ReportId(20))->has_value());
  CHECK(ReadBytes(good) == bytes);
  auto missing_db = hq.dir.path() / "typo.db";
  RunResult no_db = RunServerBinary({"admin", "--db", missing_db.string(), "bundle", "import",
                                     good.string(), "--reply", reply.string()},
                                    hq.dir.path());
  CHECK(no_db.exit_code == 1);
  CHECK(no_db.err.find("no HQ database") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(missing_db));
}

TEST_CASE("bundle import is in the help") {
  TempDir dir;
  auto overview = RunServerBinary({"--help"}, dir.path());
  CHECK(overview.out.find("bundle import") != std::string::npos);
  auto admin = RunServerBinary({"admin", "--help"}, dir.path());
  CHECK(admin.out.find("bundle import") != std::string::npos);
  auto help = RunServerBinary(
      {"admin", "--db", (dir.path() / "hq.db").string(), "bundle", "import", "--help"}, dir.path());
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("Usage") != std::string::npos);
  CHECK(help.out.find("--reply") != std::string::npos);
}

TEST_CASE("a bundle with any bit damaged is refused or reads the same: never a changed value") {
  TempDir dir;
  // Without the frame's content checksum about a third of single-bit flips in
  // a small bundle decoded to a changed report that HQ would have applied.
  auto check_flips = [](const std::string& bytes,
                        const std::function<bool(const std::string&)>& same) {
    int refused = 0, unchanged = 0;
    for (size_t pos = 0; pos < bytes.size(); ++pos) {
      for (uint8_t bit : {uint8_t{0x01}, uint8_t{0x80}}) {
        std::string b = bytes;
        b[pos] = static_cast<char>(b[pos] ^ bit);
        if (same(b)) {
          ++unchanged;
        } else {
          ++refused;
        }
      }
    }
    return std::make_pair(refused, unchanged);
  };

  // HQ's writer (the same one the device's export uses): a reply bundle.
  sync::PushBundle push;
  push.device_id = "d_0123456789abcdef";
  push.request = {{"batch", {Entry(1, HealthReport(ReportId(1)))}}, {"cursor", "4"}};
  json answer = {{"acked_seq", 1},
                 {"results", {{{"seq", 1}, {"outcome", "applied"}, {"server_version", 1}}}},
                 {"changes", json::array()},
                 {"cursor", "9"},
                 {"more", false}};
  auto reply = dir.path() / "reply.fsb";
  REQUIRE(sync::WriteReplyBundle(reply, push, answer, {}).ok());
  const std::string reply_bytes = ReadBytes(reply);
  REQUIRE(reply_bytes.size() > 5);
  CHECK((static_cast<uint8_t>(reply_bytes[4]) & 0x04) != 0);  // Content_Checksum_flag
  const json original = ReadReply(reply);
  auto [refused, unchanged] = check_flips(reply_bytes, [&](const std::string& b) {
    auto j = sync::DecodeBody(b, sync::BodyFormat::kJson, "zstd", 1u << 20);
    if (!j.ok()) return false;
    CHECK_MESSAGE(*j == original, "a damaged reply read as a different one");
    return true;
  });
  CHECK(refused > 0);
  CHECK(refused + unchanged == static_cast<int>(2 * reply_bytes.size()));

  // HQ's reader: a push bundle.
  auto in = dir.path() / "push.fsb";
  WritePushBundle(in, push.device_id, push.request, {PhotoBytes(300, 3)});
  const std::string push_bytes = ReadBytes(in);
  auto bad = dir.path() / "bad.fsb";
  auto [push_refused, push_unchanged] = check_flips(push_bytes, [&](const std::string& b) {
    WriteBytes(bad, b);
    auto p = sync::ReadPushBundle(bad);
    if (!p.ok()) return false;
    CHECK_MESSAGE(p->request == push.request, "a damaged bundle read as a different request");
    CHECK(p->device_id == push.device_id);
    CHECK(p->photos.size() == 1);
    return true;
  });
  CHECK(push_refused > 0);
  (void)push_unchanged;
}
