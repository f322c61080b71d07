// platform/paths.cpp — data folder and font lookup.
#include "platform/paths.h"

#include <cstdlib>
#include <system_error>

namespace fieldsync::platform {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

}  // namespace

std::filesystem::path DefaultDataDir() {
  if (auto v = Env("FIELDSYNC_DATA"); !v.empty()) return v;
  if (auto v = Env("XDG_DATA_HOME"); !v.empty()) return std::filesystem::path(v) / "fieldsync";
  if (auto v = Env("HOME"); !v.empty()) {
    return std::filesystem::path(v) / ".local" / "share" / "fieldsync";
  }
  return std::filesystem::path("fieldsync-data");
}

std::vector<std::filesystem::path> UiFontCandidates(bool bold) {
  std::vector<std::filesystem::path> out;
  if (auto v = Env("FIELDSYNC_FONT"); !v.empty() && !bold) out.emplace_back(v);
  const char* noto = bold ? "NotoSans-Bold.ttf" : "NotoSans-Regular.ttf";
  const char* dejavu = bold ? "DejaVuSans-Bold.ttf" : "DejaVuSans.ttf";
  out.push_back(std::filesystem::path("/usr/share/fonts/truetype/noto") / noto);
  out.push_back(std::filesystem::path("/usr/share/fonts/truetype/dejavu") / dejavu);
  out.push_back(std::filesystem::path("/usr/local/share/fonts") / noto);
  return out;
}

std::filesystem::path FindUiFont(bool bold) {
  for (const auto& p : UiFontCandidates(bold)) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) return p;
  }
  return {};
}

}  // namespace fieldsync::platform
