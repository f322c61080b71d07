// tests/schema/catalogue_test.cpp — Framework measures, sectors, modality,
// and the project model in JSON and CSV.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>

#include "schema/catalogue.h"

using namespace fieldsync::schema;
using nlohmann::json;

namespace {

json GoodProject() {
  return {{"code", "TRI-AGR-001"},
          {"title", "Rice intensification"},
          {"sector", "agriculture"},
          {"measures", {13, 36}},
          {"modality", "triangular"},
          {"providers", {"VNM"}},
          {"beneficiaries", {"SEN"}},
          {"funding_partner", "FAO"},
          {"agency", "ISRA"},
          {"region", "west-africa"},
          {"ldc", true},
          {"lldc", false},
          {"sids", false}};
}

std::string JsonError(const json& j) {
  auto p = ProjectFromJson(j);
  REQUIRE_MESSAGE(!p.ok(), j.dump());
  return p.status().message();
}

std::string CsvError(std::string_view csv) {
  auto p = ParseProjectsCsv(csv);
  REQUIRE_MESSAGE(!p.ok(), csv);
  return p.status().message();
}

const char* kHeader =
    "code,title,sector,measures,modality,providers,beneficiaries,funding_partner,agency,region,ldc,"
    "lldc,sids\n";

}  // namespace

TEST_CASE("the 50 Framework measures, in order, each with a title and an area") {
  const auto& all = FrameworkMeasures();
  REQUIRE(all.size() == 50);
  std::set<std::string_view> titles;
  for (int n = 1; n <= 50; ++n) {
    const Measure& m = all[static_cast<size_t>(n - 1)];
    CHECK(m.number == n);
    CHECK_FALSE(m.title.empty());
    CHECK(m.title.size() < 70);  // a few words, for menus
    CHECK_FALSE(m.area.empty());
    titles.insert(m.title);
    CHECK(FindMeasure(n) == &m);
  }
  CHECK(titles.size() == 50);
  CHECK(FindMeasure(0) == nullptr);
  CHECK(FindMeasure(51) == nullptr);
  // Spot checks against the text of the Framework.
  CHECK(FindMeasure(3)->title.find("iteracy") != std::string_view::npos);
  CHECK(FindMeasure(13)->area == "Food and agriculture");
  CHECK(FindMeasure(16)->title.find("HIV") != std::string_view::npos);
  CHECK(FindMeasure(16)->area == "Health");
  CHECK(FindMeasure(41)->area == "Water");
}

TEST_CASE("sectors and modalities") {
  CHECK(Sectors().size() == 10);
  for (auto s : {"health", "education", "agriculture", "water", "ict", "trade", "finance",
                 "environment", "energy", "governance"})
    CHECK(IsSector(s));
  CHECK_FALSE(IsSector("Health"));
  CHECK_FALSE(IsSector(""));
  for (Modality m : {Modality::kBilateral, Modality::kTriangular, Modality::kRegional}) {
    Modality back;
    REQUIRE(ParseModality(ModalityName(m), &back));
    CHECK(back == m);
  }
  Modality m;
  CHECK_FALSE(ParseModality("multilateral", &m));
}

TEST_CASE("project JSON round-trips") {
  auto p = ProjectFromJson(GoodProject());
  REQUIRE_MESSAGE(p.ok(), p.status().message());
  CHECK(p->code == "TRI-AGR-001");
  CHECK(p->measures == std::vector<int>{13, 36});
  CHECK(p->modality == Modality::kTriangular);
  CHECK(p->ldc);
  CHECK(ProjectToJson(p.value()) == GoodProject());
  // Optional fields may be left out.
  json minimal = {{"code", "X-1"}, {"title", "T"}, {"sector", "water"}, {"providers", {"BRA"}},
                  {"beneficiaries", {"PRY"}}};
  auto m = ProjectFromJson(minimal);
  REQUIRE_MESSAGE(m.ok(), m.status().message());
  CHECK(m->modality == Modality::kBilateral);
  CHECK(m->measures.empty());
}

