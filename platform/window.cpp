// platform/window.cpp — SDL2 + OpenGL (Dear ImGui's backends) or the CPU
// rasteriser (soft_raster.h) drawing into SDL's window surface; fonts, PNG
// capture.
#include "platform/window.h"

#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>
#include <imgui_impl_sdl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "platform/paths.h"
#include "platform/soft_raster.h"

// stb_image_write's implementation lives in Debian's libstb.
extern "C" int stbi_write_png(char const* filename, int w, int h, int comp, const void* data,
                              int stride_in_bytes);

namespace fieldsync::platform {
namespace {

// The handful of GL entry points the PNG capture needs, loaded through SDL so
// this file does not depend on a GL loader or header flavour (GL vs GLES).
using GLenum = unsigned int;
using GLuint = unsigned int;
using GLint = int;
using GLsizei = int;
using GLbitfield = unsigned int;
using GLfloat = float;
constexpr GLenum kFramebuffer = 0x8D40;
constexpr GLenum kFramebufferBinding = 0x8CA6;
constexpr GLenum kColorAttachment0 = 0x8CE0;
constexpr GLenum kFramebufferComplete = 0x8CD5;
constexpr GLenum kTexture2D = 0x0DE1;
constexpr GLenum kTextureBinding2D = 0x8069;
constexpr GLenum kRgba = 0x1908;
constexpr GLenum kRgba8 = 0x8058;
constexpr GLenum kUnsignedByte = 0x1401;
constexpr GLenum kPackAlignment = 0x0D05;
constexpr GLbitfield kColorBufferBit = 0x00004000;
constexpr GLenum kRenderer = 0x1F01;

struct GlFunctions {
  void (*GenFramebuffers)(GLsizei, GLuint*) = nullptr;
  void (*DeleteFramebuffers)(GLsizei, const GLuint*) = nullptr;
  void (*BindFramebuffer)(GLenum, GLuint) = nullptr;
  void (*FramebufferTexture2D)(GLenum, GLenum, GLenum, GLuint, GLint) = nullptr;
  GLenum (*CheckFramebufferStatus)(GLenum) = nullptr;
  void (*GenTextures)(GLsizei, GLuint*) = nullptr;
  void (*DeleteTextures)(GLsizei, const GLuint*) = nullptr;
  void (*BindTexture)(GLenum, GLuint) = nullptr;
  void (*TexImage2D)(GLenum, GLint, GLint, GLsizei, GLsizei, GLint, GLenum, GLenum,
                     const void*) = nullptr;
  void (*ReadPixels)(GLint, GLint, GLsizei, GLsizei, GLenum, GLenum, void*) = nullptr;
  void (*PixelStorei)(GLenum, GLint) = nullptr;
  void (*GetIntegerv)(GLenum, GLint*) = nullptr;
  void (*Viewport)(GLint, GLint, GLsizei, GLsizei) = nullptr;
  void (*ClearColor)(GLfloat, GLfloat, GLfloat, GLfloat) = nullptr;
  void (*Clear)(GLbitfield) = nullptr;
  void (*Finish)() = nullptr;
  const unsigned char* (*GetString)(GLenum) = nullptr;

