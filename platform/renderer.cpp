// platform/renderer.cpp — the renderer choice (see renderer.h).
#include "platform/renderer.h"

namespace fieldsync::platform {

bool ParseRenderer(std::string_view name, Renderer* out) {
  if (name == "auto") {
    *out = Renderer::kAuto;
  } else if (name == "gl" || name == "opengl" || name == "gles") {
    *out = Renderer::kOpenGL;
  } else if (name == "software" || name == "sw") {
    *out = Renderer::kSoftware;
  } else {
    return false;
  }
  return true;
}

const char* RendererName(Renderer renderer) {
  switch (renderer) {
    case Renderer::kOpenGL:
      return "gl";
    case Renderer::kSoftware:
      return "software";
    case Renderer::kAuto:
      break;
  }
  return "auto";
}

bool HasGpuRenderNode(const std::filesystem::path& dri_dir) {
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dri_dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->path().filename().string().rfind("renderD", 0) == 0) return true;
  }
  return false;
}

Renderer ChooseRenderer(Renderer requested, const char* env_value, bool has_gpu) {
  if (requested != Renderer::kAuto) return requested;
  Renderer from_env = Renderer::kAuto;
  if (env_value && ParseRenderer(env_value, &from_env) && from_env != Renderer::kAuto)
    return from_env;
  return has_gpu ? Renderer::kOpenGL : Renderer::kSoftware;
}

}  // namespace fieldsync::platform
