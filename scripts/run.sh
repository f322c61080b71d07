#!/usr/bin/env bash
# The main job on its embedded default: an HQ server on SQLite and a device
# talking to it.
#   1. installs what is missing and builds (scripts/setup.sh);
#   2. starts fieldsync-server on a temporary SQLite database on a free
#      loopback port and enrolls a temporary device with a one-time code;
#   3. records reports on the device with fieldsync-cli (scripts/demo.sh),
#      syncs them to HQ and shows what HQ now holds;
#   4. with a display, opens the field officer's app (fieldsync) on the same
#      device, syncing in the background; close its window to finish. Without
#      a display it says so and stops after the headless part.
# RUN_DIR=DIR keeps the server database and the device in DIR; RUN_KEEP=1
# keeps the server (and its dashboard) running until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

SERVER=build/server/fieldsync-server
CLI=build/client/cli/fieldsync-cli
GUI=build/client/gui/fieldsync
if [ -n "${RUN_DIR:-}" ]; then
  WORK=$RUN_DIR; mkdir -p "$WORK"
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/fieldsync-run.XXXXXX")
fi
HQ_DB=$WORK/hq.db
DEVICE=$WORK/device
mkdir -p "$DEVICE"

if [ -t 1 ]; then BOLD=$'\e[1m'; OFF=$'\e[0m'; else BOLD=""; OFF=""; fi
step() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$OFF"; }

step "HQ: fieldsync-server on SQLite ($HQ_DB)"
"$SERVER" serve --db "$HQ_DB" --listen 127.0.0.1:0 >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
cleanup() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  [ -n "${RUN_DIR:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
URL=""
for _ in $(seq 1 100); do
  URL=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$WORK/server.log" | head -n 1)
  [ -n "$URL" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$URL" ] || { echo "run: the server did not start; see $WORK/server.log" >&2; exit 1; }
echo "listening on $URL"

step "HQ imports its project registry (the projects a new device is seeded with)"
"$CLI" --data "$WORK/registry-source" projects --json | scripts/registry-csv.sh >"$WORK/projects.csv"
"$SERVER" admin --db "$HQ_DB" projects import "$WORK/projects.csv"

step "HQ enrolls the device of officer amina.diallo"
CODE=$("$SERVER" admin --db "$HQ_DB" enroll --officer amina.diallo)
echo "one-time code: $CODE"
"$CLI" --data "$DEVICE" enroll --server "$URL" --code "$CODE"

DEMO_DEVICE=$DEVICE FIELDSYNC_CLI=$CLI scripts/demo.sh

step "The device syncs with HQ"
"$CLI" --data "$DEVICE" sync
"$CLI" --data "$DEVICE" status

step "What HQ holds now"
"$SERVER" admin --db "$HQ_DB" stats --json

step "HQ's web dashboard"
HQ_PASSWORD=$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 12)
printf '%s\n' "$HQ_PASSWORD" | "$SERVER" admin --db "$HQ_DB" user add hq --role admin >/dev/null
echo "open $URL/ and log in as 'hq' with the password $HQ_PASSWORD"

if [ -x "$GUI" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  step "The field officer's app on the same device (close the window to finish)"
  "$GUI" --data "$DEVICE"
else
  step "No display here: the field officer's app (fieldsync) was not opened"
  echo "Run this on a desktop, or under a virtual display:  xvfb-run -a scripts/run.sh"
fi
if [ -n "${RUN_KEEP:-}" ]; then
  echo "RUN_KEEP is set: HQ keeps serving at $URL until you press Ctrl-C"
  wait "$SERVER_PID"
fi
