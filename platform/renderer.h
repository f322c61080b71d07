// platform/renderer.h — which renderer draws the app: OpenGL 3 / GLES 3 on a
// GPU, or SDL's software renderer on a device without one.
//
// Why two: a device without a GPU (no /dev/dri; many rugged handhelds and
// this project's CI machine) runs OpenGL through Mesa's llvmpipe, which maps
// about 60 MiB of LLVM and compiles shaders at start-up — as much resident
// memory as the whole app. SDL's software renderer draws ImGui's triangles
// (mostly axis-aligned quads: glyphs and rectangles, which it blits) straight
// into the window's shared-memory image without any of that.
//
// The choice, first that applies:
//   1. an explicit request (fieldsync --renderer gl|software);
//   2. FIELDSYNC_RENDERER=gl|software in the environment (the device's
//      setting; the window is made before the data folder is read, so the
//      setting lives where the device's launcher sets the environment);
//   3. auto: OpenGL when the machine has a GPU render node
//      (/dev/dri/renderD*), the software renderer otherwise.
// Window::Create falls back to the other renderer (with a note on stderr)
// when the chosen one cannot start and the choice was auto.
//
// Pure functions over their arguments and the file system; no state.
#pragma once

#include <filesystem>
#include <string_view>

namespace fieldsync::platform {

enum class Renderer { kAuto, kOpenGL, kSoftware };

// "auto", "gl" (also "opengl", "gles") or "software" (also "sw"); false
// otherwise, leaving *out alone.
bool ParseRenderer(std::string_view name, Renderer* out);
// "auto", "gl" or "software".
const char* RendererName(Renderer renderer);

// True when `dri_dir` holds a DRM render node (renderD128, ...): a GPU whose
// driver Mesa can use without llvmpipe.
bool HasGpuRenderNode(const std::filesystem::path& dri_dir = "/dev/dri");

// Resolves the rules above. `env_value` is FIELDSYNC_RENDERER (null when
// unset; an unknown value is ignored). Never returns kAuto.
Renderer ChooseRenderer(Renderer requested, const char* env_value, bool has_gpu);

}  // namespace fieldsync::platform
