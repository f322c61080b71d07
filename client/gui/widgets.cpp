// client/gui/widgets.cpp — touch-first widgets.
#include "client/gui/widgets.h"

#include <imgui_internal.h>
#include <imgui_stdlib.h>

#include <algorithm>

namespace fieldsync::gui {
namespace {

float Touch(const UiContext& ui) { return kMinTouch * ui.scale; }

// The width "fill" means: to the right edge, or to the wrap position when one
// is set (cards set it to keep their right padding).
float FillWidth() {
  const ImGuiWindow* w = ImGui::GetCurrentWindow();
  float avail = ImGui::GetContentRegionAvail().x;
  if (w->DC.TextWrapPos > 0) avail = std::min(avail, w->DC.TextWrapPos - ImGui::GetCursorPosX());
  return std::max(avail, 1.0f);
}

}  // namespace

ImVec4 ReadableOn(const ImVec4& bg) {
  const float luminance = 0.2126f * bg.x + 0.7152f * bg.y + 0.0722f * bg.z;
  return luminance > 0.55f ? ImVec4(0, 0, 0, 1) : ImVec4(1, 1, 1, 1);
}

bool TouchButton(const UiContext& ui, const char* label, float width, ButtonKind kind) {
  int colors = 0;
  const Palette& p = ui.palette;
  auto push = [&](ImGuiCol idx, ImVec4 c) {
    ImGui::PushStyleColor(idx, c);
    ++colors;
  };
  auto shade = [](ImVec4 c, float f) { return ImVec4(c.x * f, c.y * f, c.z * f, c.w); };
  switch (kind) {
    case ButtonKind::kPrimary:
      push(ImGuiCol_Button, p.accent);
      push(ImGuiCol_ButtonHovered, shade(p.accent, 0.9f));
      push(ImGuiCol_ButtonActive, shade(p.accent, 0.8f));
      push(ImGuiCol_Text, p.accent_text);
      break;
    case ButtonKind::kDanger:
      push(ImGuiCol_Button, p.error);
      push(ImGuiCol_ButtonHovered, shade(p.error, 0.9f));
      push(ImGuiCol_ButtonActive, shade(p.error, 0.8f));
      push(ImGuiCol_Text, ReadableOn(p.error));
      break;
    case ButtonKind::kQuiet:
      push(ImGuiCol_Button, ImVec4(0, 0, 0, 0));
      push(ImGuiCol_Text, p.accent);
      break;
    case ButtonKind::kNormal:
      break;
  }
  float w = width;
  if (width < 0) w = FillWidth();
  const bool pressed = ImGui::Button(label, ImVec2(w, Touch(ui)));
  ImGui::PopStyleColor(colors);
  return pressed;
}

bool Chip(const UiContext& ui, const char* label, bool selected, float width) {
  const Palette& p = ui.palette;
  if (selected) {
    ImGui::PushStyleColor(ImGuiCol_Button, p.chip_selected);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, p.chip_selected);
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, p.chip_selected);
    ImGui::PushStyleColor(ImGuiCol_Text, ReadableOn(p.chip_selected));
  }
  ImGui::PushStyleVar(ImGuiStyleVar_FrameRounding, Touch(ui) * 0.5f);
  const bool pressed = ImGui::Button(label, ImVec2(width, Touch(ui)));
  ImGui::PopStyleVar();
  if (selected) ImGui::PopStyleColor(4);
  return pressed;
}

bool TapRow(const UiContext& ui, const char* id, float height) {
  const ImVec2 start = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x;
  const bool clicked = ImGui::InvisibleButton(id, ImVec2(w, std::max(height, Touch(ui))));
  const bool active = ImGui::IsItemActive();
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImVec4 bg = ui.palette.card;
  if (active) bg = ImGui::GetStyle().Colors[ImGuiCol_HeaderActive];
  else if (hovered) bg = ImGui::GetStyle().Colors[ImGuiCol_HeaderHovered];
  const ImVec2 end(start.x + w, start.y + std::max(height, Touch(ui)));
  dl->AddRectFilled(start, end, ImGui::GetColorU32(bg), 6.0f * ui.scale);
  dl->AddRect(start, end, ImGui::GetColorU32(ImGuiCol_TableBorderLight), 6.0f * ui.scale);
  // Keyboard users see where they are.
  if (ImGui::IsItemFocused()) {
    dl->AddRect(start, end, ImGui::GetColorU32(ui.palette.accent), 6.0f * ui.scale, 0, 2.0f * ui.scale);
  }
  return clicked;
}

