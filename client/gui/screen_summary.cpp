// client/gui/screen_summary.cpp — reports per month and sector over the last
// 12 months as a stacked bar chart, and each sector's key indicators with a
// small bar per month. Computed on the worker (model_reports.cpp).
#include <algorithm>
#include <string>

#include "client/gui/ui.h"

namespace fieldsync::gui {
namespace {

int MonthOf(const std::string& key) { return key.size() == 7 ? std::atoi(key.c_str() + 5) : 0; }

void DrawChart(const UiContext& ui, const SummaryView& s) {
  GuiModel& m = ui.model;
  const size_t months = s.months.size();
  int64_t max_total = 1;
  for (size_t mo = 0; mo < months; ++mo) {
    int64_t t = 0;
    for (const auto& series : s.counts) t += series[mo];
    max_total = std::max(max_total, t);
  }
  const float width = ImGui::GetContentRegionAvail().x;
  const float height = 220 * ui.scale;
  const float axis_w = 44 * ui.scale;
  ImGui::PushFont(ui.fonts.small);
  const float label_h = ImGui::GetFontSize() * 1.4f;
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float plot_x = origin.x + axis_w;
  const float plot_w = width - axis_w;
  const float plot_h = height - label_h;
  const float slot = plot_w / static_cast<float>(std::max<size_t>(months, 1));
  const float bar_w = slot * 0.7f;
  // Grid: zero, half and top, labelled.
  for (int g = 0; g <= 2; ++g) {
    const float y = origin.y + plot_h - plot_h * static_cast<float>(g) / 2.0f;
    dl->AddLine(ImVec2(plot_x, y), ImVec2(plot_x + plot_w, y), ImGui::GetColorU32(ImGuiCol_TableBorderLight));
    const std::string v = ShortNumber(static_cast<double>(max_total) * g / 2.0, m.lang());
    dl->AddText(ImVec2(origin.x, y - ImGui::GetFontSize() * 0.5f), ImGui::GetColorU32(ui.palette.muted), v.c_str());
  }
  for (size_t mo = 0; mo < months; ++mo) {
    float y = origin.y + plot_h;
    const float x = plot_x + slot * static_cast<float>(mo) + (slot - bar_w) * 0.5f;
    for (size_t f = 0; f < s.counts.size(); ++f) {
      const float h = plot_h * static_cast<float>(s.counts[f][mo]) / static_cast<float>(max_total);
      if (h <= 0) continue;
      dl->AddRectFilled(ImVec2(x, y - h), ImVec2(x + bar_w, y), ImGui::GetColorU32(ui.palette.series[f % 4]));
      y -= h;
    }
    // Month initials under every other bar when space is short.
    const char* label = MonthShort(MonthOf(s.months[mo]), m.lang());
    const ImVec2 ts = ImGui::CalcTextSize(label);
    if (ts.x <= slot * 2 && (ts.x <= slot || mo % 2 == 1)) {
      dl->AddText(ImVec2(x + bar_w * 0.5f - ts.x * 0.5f, origin.y + plot_h + 2 * ui.scale),
                  ImGui::GetColorU32(ui.palette.text), label);
    }
  }
  ImGui::PopFont();
  ImGui::Dummy(ImVec2(width, height));
  // Legend: one chip per sector with its 12-month total.
  for (size_t f = 0; f < s.form_ids.size(); ++f) {
    const FormInfo* fi = m.FindForm(s.form_ids[f]);
    int64_t total = 0;
    for (auto c : s.counts[f]) total += c;
    std::string label = Format(m.T(Str::kLabelValue), {fi && fi->form ? m.SectorName(fi->form->sector) : s.form_ids[f],
                                                        std::to_string(total)});
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float sq = ImGui::GetFontSize();
    ImGui::GetWindowDrawList()->AddRectFilled(p, ImVec2(p.x + sq, p.y + sq), ImGui::GetColorU32(ui.palette.series[f % 4]), 3);
    ImGui::Dummy(ImVec2(sq, sq));
    ImGui::SameLine();
    ImGui::TextUnformatted(label.c_str());
  }
}

void DrawIndicators(const UiContext& ui, const SummaryView& s) {
  GuiModel& m = ui.model;
  const std::string lang = LangCode(m.lang());
  for (size_t f = 0; f < s.form_ids.size(); ++f) {
    const FormInfo* fi = m.FindForm(s.form_ids[f]);
    if (!fi || !fi->form || fi->key_indicators.empty()) continue;
    ImGui::PushID(static_cast<int>(f));
    BeginCard(ui, "indicators");
    ImGui::PushStyleColor(ImGuiCol_Text, ui.palette.series[f % 4]);
    BoldText(ui, m.SectorName(fi->form->sector).c_str());
    ImGui::PopStyleColor();
    for (size_t k = 0; k < fi->key_indicators.size() && k < s.indicators[f].size(); ++k) {
      const schema::Question* q = fi->form->Find(fi->key_indicators[k]);
      if (!q) continue;
      const auto& per_month = s.indicators[f][k];
      double total = 0, max_v = 0;
      for (double v : per_month) {
        total += v;
        max_v = std::max(max_v, v);
      }
      ImGui::TextWrapped("%s", q->label.Get(lang).c_str());
      ImGui::PushFont(ui.fonts.title);
      ImGui::TextUnformatted(ShortNumber(total, m.lang()).c_str());
      ImGui::PopFont();
      // A bar per month.
      ImGui::SameLine();
      const ImVec2 p = ImGui::GetCursorScreenPos();
      const float w = ImGui::GetContentRegionAvail().x - 12 * ui.scale;
      const float h = ImGui::GetFontSize() * 1.2f;
      const float slot = w / static_cast<float>(std::max<size_t>(per_month.size(), 1));
      ImDrawList* dl = ImGui::GetWindowDrawList();
      for (size_t mo = 0; mo < per_month.size(); ++mo) {
        const float bh = max_v > 0 ? h * static_cast<float>(per_month[mo] / max_v) : 0;
        const float x = p.x + slot * static_cast<float>(mo);
        dl->AddRectFilled(ImVec2(x + 1, p.y + h - std::max(bh, 1.0f)), ImVec2(x + slot - 2, p.y + h),
                          ImGui::GetColorU32(ui.palette.series[f % 4]));
      }
      ImGui::Dummy(ImVec2(w, h));
    }
    EndCard(ui);
    ImGui::PopID();
  }
}

}  // namespace

void DrawSummary(const UiContext& ui) {
  GuiModel& m = ui.model;
  const SummaryView& s = m.summary();
  Heading(ui, m.T(Str::kReportsPerMonth));
  ImGui::TextDisabled("%s", m.T(Str::kLast12Months));
  if (!s.loaded) {
    ImGui::TextDisabled("%s", m.T(Str::kLoading));
    return;
  }
  if (s.total == 0) {
    ImGui::TextDisabled("%s", m.T(Str::kNoData));
    return;
  }
  DrawChart(ui, s);
  ImGui::Spacing();
  Heading(ui, m.T(Str::kKeyIndicators));
  DrawIndicators(ui, s);
}

}  // namespace fieldsync::gui
