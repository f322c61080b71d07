// tests/server/admin_cli_test.cpp — the fieldsync-server binary: admin
// commands on a real database file, usage errors, and `serve` on port 0
// stopped by SIGTERM.
#include <signal.h>

#include <chrono>
#include <regex>
#include <thread>

#include "server_test_util.h"

using namespace fieldsync;
using namespace fieldsync::server;
using namespace fieldsync::server::testing;

namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::unique_ptr<Service> OpenService(const std::filesystem::path& db) {
  auto storage = OpenSqliteStorage(db);
  REQUIRE(storage.ok());
  auto svc = Service::Open(std::move(storage).value());
  REQUIRE(svc.ok());
  return std::move(svc).value();
}

void WriteFile(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("help, usage errors and the PostgreSQL placeholder") {
  TempDir dir;
  const std::string db = (dir.path() / "hq.db").string();

  auto help = RunServerBinary({"--help"}, dir.path());
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("serve") != std::string::npos);
  for (std::vector<std::string> args :
       {std::vector<std::string>{"serve", "--help"}, {"admin", "--help"},
        {"admin", "--db", db, "enroll", "--help"}, {"admin", "--db", db, "projects", "import", "--help"},
        {"admin", "--db", db, "export", "--help"}, {"admin", "--db", db, "stats", "--help"},
        {"admin", "--db", db, "review", "--help"}, {"admin", "--db", db, "devices", "--help"},
        {"admin", "--db", db, "revoke", "--help"}}) {
    auto r = RunServerBinary(args, dir.path());
    CHECK_MESSAGE(r.exit_code == 0, args.back());
    CHECK(r.out.find("Usage") != std::string::npos);
  }

  for (std::vector<std::string> args :
       {std::vector<std::string>{"admin", "--db", db, "enroll", "--oficer", "A"},
        {"admin", "--db", db, "stats", "--jsn"}, {"serve", "--db", db, "--port", "1"},
        {"admin", "--db", db, "frobnicate"}, {"admin", "enroll", "--officer", "A"},
        {"admin", "--db", db, "export", "--format", "xml"}, {"bogus"}, {},
        {"admin", "--db", db}, {"admin", "--db", db, "revoke"},
        {"serve", "--db", db, "--listen", "nowhere"}}) {
    auto r = RunServerBinary(args, dir.path());
    CHECK(r.exit_code == 2);
    CHECK(Lines(r.err).size() == 1);
    CHECK(r.err.rfind("fieldsync-server: ", 0) == 0);
  }
  auto did_you_mean = RunServerBinary({"admin", "--db", db, "enroll", "--oficer", "A"}, dir.path());
  CHECK(did_you_mean.err.find("--officer") != std::string::npos);

  auto pg = RunServerBinary({"admin", "--db", "postgresql://hq@localhost/fieldsync", "stats", "--json"},
                            dir.path());
  CHECK(pg.exit_code == 1);
  CHECK(Lines(pg.err).size() == 1);
  CHECK(pg.err.find("PostgreSQL backend not built yet") != std::string::npos);
  auto pg_serve = RunServerBinary({"serve", "--db", "postgresql://x", "--listen", "127.0.0.1:0"},
                                  dir.path());
  CHECK(pg_serve.exit_code == 1);
}

