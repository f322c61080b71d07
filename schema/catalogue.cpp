// schema/catalogue.cpp — the 50 measures of the Marrakech Framework of
// Implementation, the sector codes, and the project model: JSON, CSV import,
// and a demo registry.
//
// The Framework lists its measures without headings; the areas below group
// them by the priority areas the Declaration names (paragraph 30: trade and
// investment, food and agriculture, water, health, education, ICT, regional
// cooperation) and by the remaining themes of the text (debt and finance, the
// LDCs, LLDCs and SIDS, the institutions of follow-up). Titles are short
// summaries written for menus and filters, not quotations.
#include "schema/catalogue.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace fieldsync::schema {

using nlohmann::json;

namespace {

constexpr std::string_view kTrade = "Trade, investment and enterprise";
constexpr std::string_view kInfra = "Infrastructure and transport";
constexpr std::string_view kEducation = "Education, science and technology";
constexpr std::string_view kIct = "Information and communication technology";
constexpr std::string_view kFood = "Food and agriculture";
constexpr std::string_view kHealth = "Health";
constexpr std::string_view kSocial = "Social development";
constexpr std::string_view kFinance = "Finance and debt";
constexpr std::string_view kWater = "Water";
constexpr std::string_view kEnvironment = "Environment and natural resources";
constexpr std::string_view kCooperation = "Regional and triangular cooperation";
constexpr std::string_view kVulnerable = "LDCs, landlocked and small island developing states";
constexpr std::string_view kInstitutions = "Institutions and follow-up";

}  // namespace

const std::vector<Measure>& FrameworkMeasures() {
  static const std::vector<Measure> measures = {
      {1, kTrade, "Study of South-South business joint ventures"},
      {2, kEducation, "Network of Southern universities and research institutes"},
      {3, kEducation, "Literacy and basic education projects"},
      {4, kIct, "Digital Solidarity Fund"},
      {5, kTrade, "Joint positions in trade negotiations"},
      {6, kTrade, "Cross-border movement of service suppliers"},
      {7, kTrade, "UNCTAD policy analysis and development benchmarks"},
      {8, kTrade, "Investment promotion among developing countries"},
      {9, kInfra, "G-77 conference on physical infrastructure"},
      {10, kTrade, "Revitalising trade preferences (GSTP)"},
      {11, kTrade, "Market access for Southern products"},
      {12, kTrade, "Support for WTO accession"},
      {13, kFood, "Agricultural productivity and food security (SPFS)"},
      {14, kFood, "Joint action on commodities"},
      {15, kFood, "International seminar on food security"},
      {16, kHealth, "Combating HIV/AIDS, malaria and tuberculosis"},
      {17, kHealth, "TRIPS flexibilities and access to medicines"},
      {18, kHealth, "International support against HIV/AIDS"},
      {19, kHealth, "South-South healthcare delivery and medical staff"},
      {20, kTrade, "Training platform for trade and development"},
      {21, kSocial, "Programmes for women and children"},
      {22, kIct, "E-tourism for developing countries"},
      {23, kFinance, "Cooperation on debt management"},
      {24, kSocial, "Joint efforts against extreme poverty"},
      {25, kInstitutions, "Joint programmes with the Special Unit and UNDP"},
      {26, kWater, "Water forum and sharing of know-how"},
      {27, kInstitutions, "Strengthening the Special Unit for South-South Cooperation"},
      {28, kCooperation, "Consultation among regional groupings"},
      {29, kCooperation, "Triangular cooperation with business and civil society"},
      {30, kEnvironment, "Combating desertification across continents"},
      {31, kInstitutions, "UN High-level Committee on South-South Cooperation"},
      {32, kCooperation, "Regional cooperation of national TCDC units"},
      {33, kInstitutions, "WIDE databank of experiences and partners"},
      {34, kVulnerable, "Debt cancellation for LDCs"},
      {35, kVulnerable, "Market access for LDC exports"},
      {36, kVulnerable, "Capacity-building projects for LDCs"},
      {37, kVulnerable, "Landlocked and transit countries (Almaty)"},
      {38, kVulnerable, "Small island developing states (Barbados)"},
      {39, kVulnerable, "Reconstruction of post-conflict countries"},
      {40, kEnvironment, "Traditional knowledge and genetic resources"},
      {41, kWater, "Sustainable water management know-how"},
      {42, kInstitutions, "International Forum on Development (Doha)"},
      {43, kInstitutions, "Consultations on UN events and emerging issues"},
      {44, kFinance, "Resources of the Perez-Guerrero Trust Fund"},
      {45, kInstitutions, "Capacity of the G-77 Secretariat"},
      {46, kInstitutions, "South Centre as a Southern think-tank"},
      {47, kInstitutions, "Contributions to the G-77 Special Fund"},
      {48, kFinance, "Study of a G-77 trade and development bank"},
      {49, kInstitutions, "G-77 and NAM coordination"},
      {50, kInstitutions, "Follow-up group on South-South cooperation"},
  };
  return measures;
}

