#!/usr/bin/env bash
# Run flinkops's integration tests against Flink 1.20 (LTS) instead of the 2.x in .venv.
#
# Creates a side venv holding only apache-flink-libraries==1.20.* (the jars of a
# complete Flink 1.20), points FLINKOPS_TEST_FLINK_HOME at it and runs
# `pytest -m integration` with the project's own venv. Extra arguments go to pytest.
#
#   scripts/test-flink-1.20.sh            # all integration tests
#   scripts/test-flink-1.20.sh -k savepoint -x
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIDE="${FLINKOPS_FLINK120_VENV:-$ROOT/.flinkops/flink-1.20-venv}"
PYTHON="${PYTHON:-python3}"
PYTEST="${PYTEST:-$ROOT/.venv/bin/pytest}"

if [ ! -x "$SIDE/bin/python" ]; then
    echo "creating $SIDE" >&2
    "$PYTHON" -m venv "$SIDE"
fi
if ! "$SIDE/bin/python" -c 'import pyflink.version as v, sys; sys.exit(not v.__version__.startswith("1.20"))' 2>/dev/null; then
    echo "installing apache-flink-libraries==1.20.* into $SIDE (about 300 MB)" >&2
    "$SIDE/bin/pip" install --quiet 'apache-flink-libraries==1.20.*'
fi

FLINK_HOME_120="$("$SIDE/bin/python" -c 'import pyflink; print(list(pyflink.__path__)[0])')"
echo "Flink $("$SIDE/bin/python" -c 'import pyflink.version as v; print(v.__version__)') at $FLINK_HOME_120" >&2

cd "$ROOT"
# With no path given, pytest runs every test under testpaths marked integration.
FLINKOPS_TEST_FLINK_HOME="$FLINK_HOME_120" exec "$PYTEST" -m integration "$@"
