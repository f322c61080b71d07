// client/gui/ui.cpp — frame layout and navigation.
#include "client/gui/ui.h"

#include <algorithm>
#include <string>

#include "client/gui/theme.h"

namespace fieldsync::gui {
namespace {

Str TitleOf(Screen s) {
  switch (s) {
    case Screen::kHome: return Str::kNavHome;
    case Screen::kProjects: return Str::kNavProjects;
    case Screen::kEditor: return Str::kNewReport;
    case Screen::kReports: return Str::kNavReports;
    case Screen::kDetail: return Str::kNavReports;
    case Screen::kSummary: return Str::kSummaryTitle;
    case Screen::kSettings: return Str::kNavSettings;
    case Screen::kFirstRun: return Str::kWelcomeTitle;
    case Screen::kLoading: return Str::kLoading;
  }
  return Str::kNavHome;
}

}  // namespace

void Ui::PrepareFrame() {
  const float want = window_.display_scale() * model_.settings().text_scale;
  if (want != scale_) {
    window_.LoadFonts(kBaseFontPx * want);
    scale_ = want;
    palette_ = nullptr;  // sizes are scaled with the style: reapply
  }
  if (!palette_ || theme_ != model_.settings().theme) {
    theme_ = model_.settings().theme;
    palette_ = &ApplyTheme(theme_, scale_);
  }
}

void Ui::Draw() {
  const ImGuiIO& io = ImGui::GetIO();
  UiContext ui{model_, window_.fonts(), *palette_, scale_, io.DisplaySize.x};
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  ImGui::Begin("fieldsync", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoScrollbar);
  const Screen screen = model_.screen();
  const bool chrome = screen != Screen::kFirstRun && screen != Screen::kLoading;
  if (chrome) DrawTopBar(ui);

  // The bottom area: navigation, or the editor's actions (and keypad).
  float bottom = 0;
  if (screen == Screen::kEditor) {
    const bool keypad = !model_.editor().keypad_field.empty();
    bottom = (kMinTouch + 16 * 1.4f + 3 * 10 + 8) * scale_ + (keypad ? (48 * 5 + 10 * 5 + 4) * scale_ : 0);
  } else if (chrome) {
    bottom = 68 * scale_;
  }
  ImGui::BeginChild("content", ImVec2(0, -bottom), false, ImGuiWindowFlags_NoScrollWithMouse);
  ui.content_width = ImGui::GetContentRegionAvail().x;
  switch (screen) {
    case Screen::kLoading:
      ImGui::Dummy(ImVec2(0, 40 * scale_));
      ImGui::TextUnformatted(model_.open_error().empty() ? model_.T(Str::kLoading)
                                                         : model_.open_error().c_str());
      break;
    case Screen::kFirstRun: DrawFirstRun(ui); break;
    case Screen::kHome: DrawHome(ui); break;
    case Screen::kProjects: DrawProjects(ui); break;
    case Screen::kEditor: DrawEditor(ui); break;
    case Screen::kReports: DrawReports(ui); break;
    case Screen::kDetail: DrawDetail(ui); break;
    case Screen::kSummary: DrawSummary(ui); break;
    case Screen::kSettings: DrawSettings(ui); break;
  }
  // Mouse wheels still scroll; fingers drag.
  if (io.MouseWheel != 0 && ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows)) {
    ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseWheel * 60 * scale_);
  }
  TouchScroll();
  ImGui::EndChild();

  if (screen == Screen::kEditor) {
    DrawEditorBar(ui);
  } else if (chrome) {
    DrawNavBar(ui);
  }
  DrawNotice(ui);
  ImGui::End();
}

