// platform/connectivity.cpp — sysfs network link reader.
#include "platform/connectivity.h"

#include <fstream>
#include <system_error>

namespace fieldsync::platform {
namespace {

std::string ReadAttr(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  if (!in || !std::getline(in, line)) return {};
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  return line;
}

bool StartsWith(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

LinkKind KindOf(const std::filesystem::path& dir, const std::string& name) {
  std::error_code ec;
  if (std::filesystem::exists(dir / "wireless", ec) || std::filesystem::exists(dir / "phy80211", ec)) {
    return LinkKind::kWifi;
  }
  if (StartsWith(name, "ww") || StartsWith(name, "ppp") || StartsWith(name, "rmnet") ||
      StartsWith(name, "wwan")) {
    return LinkKind::kCellular;
  }
  // ARPHRD_ETHER = 1; virtual bridges and veths also report 1, which is what a
  // container's uplink looks like, so they count as ethernet.
  if (ReadAttr(dir / "type") == "1") return LinkKind::kEthernet;
  return LinkKind::kOther;
}

int Rank(LinkKind k) {
  switch (k) {
    case LinkKind::kEthernet: return 4;
    case LinkKind::kWifi: return 3;
    case LinkKind::kCellular: return 2;
    case LinkKind::kOther: return 1;
    case LinkKind::kNone: return 0;
  }
  return 0;
}

}  // namespace

LinkState ReadLinkState(const std::filesystem::path& root) {
  LinkState best;
  std::error_code ec;
  std::filesystem::directory_iterator it(root, ec);
  if (ec) return best;
  for (const auto& entry : it) {
    const auto dir = entry.path();
    const std::string name = dir.filename().string();
    if (name == "lo" || ReadAttr(dir / "type") == "772") continue;  // loopback
    const std::string oper = ReadAttr(dir / "operstate");
    // "unknown" is what tun devices and some modems report while passing traffic;
    // trust the carrier then.
    bool up = oper == "up" || (oper == "unknown" && ReadAttr(dir / "carrier") == "1");
    if (!up) continue;
    LinkKind kind = KindOf(dir, name);
    if (!best.online || Rank(kind) > Rank(best.kind)) {
      best.online = true;
      best.kind = kind;
      best.interface = name;
    }
  }
  return best;
}

const char* LinkKindName(LinkKind kind) {
  switch (kind) {
    case LinkKind::kEthernet: return "ethernet";
    case LinkKind::kWifi: return "wifi";
    case LinkKind::kCellular: return "cellular";
    case LinkKind::kOther: return "other";
    case LinkKind::kNone: return "none";
  }
  return "none";
}

}  // namespace fieldsync::platform
