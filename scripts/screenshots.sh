#!/usr/bin/env bash
# Screenshots of every screen of the field officer's app (fieldsync, the GUI)
# in English and French, sunlight (light) and dark themes, into
# docs/screenshots/gui-SCREEN-LANG-THEME.png.
#
# It builds a realistic device first: a temporary HQ server with the project
# registry, an enrolled device with a year of reports made with fieldsync-cli
# and synced, HQ's reviews (one approved, one returned with comments), a
# conflict (the officer and HQ changed the same field), drafts and a report
# waiting to be sent. Then each screen is rendered offscreen (under xvfb-run
# when there is no display) with `fieldsync --screenshot`.
#   scripts/screenshots.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-${BUILD_DIR:-build}}
APP=$BUILD_DIR/client/gui/fieldsync
CLI=$BUILD_DIR/client/cli/fieldsync-cli
SERVER=$BUILD_DIR/server/fieldsync-server
OUT=docs/screenshots
cmake --build "$BUILD_DIR" --target fieldsync fieldsync-cli fieldsync-server >/dev/null
for tool in jq xvfb-run; do
  command -v "$tool" >/dev/null || { echo "screenshots: $tool is missing (scripts/setup.sh installs it)" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fieldsync-shots.XXXXXX")
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
DEV=$WORK/device
HQ=$WORK/hq.db
export USER=aminata.diallo

# A free loopback port.
PORT=18700
while (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do PORT=$((PORT + 1)); done
URL=http://127.0.0.1:$PORT
start_server() {
  "$SERVER" serve --db "$HQ" --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return 0; sleep 0.1; done
  echo "screenshots: the server did not start (see $WORK/server.log)" >&2
  exit 1
}
cli() { "$CLI" --data "$DEV" "$@"; }
admin() { "$SERVER" admin --db "$HQ" "$@"; }

echo "screenshots: preparing a device and its HQ in $WORK"
start_server
# HQ's registry: the projects a new device is seeded with.
cli projects --json | scripts/registry-csv.sh >"$WORK/projects.csv"
admin projects import "$WORK/projects.csv" >/dev/null
CODE=$(admin enroll --officer "Aminata Diallo" | tail -n 1 | awk '{print $NF}')
cli enroll --server "$URL" --code "$CODE" >/dev/null

# A year of reports, a few a month, values that vary with the season.
for back in $(seq 11 -1 0); do
  period=$(date -u -d "$(date -u +%Y-%m-15) -$back month" +%Y-%m)
  n=$((12 - back))
  cli report new --project SSC-HLT-001 --form health --set period="$period" --set programme="hiv malaria" \
    --set hiv_tested=$((300 + n * 17)) --set hiv_positive=$((20 + n)) --set hiv_treatment=$((18 + n)) \
    --set malaria_tested=$((600 + (n % 6) * 90)) --set malaria_positive=$((150 + (n % 6) * 30)) \
    --set malaria_treated=$((140 + (n % 6) * 30)) --set bednets_distributed=$((900 + n * 40)) \
    --set stockout=no --set staff_deployed=$((14 + n % 3)) --finalize >/dev/null
  cli report new --project SSC-EDU-001 --form education --set period="$period" --set classes_held=$((40 + n)) \
    --set learners_enrolled=$((180 + n * 5)) --set learners_completed=$((120 + n * 4)) \
    --set women_enrolled=$((95 + n * 3)) --set teachers_trained=$((6 + n % 4)) --set scholarships_awarded=$((n % 5)) \
    --finalize >/dev/null
  if [ $((n % 2)) -eq 0 ]; then
    cli report new --project SSC-AGR-002 --form agriculture --set period="$period" \
      --set farmers_trained=$((200 + n * 11)) --set women_farmers=$((90 + n * 5)) \
      --set hectares_planted=$((120 + n * 6)).5 --set seed_distributed_kg=$((3600 + n * 150)) --set main_crop=maize \
      --set yield_t_ha=3.$((n % 9)) --set irrigation_schemes=$((n % 4)) --finalize >/dev/null
  fi
done
cli sync >/dev/null

# HQ reviews: one approved, one returned with comments.
THIS_MONTH=$(date -u +%Y-%m)
LAST_MONTH=$(date -u -d "$(date -u +%Y-%m-15) -1 month" +%Y-%m)
APPROVE=$(cli report list --json | jq -r --arg p "$LAST_MONTH" '[.[] | select(.form_id=="education" and .period==$p)][0].id')
RETURN=$(cli report list --json | jq -r --arg p "$THIS_MONTH" '[.[] | select(.form_id=="health" and .period==$p)][0].id')
admin review "$APPROVE" --approve --reviewer "Marta Santos" --comment "Thank you, complete and clear." >/dev/null
admin review "$RETURN" --return --reviewer "Marta Santos" \
  --comment "Staff count looks high for this clinic; please check it against the roster." \
  --field-comment staff_deployed="The roster lists 12 medical staff." >/dev/null
cli sync >/dev/null
# A conflict: the officer fixes the returned report while HQ's data desk
# corrects the same field; the officer owns a returned report, so the
# officer's value is kept and HQ's goes to the history.
cli report set "$RETURN" staff_deployed=12 narrative="Roster checked with the head nurse." >/dev/null
admin correct "$RETURN" staff_deployed=11 --by "HQ data desk" >/dev/null
cli sync >/dev/null || true
# Today's work, not sent yet: a finalized report and two drafts.
cli report new --project SSC-HLT-003 --form health --set period="$THIS_MONTH" --set programme=tb \
  --set tb_screened=640 --set tb_confirmed=41 --set tb_treatment=39 --set stockout=yes --set stockout_days=3 \
  --set staff_deployed=9 --finalize >/dev/null
cli report new --project SSC-AGR-005 --form agriculture --set period="$THIS_MONTH" --set farmers_trained=310 \
  --set main_crop=wheat >/dev/null
cli report new --project SSC-EDU-003 --form education --set period="$THIS_MONTH" --set classes_held=12 >/dev/null
kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""

# The editor, mid-way through a report: an answer out of range and the keypad up.
cat >"$WORK/editor.txt" <<EOF
new SSC-HLT-001 health
keypad period $THIS_MONTH
choose programme hiv
set hiv_tested 240
set hiv_positive 260
expect-error hiv_positive
keypad hiv_treatment 18
screenshot SHOT
EOF
cat >"$WORK/detail.txt" <<EOF
detail $RETURN
screenshot SHOT
EOF

mkdir -p "$OUT"
run_app() {
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then "$APP" "$@"; else xvfb-run -a -s "-screen 0 1024x1024x24" "$APP" "$@"; fi
}
for lang in en fr; do
  for theme in light dark; do
    for screen in first-run home projects reports summary settings; do
      run_app --data "$DEV" --lang "$lang" --theme "$theme" --screen "$screen" \
        --screenshot "$OUT/gui-$screen-$lang-$theme.png" >/dev/null
    done
    # The data folder is copied so the editor's typing does not change the device.
    for screen in editor detail; do
      rm -rf "$WORK/copy" && cp -r "$DEV" "$WORK/copy"
      sed "s|SHOT|$OUT/gui-$screen-$lang-$theme.png|" "$WORK/$screen.txt" >"$WORK/run.txt"
      run_app --data "$WORK/copy" --lang "$lang" --theme "$theme" --hidden --no-sync --script "$WORK/run.txt" >/dev/null
    done
    echo "screenshots: $lang $theme done"
  done
done
ls "$OUT"/gui-*.png | wc -l | xargs echo "screenshots: PNG files in $OUT:"
