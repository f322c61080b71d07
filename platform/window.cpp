// platform/window.cpp — SDL2 + OpenGL + Dear ImGui backends, fonts, PNG capture.
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
  Uint32 flags = SDL_WINDOW_OPENGL | SDL_WINDOW_ALLOW_HIGHDPI;
  flags |= options.hidden ? SDL_WINDOW_HIDDEN : SDL_WINDOW_SHOWN;
  if (options.resizable) flags |= SDL_WINDOW_RESIZABLE;
  w->window_ = SDL_CreateWindow(options.title.c_str(), SDL_WINDOWPOS_CENTERED,
                                SDL_WINDOWPOS_CENTERED, options.width, options.height, flags);
  if (!w->window_) {
    return Status::Unavailable(std::string("no display: SDL could not create a window (") +
                               SDL_GetError() + ")");
  }
  w->gl_context_ = SDL_GL_CreateContext(w->window_);
  if (!w->gl_context_) {
    return Status::Unavailable(std::string("no OpenGL: could not create a context (") +
                               SDL_GetError() + ")");
  }
  SDL_GL_MakeCurrent(w->window_, w->gl_context_);
  if (!w->gl_->Load()) {
    return Status::Unavailable("no OpenGL: the driver lacks framebuffer objects (GL 3 / GLES 3)");
  }
  SDL_GL_SetSwapInterval(options.vsync ? 1 : 0);

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

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is fixed; nothing to remember
  io.LogFilename = nullptr;
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  if (!ImGui_ImplSDL2_InitForOpenGL(w->window_, w->gl_context_)) {
    return Status::Internal("could not initialise the ImGui SDL2 backend");
  }
  w->imgui_sdl_ready_ = true;
  if (!ImGui_ImplOpenGL3_Init(glsl_version)) {
    return Status::Unavailable("no OpenGL: the ImGui OpenGL3 backend failed to start");
  }
  w->imgui_gl_ready_ = true;
  return w;
}

Window::~Window() {
  if (imgui_gl_ready_) ImGui_ImplOpenGL3_Shutdown();
  if (imgui_sdl_ready_) ImGui_ImplSDL2_Shutdown();
  if (ImGui::GetCurrentContext()) ImGui::DestroyContext();
  if (gl_context_) SDL_GL_DeleteContext(gl_context_);
  if (window_) SDL_DestroyWindow(window_);
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
  ImGui_ImplOpenGL3_DestroyDeviceObjects();
  ImGui_ImplOpenGL3_CreateDeviceObjects();
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
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplSDL2_NewFrame();
  ImGui::NewFrame();
}

Status Window::EndFrame(const std::string& capture_png) {
  ImGui::Render();
  ImGuiIO& io = ImGui::GetIO();
  int fb_w = static_cast<int>(io.DisplaySize.x * io.DisplayFramebufferScale.x);
  int fb_h = static_cast<int>(io.DisplaySize.y * io.DisplayFramebufferScale.y);
  Status status;
  if (!capture_png.empty()) status = CaptureToPng(capture_png);
  gl_->Viewport(0, 0, fb_w, fb_h);
  gl_->ClearColor(0, 0, 0, 1);
  gl_->Clear(kColorBufferBit);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  return status;
}

void Window::Present() { SDL_GL_SwapWindow(window_); }

void Window::PostWakeEvent() {
  SDL_Event e{};
  e.type = SDL_USEREVENT;
  SDL_PushEvent(&e);
}

const char* Window::video_driver() const {
  const char* d = SDL_GetCurrentVideoDriver();
  return d ? d : "none";
}

std::string Window::gl_renderer() const {
  const unsigned char* s = gl_->GetString(kRenderer);
  return s ? reinterpret_cast<const char*>(s) : "unknown";
}

Status Window::CaptureToPng(const std::string& path) {
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
    for (size_t i = 3; i < flipped.size(); i += 4) flipped[i] = 255;
    if (!stbi_write_png(path.c_str(), w, h, 4, flipped.data(), static_cast<int>(row))) {
      status = Status::IOError("screenshot: could not write '" + path + "'");
    }
  }
  gl.BindFramebuffer(kFramebuffer, static_cast<GLuint>(old_fbo));
  gl.BindTexture(kTexture2D, static_cast<GLuint>(old_tex));
  gl.DeleteFramebuffers(1, &fbo);
  gl.DeleteTextures(1, &tex);
  return status;
}

}  // namespace fieldsync::platform
