// client/gui/screen_first_run.cpp — first run: connect to HQ with a server
// address and a one-time enrollment code, or work offline for now.
#include "client/gui/ui.h"

namespace fieldsync::gui {

void DrawFirstRun(const UiContext& ui) {
  GuiModel& m = ui.model;
  FirstRunView& v = m.first_run();
  ImGui::Dummy(ImVec2(0, 12 * ui.scale));
  ImGui::PushFont(ui.fonts.title);
  ImGui::TextWrapped("%s", m.T(Str::kWelcomeTitle));
  ImGui::PopFont();
  ImGui::Spacing();
  ImGui::TextWrapped("%s", m.T(Str::kWelcomeBody));
  ImGui::Dummy(ImVec2(0, 8 * ui.scale));

  // The language first: the officer may not read English.
  BoldText(ui, m.T(Str::kLanguage));
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float half = (ImGui::GetContentRegionAvail().x - spacing) / 2;
  for (int i = 0; i < kLangCount; ++i) {
    const Lang l = static_cast<Lang>(i);
    if (i % 2) ImGui::SameLine();
    if (Chip(ui, LangNativeName(l), m.lang() == l, half)) m.SetLanguage(l);
  }
  ImGui::Dummy(ImVec2(0, 8 * ui.scale));

  BoldText(ui, m.T(Str::kServerUrl));
  ImGui::BeginDisabled(v.busy);
  TouchInput(ui, "##server", &v.server_url, "https://hq.example.org",
             ImGuiInputTextFlags_CharsNoBlank | ImGuiInputTextFlags_AutoSelectAll);
  BoldText(ui, m.T(Str::kEnrollCode));
  bool submit = TouchInput(ui, "##code", &v.code, "ABCD-1234",
                           ImGuiInputTextFlags_CharsNoBlank | ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::EndDisabled();
  ImGui::Dummy(ImVec2(0, 4 * ui.scale));
  ImGui::BeginDisabled(v.busy);
  if (TouchButton(ui, v.busy ? m.T(Str::kConnecting) : m.T(Str::kConnect), -1, ButtonKind::kPrimary)) {
    submit = true;
  }
  ImGui::EndDisabled();
  if (submit && !v.busy) m.Enroll();
  if (!v.error.empty()) TextColoredWrapped(ui.palette.error, v.error.c_str());

  ImGui::Dummy(ImVec2(0, 16 * ui.scale));
  ImGui::Separator();
  ImGui::Dummy(ImVec2(0, 8 * ui.scale));
  ImGui::BeginDisabled(v.busy);
  if (TouchButton(ui, m.T(Str::kWorkOffline), -1)) m.WorkOffline();
  ImGui::EndDisabled();
}

}  // namespace fieldsync::gui
