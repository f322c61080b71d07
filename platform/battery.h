// platform/battery.h — the device's battery, read from Linux sysfs.
//
// Linux publishes power supplies under /sys/class/power_supply/NAME/ with a
// "type" file (Battery, Mains, USB, ...). A battery has "capacity" (0-100) and
// "status" (Charging, Discharging, Full, Not charging, Unknown); a mains or
// USB supply has "online" (0/1).
//
// Reads a handful of tiny files; cheap enough to call once every few seconds,
// not every frame. Thread safety: stateless, safe from any thread.
#pragma once

#include <filesystem>

namespace fieldsync::platform {

struct BatteryState {
  bool present = false;   // at least one battery was found
  int percent = -1;       // 0-100, the mean over batteries; -1 when unknown
  bool charging = false;  // a battery reports Charging or Full, or external power is online
  bool external_power = false;  // a Mains/USB supply reports online=1
};

// Reads the state under `root` (the real sysfs by default; tests pass a folder
// laid out the same way). A missing or unreadable root yields present=false:
// a desktop without a battery is not an error.
BatteryState ReadBattery(
    const std::filesystem::path& root = "/sys/class/power_supply");

// Whether sync should pause: on battery (not charging) at or below
// `pause_below_percent`. Never pauses when the level is unknown or when
// pause_below_percent <= 0 (the officer turned the pause off).
bool ShouldPauseForBattery(const BatteryState& battery, int pause_below_percent);

}  // namespace fieldsync::platform
