// tests/cli/cli_args_test.cpp — the shared argument parser (common/cli_args.h).
#include <doctest/doctest.h>

#include "common/cli_args.h"

using namespace fieldsync;
using namespace fieldsync::cli;

namespace {

CommandSpec ReportNewSpec() {
  CommandSpec s;
  s.name = "report new";
  s.summary = "create a report";
  s.options = {{"--project", "CODE", "the project", false},
               {"--form", "ID", "the form", false},
               {"--set", "NAME=VALUE", "a value", true},
               {"--finalize", "", "finalize", false}};
  return s;
}

}  // namespace

TEST_CASE("options, repeatable options, inline values and flags are parsed") {
  auto r = Parse(ReportNewSpec(), {"--project", "P1", "--set", "a=1", "--form=health", "--set",
                                   "b=-2", "--finalize"});
  REQUIRE(r.ok());
  CHECK(r->Get("--project") == "P1");
  CHECK(r->Get("--form") == "health");
  CHECK(r->GetAll("--set") == std::vector<std::string>{"a=1", "b=-2"});
  CHECK(r->Has("--finalize"));
  CHECK_FALSE(r->Has("--missing"));
  CHECK(r->Get("--missing", "dflt") == "dflt");
  CHECK_FALSE(r->help);
}

TEST_CASE("an unknown option names the command and suggests the closest option") {
  auto r = Parse(ReportNewSpec(), {"--projet", "P1"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kInvalidArgument);
  CHECK(r.status().message() ==
        "unknown option '--projet' for 'report new' (did you mean '--project'?)");
  auto far = Parse(ReportNewSpec(), {"--zzzzzzzz"});
  REQUIRE_FALSE(far.ok());
  CHECK(far.status().message() == "unknown option '--zzzzzzzz' for 'report new'");
}

TEST_CASE("value errors: missing value, value given to a flag, option given twice") {
  auto missing = Parse(ReportNewSpec(), {"--project"});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("needs a value (CODE)") != std::string::npos);
  auto flag = Parse(ReportNewSpec(), {"--finalize=yes"});
  REQUIRE_FALSE(flag.ok());
  CHECK(flag.status().message().find("takes no value") != std::string::npos);
  auto twice = Parse(ReportNewSpec(), {"--project", "A", "--project", "B"});
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.status().message().find("given twice") != std::string::npos);
}

TEST_CASE("positional counts are enforced; -- ends options; negative numbers are positional") {
  CommandSpec set;
  set.name = "report set";
  set.positionals = "ID NAME=VALUE...";
  set.min_positionals = 2;
  set.max_positionals = kUnlimited;
  auto few = Parse(set, {"abc"});
  REQUIRE_FALSE(few.ok());
  CHECK(few.status().message().find("'report set' expects ID NAME=VALUE..., got 1 argument") == 0);
  auto ok = Parse(set, {"abc", "x=1", "--", "--weird=2", "-5"});
  REQUIRE(ok.ok());
  CHECK(ok->positionals == std::vector<std::string>{"abc", "x=1", "--weird=2", "-5"});
  auto neg = Parse(set, {"abc", "-3.5"});
  REQUIRE(neg.ok());
  CHECK(neg->positionals.back() == "-3.5");

  CommandSpec none;
  none.name = "projects";
  auto extra = Parse(none, {"oops"});
  REQUIRE_FALSE(extra.ok());
  CHECK(extra.status().message().find("unexpected argument 'oops' for 'projects'") == 0);
}

TEST_CASE("--help wins over every other check") {
  auto r = Parse(ReportNewSpec(), {"--bogus", "--help"});
  REQUIRE(r.ok());
  CHECK(r->help);
  std::string help = HelpText("fieldsync-cli", ReportNewSpec());
  CHECK(help.find("Usage: fieldsync-cli report new [options]") == 0);
  CHECK(help.find("--set NAME=VALUE...") != std::string::npos);
  CHECK(help.find("--help") != std::string::npos);
}

TEST_CASE("FindCommand takes the longest match and suggests on a typo") {
  CommandSpec projects, report_new, report_list;
  projects.name = "projects";
  report_new.name = "report new";
  report_list.name = "report list";
  std::vector<const CommandSpec*> table = {&projects, &report_new, &report_list};
  size_t used = 0;
  auto a = FindCommand(table, {"report", "new", "--x"}, &used);
  REQUIRE(a.ok());
  CHECK(*a == &report_new);
  CHECK(used == 2);
  auto b = FindCommand(table, {"projects", "--json"}, &used);
  REQUIRE(b.ok());
  CHECK(*b == &projects);
  CHECK(used == 1);
  auto typo = FindCommand(table, {"report", "nwe"}, &used);
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.status().message() == "unknown command 'report nwe' (did you mean 'report new'?)");
  auto bare = FindCommand(table, {"report"}, &used);
  REQUIRE_FALSE(bare.ok());
  CHECK(bare.status().message() == "'report' needs a subcommand: new, list");
  auto unknown = FindCommand(table, {"projcts"}, &used);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message() == "unknown command 'projcts' (did you mean 'projects'?)");
}

TEST_CASE("CloseMatches ranks by edit distance and accepts prefixes") {
  CHECK(EditDistance("kitten", "sitting") == 3);
  CHECK(EditDistance("", "abc") == 3);
  std::vector<std::string> fields = {"hiv_tested", "hiv_positive", "malaria_cases", "period"};
  auto m = CloseMatches("hiv_testd", fields);
  REQUIRE_FALSE(m.empty());
  CHECK(m[0] == "hiv_tested");
  auto p = CloseMatches("hiv", fields);
  CHECK(p.size() == 2);
  CHECK(CloseMatches("zzzzzz", fields).empty());
}
