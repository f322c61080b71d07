// tests/cli/cli_test.cpp — fieldsync-cli end to end: the real binary on a
// temporary device folder. Acceptance: reports are created, listed and
// counted; every bad input exits non-zero with one line on stderr and leaves
// the database byte for byte as it was.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.h"

using namespace fieldsync::testing;
using nlohmann::json;

namespace {

// A device folder initialised by a first command.
struct Device {
  TempDir tmp;
  std::string data = (tmp.path() / "device").string();
  Device() {
    auto r = Run({"projects"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }
  CliResult Run(std::vector<std::string> args, const std::vector<std::string>& env = {}) const {
    args.insert(args.begin(), {"--data", data});
    return RunCli(args, env);
  }
  json Json(std::vector<std::string> args) const {
    auto r = Run(std::move(args));
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    try {
      return json::parse(r.out);
    } catch (const json::exception& e) {
      FAIL("not JSON: " << e.what() << "\n" << r.out);
    }
    return {};
  }
  std::filesystem::path Db() const { return std::filesystem::path(data) / "fieldsync.db"; }
  size_t ReportCount() const { return Json({"report", "list", "--json"}).size(); }
};

const std::vector<std::string> kCompleteHealth = {
    "--set", "period=2026-02",    "--set", "programme=hiv",     "--set", "hiv_tested=120",
    "--set", "hiv_positive=9",    "--set", "hiv_treatment=9",   "--set", "stockout=no",
    "--set", "staff_deployed=14"};

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

bool IsReportId(const std::string& s) {
  return s.size() == 32 &&
         s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

TEST_CASE("acceptance: a finalized report prints its id, lists as finalized, counts as pending") {
  Device d;
  auto r = d.Run(Concat({"report", "new", "--project", "SSC-HLT-001", "--form", "health"},
                        Concat(kCompleteHealth, {"--finalize"})));
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.err.empty());
  REQUIRE(r.out.size() == 33);
  CHECK(r.out.back() == '\n');
  const std::string id = r.out.substr(0, 32);
  CHECK(IsReportId(id));

  json list = d.Json({"report", "list", "--json"});
  REQUIRE(list.is_array());
  REQUIRE(list.size() == 1);
  CHECK(list[0]["id"] == id);
  CHECK(list[0]["status"] == "finalized");
  CHECK(list[0]["project"] == "SSC-HLT-001");
  CHECK(list[0]["values"]["hiv_tested"] == 120);
  CHECK(list[0]["author"] == "tester");

  json status = d.Json({"status", "--json"});
  CHECK(status["pending"] == 1);
  CHECK(status["reports"]["finalized"] == 1);
  CHECK(status["enrolled"] == false);
  CHECK(status["dead_letters"].empty());
  CHECK_FALSE(status.contains("token"));

  json finalized = d.Json({"report", "list", "--status", "finalized", "--json"});
  CHECK(finalized.size() == 1);
  CHECK(d.Json({"report", "list", "--status", "draft", "--json"}).empty());
}

TEST_CASE("forms --json prints the full definitions; projects --json the registry") {
  Device d;
  json forms = d.Json({"forms", "--json"});
  REQUIRE(forms.is_array());
  std::vector<std::string> ids;
  for (const auto& f : forms) ids.push_back(f["id"]);
  CHECK(ids == std::vector<std::string>{"agriculture", "education", "health"});
  for (const auto& f : forms) {
    CHECK(f["version"].is_number_integer());
    REQUIRE(f["questions"].is_array());
    CHECK(f["questions"].size() >= 5);
    for (const auto& lang : {"en", "fr", "es", "pt"}) CHECK(f["title"].contains(lang));
  }
  const json& health = forms[2];
  bool has_constraint = false;
  for (const auto& q : health["questions"]) {
    if (q.value("name", "") == "hiv_positive") has_constraint = q.contains("constraint");
  }
  CHECK(has_constraint);

  json projects = d.Json({"projects", "--json"});
  REQUIRE(projects.is_array());
  CHECK(projects.size() >= 9);
  CHECK(projects[0].contains("code"));
  CHECK(projects[0].contains("measures"));

  auto human = d.Run({"forms"});
  CHECK(human.exit_code == 0);
  CHECK(human.out.find("health") != std::string::npos);
  auto fields = d.Run({"forms", "--fields"});
  CHECK(fields.out.find("hiv_tested") != std::string::npos);
  auto table = d.Run({"projects"});
  CHECK(table.out.find("SSC-HLT-001") != std::string::npos);
}

TEST_CASE("every bad input: non-zero exit, one line on stderr, database byte-identical") {
  Device d;
  // One existing draft to aim "report set" and "report finalize" at.
  auto created = d.Run({"report", "new", "--project", "SSC-HLT-001", "--form", "health", "--set",
                        "period=2026-02", "--set", "programme=hiv"});
  REQUIRE_MESSAGE(created.exit_code == 0, created.err);
  const std::string id = created.out.substr(0, 32);
  WriteBytes(d.tmp.path() / "bad.json", "{\"hiv_tested\": 12,");
  WriteBytes(d.tmp.path() / "wrongtype.json", "{\"hiv_tested\": \"twelve\"}");

  struct Case {
    const char* what;
    std::vector<std::string> args;
    int exit_code;
    const char* expect;  // in the error line
  };
  const std::string bad_json = (d.tmp.path() / "bad.json").string();
  const std::string wrong_json = (d.tmp.path() / "wrongtype.json").string();
  const std::vector<Case> cases = {
      {"unknown flag", {"report", "new", "--projet", "SSC-HLT-001", "--form", "health"}, 2,
       "fieldsync-cli: unknown option '--projet' for 'report new' (did you mean '--project'?)"},
      {"unknown command", {"reprot", "list"}, 2, "unknown command 'reprot'"},
      {"unknown subcommand", {"report", "lst"}, 2, "did you mean 'report list'"},
      {"missing --form", {"report", "new", "--project", "SSC-HLT-001"}, 2, "needs --form ID"},
      {"unknown field",
       {"report", "new", "--project", "SSC-HLT-001", "--form", "health", "--set", "hiv_testd=5"}, 1,
       "has no field 'hiv_testd' (did you mean 'hiv_tested'?)"},
      {"wrong type",
       {"report", "new", "--project", "SSC-HLT-001", "--form", "health", "--set", "hiv_tested=abc"}, 1,
       "hiv_tested"},
      {"wrong type in JSON",
       {"report", "new", "--project", "SSC-HLT-001", "--form", "health", "--values", wrong_json}, 1,
       "hiv_tested"},
      {"failed constraint",
       {"report", "new", "--project", "SSC-HLT-001", "--form", "health", "--set", "programme=hiv",
        "--set", "hiv_tested=10", "--set", "hiv_positive=50"},
       1, "hiv_positive"},
      {"missing required",
       {"report", "new", "--project", "SSC-HLT-001", "--form", "health", "--set", "period=2026-02",
        "--finalize"},
       1, "required"},
      {"unknown project", {"report", "new", "--project", "SSC-HLT-01", "--form", "health"}, 1,
       "did you mean 'SSC-HLT-001'"},
      {"unknown form", {"report", "new", "--project", "SSC-HLT-001", "--form", "helth"}, 1,
       "did you mean 'health'"},
      {"malformed values file",
       {"report", "new", "--project", "SSC-HLT-001", "--form", "health", "--values", bad_json}, 1,
       "is not valid JSON"},
      {"malformed assignment", {"report", "set", id, "hiv_tested"}, 2, "expected NAME=VALUE"},
      {"set wrong type", {"report", "set", id, "hiv_tested=many"}, 1, "hiv_tested"},
      {"finalize incomplete", {"report", "finalize", id}, 1, "cannot finalize"},
      {"unknown report", {"report", "show", "ffffffffffff"}, 1, "no report"},
      {"bad status", {"report", "list", "--status", "finalised"}, 2, "did you mean 'finalized'"},
      {"attach to a missing file",
       {"report", "new", "--project", "SSC-HLT-001", "--form", "health", "--attach", "photo=/nonexistent.jpg"},
       1, "nonexistent.jpg"},
      {"bad language", {"--lang", "de", "projects"}, 2, "unknown language 'de'"},
      {"extra argument", {"status", "now"}, 2, "unexpected argument 'now'"},
  };
  const std::string db_before = ReadBytes(d.Db());
  REQUIRE_FALSE(db_before.empty());
  const size_t reports_before = d.ReportCount();
  for (const auto& c : cases) {
    CAPTURE(c.what);
    auto r = d.Run(c.args);
    CHECK(r.exit_code == c.exit_code);
    auto lines = r.ErrLines();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].rfind("fieldsync-cli: ", 0) == 0);
    CHECK_MESSAGE(lines[0].find(c.expect) != std::string::npos, lines[0]);
    CHECK(r.out.empty());
    CHECK(ReadBytes(d.Db()) == db_before);
  }
  CHECK(d.ReportCount() == reports_before);
  CHECK(d.Json({"status", "--json"})["pending"] == 1);
}

TEST_CASE("a refused finalize lists every error on its one line") {
  Device d;
  auto r = d.Run({"report", "new", "--project", "TRI-AGR-001", "--form", "agriculture", "--set",
                  "period=2026-01", "--finalize"});
  CHECK(r.exit_code == 1);
  auto lines = r.ErrLines();
  REQUIRE(lines.size() == 1);
  for (const char* f : {"farmers_trained", "women_farmers", "hectares_planted", "seed_distributed_kg",
                        "main_crop", "yield_t_ha", "irrigation_schemes"}) {
    CHECK_MESSAGE(lines[0].find(f) != std::string::npos, f);
  }
  // Labels follow --lang.
  auto fr = d.Run({"--lang", "fr", "report", "new", "--project", "TRI-AGR-001", "--form",
                   "agriculture", "--set", "period=2026-01", "--finalize"});
  REQUIRE(fr.ErrLines().size() == 1);
  CHECK(fr.ErrLines()[0] != lines[0]);
}

TEST_CASE("report set, finalize and show through the CLI") {
  Device d;
  auto created = d.Run({"report", "new", "--project", "SSC-EDU-001", "--form", "education", "--set",
                        "period=2026-03", "--set", "learners_enrolled=80"});
  REQUIRE_MESSAGE(created.exit_code == 0, created.err);
  const std::string id = created.out.substr(0, 32);

  json draft = d.Json({"report", "show", id, "--json"});
  CHECK(draft["status"] == "draft");
  REQUIRE(draft["history"].is_array());
  CHECK_FALSE(draft["history"].empty());
  REQUIRE(draft["errors"].is_array());
  CHECK_FALSE(draft["errors"].empty());
  CHECK(draft["errors"][0].contains("field"));
  CHECK(draft["errors"][0].contains("message"));

  // Positional assignments, an abbreviated id, and the calculation.
  auto set = d.Run({"report", "set", id.substr(0, 8), "learners_completed=60", "classes_held=24",
                    "women_enrolled=41", "teachers_trained=6", "scholarships_awarded=3"});
  REQUIRE_MESSAGE(set.exit_code == 0, set.err);
  CHECK(set.out.find("saved") != std::string::npos);
  auto fin = d.Run({"report", "finalize", id});
  REQUIRE_MESSAGE(fin.exit_code == 0, fin.err);
  json done = d.Json({"report", "show", id, "--json"});
  CHECK(done["status"] == "finalized");
  CHECK(done["errors"].empty());
  CHECK(done["values"]["completion_rate"].get<double>() == doctest::Approx(75.0));
  CHECK(done["history"].size() > draft["history"].size());

  auto human = d.Run({"report", "show", id});
  CHECK(human.exit_code == 0);
  CHECK(human.out.find("finalized") != std::string::npos);
  CHECK(human.out.find("learners_completed") != std::string::npos);

  auto list = d.Run({"report", "list"});
  CHECK(list.out.find(id.substr(0, 8)) != std::string::npos);
  CHECK(d.Json({"status", "--json"})["pending"] == 1);  // collapsed into one unsent entry

  auto again = d.Run({"report", "finalize", id});
  CHECK(again.exit_code == 1);
  CHECK(again.ErrLines().size() == 1);
}

TEST_CASE("--values FILE.json and --attach NAME=PATH") {
  Device d;
  WriteBytes(d.tmp.path() / "values.json",
             R"({"period": "2026-04", "farmers_trained": 300, "women_farmers": 120,
                 "hectares_planted": 150.5, "seed_distributed_kg": 4515, "main_crop": "sorghum",
                 "yield_t_ha": 1.8, "irrigation_schemes": 2,
                 "location": {"lat": 13.51, "lon": 2.11}})");
  WriteBytes(d.tmp.path() / "field.jpg", std::string("\xFF\xD8\xFF sorghum plot", 16));
  auto r = d.Run({"report", "new", "--project", "REG-AGR-003", "--form", "agriculture", "--values",
                  (d.tmp.path() / "values.json").string(), "--attach",
                  "photo=" + (d.tmp.path() / "field.jpg").string(), "--finalize"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  json report = d.Json({"report", "show", r.out.substr(0, 32), "--json"});
  CHECK(report["status"] == "finalized");
  CHECK(report["values"]["photo"].get<std::string>().size() == 64);
  CHECK(report["values"]["seed_per_hectare"].get<double>() == doctest::Approx(30.0));
  json status = d.Json({"status", "--json"});
  CHECK(status["pending_attachments"] == 1);
}

TEST_CASE("--help everywhere; the data folder comes from --data, FIELDSYNC_DATA or XDG_DATA_HOME") {
  TempDir tmp;
  auto top = RunCli({"--help"});
  CHECK(top.exit_code == 0);
  REQUIRE(top.out.find("Commands:") != std::string::npos);
  // Every listed command answers --help without touching any data folder.
  std::istringstream in(top.out.substr(top.out.find("Commands:")));
  std::string line;
  std::getline(in, line);
  int commands = 0;
  while (std::getline(in, line) && !line.empty()) {
    std::string name = line.substr(2, line.find("  ", 2) - 2);
    std::vector<std::string> words;
    std::istringstream w(name);
    for (std::string word; w >> word;) words.push_back(word);
    words.push_back("--help");
    auto h = RunCli(words, {"HOME=" + tmp.str() + "/home"});
    CAPTURE(name);
    CHECK(h.exit_code == 0);
    CHECK(h.out.rfind("Usage: fieldsync-cli " + name, 0) == 0);
    ++commands;
  }
  CHECK(commands >= 7);
  CHECK_FALSE(std::filesystem::exists(tmp.path() / "home"));

  auto env = RunCli({"report", "list", "--json"}, {"FIELDSYNC_DATA=" + tmp.str() + "/env"});
  CHECK(env.exit_code == 0);
  CHECK(std::filesystem::exists(tmp.path() / "env" / "fieldsync.db"));
  auto xdg = RunCli({"status"}, {"XDG_DATA_HOME=" + tmp.str() + "/xdg"});
  CHECK(xdg.exit_code == 0);
  CHECK(std::filesystem::exists(tmp.path() / "xdg" / "fieldsync" / "fieldsync.db"));
  // --data after the command works too.
  auto after = RunCli({"status", "--json", "--data", tmp.str() + "/after"});
  CHECK(after.exit_code == 0);
  CHECK(std::filesystem::exists(tmp.path() / "after" / "fieldsync.db"));
  auto group = RunCli({"report", "--help"});
  CHECK(group.exit_code == 0);
  CHECK(group.out.find("report finalize") != std::string::npos);
  CHECK(group.out.find("projects") == std::string::npos);
  auto bare = RunCli({"report"}, {"HOME=" + tmp.str() + "/home"});
  CHECK(bare.exit_code == 2);
  REQUIRE(bare.ErrLines().size() == 1);
  CHECK(bare.ErrLines()[0] == "fieldsync-cli: 'report' needs a subcommand: new, set, finalize, show, list");
  auto missing = RunCli({});
  CHECK(missing.exit_code == 2);
  CHECK(missing.ErrLines().size() == 1);
}