TEST_CASE("project JSON errors name the field") {
  json j = GoodProject();
  j["measures"] = {13, 51};
  CHECK(JsonError(j) == "project 'TRI-AGR-001' field 'measures': 51 is not a Framework measure (1-50)");
  j = GoodProject();
  j["sector"] = "mining";
  CHECK(JsonError(j).rfind("project 'TRI-AGR-001' field 'sector': 'mining' is not a sector", 0) == 0);
  j = GoodProject();
  j["providers"] = {"vnm"};
  CHECK(JsonError(j) ==
        "project 'TRI-AGR-001' field 'providers': 'vnm' is not an ISO 3166 alpha-3 code (e.g. BRA)");
  j = GoodProject();
  j["beneficiaries"] = json::array();
  CHECK(JsonError(j).find("field 'beneficiaries'") != std::string::npos);
  j = GoodProject();
  j["modality"] = "bilateral";
  CHECK(JsonError(j) == "project 'TRI-AGR-001' field 'funding_partner': only triangular projects have "
                        "a funding partner (modality is bilateral)");
  j = GoodProject();
  j["ldc"] = "yes";
  CHECK(JsonError(j) == "project 'TRI-AGR-001' field 'ldc': must be true or false");
  j = GoodProject();
  j.erase("title");
  CHECK(JsonError(j) == "project 'TRI-AGR-001' field 'title': is missing");
  j = GoodProject();
  j["measures"] = {13, 13};
  CHECK(JsonError(j).find("13 is listed more than once") != std::string::npos);
  j = GoodProject();
  j["measures"] = "13";
  CHECK(JsonError(j).find("field 'measures'") != std::string::npos);
  j = GoodProject();
  j["code"] = "has space";
  CHECK(JsonError(j).find("field 'code'") != std::string::npos);
  CHECK(JsonError(json::array()) == "project: must be a JSON object");
}

