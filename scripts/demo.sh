#!/usr/bin/env bash
# The main job's demo: a field officer's day on a fresh, temporary device,
# driven through fieldsync-cli. Lists the projects and forms, records a
# health, an education and an agriculture report, finalizes two, shows an
# invalid report being refused (nothing is saved), then lists the reports and
# what is waiting to be sent. Expects a build in build/ (scripts/run.sh runs
# scripts/setup.sh first).
set -euo pipefail
cd "$(dirname "$0")/.."

CLI=${FIELDSYNC_CLI:-build/client/cli/fieldsync-cli}
if [ ! -x "$CLI" ]; then
  echo "demo: $CLI is missing; build first with scripts/setup.sh" >&2
  exit 1
fi

# DEMO_DEVICE: an existing (e.g. enrolled) device folder to use and keep;
# without it the demo works on a temporary device it removes afterwards.
if [ -n "${DEMO_DEVICE:-}" ]; then
  DEVICE=$DEMO_DEVICE
else
  DEVICE=$(mktemp -d "${TMPDIR:-/tmp}/fieldsync-demo.XXXXXX")
  trap 'rm -rf "$DEVICE"' EXIT
fi
OFFICER="amina.diallo"   # reports are signed by $USER until the device is enrolled

if [ -t 1 ]; then BOLD=$'\e[1m'; DIM=$'\e[2m'; OFF=$'\e[0m'; else BOLD=""; DIM=""; OFF=""; fi
step() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$OFF"; }
# Prints the command as a person would type it (on stderr, so that $(fs ...)
# captures only the command's output), then runs it.
fs() {
  local shown="" a
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./=:,@+-]+$ ]]; then shown+=" $a"; else shown+=" '$a'"; fi
  done
  printf '%s$ fieldsync-cli%s%s\n' "$DIM" "$shown" "$OFF" >&2
  USER=$OFFICER "$CLI" --data "$DEVICE" "$@"
}

step "A new device: the shipped forms and the demo project registry are seeded"
fs projects
fs forms

step "Health: HIV and malaria services at a provincial hospital, finalized at once"
HEALTH=$(fs report new --project SSC-HLT-001 --form health \
  --set period=2026-02 --set programme="hiv malaria" \
  --set hiv_tested=412 --set hiv_positive=37 --set hiv_treatment=35 \
  --set malaria_tested=980 --set malaria_positive=311 --set malaria_treated=305 \
  --set bednets_distributed=1500 --set stockout=yes --set stockout_days=4 \
  --set staff_deployed=18 --set location="-19.8436,34.8389" \
  --set narrative="Outreach days in two districts; artemether stock ran out for four days." \
  --finalize)
echo "created $HEALTH"

step "Education: adult literacy classes, saved as a draft (learners still sitting exams)"
EDUCATION=$(fs report new --project SSC-EDU-001 --form education \
  --set period=2026-02 --set classes_held=64 --set learners_enrolled=220 \
  --set women_enrolled=131 --set teachers_trained=12)
echo "created $EDUCATION"

step "Agriculture: rice intensification, values from a JSON file and a photo of the plots"
cat >"$DEVICE/rice.json" <<'JSON'
{"period": "2026-02", "farmers_trained": 540, "women_farmers": 232,
 "hectares_planted": 318.5, "seed_distributed_kg": 9555, "main_crop": "rice",
 "yield_t_ha": 4.6, "irrigation_schemes": 7,
 "location": {"lat": 14.6928, "lon": -17.4467}}
JSON
# A tiny PNG standing in for the officer's photo.
echo 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==' \
  | base64 -d >"$DEVICE/plots.png"
AGRICULTURE=$(fs report new --project TRI-AGR-001 --form agriculture \
  --values "$DEVICE/rice.json" --attach photo="$DEVICE/plots.png")
echo "created $AGRICULTURE"

step "An invalid change is refused with its reason, and nothing is saved"
if fs report set "$EDUCATION" learners_completed=260; then
  echo "demo: the invalid value was accepted" >&2
  exit 1
else
  echo "(refused with exit code $?; the report is unchanged)"
fi
step "Finalizing the incomplete education report is refused too, listing what is missing"
if fs report finalize "$EDUCATION"; then
  echo "demo: the incomplete report was finalized" >&2
  exit 1
else
  echo "(refused with exit code $?)"
fi

step "The agriculture report is complete: finalize it"
fs report finalize "$AGRICULTURE"
fs report show "$AGRICULTURE"

step "Reports on the device, and what waits for the next sync"
fs report list
fs status
fs status --json