void Ui::DrawTopBar(const UiContext& ui) {
  GuiModel& m = model_;
  const Screen screen = m.screen();
  const bool root = screen == Screen::kHome || screen == Screen::kProjects || screen == Screen::kReports ||
                    screen == Screen::kSummary || screen == Screen::kSettings;
  const float touch = kMinTouch * scale_;
  const ImVec2 bar = ImGui::GetCursorScreenPos();
  const float right = bar.x + ImGui::GetContentRegionAvail().x;
  if (!root) {
    if (TouchButton(ui, (std::string("← ") + m.T(Str::kBack)).c_str())) m.Back();
    ImGui::SameLine();
  }
  // The badge: what waits, at a glance; tapping it goes home, where the details are.
  const SyncBadge& b = m.badge();
  std::string badge;
  ImVec4 badge_color = ui.palette.ok;
  if (b.syncing) {
    badge = std::string("↻ ") + m.T(Str::kSyncing);
    badge_color = ui.palette.accent;
  } else if (b.dead_letters > 0) {
    badge = "⚠ " + std::to_string(b.waiting);
    badge_color = ui.palette.error;
  } else if (b.waiting > 0) {
    badge = "● " + std::to_string(b.waiting);
    badge_color = ui.palette.warn;
  } else {
    badge = "✓";
  }
  const float badge_w = std::max(touch, ImGui::CalcTextSize(badge.c_str()).x + 32 * scale_);
  // The title, vertically centred on the bar and cut before the badge.
  std::string title = m.T(TitleOf(screen));
  if (screen == Screen::kEditor && !m.editor().report_id.empty()) title = m.T(Str::kEditReport);
  ImFont* font = ui.fonts.title;
  const float x = ImGui::GetCursorScreenPos().x;
  const ImVec2 pos(x, bar.y + (touch - font->FontSize) * 0.5f);
  const ImVec4 clip(x, bar.y, right - badge_w - 8 * scale_, bar.y + touch);
  ImGui::GetWindowDrawList()->AddText(font, font->FontSize, pos, ImGui::GetColorU32(ImGuiCol_Text), title.c_str(),
                                      nullptr, 0.0f, &clip);
  ImGui::SetCursorScreenPos(ImVec2(right - badge_w, bar.y));
  ImGui::PushStyleColor(ImGuiCol_Button, badge_color);
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, badge_color);
  ImGui::PushStyleColor(ImGuiCol_ButtonActive, badge_color);
  ImGui::PushStyleColor(ImGuiCol_Text, ReadableOn(badge_color));
  ImGui::PushStyleVar(ImGuiStyleVar_FrameRounding, touch * 0.5f);
  if (ImGui::Button((badge + "##badge").c_str(), ImVec2(badge_w, touch))) m.Go(Screen::kHome);
  ImGui::PopStyleVar();
  ImGui::PopStyleColor(4);
  ImGui::Separator();
}

void Ui::DrawNavBar(const UiContext& ui) {
  GuiModel& m = model_;
  struct Item {
    Screen screen;
    Str label;
  };
  static const Item kItems[] = {
      {Screen::kHome, Str::kNavHome},
      {Screen::kProjects, Str::kNavProjects},
      {Screen::kReports, Str::kNavReports},
      {Screen::kSummary, Str::kNavSummary},
      {Screen::kSettings, Str::kNavSettings},
  };
  ImGui::Separator();
  const float spacing = 4 * scale_;
  const float w = (ImGui::GetContentRegionAvail().x - spacing * 4) / 5.0f;
  const float h = 56 * scale_;
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(spacing, 0));
  ImGui::PushFont(ui.fonts.small);
  for (int i = 0; i < 5; ++i) {
    const Item& it = kItems[i];
    if (i) ImGui::SameLine();
    const bool current = m.screen() == it.screen || (it.screen == Screen::kReports && m.screen() == Screen::kDetail);
    if (current) {
      ImGui::PushStyleColor(ImGuiCol_Button, ui.palette.accent);
      ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ui.palette.accent);
      ImGui::PushStyleColor(ImGuiCol_Text, ui.palette.accent_text);
    }
    const char* label = m.T(it.label);
    // Shrink a label that would not fit the button.
    const float text_w = ImGui::CalcTextSize(label).x;
    const float fit = std::min(1.0f, (w - 8 * scale_) / std::max(text_w, 1.0f));
    ImGui::SetWindowFontScale(fit);
    if (ImGui::Button((std::string(label) + "##nav" + std::to_string(i)).c_str(), ImVec2(w, h))) {
      m.Go(it.screen);
    }
    ImGui::SetWindowFontScale(1.0f);
    if (current) ImGui::PopStyleColor(3);
  }
  ImGui::PopFont();
  ImGui::PopStyleVar();
}

void Ui::DrawNotice(const UiContext& ui) {
  const Notice& n = model_.notice();
  if (n.text.empty()) return;
  const ImGuiIO& io = ImGui::GetIO();
  const float pad = 12 * scale_;
  const float width = io.DisplaySize.x - pad * 2;
  ImGui::SetNextWindowPos(ImVec2(pad, io.DisplaySize.y - 90 * scale_), ImGuiCond_Always, ImVec2(0, 1));
  ImGui::SetNextWindowSize(ImVec2(width, 0));
  const ImVec4 bg = n.error ? ui.palette.error : ui.palette.text;
  ImGui::PushStyleColor(ImGuiCol_WindowBg, bg);
  ImGui::PushStyleColor(ImGuiCol_Text, ReadableOn(bg));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 8 * scale_);
  ImGui::Begin("##notice", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoFocusOnAppearing |
                   ImGuiWindowFlags_NoNav);
  ImGui::PushTextWrapPos(width - ImGui::GetStyle().WindowPadding.x);
  ImGui::TextUnformatted(n.text.c_str());
  ImGui::PopTextWrapPos();
  ImGui::End();
  ImGui::PopStyleVar();
  ImGui::PopStyleColor(2);
}

}  // namespace fieldsync::gui
