// client/gui/screen_settings.cpp — language, theme, text size, automatic
// sync, the battery level below which sync pauses, and the device's identity.
#include <cstdio>
#include <string>

#include "client/gui/ui.h"

namespace fieldsync::gui {

void DrawSettings(const UiContext& ui) {
  GuiModel& m = ui.model;
  const Settings& s = m.settings();
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float half = (ImGui::GetContentRegionAvail().x - spacing) / 2;

  Heading(ui, m.T(Str::kLanguage));
  for (int i = 0; i < kLangCount; ++i) {
    const Lang l = static_cast<Lang>(i);
    if (i % 2) ImGui::SameLine();
    if (Chip(ui, LangNativeName(l), s.lang == l, half)) m.SetLanguage(l);
  }

  ImGui::Spacing();
  Heading(ui, m.T(Str::kTheme));
  if (Chip(ui, m.T(Str::kThemeLight), s.theme == Theme::kLight, -1)) m.SetTheme(Theme::kLight);
  if (Chip(ui, m.T(Str::kThemeDark), s.theme == Theme::kDark, -1)) m.SetTheme(Theme::kDark);

  ImGui::Spacing();
  Heading(ui, m.T(Str::kTextSize));
  {
    const float w = (ImGui::GetContentRegionAvail().x - spacing * 2) / 3;
    if (TouchButton(ui, "A−", w)) m.SetTextScale(s.text_scale - 0.1f);
    ImGui::SameLine();
    char pct[16];
    std::snprintf(pct, sizeof(pct), "%d%%", static_cast<int>(s.text_scale * 100 + 0.5f));
    ImGui::BeginDisabled();
    TouchButton(ui, pct, w);
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (TouchButton(ui, "A+", w)) m.SetTextScale(s.text_scale + 0.1f);
  }

  ImGui::Spacing();
  Heading(ui, m.T(Str::kAutoSync));
  if (Chip(ui, m.T(Str::kYes), s.auto_sync, half)) m.SetAutoSync(true);
  ImGui::SameLine();
  if (Chip(ui, m.T(Str::kNo), !s.auto_sync, half)) m.SetAutoSync(false);

  ImGui::Spacing();
  Heading(ui, m.T(Str::kBatteryPause));
  {
    static const int kLevels[] = {0, 10, 15, 25};
    const float w = (ImGui::GetContentRegionAvail().x - spacing * 3) / 4;
    for (int i = 0; i < 4; ++i) {
      if (i) ImGui::SameLine();
      std::string label = kLevels[i] == 0 ? std::string(m.T(Str::kNeverPause)) : std::to_string(kLevels[i]) + "%";
      ImGui::PushID(i);
      if (Chip(ui, label.c_str(), s.battery_pause_percent == kLevels[i], w)) m.SetBatteryPause(kLevels[i]);
      ImGui::PopID();
    }
  }
  const platform::BatteryState& b = m.badge().battery;
  if (b.present && b.percent >= 0) {
    std::string line = Format(m.T(Str::kBatteryNow), {std::to_string(b.percent)});
    if (b.charging) line += std::string(" · ") + m.T(Str::kBatteryCharging);
    ImGui::TextDisabled("%s", line.c_str());
  } else {
    ImGui::TextDisabled("%s", m.T(Str::kNoBattery));
  }

  ImGui::Spacing();
  Heading(ui, m.T(Str::kDevice));
  const SettingsView& v = m.settings_view();
  BeginCard(ui, "device");
  const std::string none = m.T(Str::kNotConnected);
  auto lv = [&](Str label, const std::string& value) {
    ImGui::TextWrapped("%s", Format(m.T(Str::kLabelValue), {m.T(label), value.empty() ? none : value}).c_str());
  };
  lv(Str::kOfficer, v.officer);
  lv(Str::kServer, v.server_url);
  lv(Str::kDataFolder, v.data_dir);
  EndCard(ui);
  if (!m.badge().enrolled && TouchButton(ui, m.T(Str::kConnectToHq), -1)) m.Go(Screen::kFirstRun);
}

}  // namespace fieldsync::gui
