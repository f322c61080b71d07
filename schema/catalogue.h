// schema/catalogue.h — the Marrakech Framework of Implementation (2003)
// measures, the sectors, and the project model of the project registry.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace fieldsync::schema {

// One of the 50 numbered measures of the Framework of Implementation.
struct Measure {
  int number;               // 1..50
  std::string_view area;    // the Framework's heading the measure sits under
  std::string_view title;   // a short title (a few words) of the measure
};
const std::vector<Measure>& FrameworkMeasures();  // ordered 1..50
const Measure* FindMeasure(int number);

// Sectors: health, education, agriculture, water, ict, trade, finance,
// environment, energy, governance (stable lowercase codes).
const std::vector<std::string_view>& Sectors();
bool IsSector(std::string_view code);

enum class Modality { kBilateral, kTriangular, kRegional };
std::string_view ModalityName(Modality m);
bool ParseModality(std::string_view name, Modality* out);

struct Project {
  std::string code;    // unique, e.g. "SSC-HLT-001"
  std::string title;
  std::string sector;  // one of Sectors()
  std::vector<int> measures;  // Framework measure numbers, 1..50
  Modality modality = Modality::kBilateral;
  std::vector<std::string> providers;      // ISO 3166 alpha-3, upper case
  std::vector<std::string> beneficiaries;  // ISO 3166 alpha-3, upper case
  std::string funding_partner;             // triangular only; may be empty
  std::string agency;                      // implementing agency
  std::string region;                      // HQ's region for access control
  bool ldc = false, lldc = false, sids = false;
};

// JSON form: {"code","title","sector","measures":[..],"modality","providers":[..],
// "beneficiaries":[..],"funding_partner","agency","region","ldc","lldc","sids"}.
nlohmann::json ProjectToJson(const Project& p);
// Checks every field (known sector, measures in 1..50, 3-letter upper-case
// country codes, funding partner only for triangular); errors name the field.
Result<Project> ProjectFromJson(const nlohmann::json& j);

// The project registry as CSV (header row required; columns in any order):
// code,title,sector,measures,modality,providers,beneficiaries,funding_partner,
// agency,region,ldc,lldc,sids — lists separated by ';', flags as 0/1/true/false.
// Errors name the line and the column: "line 7, column 'measures': 51 is not a
// Framework measure (1-50)". All or nothing: one bad row fails the whole file.
Result<std::vector<Project>> ParseProjectsCsv(std::string_view csv_text);

// A small demo registry (a few projects per shipped sector) seeded on a new
// device until sync brings HQ's.
const std::vector<Project>& DemoProjects();

}  // namespace fieldsync::schema
