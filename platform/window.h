// platform/window.h — the app's window: SDL2 with an OpenGL 3 (or GLES 3)
// context, and Dear ImGui bound to both through its SDL2 and OpenGL3 backends.
//
// SDL picks the video driver: X11 or Wayland on a desktop, KMSDRM on an
// embedded board without one (set SDL_VIDEODRIVER to force). Built with
// FIELDSYNC_GLES the context is GLES 3.0, otherwise desktop GL 3.0.
//
// A frame is PumpEvents → BeginFrame → (the UI's ImGui calls) → EndFrame →
// Present. EndFrame can also render the frame into an offscreen framebuffer
// and write it as a PNG (screenshots, tests); this works with a hidden window.
//
// Fonts: LoadFonts() builds the atlas from a Debian font (platform/paths.h)
// with Basic Latin, Latin-1, Latin Extended-A/B and general punctuation — every
// glyph en, fr, es and pt need — plus a few symbols merged from DejaVu Sans.
//
// Thread safety: one Window per process, used from the thread that created it.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

struct SDL_Window;
struct ImFont;

namespace fieldsync::platform {

struct WindowOptions {
  std::string title = "fieldsync";
  int width = 540;   // logical pixels; a portrait handheld by default
  int height = 960;
  bool hidden = false;  // never shown: screenshots and scripted runs
  // Accept SDL's offscreen driver (EGL without a display) when no display
  // exists: right for screenshots and scripts, wrong for a person (who would
  // see nothing), so Create() refuses it unless this is set or SDL_VIDEODRIVER
  // asks for it.
  bool allow_offscreen = false;
  bool vsync = true;
  bool resizable = true;
};

struct FontSet {
  ImFont* regular = nullptr;
  ImFont* bold = nullptr;
  ImFont* title = nullptr;  // bold, 1.35 × the regular size
  ImFont* small = nullptr;  // 0.8 × the regular size
  float pixel_size = 0;
};

class Window {
 public:
  // Initialises SDL video, creates the window and GL context, and the ImGui
  // context with both backends. Fails with Unavailable and a sentence naming
  // the cause when there is no display ("no display: SDL could not ...", or
  // "no display: only an offscreen video driver is available").
  static Result<std::unique_ptr<Window>> Create(const WindowOptions& options);
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  // Feeds pending events to ImGui. When none is pending, waits up to
  // timeout_ms for one (0: does not wait). Returns false once the user or the
  // system asked to quit. had_input() tells whether any event arrived.
  bool PumpEvents(int timeout_ms);
  bool had_input() const { return had_input_; }

  // Display density relative to 96 dpi (1.0 when unknown), clamped to [1, 4].
  // FIELDSYNC_SCALE in the environment overrides it.
  float display_scale() const { return display_scale_; }

  // (Re)builds the font atlas at `pixel_size` and uploads it. Call between
  // frames (not inside BeginFrame/EndFrame). Falls back to ImGui's built-in
  // font, with an error Status saying so, when no font file exists.
  Status LoadFonts(float pixel_size);
  const FontSet& fonts() const { return fonts_; }

  void BeginFrame();
  // Renders the frame into the back buffer. With capture_png non-empty, the
  // same frame is also rendered offscreen and written there (RGBA PNG, the
  // window's size in pixels); errors name the file.
  Status EndFrame(const std::string& capture_png = {});
  // Swaps buffers (waits for vsync when enabled).
  void Present();
  // Wakes a PumpEvents that is waiting. Safe from any thread.
  static void PostWakeEvent();

  SDL_Window* sdl_window() const { return window_; }
  const char* video_driver() const;
  std::string gl_renderer() const;

 private:
  struct Gl;  // GL entry points for clearing and capture (window.cpp)
  Window();
  Status CaptureToPng(const std::string& path);

  std::unique_ptr<Gl> gl_;

  SDL_Window* window_ = nullptr;
  void* gl_context_ = nullptr;
  bool imgui_sdl_ready_ = false;
  bool imgui_gl_ready_ = false;
  bool had_input_ = false;
  float display_scale_ = 1.0f;
  FontSet fonts_;
};

}  // namespace fieldsync::platform
