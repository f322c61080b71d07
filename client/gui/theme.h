// client/gui/theme.h — the two themes: high-contrast light (for sunlight) and
// dark, with touch-sized spacing scaled by DPI and the text size setting.
#pragma once

#include "client/gui/model.h"
#include "client/gui/widgets.h"

namespace fieldsync::gui {

// Base font size in pixels at scale 1.
inline constexpr float kBaseFontPx = 20.0f;

// Sets ImGui's style (sizes × scale, colours) and returns the palette.
const Palette& ApplyTheme(Theme theme, float scale);

}  // namespace fieldsync::gui
