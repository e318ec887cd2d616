#!/usr/bin/env bash
# Run flinkops's integration tests against Flink 1.20 (LTS) instead of the 2.x in .venv.
#
# Makes the Flink 1.20 environment (scripts/flink-1.20-home.sh: a side venv holding only
# apache-flink-libraries==1.20.*), points FLINKOPS_TEST_FLINK_HOME at it and runs
# `pytest -m integration` with the project's own venv. Extra arguments go to pytest.
#
#   scripts/test-flink-1.20.sh            # all integration tests
#   scripts/test-flink-1.20.sh -k savepoint -x
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTEST="${PYTEST:-$ROOT/.venv/bin/pytest}"
FLINK_HOME_120="$("$ROOT/scripts/flink-1.20-home.sh")"

cd "$ROOT"
# With no path given, pytest runs every test under testpaths marked integration.
FLINKOPS_TEST_FLINK_HOME="$FLINK_HOME_120" exec "$PYTEST" -m integration "$@"
