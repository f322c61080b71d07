// platform/gps.h — the device's position from gpsd, when it has one.
//
// A GpsReader owns one background thread that connects to gpsd (libgps,
// localhost:2947 by default), watches its reports and keeps the latest fix.
// When gpsd is absent the thread retries every few seconds and Latest() says
// so; the UI then offers typed coordinates. Nothing here ever blocks the
// caller: Latest() copies a small struct under a mutex.
//
// Built without libgps (FIELDSYNC_HAVE_GPSD undefined) the reader reports
// "unavailable" forever.
//
// Thread safety: every public method is safe from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace fieldsync::platform {

struct GpsFix {
  bool valid = false;  // a 2D or 3D fix
  double lat = 0, lon = 0;
  double alt = 0;      // metres above mean sea level; valid when has_alt
  double acc = 0;      // horizontal error estimate in metres; 0 when unknown
  bool has_alt = false;
  int64_t at_ms = 0;   // device clock when received
};

enum class GpsStatus { kUnavailable, kSearching, kFix };

struct GpsSnapshot {
  GpsStatus status = GpsStatus::kUnavailable;
  GpsFix fix;  // the latest valid fix (may be old when status is kSearching)
};

class GpsReader {
 public:
  GpsReader() = default;
  ~GpsReader();  // Stops the thread.
  GpsReader(const GpsReader&) = delete;
  GpsReader& operator=(const GpsReader&) = delete;

  // Starts the background thread. Calling Start twice is a no-op.
  void Start(std::string host = "localhost", std::string port = "2947");
  // Stops and joins within about half a second.
  void Stop();
  GpsSnapshot Latest() const;
  // Whether this build can talk to gpsd at all.
  static bool Supported();

 private:
  void Run(std::string host, std::string port);
  void Publish(const GpsSnapshot& s);

  mutable std::mutex mu_;
  GpsSnapshot latest_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace fieldsync::platform