const Measure* FindMeasure(int number) {
  const auto& all = FrameworkMeasures();
  if (number < 1 || number > static_cast<int>(all.size())) return nullptr;
  return &all[static_cast<size_t>(number - 1)];
}

const std::vector<std::string_view>& Sectors() {
  static const std::vector<std::string_view> sectors = {
      "health", "education", "agriculture", "water",  "ict",
      "trade",  "finance",   "environment", "energy", "governance"};
  return sectors;
}

bool IsSector(std::string_view code) {
  const auto& s = Sectors();
  return std::find(s.begin(), s.end(), code) != s.end();
}

std::string_view ModalityName(Modality m) {
  switch (m) {
    case Modality::kBilateral: return "bilateral";
    case Modality::kTriangular: return "triangular";
    case Modality::kRegional: return "regional";
  }
  return "bilateral";
}

bool ParseModality(std::string_view name, Modality* out) {
  for (Modality m : {Modality::kBilateral, Modality::kTriangular, Modality::kRegional}) {
    if (ModalityName(m) == name) {
      *out = m;
      return true;
    }
  }
  return false;
}

namespace {

// A problem with one field of a project: which field, and what is wrong.
struct FieldProblem {
  std::string field;
  std::string message;
};

bool IsCountryCode(std::string_view s) {
  return s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::string Quoted(std::string_view s) {
  if (s.size() > 60) return "'" + std::string(s.substr(0, 60)) + "...'";
  return "'" + std::string(s) + "'";
}

std::string SectorList() {
  std::string s;
  for (auto sector : Sectors()) {
    if (!s.empty()) s += ", ";
    s += sector;
  }
  return s;
}

// Every rule of the project model, shared by the JSON and CSV readers.
std::optional<FieldProblem> CheckProject(const Project& p) {
  if (p.code.empty() || p.code.size() > 64 ||
      !std::all_of(p.code.begin(), p.code.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.' || c == '/';
      }))
    return FieldProblem{"code", "must be 1-64 letters, digits or - _ . / (got " + Quoted(p.code) + ")"};
  if (p.title.empty()) return FieldProblem{"title", "must not be empty"};
  if (!IsSector(p.sector))
    return FieldProblem{"sector", Quoted(p.sector) + " is not a sector (" + SectorList() + ")"};
  std::set<int> seen;
  for (int m : p.measures) {
    if (!FindMeasure(m))
      return FieldProblem{"measures", std::to_string(m) + " is not a Framework measure (1-50)"};
    if (!seen.insert(m).second)
      return FieldProblem{"measures", std::to_string(m) + " is listed more than once"};
  }
  auto countries = [](const std::vector<std::string>& list, const char* field)
      -> std::optional<FieldProblem> {
    if (list.empty()) return FieldProblem{field, "needs at least one country (ISO 3166 alpha-3)"};
    for (const auto& c : list)
      if (!IsCountryCode(c))
        return FieldProblem{field, Quoted(c) + " is not an ISO 3166 alpha-3 code (e.g. BRA)"};
    return std::nullopt;
  };
  if (auto bad = countries(p.providers, "providers")) return bad;
  if (auto bad = countries(p.beneficiaries, "beneficiaries")) return bad;
  if (!p.funding_partner.empty() && p.modality != Modality::kTriangular)
    return FieldProblem{"funding_partner", "only triangular projects have a funding partner (modality is " +
                                               std::string(ModalityName(p.modality)) + ")"};
  return std::nullopt;
}

// ---------------------------------------------------------------- JSON

Status FromJsonFields(const json& j, Project* p, FieldProblem* problem) {
  auto fail = [&](std::string field, std::string message) {
    *problem = {std::move(field), std::move(message)};
    return Status::InvalidArgument("");
  };
  auto str = [&](const char* key, std::string* out, bool required) -> Status {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return required ? fail(key, "is missing") : Status::Ok();
    if (!it->is_string()) return fail(key, "must be a string");
    *out = it->get<std::string>();
    return Status::Ok();
  };
  auto strings = [&](const char* key, std::vector<std::string>* out) -> Status {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return Status::Ok();
    if (!it->is_array()) return fail(key, "must be an array of strings");
    for (const auto& e : *it) {
      if (!e.is_string()) return fail(key, "must be an array of strings");
      out->push_back(e.get<std::string>());
    }
    return Status::Ok();
  };
  auto flag = [&](const char* key, bool* out) -> Status {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return Status::Ok();
    if (!it->is_boolean()) return fail(key, "must be true or false");
    *out = it->get<bool>();
    return Status::Ok();
  };
  FS_RETURN_IF_ERROR(str("code", &p->code, true));
  FS_RETURN_IF_ERROR(str("title", &p->title, true));
  FS_RETURN_IF_ERROR(str("sector", &p->sector, true));
  if (auto it = j.find("measures"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return fail("measures", "must be an array of measure numbers");
    for (const auto& e : *it) {
      if (!e.is_number_integer() || e.get<int64_t>() < -1000000 || e.get<int64_t>() > 1000000)
        return fail("measures", "must be an array of measure numbers (1-50)");
      p->measures.push_back(static_cast<int>(e.get<int64_t>()));
    }
  }
  std::string modality = "bilateral";
  FS_RETURN_IF_ERROR(str("modality", &modality, false));
  if (!ParseModality(modality, &p->modality))
    return fail("modality", Quoted(modality) + " is not bilateral, triangular or regional");
  FS_RETURN_IF_ERROR(strings("providers", &p->providers));
  FS_RETURN_IF_ERROR(strings("beneficiaries", &p->beneficiaries));
  FS_RETURN_IF_ERROR(str("funding_partner", &p->funding_partner, false));
  FS_RETURN_IF_ERROR(str("agency", &p->agency, false));
  FS_RETURN_IF_ERROR(str("region", &p->region, false));
  FS_RETURN_IF_ERROR(flag("ldc", &p->ldc));
  FS_RETURN_IF_ERROR(flag("lldc", &p->lldc));
  FS_RETURN_IF_ERROR(flag("sids", &p->sids));
  return Status::Ok();
}

// ---------------------------------------------------------------- CSV

// One record of an RFC 4180 file: its fields and the line it starts on.
struct CsvRecord {
  std::vector<std::string> fields;
  size_t line = 0;
};

Result<std::vector<CsvRecord>> SplitCsv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
  std::vector<CsvRecord> records;
  size_t i = 0, line = 1;
  while (i < text.size()) {
    CsvRecord rec;
    rec.line = line;
    bool end_of_record = false;
    while (!end_of_record) {
      std::string field;
      if (i < text.size() && text[i] == '"') {
        size_t open_line = line;
        ++i;
        while (true) {
          if (i >= text.size())
            return Status::InvalidArgument("line " + std::to_string(open_line) +
                                           ": a quoted field is never closed");
          char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              field += '"';
              ++i;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          field += c;
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
          return Status::InvalidArgument("line " + std::to_string(line) + ", field " +
                                         std::to_string(rec.fields.size() + 1) +
                                         ": unexpected text after a closing quote");
      } else {
        while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (text[i] == '"')
            return Status::InvalidArgument("line " + std::to_string(line) + ", field " +
                                           std::to_string(rec.fields.size() + 1) +
                                           ": a quote inside an unquoted field (quote the whole field and "
                                           "double the quote)");
          field += text[i++];
        }
      }
      rec.fields.push_back(std::move(field));
      if (i >= text.size()) {
        end_of_record = true;
      } else if (text[i] == ',') {
        ++i;
      } else {  // \n, \r\n or a lone \r
        if (text[i] == '\r') ++i;
        if (i < text.size() && text[i] == '\n') ++i;
        ++line;
        end_of_record = true;
      }
    }
    bool blank = rec.fields.size() == 1 && rec.fields[0].empty();
    if (!blank) records.push_back(std::move(rec));
  }
  return records;
}

std::string Trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::string Lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}
std::string Upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  size_t b = 0;
  while (b <= s.size()) {
    size_t e = s.find(';', b);
    if (e == std::string_view::npos) e = s.size();
    std::string item = Trimmed(s.substr(b, e - b));
    if (!item.empty()) out.push_back(std::move(item));
    b = e + 1;
  }
  return out;
}

