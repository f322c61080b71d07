// client/gui/widgets.h — touch-first building blocks shared by the screens.
//
// Every tappable thing is at least kMinTouch (44 px at scale 1) high; nothing
// is reachable only by hover or right-click; lists scroll by dragging
// (TouchScroll). Colours come from the active Palette (theme.h).
//
// UI thread only; no state outside the structs passed in.
#pragma once

#include <imgui.h>

#include <string>

#include "client/gui/model.h"
#include "platform/window.h"

namespace fieldsync::gui {

inline constexpr float kMinTouch = 44.0f;

// The theme's colours beyond ImGui's own (status chips, badges, charts).
struct Palette {
  ImVec4 bg, card, text, muted, border, accent, accent_text, ok, warn, error, chip, chip_selected;
  ImVec4 series[4];  // chart series
};

// What every screen gets each frame.
struct UiContext {
  GuiModel& model;
  const platform::FontSet& fonts;
  const Palette& palette;
  float scale;         // display DPI × text size
  float content_width; // width available to the screen
};

enum class ButtonKind { kNormal, kPrimary, kDanger, kQuiet };

// A button at least kMinTouch high; width 0 = fit the label, -1 = fill.
bool TouchButton(const UiContext& ui, const char* label, float width = 0,
                 ButtonKind kind = ButtonKind::kNormal);
// A toggle chip (filters, choices); returns true when tapped.
bool Chip(const UiContext& ui, const char* label, bool selected, float width = 0);
// A full-width row that can be tapped (list items). `id` must be unique in
// the window. Draws nothing itself: the caller draws on top.
bool TapRow(const UiContext& ui, const char* id, float height);
// Drag anywhere in the current window to scroll it (touch screens). A drag
// that began on a button cancels that button's click.
void TouchScroll();
// A text box at least kMinTouch high, filling the width.
bool TouchInput(const UiContext& ui, const char* id, std::string* text, const char* hint = nullptr,
                ImGuiInputTextFlags flags = 0);
// A section heading in bold.
void Heading(const UiContext& ui, const char* text);
// Wrapped text in a colour.
void TextColoredWrapped(const ImVec4& color, const char* text);
// A small rounded label ("Draft", "3 waiting").
void Pill(const UiContext& ui, const char* text, const ImVec4& bg, const ImVec4& fg);
// Text drawn with the bold font.
void BoldText(const UiContext& ui, const char* text);
// A picker: a button showing `current`; tapping opens a popup of big rows.
// Returns the index chosen, or -1.
int Picker(const UiContext& ui, const char* id, const char* label, const std::string& current,
           const std::vector<std::string>& options, float width = -1);
// The on-screen numeric keypad for the editor's keypad field.
void Keypad(const UiContext& ui);
// A card: a padded group with a background and border, drawn behind the
// content once its size is known. EndCard(clickable) makes the whole card a
// tap target (buttons inside it keep their own taps) and returns the tap.
void BeginCard(const UiContext& ui, const char* id);
bool EndCard(const UiContext& ui, bool clickable = false, const ImVec4* border = nullptr);
// Colour of a report status chip.
ImVec4 StatusColor(const UiContext& ui, store::ReportStatus s);
// Text colour readable on `bg`.
ImVec4 ReadableOn(const ImVec4& bg);

}  // namespace fieldsync::gui