  bool Load() {
    auto get = [](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(SDL_GL_GetProcAddress(name));
      return fn != nullptr;
    };
    return get(GenFramebuffers, "glGenFramebuffers") &&
           get(DeleteFramebuffers, "glDeleteFramebuffers") &&
           get(BindFramebuffer, "glBindFramebuffer") &&
           get(FramebufferTexture2D, "glFramebufferTexture2D") &&
           get(CheckFramebufferStatus, "glCheckFramebufferStatus") &&
           get(GenTextures, "glGenTextures") && get(DeleteTextures, "glDeleteTextures") &&
           get(BindTexture, "glBindTexture") && get(TexImage2D, "glTexImage2D") &&
           get(ReadPixels, "glReadPixels") && get(PixelStorei, "glPixelStorei") &&
           get(GetIntegerv, "glGetIntegerv") && get(Viewport, "glViewport") &&
           get(ClearColor, "glClearColor") && get(Clear, "glClear") && get(Finish, "glFinish") &&
           get(GetString, "glGetString");
  }
};

// Every glyph the four UI languages need (Basic Latin, Latin-1 and Latin
// Extended-A — œ, Œ, Ÿ included —, general punctuation such as … – — ‘ ’ “ ”,
// the euro and numero signs, minus). Fewer glyphs build faster at start-up.
const ImWchar kTextRanges[] = {0x0020, 0x017F, 0x2010, 0x205E, 0x20AC, 0x20AC, 0x2116, 0x2116,
                               0x2212, 0x2212, 0};
// Symbols the UI draws (arrows, ↻, ⌫, ●○▼, ☐☑, ✓, ⚠), merged from DejaVu Sans.
const ImWchar kSymbolRanges[] = {0x2190, 0x21BB, 0x2212, 0x2212, 0x2300, 0x232B, 0x25A0, 0x25FF,
                                 0x2610, 0x2611, 0x26A0, 0x26A0, 0x2713, 0x2718, 0};

}  // namespace

struct Window::Gl : GlFunctions {};

Window::Window() : gl_(std::make_unique<Gl>()) {}

Result<std::unique_ptr<Window>> Window::Create(const WindowOptions& options) {
  // Touch screens: SDL turns touches into mouse events, which is what ImGui reads.
  SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "1");
  SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
  // The software renderer draws into the window's own image (MIT-SHM on
  // X11). Without this hint SDL on Linux first makes a throwaway OpenGL
  // context to decide whether to put a GL texture behind that image — which
  // would load llvmpipe, the very thing the software renderer avoids.
  SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
    return Status::Unavailable(std::string("no display: SDL could not start video (") +
                               SDL_GetError() + ")");
  }
  const char* driver = SDL_GetCurrentVideoDriver();
  const bool offscreen = driver && (std::strcmp(driver, "offscreen") == 0 || std::strcmp(driver, "dummy") == 0);
  if (offscreen && !options.allow_offscreen && !std::getenv("SDL_VIDEODRIVER")) {
    SDL_Quit();
    return Status::Unavailable(
        "no display: no X11, Wayland or KMSDRM screen was found (only an offscreen video driver)");
  }
  std::unique_ptr<Window> w(new Window());
  w->vsync_ = options.vsync;
  const char* setting = std::getenv("FIELDSYNC_RENDERER");
  const Renderer chosen = ChooseRenderer(options.renderer, setting, HasGpuRenderNode());
  auto create = [&](Renderer r) {
    w->renderer_ = r;
    return r == Renderer::kOpenGL ? w->CreateGl(options) : w->CreateSoftware(options);
  };
  Status made = create(chosen);
  // Only auto's own pick gives way; a renderer asked for (option or setting)
  // fails loudly instead.
  Renderer asked = Renderer::kAuto;
  const bool may_fall_back = options.renderer == Renderer::kAuto &&
                             !(setting && ParseRenderer(setting, &asked) && asked != Renderer::kAuto);
  if (!made.ok() && may_fall_back) {
    w->DestroyRenderer();
    const Renderer other = chosen == Renderer::kOpenGL ? Renderer::kSoftware : Renderer::kOpenGL;
    Status second = create(other);
    if (second.ok()) {
      std::fprintf(stderr, "fieldsync: %s; drawing with the %s renderer instead\n", made.message().c_str(),
                   RendererName(other));
      made = second;
    }
  }
  if (!made.ok()) return made;

  float ddpi = 0;
  int display = SDL_GetWindowDisplayIndex(w->window_);
  if (!options.hidden && SDL_GetDisplayDPI(display < 0 ? 0 : display, &ddpi, nullptr, nullptr) == 0 &&
      ddpi > 0) {
    w->display_scale_ = std::clamp(ddpi / 96.0f, 1.0f, 4.0f);
  }
  if (const char* s = std::getenv("FIELDSYNC_SCALE")) {
    float v = std::strtof(s, nullptr);
    if (v >= 0.5f && v <= 4.0f) w->display_scale_ = v;
  }
  return w;
}

namespace {

SDL_Window* MakeSdlWindow(const WindowOptions& options, Uint32 flags) {
  flags |= SDL_WINDOW_ALLOW_HIGHDPI;
  flags |= options.hidden ? SDL_WINDOW_HIDDEN : SDL_WINDOW_SHOWN;
  if (options.resizable) flags |= SDL_WINDOW_RESIZABLE;
  return SDL_CreateWindow(options.title.c_str(), SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, options.width,
                          options.height, flags);
}

void MakeImGuiContext() {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is fixed; nothing to remember
  io.LogFilename = nullptr;
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
}

}  // namespace