TEST_CASE("admin commands on a database shared with a running service") {
  TempDir dir;
  const std::filesystem::path db = dir.path() / "hq.db";
  const std::string dbs = db.string();

  // enroll prints a one-time code; the device enrolls with it.
  auto enroll = RunServerBinary({"admin", "--db", dbs, "enroll", "--officer", "Amina", "--region",
                                 "west-africa"},
                                dir.path());
  REQUIRE(enroll.exit_code == 0);
  std::string code = Lines(enroll.out).at(0);
  CHECK(std::regex_match(code, std::regex("[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")));

  // Projects: a bad file changes nothing, a good one imports every row.
  const std::string header =
      "code,title,sector,measures,modality,providers,beneficiaries,funding_partner,agency,region,"
      "ldc,lldc,sids\n";
  WriteFile(dir.path() / "bad.csv",
            header + "WA-HLT-001,Clinics,health,16,bilateral,BRA,SEN,,MoH,west-africa,1,0,0\n" +
                "WA-HLT-002,Clinics,health,51,bilateral,BRA,SEN,,MoH,west-africa,1,0,0\n");
  auto bad = RunServerBinary({"admin", "--db", dbs, "projects", "import", (dir.path() / "bad.csv").string()},
                             dir.path());
  CHECK(bad.exit_code == 1);
  CHECK(Lines(bad.err).size() == 1);
  CHECK(bad.err.find("line 3") != std::string::npos);
  WriteFile(dir.path() / "projects.csv",
            header + "WA-HLT-001,Clinics,health,16,bilateral,BRA,SEN,,MoH,west-africa,1,0,0\n" +
                "WA-HLT-002,Nurses,health,16;18,bilateral,BRA,MLI,,MoH,west-africa,1,1,0\n");
  auto imported = RunServerBinary(
      {"admin", "--db", dbs, "projects", "import", (dir.path() / "projects.csv").string()}, dir.path());
  CHECK(imported.exit_code == 0);
  CHECK(imported.out == "imported 2 projects\n");

  // A device pushes two reports through the service on the same file.
  auto svc = OpenService(db);
  auto e = svc->Enroll(code, "tablet-07");
  REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  auto device = svc->Authenticate(e->token);
  REQUIRE(device.ok());
  json values = HealthValues();
  values["narrative"] = "Clinic open, \"busy\", all week";
  values["location"] = {{"lat", 14.7}, {"lon", -17.4}};
  auto answer = svc->Sync(*device, {{"batch",
                                     {Entry(1, HealthReport(ReportId(1), "finalized", "WA-HLT-001", values)),
                                      Entry(2, HealthReport(ReportId(2), "draft", "WA-HLT-002"))}}});
  REQUIRE(answer.ok());
  REQUIRE((*answer)["results"][0]["outcome"] == "applied");
  REQUIRE((*answer)["results"][1]["outcome"] == "applied");

  auto stats = RunServerBinary({"admin", "--db", dbs, "stats", "--json"}, dir.path());
  REQUIRE(stats.exit_code == 0);
  json st = json::parse(stats.out);
  CHECK(st["reports"]["total"] == 2);
  CHECK(st["reports"]["by_status"]["received"] == 1);
  CHECK(st["reports"]["by_status"]["draft"] == 1);
  CHECK(st["devices"]["active"] == 1);
  CHECK(st["projects"] == 2);
  CHECK(st["forms"] == 3);

  auto devices = RunServerBinary({"admin", "--db", dbs, "devices", "--json"}, dir.path());
  REQUIRE(devices.exit_code == 0);
  json devs = json::parse(devices.out);
  REQUIRE(devs.size() == 1);
  CHECK(devs[0]["id"] == e->device_id);
  CHECK(devs[0]["officer"] == "Amina");
  CHECK(devs[0]["name"] == "tablet-07");
  CHECK(devs[0]["revoked"] == false);

  // Exports.
  auto csv = RunServerBinary({"admin", "--db", dbs, "export", "--format", "csv"}, dir.path());
  REQUIRE(csv.exit_code == 0);
  auto rows = Lines(csv.out);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].rfind("id,project,form_id,form_version,period,status,", 0) == 0);
  CHECK(rows[0].find(",hiv_tested,") != std::string::npos);
  CHECK(rows[0].find(",learners_enrolled,") != std::string::npos);
  bool found = false;
  for (const auto& r : rows)
    if (r.rfind(ReportId(1), 0) == 0) {
      found = true;
      CHECK(r.find("\"Clinic open, \"\"busy\"\", all week\"") != std::string::npos);
      CHECK(r.find(",received,") != std::string::npos);
      CHECK(r.find("14.7 -17.4") != std::string::npos);
    }
  CHECK(found);

  const std::filesystem::path out_json = dir.path() / "reports.json";
  auto js = RunServerBinary({"admin", "--db", dbs, "export", "--format", "json", "--out", out_json.string()},
                            dir.path());
  REQUIRE(js.exit_code == 0);
  json arr = json::parse(ReadFile(out_json));
  REQUIRE(arr.size() == 2);
  CHECK(arr[0].contains("values"));
  CHECK(arr[0]["device_id"] == e->device_id);
  auto geo = RunServerBinary({"admin", "--db", dbs, "export", "--format", "geojson"}, dir.path());
  REQUIRE(geo.exit_code == 0);
  json fc = json::parse(geo.out);
  REQUIRE(fc["features"].size() == 1);
  CHECK(fc["features"][0]["geometry"]["coordinates"] == json{-17.4, 14.7});

  // Review: the decision reaches the device's feed.
  auto review = RunServerBinary({"admin", "--db", dbs, "review", ReportId(1), "--return", "--comment",
                                 "Check the HIV counts", "--field-comment", "hiv_tested=too high?"},
                                dir.path());
  REQUIRE_MESSAGE(review.exit_code == 0, review.err);
  CHECK(review.out.find("returned") != std::string::npos);
  auto pulled = svc->Sync(*device, {{"batch", json::array()}, {"cursor", (*answer)["cursor"]}});
  REQUIRE(pulled.ok());
  REQUIRE((*pulled)["changes"].size() == 1);
  const json& rv = (*pulled)["changes"][0];
  CHECK(rv["kind"] == "review");
  CHECK(rv["data"]["decision"] == "returned");
  CHECK(rv["data"]["comment"] == "Check the HIV counts");
  CHECK(rv["data"]["field_comments"]["hiv_tested"] == "too high?");
  CHECK(svc->GetReport(ReportId(1))->value().status == "returned");

  auto draft_review = RunServerBinary({"admin", "--db", dbs, "review", ReportId(2), "--approve"}, dir.path());
  CHECK(draft_review.exit_code == 1);
  CHECK(draft_review.err.find("draft") != std::string::npos);
  auto missing = RunServerBinary({"admin", "--db", dbs, "review", "nope", "--approve"}, dir.path());
  CHECK(missing.exit_code == 1);
  CHECK(Lines(missing.err).size() == 1);
  auto both = RunServerBinary({"admin", "--db", dbs, "review", ReportId(1), "--approve", "--return"},
                              dir.path());
  CHECK(both.exit_code == 2);

  // Correct: typed by the form, published as a report change.
  auto corrected = RunServerBinary({"admin", "--db", dbs, "correct", ReportId(1), "staff_deployed=7"},
                                   dir.path());
  REQUIRE_MESSAGE(corrected.exit_code == 0, corrected.err);
  CHECK(svc->GetReport(ReportId(1))->value().values["staff_deployed"] == 7);
  auto wrong_type = RunServerBinary({"admin", "--db", dbs, "correct", ReportId(1), "staff_deployed=many"},
                                    dir.path());
  CHECK(wrong_type.exit_code == 1);

  // Revoke: the token is refused on the next request.
  auto revoke = RunServerBinary({"admin", "--db", dbs, "revoke", e->device_id}, dir.path());
  CHECK(revoke.exit_code == 0);
  CHECK_FALSE(svc->Authenticate(e->token).ok());
  auto unknown = RunServerBinary({"admin", "--db", dbs, "revoke", "d_nope"}, dir.path());
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("d_nope") != std::string::npos);
}

