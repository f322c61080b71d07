// tests/gui/platform_test.cpp — battery and link readers over sysfs-shaped
// folders, the battery pause rule, data folder and font lookup, the renderer
// choice.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>

#include "gui_test_util.h"
#include "platform/battery.h"
#include "platform/connectivity.h"
#include "platform/gps.h"
#include "platform/paths.h"
#include "platform/renderer.h"

using namespace fieldsync;
using fieldsync::gui::testing::TempDir;

namespace {

void Write(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file) << text << "\n";
}

}  // namespace

TEST_CASE("battery: level, charging and external power from power_supply") {
  TempDir tmp;
  const auto root = tmp.path();
  Write(root / "BAT0/type", "Battery");
  Write(root / "BAT0/capacity", "14");
  Write(root / "BAT0/status", "Discharging");
  Write(root / "AC/type", "Mains");
  Write(root / "AC/online", "0");
  // A wireless mouse's battery does not count.
  Write(root / "hidpp_battery_0/type", "Battery");
  Write(root / "hidpp_battery_0/scope", "Device");
  Write(root / "hidpp_battery_0/capacity", "100");
  auto b = platform::ReadBattery(root);
  CHECK(b.present);
  CHECK(b.percent == 14);
  CHECK_FALSE(b.charging);
  CHECK(platform::ShouldPauseForBattery(b, 15));
  CHECK_FALSE(platform::ShouldPauseForBattery(b, 10));
  CHECK_FALSE(platform::ShouldPauseForBattery(b, 0));  // 0 = never pause

  Write(root / "AC/online", "1");
  b = platform::ReadBattery(root);
  CHECK(b.external_power);
  CHECK(b.charging);
  CHECK_FALSE(platform::ShouldPauseForBattery(b, 15));  // plugged in: sync
}

TEST_CASE("battery: no power_supply folder means no battery, never a pause") {
  TempDir tmp;
  auto b = platform::ReadBattery(tmp.path() / "missing");
  CHECK_FALSE(b.present);
  CHECK(b.percent == -1);
  CHECK_FALSE(platform::ShouldPauseForBattery(b, 50));
  // Garbage in capacity is an unknown level, not a crash.
  Write(tmp.path() / "BAT1/type", "Battery");
  Write(tmp.path() / "BAT1/capacity", "n/a");
  b = platform::ReadBattery(tmp.path());
  CHECK(b.present);
  CHECK(b.percent == -1);
}

TEST_CASE("link: up interfaces ranked, loopback and down ones ignored") {
  TempDir tmp;
  const auto root = tmp.path();
  Write(root / "lo/type", "772");
  Write(root / "lo/operstate", "unknown");
  Write(root / "lo/carrier", "1");
  CHECK_FALSE(platform::ReadLinkState(root).online);

  Write(root / "wwan0/type", "1");
  Write(root / "wwan0/operstate", "up");
  auto s = platform::ReadLinkState(root);
  CHECK(s.online);
  CHECK(s.kind == platform::LinkKind::kCellular);

  Write(root / "wlan0/type", "1");
  Write(root / "wlan0/operstate", "up");
  std::filesystem::create_directories(root / "wlan0/wireless");
  s = platform::ReadLinkState(root);
  CHECK(s.kind == platform::LinkKind::kWifi);
  CHECK(s.interface == "wlan0");

  Write(root / "eth0/type", "1");
  Write(root / "eth0/operstate", "down");
  CHECK(platform::ReadLinkState(root).kind == platform::LinkKind::kWifi);  // eth0 is down
  CHECK(std::string(platform::LinkKindName(platform::LinkKind::kWifi)) == "wifi");
}

TEST_CASE("data folder follows FIELDSYNC_DATA, then XDG_DATA_HOME") {
  const char* old = std::getenv("FIELDSYNC_DATA");
  std::string saved = old ? old : "";
  setenv("FIELDSYNC_DATA", "/tmp/fs-data-test", 1);
  CHECK(platform::DefaultDataDir() == std::filesystem::path("/tmp/fs-data-test"));
  unsetenv("FIELDSYNC_DATA");
  setenv("XDG_DATA_HOME", "/tmp/xdg", 1);
  CHECK(platform::DefaultDataDir() == std::filesystem::path("/tmp/xdg/fieldsync"));
  unsetenv("XDG_DATA_HOME");
  if (old) setenv("FIELDSYNC_DATA", saved.c_str(), 1);
}

TEST_CASE("a UI font with the four languages' glyphs is found on this system") {
  // fonts-noto-core or fonts-dejavu-core are in scripts/setup.sh.
  auto font = platform::FindUiFont();
  CHECK_FALSE(font.empty());
  CHECK(std::filesystem::is_regular_file(font));
}

TEST_CASE("the GPS reader without gpsd reports unavailable and stops promptly") {
  platform::GpsReader gps;
  gps.Start("127.0.0.1", "1");  // nothing listens on port 1
  auto snap = gps.Latest();
  CHECK_FALSE(snap.fix.valid);
  CHECK(snap.status != platform::GpsStatus::kFix);
  gps.Stop();
}

TEST_CASE("renderer: OpenGL with a GPU render node, software without; a request or the setting wins") {
  using platform::Renderer;
  TempDir tmp;
  const auto dri = tmp.path() / "dri";
  CHECK_FALSE(platform::HasGpuRenderNode(dri));  // no /dev/dri at all
  Write(dri / "card0", "");                       // a display controller alone
  CHECK_FALSE(platform::HasGpuRenderNode(dri));
  Write(dri / "renderD128", "");
  CHECK(platform::HasGpuRenderNode(dri));

  CHECK(platform::ChooseRenderer(Renderer::kAuto, nullptr, true) == Renderer::kOpenGL);
  CHECK(platform::ChooseRenderer(Renderer::kAuto, nullptr, false) == Renderer::kSoftware);
  CHECK(platform::ChooseRenderer(Renderer::kAuto, "gl", false) == Renderer::kOpenGL);
  CHECK(platform::ChooseRenderer(Renderer::kAuto, "software", true) == Renderer::kSoftware);
  CHECK(platform::ChooseRenderer(Renderer::kAuto, "auto", true) == Renderer::kOpenGL);
  CHECK(platform::ChooseRenderer(Renderer::kAuto, "vulkan", false) == Renderer::kSoftware);  // unknown: ignored
  CHECK(platform::ChooseRenderer(Renderer::kOpenGL, "software", false) == Renderer::kOpenGL);
  CHECK(platform::ChooseRenderer(Renderer::kSoftware, "gl", true) == Renderer::kSoftware);

  Renderer r = Renderer::kAuto;
  CHECK(platform::ParseRenderer("gles", &r));
  CHECK(r == Renderer::kOpenGL);
  CHECK(platform::ParseRenderer("software", &r));
  CHECK(r == Renderer::kSoftware);
  CHECK_FALSE(platform::ParseRenderer("GL", &r));
  CHECK(r == Renderer::kSoftware);
  CHECK(std::string(platform::RendererName(Renderer::kOpenGL)) == "gl");
  CHECK(std::string(platform::RendererName(Renderer::kSoftware)) == "software");
}
