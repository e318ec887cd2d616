#!/usr/bin/env bash
# Measure whether the example jobs' Flink 1.20 state restores into Flink 2.3, with and
# without compiled plans (scripts/measure_flink_upgrade.py says how). Not part of the
# test suite: it starts a Flink 1.20 and a Flink 2.3 cluster side by side (and stops
# both by PID) and prints the table DESIGN.md quotes. Extra arguments go to the script.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PY:-$ROOT/.venv/bin/python}"
FLINK_HOME_120="$("$ROOT/scripts/flink-1.20-home.sh")"

cd "$ROOT"
exec "$PY" "$ROOT/scripts/measure_flink_upgrade.py" --old-home "$FLINK_HOME_120" "$@"