TEST_CASE("serve on port 0 prints its address, answers, and stops cleanly on SIGTERM") {
  TempDir dir;
  const std::string db = (dir.path() / "hq.db").string();
  const std::filesystem::path out_path = dir.path() / "serve.out";
  const std::filesystem::path err_path = dir.path() / "serve.err";
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> args = {ServerBinary(), "serve", "--db", db, "--listen", "127.0.0.1:0"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&fa);

  std::smatch m;
  std::string out;
  const std::regex listening("listening on http://127\\.0\\.0\\.1:([0-9]+)\n");
  for (int i = 0; i < 500 && !std::regex_search(out, m, listening); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    out = ReadFile(out_path);
  }
  REQUIRE_MESSAGE(std::regex_search(out, m, listening), out << ReadFile(err_path));
  int port = std::stoi(m[1]);
  CHECK(port > 0);

  httplib::Client c("127.0.0.1", port);
  auto res = c.Get("/healthz");
  REQUIRE(res);
  CHECK(res->status == 200);

  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  std::string err = ReadFile(err_path);
  CHECK(err.find("GET /healthz 200") != std::string::npos);
  CHECK(err.find("SIGTERM") != std::string::npos);
  // The database was closed cleanly: it opens and holds the seeded forms.
  auto svc = OpenService(db);
  CHECK(svc->GetStats()->forms == 3);
}
