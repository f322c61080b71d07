#!/usr/bin/env bash
# Turns a project list as JSON (fieldsync-cli projects --json, on stdin) into
# the registry CSV that `fieldsync-server admin projects import` reads (stdout).
set -euo pipefail
command -v jq >/dev/null || { echo "registry-csv: jq is missing (scripts/setup.sh installs it)" >&2; exit 1; }
jq -r '
  "code,title,sector,measures,modality,providers,beneficiaries,funding_partner,agency,region,ldc,lldc,sids",
  (.[] | [.code, .title, .sector, (.measures | map(tostring) | join(";")), .modality,
          (.providers | join(";")), (.beneficiaries | join(";")), .funding_partner, .agency, .region,
          (if .ldc then 1 else 0 end), (if .lldc then 1 else 0 end), (if .sids then 1 else 0 end)] | @csv)'
