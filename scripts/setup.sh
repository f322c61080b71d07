#!/usr/bin/env bash
# Installs the Debian packages fieldsync needs (only those missing), then
# configures and builds into build/. Safe to run again; quick when nothing changed.
#   scripts/setup.sh [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libsqlite3-dev sqlite3 libcurl4-openssl-dev nlohmann-json3-dev doctest-dev
  libcpp-httplib-dev libzstd-dev libsodium-dev libssl-dev libpq-dev
  postgresql
  libimgui-dev libstb-dev libsdl2-dev libgl-dev libgps-dev
  fonts-noto-core fonts-dejavu-core
  xvfb xauth jq xdotool
  clang libclang-rt-14-dev
  chromium
)
# Node.js and npm (browser tests): a machine may already carry them from another
# source, whose npm is built in; install Debian's only when the commands are missing.
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

BUILD_DIR=${BUILD_DIR:-build}
if [ ! -f "$BUILD_DIR/build.ninja" ] || (($#)); then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
fi
cmake --build "$BUILD_DIR" -j"$(nproc)"