constexpr std::string_view kCsvColumns[] = {
    "code", "title", "sector", "measures", "modality", "providers", "beneficiaries",
    "funding_partner", "agency", "region", "ldc", "lldc", "sids"};
constexpr std::string_view kRequiredCsvColumns[] = {"code",      "title",     "sector",
                                                    "measures",  "modality",  "providers",
                                                    "beneficiaries"};

}  // namespace

json ProjectToJson(const Project& p) {
  return {{"code", p.code},
          {"title", p.title},
          {"sector", p.sector},
          {"measures", p.measures},
          {"modality", std::string(ModalityName(p.modality))},
          {"providers", p.providers},
          {"beneficiaries", p.beneficiaries},
          {"funding_partner", p.funding_partner},
          {"agency", p.agency},
          {"region", p.region},
          {"ldc", p.ldc},
          {"lldc", p.lldc},
          {"sids", p.sids}};
}

Result<Project> ProjectFromJson(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("project: must be a JSON object");
  Project p;
  FieldProblem problem;
  std::string who = "project";
  if (auto c = j.find("code"); c != j.end() && c->is_string())
    who += " " + Quoted(c->get<std::string>());
  if (!FromJsonFields(j, &p, &problem).ok())
    return Status::InvalidArgument(who + " field '" + problem.field + "': " + problem.message);
  if (auto bad = CheckProject(p))
    return Status::InvalidArgument(who + " field '" + bad->field + "': " + bad->message);
  return p;
}

