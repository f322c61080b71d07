#!/usr/bin/env bash
# The main job on its embedded default. For now: a short demo on a temporary
# device that creates reports with fieldsync-cli and lists them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec scripts/demo.sh
