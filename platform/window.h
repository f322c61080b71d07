// platform/window.h — the app's window: SDL2 with either an OpenGL 3 (or
// GLES 3) context and Dear ImGui's OpenGL3 backend, or this project's CPU
// rasteriser (platform/soft_raster.h) drawing into SDL's window image; ImGui's
// SDL2 backend for input either way.
//
// SDL picks the video driver: X11 or Wayland on a desktop, KMSDRM on an
// embedded board without one (set SDL_VIDEODRIVER to force). Built with
// FIELDSYNC_GLES the context is GLES 3.0, otherwise desktop GL 3.0.
//
// RENDERER CHOICE (platform/renderer.h: --renderer gl|software|auto, the
// FIELDSYNC_RENDERER setting, default auto). OpenGL is the renderer on a
// device with a GPU and stays the default there. On a device without one
// (auto: no /dev/dri/renderD*) OpenGL would be Mesa's llvmpipe, which alone
// keeps ~60 MiB of LLVM and driver code resident — the whole memory budget —
// so auto draws with the CPU rasteriser instead. Measured with
// bench/gui_bench (100,000 reports, reports list scrolling, Xvfb, the 2-core
// CI machine without a GPU):
//                      frame CPU p50 / p99   cold start   resident (VmRSS)
//   gl (llvmpipe)        0.78 / 3.20 ms        142 ms       118.0 MiB
//     (with the swap)   12.9 / 24.7 ms
//   software             1.23 / 1.91 ms         76 ms        36.4 MiB
//   SDL_Renderer (evaluated, not kept)
//                       18.5 / 43.7 ms         159 ms        38.3 MiB
// (cold start: process launch to first frame, median of 5; load average
// 1–2 — under a parallel build every figure rises, see README.)
// "Frame CPU" for gl stops before the buffer swap, where llvmpipe rasterises
// (a GPU's work on a device that has one); for software it is the whole
// frame, rasterising and the copy to the screen included. SDL's own software
// SDL_Renderer (imgui_impl_sdlrenderer.cpp) was measured first and dropped:
// it blits each glyph through a generic path and missed the 4 ms budget by
// a factor of ten. Screenshots are the same picture with either renderer
// (tests/gui compares them pixel by pixel; anti-aliased edges may differ by
// a shade); the Wayland and KMSDRM drivers of SDL 2.26 have no window image
// of their own and back it with a GL texture, so there the software renderer
// saves the frame time but not the memory — use gl.
//
// A frame is PumpEvents → BeginFrame → (the UI's ImGui calls) → EndFrame →
// Present. EndFrame can also write the frame as a PNG (screenshots, tests):
// with gl it renders it again into an offscreen framebuffer, with software it
// reads the window image back; this works with a hidden window.
//
// Fonts: LoadFonts() builds the atlas from a Debian font (platform/paths.h)
// with Basic Latin, Latin-1, Latin Extended-A and general punctuation — every
// glyph en, fr, es and pt need — plus a few symbols merged from DejaVu Sans.
// Each font file is read once and freed once the atlas is built; the atlas is
// only as tall as its glyphs (1024 × 559 at scale 1, not 1024 × 1024).
//
// Thread safety: one Window per process, used from the thread that created it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "platform/renderer.h"

struct SDL_Window;
struct SDL_Surface;
struct ImFont;

namespace fieldsync::platform {

class SoftRasterizer;  // soft_raster.h

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
  // The software renderer has no vsync: it paces presents to 60 a second.
  bool vsync = true;
  bool resizable = true;
  // kAuto resolves through ChooseRenderer (renderer.h).
  Renderer renderer = Renderer::kAuto;
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
  // Initialises SDL video, creates the window and its renderer (GL context
  // or SDL software renderer), and the ImGui context with both backends.
  // Fails with Unavailable and a sentence naming the cause when there is no
  // display ("no display: SDL could not ...", or "no display: only an
  // offscreen video driver is available"), or when the renderer asked for
  // explicitly cannot start ("no OpenGL: ..."). With auto, a renderer that
  // cannot start gives way to the other.
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
  // Swaps buffers (waits for vsync when enabled). With the software renderer
  // this is where the frame is copied to the screen.
  void Present();
  // Wakes a PumpEvents that is waiting. Safe from any thread.
  static void PostWakeEvent();

  SDL_Window* sdl_window() const { return window_; }
  const char* video_driver() const;
  // kOpenGL or kSoftware: what Create chose.
  Renderer renderer() const { return renderer_; }
  // For people: "gl: llvmpipe (LLVM 15.0.6, 256 bits)", "software (SDL)".
  std::string renderer_description() const;

 private:
  struct Gl;  // GL entry points for clearing and capture (window.cpp)
  Window();
  Status CreateGl(const WindowOptions& options);
  Status CreateSoftware(const WindowOptions& options);
  void DestroyRenderer();
  Status CaptureGlToPng(const std::string& path);
  SDL_Surface* SoftwareTarget();  // what the rasteriser draws into this frame
  Status CaptureSoftwareToPng(const std::string& path, const SDL_Surface& surface);

  std::unique_ptr<Gl> gl_;

  Renderer renderer_ = Renderer::kOpenGL;
  SDL_Window* window_ = nullptr;
  void* gl_context_ = nullptr;
  std::unique_ptr<SoftRasterizer> soft_;
  SDL_Surface* staging_ = nullptr;  // only when the window's image is not 32-bit
  bool vsync_ = true;
  uint64_t last_present_ticks_ = 0;  // SDL_GetTicks64 (software pacing)
  bool imgui_sdl_ready_ = false;
  bool imgui_renderer_ready_ = false;
  bool had_input_ = false;
  float display_scale_ = 1.0f;
  FontSet fonts_;
};

}  // namespace fieldsync::platform
