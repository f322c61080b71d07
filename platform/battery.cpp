// platform/battery.cpp — sysfs power_supply reader.
#include "platform/battery.h"

#include <fstream>
#include <string>
#include <system_error>

namespace fieldsync::platform {
namespace {

// The first line of a sysfs attribute, trimmed; empty when unreadable.
std::string ReadAttr(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  if (!in || !std::getline(in, line)) return {};
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' ')) {
    line.pop_back();
  }
  return line;
}

}  // namespace

BatteryState ReadBattery(const std::filesystem::path& root) {
  BatteryState out;
  std::error_code ec;
  std::filesystem::directory_iterator it(root, ec);
  if (ec) return out;
  int sum = 0, counted = 0;
  for (const auto& entry : it) {
    const auto dir = entry.path();
    const std::string type = ReadAttr(dir / "type");
    if (type == "Battery") {
      // Peripheral batteries (a wireless mouse) report scope=Device.
      if (ReadAttr(dir / "scope") == "Device") continue;
      out.present = true;
      const std::string status = ReadAttr(dir / "status");
      if (status == "Charging" || status == "Full") out.charging = true;
      const std::string cap = ReadAttr(dir / "capacity");
      if (!cap.empty()) {
        try {
          int v = std::stoi(cap);
          if (v >= 0 && v <= 100) {
            sum += v;
            ++counted;
          }
        } catch (const std::exception&) {
          // Not a number: this battery's level stays unknown.
        }
      }
    } else if (type == "Mains" || type == "USB" || type == "USB_C" || type == "USB_PD") {
      if (ReadAttr(dir / "online") == "1") out.external_power = true;
    }
  }
  if (counted > 0) out.percent = sum / counted;
  if (out.external_power) out.charging = true;
  return out;
}

bool ShouldPauseForBattery(const BatteryState& battery, int pause_below_percent) {
  if (pause_below_percent <= 0) return false;
  if (!battery.present || battery.percent < 0) return false;
  if (battery.charging) return false;
  return battery.percent <= pause_below_percent;
}

}  // namespace fieldsync::platform
