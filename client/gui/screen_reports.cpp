// client/gui/screen_reports.cpp — every report on the device, newest first,
// filtered by status, sector and period, searchable. The list is virtualized
// with ImGuiListClipper: only the visible rows are drawn, and rows come from
// the model's page cache (the store is paged; 100,000 reports cost the same
// frame time as 10).
#include <ctime>
#include <string>

#include "client/gui/ui.h"

namespace fieldsync::gui {
namespace {

const store::ReportStatus kStatuses[] = {store::ReportStatus::kDraft, store::ReportStatus::kFinalized,
                                         store::ReportStatus::kReceived, store::ReportStatus::kApproved,
                                         store::ReportStatus::kReturned};

std::string MonthKey(int64_t now_ms, int back) {
  std::time_t t = static_cast<std::time_t>(now_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  int y = tm.tm_year + 1900, mo = tm.tm_mon + 1 - back;
  while (mo <= 0) {
    mo += 12;
    --y;
  }
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d", y, mo);
  return buf;
}

std::string MonthLabel(const std::string& key, Lang lang) {
  if (key.size() != 7) return key;
  int month = std::atoi(key.c_str() + 5);
  return std::string(MonthShort(month, lang)) + " " + key.substr(0, 4);
}

void DrawFilters(const UiContext& ui) {
  GuiModel& m = ui.model;
  ReportsView& r = m.reports();
  std::string typed = r.search_typed;
  if (TouchInput(ui, "##search", &typed, m.T(Str::kSearchReportsHint))) {
    m.SetReportsSearchTyped(typed);
  }
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float half = (ImGui::GetContentRegionAvail().x - spacing) / 2;
  ReportsFilter f = r.filter;
  bool changed = false;

  std::vector<std::string> statuses = {m.T(Str::kAny)};
  for (auto s : kStatuses) statuses.push_back(m.StatusText(s, false));
  int c = Picker(ui, "status", m.T(Str::kStatus), f.status ? m.StatusText(*f.status, false) : m.T(Str::kAny),
                 statuses, half);
  if (c >= 0) {
    f.status = c == 0 ? std::nullopt : std::optional<store::ReportStatus>(kStatuses[c - 1]);
    changed = true;
  }
  ImGui::SameLine();
  std::vector<std::string> sector_codes;
  std::vector<std::string> sectors = {m.T(Str::kAny)};
  for (const FormInfo& fi : m.forms()) {
    if (!fi.form) continue;
    sector_codes.push_back(fi.form->sector);
    sectors.push_back(m.SectorName(fi.form->sector));
  }
  c = Picker(ui, "sector", m.T(Str::kSector), f.sector.empty() ? m.T(Str::kAny) : m.SectorName(f.sector), sectors,
             half);
  if (c >= 0) {
    f.sector = c == 0 ? "" : sector_codes[static_cast<size_t>(c - 1)];
    changed = true;
  }
  std::vector<std::string> period_keys = {""};
  std::vector<std::string> periods = {m.T(Str::kAny)};
  for (int back = 0; back < 12; ++back) {
    std::string key = MonthKey(m.now_ms(), back);
    period_keys.push_back(key);
    std::string label = MonthLabel(key, m.lang());
    if (back == 0) label = std::string(m.T(Str::kPeriodThisMonth)) + " (" + label + ")";
    if (back == 1) label = std::string(m.T(Str::kPeriodLastMonth)) + " (" + label + ")";
    periods.push_back(label);
  }
  c = Picker(ui, "period", m.T(Str::kPeriod), f.period.empty() ? m.T(Str::kAny) : MonthLabel(f.period, m.lang()),
             periods, -1);
  if (c >= 0) {
    f.period = period_keys[static_cast<size_t>(c)];
    changed = true;
  }
  if (changed) m.SetReportsFilter(f);

  ImGui::AlignTextToFramePadding();
  if (m.ReportsTotal() < 0) {
    ImGui::TextDisabled("%s", m.T(Str::kLoading));
  } else {
    ImGui::TextUnformatted(Format(m.T(Str::kReportsCount), {std::to_string(m.ReportsTotal())}).c_str());
  }
  if (!(r.filter == ReportsFilter{}) || !r.search_typed.empty()) {
    ImGui::SameLine();
    if (TouchButton(ui, m.T(Str::kClearFilters), 0, ButtonKind::kQuiet)) m.SetReportsFilter(ReportsFilter{});
  }
}

// One row: project · sector · period, status on the right; a line of values.
void DrawRow(const UiContext& ui, int64_t index, const ListRow* row, float height) {
  GuiModel& m = ui.model;
  ImGui::PushID(static_cast<int>(index));
  const ImVec2 start = ImGui::GetCursorScreenPos();
  const bool tapped = TapRow(ui, "##row", height);
  const ImVec2 after = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float pad = 12 * ui.scale;
  const float width = ImGui::GetContentRegionAvail().x;
  if (!row) {
    dl->AddText(ImVec2(start.x + pad, start.y + pad), ImGui::GetColorU32(ui.palette.muted), "…");
    ImGui::PopID();
    return;
  }
  const FormInfo* form = m.FindForm(row->form_id);
  std::string title = row->project_code;
  if (form && form->form) title += " · " + m.SectorName(form->form->sector);
  if (!row->period.empty()) title += " · " + row->period;
  // Status pill, right-aligned on the first line.
  const std::string status = m.StatusText(row->status, row->waiting);
  const ImVec4 color = row->has_conflict ? ui.palette.warn : StatusColor(ui, row->status);
  ImGui::PushFont(ui.fonts.small);
  const ImVec2 ts = ImGui::CalcTextSize(status.c_str());
  const ImVec2 pill_min(start.x + width - pad - ts.x - 16 * ui.scale, start.y + pad - 2 * ui.scale);
  const ImVec2 pill_max(start.x + width - pad, pill_min.y + ts.y + 6 * ui.scale);
  dl->AddRectFilled(pill_min, pill_max, ImGui::GetColorU32(color), (pill_max.y - pill_min.y) * 0.5f);
  dl->AddText(ImVec2(pill_min.x + 8 * ui.scale, pill_min.y + 3 * ui.scale), ImGui::GetColorU32(ReadableOn(color)),
              status.c_str());
  ImGui::PopFont();
  // Title, clipped before the pill (glyph by glyph: no extra draw command).
  const ImVec4 title_clip(start.x, start.y, pill_min.x - 6 * ui.scale, start.y + height);
  dl->AddText(ui.fonts.bold, ui.fonts.bold->FontSize, ImVec2(start.x + pad, start.y + pad),
              ImGui::GetColorU32(ui.palette.text), title.c_str(), nullptr, 0.0f, &title_clip);
  // Second line: values summary and when.
  std::string line = row->summary;
  std::string when = m.Ago(row->updated_at_ms);
  line = line.empty() ? when : line + " · " + when;
  const ImVec4 line_clip(start.x, start.y, start.x + width - pad, start.y + height);
  dl->AddText(ui.fonts.small, ui.fonts.small->FontSize,
              ImVec2(start.x + pad, start.y + pad + ui.fonts.bold->FontSize * 1.2f),
              ImGui::GetColorU32(ui.palette.muted), line.c_str(), nullptr, 0.0f, &line_clip);
  ImGui::SetCursorScreenPos(after);
  if (tapped) m.OpenDetail(row->id);
  ImGui::PopID();
}

}  // namespace

void DrawReports(const UiContext& ui) {
  GuiModel& m = ui.model;
  DrawFilters(ui);
  const int64_t total = m.ReportsTotal();
  if (total == 0) {
    ImGui::TextDisabled("%s", m.T(Str::kNoReportMatches));
    return;
  }
  if (total < 0) return;
  const float row_h = std::max(kMinTouch, 64.0f) * ui.scale;
  const float step = row_h + ImGui::GetStyle().ItemSpacing.y;
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(std::min<int64_t>(total, INT32_MAX)), step);
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      DrawRow(ui, i, m.ReportRow(i), row_h);
    }
  }
  clipper.End();
}

}  // namespace fieldsync::gui