Status Window::CreateGl(const WindowOptions& options) {
#ifdef FIELDSYNC_GLES
  const char* glsl_version = "#version 300 es";
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_ES);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
#else
  const char* glsl_version = "#version 130";
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
#endif
  SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
  SDL_GL_SetAttribute(SDL_GL_DEPTH_SIZE, 0);
  SDL_GL_SetAttribute(SDL_GL_STENCIL_SIZE, 0);
  window_ = MakeSdlWindow(options, SDL_WINDOW_OPENGL);
  if (!window_) {
    return Status::Unavailable(std::string("no display: SDL could not create a window (") + SDL_GetError() + ")");
  }
  gl_context_ = SDL_GL_CreateContext(window_);
  if (!gl_context_) {
    return Status::Unavailable(std::string("no OpenGL: could not create a context (") + SDL_GetError() + ")");
  }
  SDL_GL_MakeCurrent(window_, gl_context_);
  if (!gl_->Load()) {
    return Status::Unavailable("no OpenGL: the driver lacks framebuffer objects (GL 3 / GLES 3)");
  }
  SDL_GL_SetSwapInterval(options.vsync ? 1 : 0);
  MakeImGuiContext();
  if (!ImGui_ImplSDL2_InitForOpenGL(window_, gl_context_)) {
    return Status::Internal("could not initialise the ImGui SDL2 backend");
  }
  imgui_sdl_ready_ = true;
  if (!ImGui_ImplOpenGL3_Init(glsl_version)) {
    return Status::Unavailable("no OpenGL: the ImGui OpenGL3 backend failed to start");
  }
  imgui_renderer_ready_ = true;
  return Status();
}

Status Window::CreateSoftware(const WindowOptions& options) {
  window_ = MakeSdlWindow(options, 0);
  if (!window_) {
    return Status::Unavailable(std::string("no display: SDL could not create a window (") + SDL_GetError() + ")");
  }
  if (!SDL_GetWindowSurface(window_)) {
    return Status::Unavailable(std::string("no software rendering: SDL has no image for the window (") +
                               SDL_GetError() + ")");
  }
  soft_ = std::make_unique<SoftRasterizer>();
  MakeImGuiContext();
  // ImGui's SDL2 platform backend serves any window that is not OpenGL.
  if (!ImGui_ImplSDL2_InitForSDLRenderer(window_)) {
    return Status::Internal("could not initialise the ImGui SDL2 backend");
  }
  imgui_sdl_ready_ = true;
  ImGuiIO& io = ImGui::GetIO();
  io.BackendRendererName = "fieldsync_soft_raster";
  io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;
  imgui_renderer_ready_ = true;
  return Status();
}

void Window::DestroyRenderer() {
  if (imgui_renderer_ready_) {
    if (renderer_ == Renderer::kOpenGL) ImGui_ImplOpenGL3_Shutdown();
    else ImGui::GetIO().BackendRendererName = nullptr;
  }
  if (imgui_sdl_ready_) ImGui_ImplSDL2_Shutdown();
  if (ImGui::GetCurrentContext()) ImGui::DestroyContext();
  if (gl_context_) SDL_GL_DeleteContext(gl_context_);
  if (staging_) SDL_FreeSurface(staging_);
  if (window_) SDL_DestroyWindow(window_);
  soft_.reset();
  imgui_renderer_ready_ = imgui_sdl_ready_ = false;
  gl_context_ = nullptr;
  staging_ = nullptr;
  window_ = nullptr;
}

Window::~Window() {
  DestroyRenderer();
  SDL_Quit();
}

bool Window::PumpEvents(int timeout_ms) {
  had_input_ = false;
  bool keep_running = true;
  SDL_Event event;
  bool got = timeout_ms > 0 ? SDL_WaitEventTimeout(&event, timeout_ms) == 1
                            : SDL_PollEvent(&event) == 1;
  while (got) {
    had_input_ = true;
    ImGui_ImplSDL2_ProcessEvent(&event);
    if (event.type == SDL_QUIT) keep_running = false;
    if (event.type == SDL_WINDOWEVENT && event.window.event == SDL_WINDOWEVENT_CLOSE &&
        event.window.windowID == SDL_GetWindowID(window_)) {
      keep_running = false;
    }
    got = SDL_PollEvent(&event) == 1;
  }
  return keep_running;
}