void TouchScroll() {
  ImGuiContext& g = *GImGui;
  ImGuiWindow* window = g.CurrentWindow;
  ImGuiIO& io = ImGui::GetIO();
  if (!ImGui::IsMouseDown(ImGuiMouseButton_Left)) return;
  if (!window->Rect().Contains(io.MouseClickedPos[0])) return;
  if (!ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows |
                              ImGuiHoveredFlags_AllowWhenBlockedByActiveItem)) {
    return;
  }
  // Selecting text in a box or moving a slider is not scrolling.
  if (g.ActiveId != 0 && g.InputTextState.ID == g.ActiveId) return;
  if (!ImGui::IsMouseDragging(ImGuiMouseButton_Left, io.MouseDragThreshold * 2.0f)) return;
  if (io.MouseDelta.y != 0.0f) {
    ImGui::SetScrollY(window, std::clamp(window->Scroll.y - io.MouseDelta.y, 0.0f, window->ScrollMax.y));
  }
  // The finger moved: whatever button it started on is not pressed.
  if (g.ActiveId != 0 && g.InputTextState.ID != g.ActiveId) ImGui::ClearActiveID();
}

bool TouchInput(const UiContext& ui, const char* id, std::string* text, const char* hint,
                ImGuiInputTextFlags flags) {
  ImGui::SetNextItemWidth(FillWidth());
  const float pad_y = std::max(ImGui::GetStyle().FramePadding.y,
                               (Touch(ui) - ImGui::GetFontSize()) * 0.5f);
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(ImGui::GetStyle().FramePadding.x, pad_y));
  bool changed = hint ? ImGui::InputTextWithHint(id, hint, text, flags)
                      : ImGui::InputText(id, text, flags);
  ImGui::PopStyleVar();
  return changed;
}

void Heading(const UiContext& ui, const char* text) {
  ImGui::PushFont(ui.fonts.bold);
  ImGui::TextWrapped("%s", text);
  ImGui::PopFont();
}

void BoldText(const UiContext& ui, const char* text) {
  ImGui::PushFont(ui.fonts.bold);
  ImGui::TextUnformatted(text);
  ImGui::PopFont();
}

