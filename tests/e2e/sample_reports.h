// tests/e2e/sample_reports.h — realistic report values for the shipped forms
// (health, education, agriculture v1), for end-to-end tests and bench/.
//
// Values satisfy each form's constraints (counts below their totals, relevant
// fields only for the programmes chosen) and look like what officers type:
// round-ish counts, a GPS fix with six decimals, a narrative of a few
// sentences drawn from a phrase bank with numbers and place names mixed in.
// Deterministic for a given generator state.
#pragma once

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace fieldsync::testing {

struct SampleProject {
  const char* code;
  const char* form_id;
};

// Projects of the demo registry in region "west-africa", one form each.
inline const std::vector<SampleProject>& WestAfricaProjects() {
  static const std::vector<SampleProject> p = {
      {"TRI-HLT-002", "health"},      {"TRI-EDU-002", "education"},
      {"REG-AGR-003", "agriculture"}, {"TRI-AGR-001", "agriculture"},
      {"SSC-AGR-002", "agriculture"},
  };
  return p;
}

class SampleReports {
 public:
  explicit SampleReports(uint32_t seed) : rng_(seed) {}

  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  double Real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Int(0, static_cast<int>(v.size()) - 1))];
  }

  std::string Period() {
    int m = Int(1, 10);
    return std::string("2026-") + (m < 10 ? "0" : "") + std::to_string(m);
  }
  nlohmann::json Location() {
    auto six = [](double x) { return std::round(x * 1e6) / 1e6; };
    return {{"lat", six(Real(4.5, 15.0))}, {"lon", six(Real(-17.0, 3.5))}};
  }
  std::string Narrative(const std::string& sector) {
    static const std::vector<std::string> places = {
        "Kaya",           "Dori",       "Tillabéri", "Mopti",  "Ségou",
        "Tamale",         "Bolgatanga", "Kayes",     "Zinder", "Maradi",
        "Bobo-Dioulasso", "Koutiala",   "Sikasso",   "Wa",     "Kédougou"};
    static const std::vector<std::string> health = {
        "Community health workers visited {n} households in {p}.",
        "The mobile clinic reached {p} twice this month despite flooded roads.",
        "Rapid diagnostic tests ran short in the second week; a resupply arrived from {p}.",
        "Night-time outreach for bednet use was organised with the women's association of {p}.",
        "Two nurses completed the refresher course on paediatric antiretroviral dosing.",
        "Defaulter tracing brought {n} patients back into care.",
        "The district pharmacy in {p} reported late deliveries of first-line drugs.",
        "Screening was extended to the weekly market, where {n} people were seen.",
        "Cold chain breakdown for three days; vaccines were moved to {p}.",
        "Village volunteers received new registers and bicycles.",
        "Referral of severe malaria cases to {p} took on average {n} hours."};
    static const std::vector<std::string> education = {
        "Radio lessons were broadcast every evening and followed by {n} learners in {p}.",
        "Attendance dropped during the harvest; classes moved to the early morning.",
        "Facilitators in {p} received the revised reading primers.",
        "The school management committee of {p} repaired two classrooms.",
        "{n} girls received scholarships to continue to lower secondary school.",
        "Exam results improved in numeracy but reading fluency remains low.",
        "A teacher exchange with {p} covered multigrade classroom techniques.",
        "Solar lamps allowed adult literacy sessions after dark for {n} women.",
        "Learning materials were translated into the local language in {p}.",
        "Two facilitators left for the city; replacements are being trained."};
    static const std::vector<std::string> agriculture = {
        "Farmer field schools in {p} demonstrated zai pits and half-moons on {n} plots.",
        "Improved seed was distributed before the first rains in {p}.",
        "The irrigation scheme near {p} was rehabilitated with the water users' association.",
        "Fall armyworm was reported on {n} hectares; farmers were trained in scouting.",
        "Women's groups in {p} started a seed bank for drought-tolerant millet.",
        "Rains came late; sowing was delayed by three weeks in {p}.",
        "Extension agents held {n} field days on compost and crop rotation.",
        "The cassava processing unit in {p} began operating two shifts.",
        "Yield estimates come from crop cuts on {n} sample plots.",
        "Market prices for maize fell after the harvest; storage training is planned."};
    const auto& bank = sector == "health"      ? health
                       : sector == "education" ? education
                                               : agriculture;
    std::string text;
    int sentences = Int(2, 5);
    for (int i = 0; i < sentences; ++i) {
      std::string s = Pick(bank);
      for (size_t pos; (pos = s.find("{p}")) != std::string::npos;) s.replace(pos, 3, Pick(places));
      for (size_t pos; (pos = s.find("{n}")) != std::string::npos;)
        s.replace(pos, 3, std::to_string(Int(2, 400)));
      text += (i ? " " : "") + s;
    }
    return text;
  }

  // Values for a report of `form_id` ("health", "education", "agriculture").
  nlohmann::json Values(const std::string& form_id) {
    nlohmann::json v = {{"period", Period()}, {"narrative", Narrative(form_id)}};
    if (Int(0, 9) < 8) v["location"] = Location();
    if (form_id == "health") {
      std::vector<std::string> programmes;
      for (const char* p : {"hiv", "malaria", "tb"})
        if (Int(0, 2) > 0) programmes.push_back(p);
      if (programmes.empty()) programmes.push_back("malaria");
      v["programme"] = programmes;
      auto has = [&](const char* p) {
        return std::find(programmes.begin(), programmes.end(), p) != programmes.end();
      };
      if (has("hiv")) {
        int tested = Int(20, 3000), positive = Int(0, tested / 10);
        v["hiv_tested"] = tested;
        v["hiv_positive"] = positive;
        v["hiv_treatment"] = Int(positive * 7 / 10, positive);
      }
      if (has("malaria")) {
        int tested = Int(50, 20000), positive = Int(tested / 10, tested / 2);
        v["malaria_tested"] = tested;
        v["malaria_positive"] = positive;
        v["malaria_treated"] = Int(positive * 8 / 10, positive);
        v["bednets_distributed"] = Int(0, 40) * 50;
      }
      if (has("tb")) {
        int screened = Int(10, 2000), confirmed = Int(0, screened / 20);
        v["tb_screened"] = screened;
        v["tb_confirmed"] = confirmed;
        v["tb_treatment"] = Int(confirmed * 3 / 4, confirmed);
      }
      bool stockout = Int(0, 3) == 0;
      v["stockout"] = stockout ? "yes" : "no";
      if (stockout) v["stockout_days"] = Int(1, 20);
      v["staff_deployed"] = Int(1, 40);
    } else if (form_id == "education") {
      int enrolled = Int(20, 1500);
      v["classes_held"] = Int(10, 300);
      v["learners_enrolled"] = enrolled;
      v["learners_completed"] = Int(enrolled / 2, enrolled);
      v["women_enrolled"] = Int(enrolled / 3, enrolled * 2 / 3);
      v["teachers_trained"] = Int(0, 60);
      v["scholarships_awarded"] = Int(0, 40);
    } else {
      static const std::vector<std::string> crops = {"maize",   "rice",  "sorghum", "millet",
                                                     "cassava", "beans", "wheat",   "other"};
      int farmers = Int(10, 2500);
      v["farmers_trained"] = farmers;
      v["women_farmers"] = Int(farmers / 4, farmers * 3 / 4);
      v["hectares_planted"] = std::round(Real(5, 1500) * 10) / 10;
      v["seed_distributed_kg"] = Int(1, 400) * 25;
      std::string crop = Pick(crops);
      v["main_crop"] = crop;
      if (crop == "other") v["main_crop_other"] = Int(0, 1) ? "groundnut" : "cowpea";
      v["yield_t_ha"] = std::round(Real(0.4, 6.0) * 100) / 100;
      v["irrigation_schemes"] = Int(0, 12);
    }
    return v;
  }

 private:
  std::mt19937 rng_;
};

}  // namespace fieldsync::testing