Status Window::LoadFonts(float pixel_size) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  // The texture is as tall as the glyphs need: rounding up to a power of two
  // (ImGui's default) can double it, and every renderer keeps an RGBA copy.
  io.Fonts->Flags |= ImFontAtlasFlags_NoPowerOfTwoHeight;
  fonts_ = FontSet{};
  fonts_.pixel_size = pixel_size;
  const auto regular = FindUiFont(false);
  const auto bold = FindUiFont(true);
  const auto symbols = std::filesystem::path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
  Status status;
  // Each font file is read once and shared by the sizes made from it; the
  // files are only needed while the atlas is built and are freed after it
  // (ImGui would otherwise keep one copy per size for the app's lifetime).
  std::vector<std::pair<std::filesystem::path, std::vector<char>>> files;
  auto file_data = [&](const std::filesystem::path& file) -> std::vector<char>* {
    for (auto& [path, data] : files) {
      if (path == file) return data.empty() ? nullptr : &data;
    }
    files.emplace_back(file, std::vector<char>());
    std::vector<char>& data = files.back().second;
    if (std::FILE* f = std::fopen(file.c_str(), "rb")) {
      char buf[65536];
      for (size_t n; (n = std::fread(buf, 1, sizeof(buf), f)) > 0;) data.insert(data.end(), buf, buf + n);
      std::fclose(f);
    }
    return data.empty() ? nullptr : &data;
  };
  auto add = [&](const std::filesystem::path& file, float size, bool with_symbols) -> ImFont* {
    std::vector<char>* data = file_data(file);
    if (!data) return nullptr;
    ImFontConfig cfg;
    cfg.FontDataOwnedByAtlas = false;
    // Pixel-snapped text at these sizes needs no oversampling (which would
    // double the rasterising at start-up).
    cfg.OversampleH = 1;
    cfg.OversampleV = 1;
    cfg.PixelSnapH = true;
    ImFont* font = io.Fonts->AddFontFromMemoryTTF(data->data(), static_cast<int>(data->size()), size, &cfg,
                                                  kTextRanges);
    std::vector<char>* sym = with_symbols && font ? file_data(symbols) : nullptr;
    if (sym) {
      ImFontConfig merge;
      merge.FontDataOwnedByAtlas = false;
      merge.MergeMode = true;
      merge.PixelSnapH = true;
      io.Fonts->AddFontFromMemoryTTF(sym->data(), static_cast<int>(sym->size()), size, &merge, kSymbolRanges);
    }
    return font;
  };
  if (!regular.empty()) {
    fonts_.regular = add(regular, pixel_size, true);
    fonts_.bold = add(bold.empty() ? regular : bold, pixel_size, true);
    fonts_.title = add(bold.empty() ? regular : bold, pixel_size * 1.35f, true);
    fonts_.small = add(regular, pixel_size * 0.8f, false);
  }
  if (!fonts_.regular) {
    ImFontConfig cfg;
    cfg.SizePixels = pixel_size;
    fonts_.regular = fonts_.bold = fonts_.title = fonts_.small = io.Fonts->AddFontDefault(&cfg);
    status = Status::NotFound(
        "no UI font found (install fonts-noto-core or fonts-dejavu-core); "
        "accented capitals may not show");
  }
  io.FontDefault = fonts_.regular;
  const auto t0 = std::chrono::steady_clock::now();
  io.Fonts->Build();
  // The glyphs are in the atlas now; drop the pointers into `files` before
  // they are freed (a rebuild starts with Clear(), which adds them again).
  for (ImFontConfig& cfg : io.Fonts->ConfigData) {
    if (!cfg.FontDataOwnedByAtlas) {
      cfg.FontData = nullptr;
      cfg.FontDataSize = 0;
    }
  }
  files.clear();
  const auto t1 = std::chrono::steady_clock::now();
  if (renderer_ == Renderer::kOpenGL) {
    ImGui_ImplOpenGL3_DestroyDeviceObjects();
    ImGui_ImplOpenGL3_CreateDeviceObjects();
  } else {
    unsigned char* alpha = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsAlpha8(&alpha, &w, &h);
    soft_->SetAtlas(alpha, w, h);
    io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(1)));
  }
  io.Fonts->ClearTexData();  // the renderer has it; frees the CPU copy

  const auto t2 = std::chrono::steady_clock::now();
  if (std::getenv("FIELDSYNC_TRACE")) {
    auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
    std::fprintf(stderr, "trace fonts: atlas %.0f ms (%dx%d), texture upload %.0f ms\n", ms(t1 - t0),
                 io.Fonts->TexWidth, io.Fonts->TexHeight, ms(t2 - t1));
  }
  return status;
}