void TextColoredWrapped(const ImVec4& color, const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

void Pill(const UiContext& ui, const char* text, const ImVec4& bg, const ImVec4& fg) {
  const ImVec2 ts = ImGui::CalcTextSize(text);
  const ImVec2 pad(8 * ui.scale, 3 * ui.scale);
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const ImVec2 size(ts.x + pad.x * 2, ts.y + pad.y * 2);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(pos, ImVec2(pos.x + size.x, pos.y + size.y), ImGui::GetColorU32(bg), size.y * 0.5f);
  dl->AddText(ImVec2(pos.x + pad.x, pos.y + pad.y), ImGui::GetColorU32(fg), text);
  ImGui::Dummy(size);
}

int Picker(const UiContext& ui, const char* id, const char* label, const std::string& current,
           const std::vector<std::string>& options, float width) {
  ImGui::PushID(id);
  std::string shown = Format(ui.model.T(Str::kLabelValue), {label, current}) + "  ▾";
  float w = width < 0 ? FillWidth() : width;
  // Long labels are cut with an ellipsis rather than spilling out.
  const float max_text = w - ImGui::GetStyle().FramePadding.x * 2;
  if (max_text > 0 && ImGui::CalcTextSize(shown.c_str()).x > max_text) {
    while (shown.size() > 4 && ImGui::CalcTextSize((shown + "…").c_str()).x > max_text) {
      size_t n = shown.size() - 1;
      while (n > 0 && (static_cast<unsigned char>(shown[n]) & 0xC0) == 0x80) --n;
      shown.erase(n);
    }
    shown += "…";
  }
  if (ImGui::Button(shown.c_str(), ImVec2(w, Touch(ui)))) ImGui::OpenPopup("picker");
  int chosen = -1;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowSizeConstraints(ImVec2(std::min(w, display.x * 0.9f), 0),
                                      ImVec2(display.x * 0.95f, display.y * 0.6f));
  if (ImGui::BeginPopup("picker")) {
    ImGui::PushFont(ui.fonts.bold);
    ImGui::TextUnformatted(label);
    ImGui::PopFont();
    ImGui::Separator();
    for (int i = 0; i < static_cast<int>(options.size()); ++i) {
      ImGui::PushID(i);
      const bool selected = options[static_cast<size_t>(i)] == current;
      if (ImGui::Selectable(options[static_cast<size_t>(i)].c_str(), selected, 0, ImVec2(0, Touch(ui)))) {
        chosen = i;
        ImGui::CloseCurrentPopup();
      }
      ImGui::PopID();
    }
    TouchScroll();
    ImGui::EndPopup();
  }
  ImGui::PopID();
  return chosen;
}

void Keypad(const UiContext& ui) {
  GuiModel& m = ui.model;
  static const char* const kKeys[] = {"7", "8", "9", "4", "5", "6", "1", "2", "3", "-", "0", "."};
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float w = (ImGui::GetContentRegionAvail().x - spacing * 2) / 3.0f;
  const float h = 48.0f * ui.scale;
  ImGui::PushID("keypad");
  ImGui::PushFont(ui.fonts.title);
  for (int i = 0; i < 12; ++i) {
    if (i % 3 != 0) ImGui::SameLine();
    if (ImGui::Button(kKeys[i], ImVec2(w, h))) m.EditorKeypad(kKeys[i]);
  }
  ImGui::PopFont();
  if (ImGui::Button("⌫", ImVec2(w, h))) m.EditorKeypad("back");
  ImGui::SameLine();
  if (ImGui::Button(m.T(Str::kClear), ImVec2(w, h))) m.EditorKeypad("clear");
  ImGui::SameLine();
  ImGui::PushStyleColor(ImGuiCol_Button, ui.palette.accent);
  ImGui::PushStyleColor(ImGuiCol_Text, ui.palette.accent_text);
  if (ImGui::Button(m.T(Str::kDone), ImVec2(w, h))) m.EditorKeypad("done");
  ImGui::PopStyleColor(2);
  ImGui::PopID();
}

void BeginCard(const UiContext& ui, const char* id) {
  ImGui::PushID(id);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->ChannelsSplit(2);
  dl->ChannelsSetCurrent(1);
  const float pad = 12 * ui.scale;
  ImGui::BeginGroup();
  ImGui::Dummy(ImVec2(0, pad * 0.5f));
  ImGui::Indent(pad);
  ImGui::PushTextWrapPos(ImGui::GetContentRegionMax().x - pad);
  ImGui::BeginGroup();
}

bool EndCard(const UiContext& ui, bool clickable, const ImVec4* border) {
  const float pad = 12 * ui.scale;
  ImGui::EndGroup();
  ImGui::PopTextWrapPos();
  ImGui::Unindent(pad);
  ImGui::Dummy(ImVec2(0, pad * 0.5f));
  ImGui::EndGroup();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 min = ImGui::GetItemRectMin();
  const ImVec2 max(min.x + ImGui::GetContentRegionAvail().x, ImGui::GetItemRectMax().y);
  bool clicked = false;
  bool hovered = false;
  if (clickable) {
    const ImVec2 after = ImGui::GetCursorScreenPos();
    ImGui::SetCursorScreenPos(min);
    clicked = ImGui::InvisibleButton("##card", ImVec2(max.x - min.x, max.y - min.y));
    hovered = ImGui::IsItemHovered() || ImGui::IsItemActive();
    ImGui::SetCursorScreenPos(after);
  }
  dl->ChannelsSetCurrent(0);
  ImVec4 bg = hovered ? ImGui::GetStyle().Colors[ImGuiCol_HeaderHovered] : ui.palette.card;
  dl->AddRectFilled(min, max, ImGui::GetColorU32(bg), 8 * ui.scale);
  dl->AddRect(min, max, ImGui::GetColorU32(border ? *border : ImGui::GetStyle().Colors[ImGuiCol_TableBorderLight]),
              8 * ui.scale, 0, (border ? 2.5f : 1.0f) * ui.scale);
  dl->ChannelsMerge();
  ImGui::PopID();
  ImGui::Dummy(ImVec2(0, 2 * ui.scale));
  return clicked;
}

ImVec4 StatusColor(const UiContext& ui, store::ReportStatus s) {
  switch (s) {
    case store::ReportStatus::kDraft: return ui.palette.muted;
    case store::ReportStatus::kFinalized: return ui.palette.accent;
    case store::ReportStatus::kReceived: return ui.palette.ok;
    case store::ReportStatus::kApproved: return ui.palette.ok;
    case store::ReportStatus::kReturned: return ui.palette.error;
  }
  return ui.palette.muted;
}

}  // namespace fieldsync::gui