TEST_CASE("CSV: header in any order, RFC 4180 quoting, lists and flags") {
  std::string csv =
      "sector,code,title,measures,modality,providers,beneficiaries,ldc,lldc,sids,funding_partner\r\n"
      "health,SSC-HLT-001,\"Antiretroviral therapy, provincial hospitals\",16;18,bilateral,BRA,MOZ,1,0,0,\r\n"
      "agriculture,TRI-AGR-001,\"Rice \"\"SRI\"\" intensification\nphase 2\",13,triangular,vnm,SEN; MLI,"
      "true,TRUE,false,FAO\r\n"
      "\r\n";
  auto projects = ParseProjectsCsv(csv);
  REQUIRE_MESSAGE(projects.ok(), projects.status().message());
  REQUIRE(projects->size() == 2);
  const Project& a = projects->at(0);
  CHECK(a.code == "SSC-HLT-001");
  CHECK(a.title == "Antiretroviral therapy, provincial hospitals");
  CHECK(a.measures == std::vector<int>{16, 18});
  CHECK(a.ldc);
  CHECK_FALSE(a.lldc);
  CHECK(a.agency.empty());  // column absent
  const Project& b = projects->at(1);
  CHECK(b.title == "Rice \"SRI\" intensification\nphase 2");
  CHECK(b.providers == std::vector<std::string>{"VNM"});  // upper-cased
  CHECK(b.beneficiaries == std::vector<std::string>{"SEN", "MLI"});
  CHECK(b.modality == Modality::kTriangular);
  CHECK(b.funding_partner == "FAO");
  CHECK(b.lldc);

  // A header alone is an empty registry.
  auto empty = ParseProjectsCsv(kHeader);
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

TEST_CASE("CSV errors name the line and the column; one bad row fails the file") {
  std::string good_row = "P-1,Title,health,16,bilateral,BRA,MOZ,,Agency,east-africa,1,0,0\n";
  CHECK(ParseProjectsCsv(std::string(kHeader) + good_row).ok());

  std::string rows = std::string(kHeader) + good_row + "P-2,Title,health,16,bilateral,BRA,MOZ,,A,r,0,0,0\n" +
                     "P-3,Title,health,16;51,bilateral,BRA,MOZ,,A,r,0,0,0\n";
  CHECK(CsvError(rows) == "line 4, column 'measures': 51 is not a Framework measure (1-50)");

  CHECK(CsvError(std::string(kHeader) + "P-1,T,health,x,bilateral,BRA,MOZ,,A,r,0,0,0\n") ==
        "line 2, column 'measures': 'x' is not a Framework measure number (1-50)");
  CHECK(CsvError(std::string(kHeader) + "P-1,T,health,16,solo,BRA,MOZ,,A,r,0,0,0\n") ==
        "line 2, column 'modality': 'solo' is not bilateral, triangular or regional");
  CHECK(CsvError(std::string(kHeader) + "P-1,T,health,16,bilateral,BRAZ,MOZ,,A,r,0,0,0\n") ==
        "line 2, column 'providers': 'BRAZ' is not an ISO 3166 alpha-3 code (e.g. BRA)");
  CHECK(CsvError(std::string(kHeader) + "P-1,T,health,16,bilateral,BRA,MOZ,,A,r,2,0,0\n") ==
        "line 2, column 'ldc': '2' is not 0, 1, true or false");
  CHECK(CsvError(std::string(kHeader) + "P-1,T,health,16,bilateral,BRA,MOZ,FAO,A,r,0,0,0\n")
            .rfind("line 2, column 'funding_partner': only triangular", 0) == 0);
  CHECK(CsvError(std::string(kHeader) + good_row + good_row) ==
        "line 3, column 'code': project 'P-1' already appears on line 2");
  CHECK(CsvError(std::string(kHeader) + "P-1,T,health\n") ==
        "line 2: expected 13 fields like the header, found 3");
  // A quoted field spanning lines moves the line count on.
  CHECK(CsvError(std::string(kHeader) + "P-1,\"two\nlines\",health,16,bilateral,BRA,MOZ,,A,r,0,0,0\n" +
                 "P-2,T,nowhere,16,bilateral,BRA,MOZ,,A,r,0,0,0\n")
            .rfind("line 4, column 'sector': 'nowhere' is not a sector", 0) == 0);
  CHECK(CsvError(std::string(kHeader) + "P-1,\"never closed,health\n") ==
        "line 2: a quoted field is never closed");
  CHECK(CsvError(std::string(kHeader) + "P-1,a\"b,health,16,bilateral,BRA,MOZ,,A,r,0,0,0\n")
            .rfind("line 2, field 2: a quote inside an unquoted field", 0) == 0);
  CHECK(CsvError(std::string(kHeader) + "P-1,\"a\"b,health,16,bilateral,BRA,MOZ,,A,r,0,0,0\n") ==
        "line 2, field 2: unexpected text after a closing quote");
  CHECK(CsvError("code,title,sector,measures,modality,providers,colour\n") ==
        "line 1: unknown column 'colour'");
  CHECK(CsvError("code,title,sector,measures,modality,providers\n") ==
        "line 1: column 'beneficiaries' is missing from the header");
  CHECK(CsvError("code,code,title\n") == "line 1: column 'code' appears twice");
  CHECK(CsvError("") == "line 1: the header row is missing");
}

TEST_CASE("demo projects: several per shipped sector, all valid, unique codes") {
  const auto& demo = DemoProjects();
  std::set<std::string> codes, regions;
  std::map<std::string, int> per_sector;
  bool triangular_seen = false;
  for (const Project& p : demo) {
    auto back = ProjectFromJson(ProjectToJson(p));
    REQUIRE_MESSAGE(back.ok(), back.status().message());
    CHECK(ProjectToJson(back.value()) == ProjectToJson(p));
    CHECK(codes.insert(p.code).second);
    CHECK_FALSE(p.measures.empty());
    CHECK_FALSE(p.region.empty());
    regions.insert(p.region);
    ++per_sector[p.sector];
    if (p.modality == Modality::kTriangular) {
      triangular_seen = true;
      CHECK_FALSE(p.funding_partner.empty());
    }
  }
  for (auto sector : {"health", "education", "agriculture"}) CHECK(per_sector[sector] >= 3);
  CHECK(triangular_seen);
  for (auto region : {"west-africa", "east-africa", "south-asia", "latin-america"})
    CHECK(regions.count(region) == 1);
}
