// platform/connectivity.h — whether the device has a network link, and which.
//
// Reads /sys/class/net/IFACE/{operstate,carrier} and the interface kind
// (wireless/ for Wi-Fi; ww*, ppp*, rmnet* for cellular modems). "Online" here
// means a link layer is up; whether HQ answers is the sync engine's business.
// Thread safety: stateless, safe from any thread. Cheap (a few tiny files).
#pragma once

#include <filesystem>
#include <string>

namespace fieldsync::platform {

enum class LinkKind { kNone, kEthernet, kWifi, kCellular, kOther };

struct LinkState {
  bool online = false;
  LinkKind kind = LinkKind::kNone;  // of the best link (ethernet > wifi > cellular > other)
  std::string interface;            // e.g. "wlan0"; empty when offline
};

// Reads the link state under `root` (sysfs by default; tests pass a folder laid
// out the same way). Loopback and down interfaces are ignored. A missing root
// reads as offline.
LinkState ReadLinkState(const std::filesystem::path& root = "/sys/class/net");

// "ethernet", "wifi", "cellular", "other", "none".
const char* LinkKindName(LinkKind kind);

}  // namespace fieldsync::platform