void Window::BeginFrame() {
  if (renderer_ == Renderer::kOpenGL) ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplSDL2_NewFrame();
  // ImGui 1.86's SDL backend reads the pointer from SDL's global mouse state
  // on X11, which SDL 2.26 refreshes only when a button goes down or up:
  // while a finger or the mouse drags, the pointer would seem to stand still
  // and a list could not be scrolled by dragging. SDL's state for the window
  // follows every motion event (touches turned into mouse events included).
  if (SDL_GetMouseFocus() == window_) {
    int x = 0, y = 0;
    SDL_GetMouseState(&x, &y);
    ImGui::GetIO().MousePos = ImVec2(static_cast<float>(x), static_cast<float>(y));
  }
  ImGui::NewFrame();
}

Status Window::EndFrame(const std::string& capture_png) {
  ImGui::Render();
  Status status;
  if (renderer_ == Renderer::kSoftware) {
    SDL_Surface* target = SoftwareTarget();
    if (!target) return Status::Unavailable(std::string("software rendering: no window image (") + SDL_GetError() + ")");
    if (SDL_MUSTLOCK(target)) SDL_LockSurface(target);
    PixelTarget t;
    t.pixels = static_cast<uint32_t*>(target->pixels);
    t.width = target->w;
    t.height = target->h;
    t.pitch = target->pitch;
    t.r_shift = target->format->Rshift;
    t.g_shift = target->format->Gshift;
    t.b_shift = target->format->Bshift;
    t.opaque_bits = target->format->Amask;
    soft_->Render(*ImGui::GetDrawData(), t);
    // The image is the frame itself: read it back before Present.
    if (!capture_png.empty()) status = CaptureSoftwareToPng(capture_png, *target);
    if (SDL_MUSTLOCK(target)) SDL_UnlockSurface(target);
    return status;
  }
  ImGuiIO& io = ImGui::GetIO();
  int fb_w = static_cast<int>(io.DisplaySize.x * io.DisplayFramebufferScale.x);
  int fb_h = static_cast<int>(io.DisplaySize.y * io.DisplayFramebufferScale.y);
  if (!capture_png.empty()) status = CaptureGlToPng(capture_png);
  gl_->Viewport(0, 0, fb_w, fb_h);
  gl_->ClearColor(0, 0, 0, 1);
  gl_->Clear(kColorBufferBit);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  return status;
}

void Window::Present() {
  if (renderer_ == Renderer::kOpenGL) {
    SDL_GL_SwapWindow(window_);
    return;
  }
  // No vsync in software: keep to 60 frames a second (a busy frame loop
  // would otherwise spin a core while something animates).
  if (vsync_ && last_present_ticks_ != 0) {
    const uint64_t due = last_present_ticks_ + 16;
    const uint64_t now = SDL_GetTicks64();
    if (now < due) SDL_Delay(static_cast<Uint32>(due - now));
  }
  if (staging_) SDL_BlitSurface(staging_, nullptr, SDL_GetWindowSurface(window_), nullptr);
  SDL_UpdateWindowSurface(window_);
  last_present_ticks_ = SDL_GetTicks64();
}

void Window::PostWakeEvent() {
  SDL_Event e{};
  e.type = SDL_USEREVENT;
  SDL_PushEvent(&e);
}

const char* Window::video_driver() const {
  const char* d = SDL_GetCurrentVideoDriver();
  return d ? d : "none";
}

std::string Window::renderer_description() const {
  if (renderer_ == Renderer::kSoftware) {
    SDL_Surface* s = SDL_GetWindowSurface(window_);
    return std::string("software: CPU rasteriser into SDL's window image (") +
           (s ? SDL_GetPixelFormatName(s->format->format) : "none") + (staging_ ? ", converted" : "") + ")";
  }
  const unsigned char* s = gl_->GetString(kRenderer);
  return std::string("gl: ") + (s ? reinterpret_cast<const char*>(s) : "unknown");
}

namespace {

// Writes top-down RGBA rows as an opaque PNG; errors name the file.
Status WritePng(const std::string& path, int w, int h, std::vector<unsigned char>& rgba) {
  for (size_t i = 3; i < rgba.size(); i += 4) rgba[i] = 255;
  if (!stbi_write_png(path.c_str(), w, h, 4, rgba.data(), w * 4)) {
    return Status::IOError("screenshot: could not write '" + path + "'");
  }
  return Status();
}

}  // namespace

