// client/gui/screen_projects.cpp — the projects on the device, filtered by
// sector, country and Framework measure, searchable; tapping a project offers
// its forms to start a report.
#include <string>

#include "client/gui/ui.h"

namespace fieldsync::gui {
namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

Str ModalityStr(schema::Modality m) {
  switch (m) {
    case schema::Modality::kBilateral: return Str::kModalityBilateral;
    case schema::Modality::kTriangular: return Str::kModalityTriangular;
    case schema::Modality::kRegional: return Str::kModalityRegional;
  }
  return Str::kModalityBilateral;
}

void DrawFilters(const UiContext& ui) {
  GuiModel& m = ui.model;
  ProjectsView& p = m.projects();
  if (TouchInput(ui, "##search", &p.search, m.T(Str::kSearch))) m.ApplyProjectFilter();
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float half = (ImGui::GetContentRegionAvail().x - spacing) / 2;

  std::vector<std::string> sectors = {m.T(Str::kAny)};
  for (const auto& s : p.sectors) sectors.push_back(m.SectorName(s));
  int c = Picker(ui, "sector", m.T(Str::kSector), p.sector.empty() ? m.T(Str::kAny) : m.SectorName(p.sector),
                 sectors, half);
  if (c >= 0) {
    p.sector = c == 0 ? "" : p.sectors[static_cast<size_t>(c - 1)];
    m.ApplyProjectFilter();
  }
  ImGui::SameLine();
  std::vector<std::string> countries = {m.T(Str::kAny)};
  countries.insert(countries.end(), p.countries.begin(), p.countries.end());
  c = Picker(ui, "country", m.T(Str::kCountry), p.country.empty() ? m.T(Str::kAny) : p.country, countries, half);
  if (c >= 0) {
    p.country = c == 0 ? "" : p.countries[static_cast<size_t>(c - 1)];
    m.ApplyProjectFilter();
  }
  std::vector<std::string> measures = {m.T(Str::kAny)};
  for (int n : p.measures) {
    const schema::Measure* ms = schema::FindMeasure(n);
    measures.push_back(std::to_string(n) + (ms ? " — " + std::string(ms->title) : ""));
  }
  std::string current = m.T(Str::kAny);
  if (p.measure) current = std::to_string(p.measure);
  c = Picker(ui, "measure", m.T(Str::kMeasure), current, measures, -1);
  if (c >= 0) {
    p.measure = c == 0 ? 0 : p.measures[static_cast<size_t>(c - 1)];
    m.ApplyProjectFilter();
  }
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(Format(m.T(Str::kProjectsCount), {std::to_string(p.visible.size())}).c_str());
  if (!p.sector.empty() || !p.country.empty() || p.measure || !p.search.empty()) {
    ImGui::SameLine();
    if (TouchButton(ui, m.T(Str::kClearFilters), 0, ButtonKind::kQuiet)) {
      p.sector.clear();
      p.country.clear();
      p.measure = 0;
      p.search.clear();
      m.ApplyProjectFilter();
    }
  }
}

void DrawProject(const UiContext& ui, const schema::Project& pr) {
  GuiModel& m = ui.model;
  ProjectsView& p = m.projects();
  const bool open = p.selected == pr.code;
  ImGui::PushID(pr.code.c_str());
  const ImVec4* border = open ? &ui.palette.accent : nullptr;
  BeginCard(ui, "project");
  BoldText(ui, pr.code.c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("· %s", m.SectorName(pr.sector).c_str());
  ImGui::TextWrapped("%s", pr.title.c_str());
  auto lv = [&](Str label, const std::string& value) { return Format(m.T(Str::kLabelValue), {m.T(label), value}); };
  std::string line = lv(Str::kBeneficiaries, Join(pr.beneficiaries));
  ImGui::PushStyleColor(ImGuiCol_Text, ui.palette.muted);
  ImGui::TextWrapped("%s", line.c_str());
  if (open) {
    ImGui::TextWrapped("%s", lv(Str::kProviders, Join(pr.providers)).c_str());
    ImGui::TextWrapped("%s", lv(Str::kModality, m.T(ModalityStr(pr.modality))).c_str());
    if (!pr.funding_partner.empty()) ImGui::TextWrapped("%s", lv(Str::kFundingPartner, pr.funding_partner).c_str());
    if (!pr.agency.empty()) ImGui::TextWrapped("%s", lv(Str::kAgency, pr.agency).c_str());
    std::string measures;
    for (int n : pr.measures) measures += (measures.empty() ? "" : ", ") + std::to_string(n);
    ImGui::TextWrapped("%s", lv(Str::kMeasure, measures).c_str());
    if (pr.ldc) ImGui::TextWrapped("• %s", m.T(Str::kLdc));
    if (pr.lldc) ImGui::TextWrapped("• %s", m.T(Str::kLldc));
    if (pr.sids) ImGui::TextWrapped("• %s", m.T(Str::kSids));
  }
  ImGui::PopStyleColor();
  if (open) {
    ImGui::Spacing();
    BoldText(ui, m.T(Str::kStartReport));
    int shown = 0;
    for (const FormInfo& f : m.forms()) {
      if (!f.form || f.form->sector != pr.sector) continue;
      ++shown;
      std::string label = "+ " + f.form->title.Get(LangCode(m.lang())) + "##" + f.form->id;
      if (TouchButton(ui, label.c_str(), -1, ButtonKind::kPrimary)) m.NewReport(pr.code, f.form->id);
    }
    if (shown == 0) {  // no form for the sector: offer them all
      for (const FormInfo& f : m.forms()) {
        if (!f.form) continue;
        std::string label = "+ " + f.form->title.Get(LangCode(m.lang())) + "##" + f.form->id;
        if (TouchButton(ui, label.c_str(), -1)) m.NewReport(pr.code, f.form->id);
      }
    }
  }
  if (EndCard(ui, true, border)) p.selected = open ? "" : pr.code;
  ImGui::PopID();
}

}  // namespace

void DrawProjects(const UiContext& ui) {
  GuiModel& m = ui.model;
  ProjectsView& p = m.projects();
  DrawFilters(ui);
  if (!p.loaded) {
    ImGui::TextDisabled("%s", m.T(Str::kLoading));
    return;
  }
  if (p.visible.empty()) ImGui::TextDisabled("%s", m.T(Str::kNoProjectMatches));
  for (int i : p.visible) DrawProject(ui, p.all[static_cast<size_t>(i)]);
}

}  // namespace fieldsync::gui
