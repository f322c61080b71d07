// platform/gps.cpp — gpsd client thread over libgps.
#include "platform/gps.h"

#include <chrono>
#include <cmath>

#ifdef FIELDSYNC_HAVE_GPSD
#include <gps.h>
#endif

namespace fieldsync::platform {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

GpsReader::~GpsReader() { Stop(); }

bool GpsReader::Supported() {
#ifdef FIELDSYNC_HAVE_GPSD
  return true;
#else
  return false;
#endif
}

void GpsReader::Start(std::string host, std::string port) {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread(&GpsReader::Run, this, std::move(host), std::move(port));
}

void GpsReader::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

GpsSnapshot GpsReader::Latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_;
}

void GpsReader::Publish(const GpsSnapshot& s) {
  std::lock_guard<std::mutex> lock(mu_);
  latest_ = s;
}

void GpsReader::Run(std::string host, std::string port) {
#ifdef FIELDSYNC_HAVE_GPSD
  // Sleeps in small steps so Stop() returns quickly.
  auto sleep_for = [this](int ms) {
    for (int waited = 0; waited < ms && !stop_; waited += 100) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  };
  while (!stop_) {
    gps_data_t data{};
    if (gps_open(host.c_str(), port.c_str(), &data) != 0) {
      GpsSnapshot s = Latest();
      s.status = GpsStatus::kUnavailable;
      Publish(s);
      sleep_for(5000);
      continue;
    }
    gps_stream(&data, WATCH_ENABLE | WATCH_JSON, nullptr);
    {
      GpsSnapshot s = Latest();
      s.status = GpsStatus::kSearching;
      Publish(s);
    }
    bool broken = false;
    while (!stop_ && !broken) {
      if (!gps_waiting(&data, 250000)) continue;  // 250 ms
      if (gps_read(&data, nullptr, 0) < 0) {
        broken = true;
        break;
      }
      if (!(data.set & MODE_SET)) continue;
      GpsSnapshot s = Latest();
      if (data.fix.mode >= MODE_2D && std::isfinite(data.fix.latitude) &&
          std::isfinite(data.fix.longitude)) {
        s.status = GpsStatus::kFix;
        s.fix.valid = true;
        s.fix.lat = data.fix.latitude;
        s.fix.lon = data.fix.longitude;
        s.fix.has_alt = data.fix.mode >= MODE_3D && std::isfinite(data.fix.altMSL);
        s.fix.alt = s.fix.has_alt ? data.fix.altMSL : 0;
        s.fix.acc = std::isfinite(data.fix.eph) ? data.fix.eph : 0;
        s.fix.at_ms = NowMs();
      } else {
        s.status = GpsStatus::kSearching;
      }
      Publish(s);
    }
    gps_stream(&data, WATCH_DISABLE, nullptr);
    gps_close(&data);
    if (!stop_) sleep_for(2000);
  }
#else
  (void)host;
  (void)port;
#endif
}

}  // namespace fieldsync::platform