SDL_Surface* Window::SoftwareTarget() {
  SDL_Surface* surface = SDL_GetWindowSurface(window_);
  if (!surface) return nullptr;
  if (surface->format->BytesPerPixel == 4) {
    if (staging_) {
      SDL_FreeSurface(staging_);
      staging_ = nullptr;
    }
    return surface;
  }
  // A 16- or 24-bit screen: draw in 32 bits and let SDL convert on Present.
  if (!staging_ || staging_->w != surface->w || staging_->h != surface->h) {
    if (staging_) SDL_FreeSurface(staging_);
    staging_ = SDL_CreateRGBSurfaceWithFormat(0, surface->w, surface->h, 32, SDL_PIXELFORMAT_XRGB8888);
  }
  return staging_;
}

Status Window::CaptureSoftwareToPng(const std::string& path, const SDL_Surface& surface) {
  const int w = surface.w, h = surface.h;
  if (w <= 0 || h <= 0) return Status::FailedPrecondition("screenshot: the window has no size");
  std::vector<unsigned char> rgba(static_cast<size_t>(w) * h * 4);
  const SDL_PixelFormat& f = *surface.format;
  for (int y = 0; y < h; ++y) {
    const auto* row = reinterpret_cast<const uint32_t*>(static_cast<const unsigned char*>(surface.pixels) +
                                                        static_cast<size_t>(y) * surface.pitch);
    unsigned char* out = &rgba[static_cast<size_t>(y) * w * 4];
    for (int x = 0; x < w; ++x) {
      out[4 * x] = static_cast<unsigned char>(row[x] >> f.Rshift);
      out[4 * x + 1] = static_cast<unsigned char>(row[x] >> f.Gshift);
      out[4 * x + 2] = static_cast<unsigned char>(row[x] >> f.Bshift);
    }
  }
  return WritePng(path, w, h, rgba);
}

Status Window::CaptureGlToPng(const std::string& path) {
  GlFunctions& gl = *gl_;
  ImDrawData* draw = ImGui::GetDrawData();
  const int w = static_cast<int>(draw->DisplaySize.x * draw->FramebufferScale.x);
  const int h = static_cast<int>(draw->DisplaySize.y * draw->FramebufferScale.y);
  if (w <= 0 || h <= 0) return Status::FailedPrecondition("screenshot: the window has no size");
  GLint old_fbo = 0, old_tex = 0;
  gl.GetIntegerv(kFramebufferBinding, &old_fbo);
  gl.GetIntegerv(kTextureBinding2D, &old_tex);
  GLuint tex = 0, fbo = 0;
  gl.GenTextures(1, &tex);
  gl.BindTexture(kTexture2D, tex);
  gl.TexImage2D(kTexture2D, 0, static_cast<GLint>(kRgba8), w, h, 0, kRgba, kUnsignedByte, nullptr);
  gl.GenFramebuffers(1, &fbo);
  gl.BindFramebuffer(kFramebuffer, fbo);
  gl.FramebufferTexture2D(kFramebuffer, kColorAttachment0, kTexture2D, tex, 0);
  Status status;
  if (gl.CheckFramebufferStatus(kFramebuffer) != kFramebufferComplete) {
    status = Status::Unavailable("screenshot: could not make an offscreen framebuffer");
  } else {
    gl.Viewport(0, 0, w, h);
    gl.ClearColor(0, 0, 0, 1);
    gl.Clear(kColorBufferBit);
    ImGui_ImplOpenGL3_RenderDrawData(draw);
    gl.Finish();
    std::vector<unsigned char> pixels(static_cast<size_t>(w) * h * 4);
    gl.PixelStorei(kPackAlignment, 1);
    gl.ReadPixels(0, 0, w, h, kRgba, kUnsignedByte, pixels.data());
    // GL rows go bottom-up; PNG rows top-down. Force opaque alpha.
    std::vector<unsigned char> flipped(pixels.size());
    const size_t row = static_cast<size_t>(w) * 4;
    for (int y = 0; y < h; ++y) {
      std::memcpy(&flipped[static_cast<size_t>(y) * row], &pixels[static_cast<size_t>(h - 1 - y) * row], row);
    }
    status = WritePng(path, w, h, flipped);
  }
  gl.BindFramebuffer(kFramebuffer, static_cast<GLuint>(old_fbo));
  gl.BindTexture(kTexture2D, static_cast<GLuint>(old_tex));
  gl.DeleteFramebuffers(1, &fbo);
  gl.DeleteTextures(1, &tex);
  return status;
}

}  // namespace fieldsync::platform