Result<std::vector<Project>> ParseProjectsCsv(std::string_view csv_text) {
  auto split = SplitCsv(csv_text);
  if (!split.ok()) return split.status();
  const auto& records = split.value();
  if (records.empty()) return Status::InvalidArgument("line 1: the header row is missing");

  // Header: column name → position, in any order.
  const CsvRecord& header = records[0];
  std::vector<int> column_of(std::size(kCsvColumns), -1);
  for (size_t c = 0; c < header.fields.size(); ++c) {
    std::string name = Lower(Trimmed(header.fields[c]));
    auto known = std::find(std::begin(kCsvColumns), std::end(kCsvColumns), name);
    if (known == std::end(kCsvColumns))
      return Status::InvalidArgument("line " + std::to_string(header.line) + ": unknown column " +
                                     Quoted(name));
    size_t k = static_cast<size_t>(known - std::begin(kCsvColumns));
    if (column_of[k] != -1)
      return Status::InvalidArgument("line " + std::to_string(header.line) + ": column " +
                                     Quoted(name) + " appears twice");
    column_of[k] = static_cast<int>(c);
  }
  for (auto required : kRequiredCsvColumns) {
    size_t k = static_cast<size_t>(std::find(std::begin(kCsvColumns), std::end(kCsvColumns), required) -
                                   std::begin(kCsvColumns));
    if (column_of[k] == -1)
      return Status::InvalidArgument("line " + std::to_string(header.line) + ": column '" +
                                     std::string(required) + "' is missing from the header");
  }

  std::vector<Project> projects;
  std::map<std::string, size_t> first_line_of_code;
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& rec = records[r];
    std::string line = "line " + std::to_string(rec.line);
    if (rec.fields.size() != header.fields.size())
      return Status::InvalidArgument(line + ": expected " + std::to_string(header.fields.size()) +
                                     " fields like the header, found " +
                                     std::to_string(rec.fields.size()));
    auto cell = [&](std::string_view column) -> std::string {
      size_t k = static_cast<size_t>(std::find(std::begin(kCsvColumns), std::end(kCsvColumns), column) -
                                     std::begin(kCsvColumns));
      return column_of[k] == -1 ? std::string() : Trimmed(rec.fields[static_cast<size_t>(column_of[k])]);
    };
    auto fail = [&](std::string_view column, const std::string& message) {
      return Status::InvalidArgument(line + ", column '" + std::string(column) + "': " + message);
    };
    Project p;
    p.code = cell("code");
    p.title = cell("title");
    p.sector = Lower(cell("sector"));
    for (const auto& m : SplitList(cell("measures"))) {
      int n = 0;
      bool digits = m.size() <= 6 && std::all_of(m.begin(), m.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits) return fail("measures", Quoted(m) + " is not a Framework measure number (1-50)");
      for (char c : m) n = n * 10 + (c - '0');
      p.measures.push_back(n);
    }
    std::string modality = Lower(cell("modality"));
    if (!ParseModality(modality, &p.modality))
      return fail("modality", Quoted(modality) + " is not bilateral, triangular or regional");
    for (auto& c : SplitList(cell("providers"))) p.providers.push_back(Upper(c));
    for (auto& c : SplitList(cell("beneficiaries"))) p.beneficiaries.push_back(Upper(c));
    p.funding_partner = cell("funding_partner");
    p.agency = cell("agency");
    p.region = cell("region");
    for (auto [column, out] : {std::pair<std::string_view, bool*>{"ldc", &p.ldc},
                               {"lldc", &p.lldc},
                               {"sids", &p.sids}}) {
      std::string v = Lower(cell(column));
      if (v.empty() || v == "0" || v == "false") *out = false;
      else if (v == "1" || v == "true") *out = true;
      else return fail(column, Quoted(v) + " is not 0, 1, true or false");
    }
    if (auto bad = CheckProject(p)) return fail(bad->field, bad->message);
    auto [it, inserted] = first_line_of_code.emplace(p.code, rec.line);
    if (!inserted)
      return fail("code", "project " + Quoted(p.code) + " already appears on line " +
                              std::to_string(it->second));
    projects.push_back(std::move(p));
  }
  return projects;
}

