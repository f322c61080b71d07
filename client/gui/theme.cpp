// client/gui/theme.cpp — colours and touch sizes.
#include "client/gui/theme.h"

namespace fieldsync::gui {
namespace {

ImVec4 Hex(unsigned rgb, float a = 1.0f) {
  return ImVec4(((rgb >> 16) & 0xFF) / 255.0f, ((rgb >> 8) & 0xFF) / 255.0f, (rgb & 0xFF) / 255.0f, a);
}

// Sunlight: black on white, thick borders, saturated status colours (all
// pass WCAG AAA contrast for text on white).
const Palette kLight = {
    Hex(0xFFFFFF), Hex(0xF2F2F2), Hex(0x000000), Hex(0x3A3A3A), Hex(0x000000),
    Hex(0x0A3D91), Hex(0xFFFFFF), Hex(0x0B6B1E), Hex(0x8A4B00), Hex(0xB00020),
    Hex(0xE6E6E6), Hex(0x0A3D91),
    {Hex(0x0A3D91), Hex(0x0B6B1E), Hex(0xB35900), Hex(0x6A1B9A)},
};

const Palette kDark = {
    Hex(0x111315), Hex(0x1C1F23), Hex(0xF2F2F2), Hex(0xB8BCC2), Hex(0x5A6068),
    Hex(0x5B9BFF), Hex(0x0B1020), Hex(0x5FD37A), Hex(0xFFB74D), Hex(0xFF6B6B),
    Hex(0x2A2E34), Hex(0x5B9BFF),
    {Hex(0x5B9BFF), Hex(0x5FD37A), Hex(0xFFB74D), Hex(0xCE93D8)},
};

}  // namespace

const Palette& ApplyTheme(Theme theme, float scale) {
  const Palette& p = theme == Theme::kDark ? kDark : kLight;
  const bool light = theme == Theme::kLight;
  ImGuiStyle style;  // fresh defaults, then scaled once
  style.WindowPadding = ImVec2(14, 12);
  style.FramePadding = ImVec2(14, 11);  // 20 px text + 22 = 42; TouchButton enforces 44
  style.ItemSpacing = ImVec2(10, 10);
  style.ItemInnerSpacing = ImVec2(8, 8);
  style.TouchExtraPadding = ImVec2(2, 2);
  style.ScrollbarSize = 14;
  style.GrabMinSize = 28;
  style.WindowRounding = 0;
  style.ChildRounding = 6;
  style.FrameRounding = 6;
  style.PopupRounding = 6;
  style.GrabRounding = 6;
  style.ScrollbarRounding = 6;
  style.WindowBorderSize = 0;
  style.ChildBorderSize = light ? 1.5f : 1.0f;
  style.FrameBorderSize = light ? 1.5f : 1.0f;
  style.PopupBorderSize = 1.5f;
  style.ScaleAllSizes(scale);
  // Rounded corners with fewer segments: indistinguishable at these radii,
  // and fewer vertices for a software GL driver to process each frame.
  style.CircleTessellationMaxError = 0.6f;

  ImVec4* c = style.Colors;
  c[ImGuiCol_Text] = p.text;
  c[ImGuiCol_TextDisabled] = p.muted;
  c[ImGuiCol_WindowBg] = p.bg;
  c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_PopupBg] = p.bg;
  c[ImGuiCol_Border] = p.border;
  c[ImGuiCol_BorderShadow] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_FrameBg] = light ? Hex(0xFFFFFF) : Hex(0x23272C);
  c[ImGuiCol_FrameBgHovered] = light ? Hex(0xF4F7FF) : Hex(0x2B3037);
  c[ImGuiCol_FrameBgActive] = light ? Hex(0xE8EEFF) : Hex(0x333941);
  c[ImGuiCol_TitleBg] = p.card;
  c[ImGuiCol_TitleBgActive] = p.card;
  c[ImGuiCol_TitleBgCollapsed] = p.card;
  c[ImGuiCol_MenuBarBg] = p.card;
  c[ImGuiCol_ScrollbarBg] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_ScrollbarGrab] = light ? Hex(0x8A8A8A) : Hex(0x5A6068);
  c[ImGuiCol_ScrollbarGrabHovered] = light ? Hex(0x5A5A5A) : Hex(0x7A8088);
  c[ImGuiCol_ScrollbarGrabActive] = light ? Hex(0x3A3A3A) : Hex(0x9AA0A8);
  c[ImGuiCol_CheckMark] = p.accent;
  c[ImGuiCol_SliderGrab] = p.accent;
  c[ImGuiCol_SliderGrabActive] = p.accent;
  c[ImGuiCol_Button] = p.chip;
  c[ImGuiCol_ButtonHovered] = light ? Hex(0xD6D6D6) : Hex(0x343940);
  c[ImGuiCol_ButtonActive] = light ? Hex(0xC2C2C2) : Hex(0x40464E);
  c[ImGuiCol_Header] = p.chip;
  c[ImGuiCol_HeaderHovered] = light ? Hex(0xEDF1FA) : Hex(0x2B3037);
  c[ImGuiCol_HeaderActive] = light ? Hex(0xDCE4F5) : Hex(0x343940);
  c[ImGuiCol_Separator] = light ? Hex(0x5A5A5A) : Hex(0x3A3F46);
  c[ImGuiCol_SeparatorHovered] = p.accent;
  c[ImGuiCol_SeparatorActive] = p.accent;
  c[ImGuiCol_ResizeGrip] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_ResizeGripHovered] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_ResizeGripActive] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_Tab] = p.chip;
  c[ImGuiCol_TabHovered] = p.chip;
  c[ImGuiCol_TabActive] = p.accent;
  c[ImGuiCol_PlotHistogram] = p.accent;
  c[ImGuiCol_TableHeaderBg] = p.card;
  c[ImGuiCol_TableBorderStrong] = p.border;
  c[ImGuiCol_TableBorderLight] = light ? Hex(0xBDBDBD) : Hex(0x3A3F46);
  c[ImGuiCol_TableRowBg] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_TableRowBgAlt] = light ? Hex(0xF5F5F5) : Hex(0x181B1E);
  c[ImGuiCol_TextSelectedBg] = light ? Hex(0xB3CCFF) : Hex(0x2F4F80);
  c[ImGuiCol_NavHighlight] = p.accent;
  c[ImGuiCol_ModalWindowDimBg] = ImVec4(0, 0, 0, 0.45f);
  ImGui::GetStyle() = style;
  return p;
}

}  // namespace fieldsync::gui
