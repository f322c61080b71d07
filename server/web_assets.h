// server/web_assets.h — the dashboard's static files (server/web/*), built
// into the binary by cmake/embed_files.cmake so the server needs no data
// files at run time and the dashboard loads nothing from elsewhere.
#pragma once

#include <cstddef>

namespace fieldsync::server::web_assets {

struct Asset {
  const char* path;           // relative to server/web/, e.g. "app.js"
  const unsigned char* data;  // NUL-terminated; size excludes the NUL
  std::size_t size;
};

extern const Asset kAssets[];
extern const std::size_t kAssetCount;

}  // namespace fieldsync::server::web_assets