const std::vector<Project>& DemoProjects() {
  static const std::vector<Project> projects = [] {
    auto make = [](std::string code, std::string title, std::string sector, std::vector<int> measures,
                   Modality modality, std::vector<std::string> providers,
                   std::vector<std::string> beneficiaries, std::string funding_partner,
                   std::string agency, std::string region, bool ldc, bool lldc, bool sids) {
      Project p;
      p.code = std::move(code);
      p.title = std::move(title);
      p.sector = std::move(sector);
      p.measures = std::move(measures);
      p.modality = modality;
      p.providers = std::move(providers);
      p.beneficiaries = std::move(beneficiaries);
      p.funding_partner = std::move(funding_partner);
      p.agency = std::move(agency);
      p.region = std::move(region);
      p.ldc = ldc;
      p.lldc = lldc;
      p.sids = sids;
      return p;
    };
    using M = Modality;
    return std::vector<Project>{
        // Health
        make("SSC-HLT-001", "Antiretroviral therapy scale-up in provincial hospitals", "health",
             {16, 18}, M::kBilateral, {"BRA"}, {"MOZ"}, "", "Ministry of Health, Mozambique",
             "east-africa", true, false, false),
        make("TRI-HLT-002", "Malaria vector control and bednet distribution", "health", {16, 36},
             M::kTriangular, {"THA"}, {"MLI", "BFA"}, "Japan (JICA)", "National malaria programmes",
             "west-africa", true, true, false),
        make("SSC-HLT-003", "Tuberculosis case finding and medical brigades", "health", {16, 19},
             M::kBilateral, {"CUB"}, {"HTI"}, "", "Ministry of Public Health and Population, Haiti",
             "latin-america", true, false, true),
        make("REG-HLT-004", "Cross-border HIV prevention for migrant workers", "health", {16, 18, 36},
             M::kRegional, {"IND"}, {"NPL", "BGD"}, "", "South Asian AIDS network",
             "south-asia", true, true, false),
        // Education
        make("SSC-EDU-001", "Adult literacy classes with radio and video lessons", "education", {3},
             M::kBilateral, {"CUB"}, {"BOL"}, "", "Ministry of Education, Bolivia",
             "latin-america", false, true, false),
        make("TRI-EDU-002", "Primary teacher training and learning materials", "education", {3, 36},
             M::kTriangular, {"BRA"}, {"GNB", "STP"}, "UNESCO", "National institutes of education",
             "west-africa", true, false, true),
        make("SSC-EDU-003", "University scholarships and faculty exchange", "education", {2},
             M::kBilateral, {"IND"}, {"ETH", "KEN"}, "", "Indian Council for Cultural Relations",
             "east-africa", true, true, false),
        make("REG-EDU-004", "Girls' secondary schooling in rural districts", "education", {3, 21},
             M::kRegional, {"BGD"}, {"NPL", "AFG"}, "", "Regional education network",
             "south-asia", true, true, false),
        // Agriculture
        make("TRI-AGR-001", "Rice intensification under the Special Programme for Food Security",
             "agriculture", {13}, M::kTriangular, {"VNM"}, {"SEN"}, "FAO",
             "Senegalese Institute of Agricultural Research", "west-africa", true, false, false),
        make("SSC-AGR-002", "Cassava and maize seed multiplication", "agriculture", {13, 14},
             M::kBilateral, {"BRA"}, {"GHA"}, "", "Ministry of Food and Agriculture, Ghana",
             "west-africa", false, false, false),
        make("REG-AGR-003", "Small-scale irrigation schemes in the Sahel", "agriculture", {13, 30, 41},
             M::kRegional, {"MAR"}, {"NER", "BFA"}, "", "Sahel irrigation partnership",
             "west-africa", true, true, false),
        make("TRI-AGR-004", "Sorghum and millet extension for smallholders", "agriculture", {13, 36},
             M::kTriangular, {"IND"}, {"TZA", "UGA"}, "IFAD", "District agricultural offices",
             "east-africa", true, true, false),
        make("SSC-AGR-005", "Drought-tolerant wheat and lentil varieties", "agriculture", {13},
             M::kBilateral, {"CHN"}, {"NPL"}, "", "Nepal Agricultural Research Council",
             "south-asia", true, true, false),
    };
  }();
  return projects;
}

}  // namespace fieldsync::schema
