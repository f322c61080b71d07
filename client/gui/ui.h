// client/gui/ui.h — the frame: top bar, the current screen, the bottom
// navigation, notices. Each screen is one function in its own file
// (screen_*.cpp); their state lives in GuiModel, never in static locals.
#pragma once

#include "client/gui/model.h"
#include "client/gui/widgets.h"
#include "platform/window.h"

namespace fieldsync::gui {

void DrawFirstRun(const UiContext& ui);
void DrawHome(const UiContext& ui);
void DrawProjects(const UiContext& ui);
void DrawEditor(const UiContext& ui);
// The editor's action bar (save, finalize) and keypad, drawn at the bottom.
void DrawEditorBar(const UiContext& ui);
void DrawReports(const UiContext& ui);
void DrawDetail(const UiContext& ui);
void DrawSummary(const UiContext& ui);
void DrawSettings(const UiContext& ui);

class Ui {
 public:
  Ui(GuiModel& model, platform::Window& window) : model_(model), window_(window) {}
  // Between frames: rebuilds fonts when the scale changed, applies the theme.
  void PrepareFrame();
  // Draws the whole frame (between Window::BeginFrame and EndFrame).
  void Draw();
  float scale() const { return scale_; }

 private:
  void DrawTopBar(const UiContext& ui);
  void DrawNavBar(const UiContext& ui);
  void DrawNotice(const UiContext& ui);

  GuiModel& model_;
  platform::Window& window_;
  float scale_ = 0;  // fonts were built for this scale
  Theme theme_ = Theme::kLight;
  const Palette* palette_ = nullptr;
};

}  // namespace fieldsync::gui
