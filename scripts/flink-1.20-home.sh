#!/usr/bin/env bash
# Print the FLINK_HOME of a Flink 1.20 (LTS), making it first when needed: a side venv
# holding only apache-flink-libraries==1.20.* (the jars of a complete Flink 1.20).
# Used by scripts/test-flink-1.20.sh and scripts/measure-flink-upgrade.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIDE="${FLINKOPS_FLINK120_VENV:-$ROOT/.flinkops/flink-1.20-venv}"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$SIDE/bin/python" ]; then
    echo "creating $SIDE" >&2
    "$PYTHON" -m venv "$SIDE"
fi
if ! "$SIDE/bin/python" -c 'import pyflink.version as v, sys; sys.exit(not v.__version__.startswith("1.20"))' 2>/dev/null; then
    echo "installing apache-flink-libraries==1.20.* into $SIDE (about 300 MB)" >&2
    "$SIDE/bin/pip" install --quiet 'apache-flink-libraries==1.20.*'
fi

HOME_120="$("$SIDE/bin/python" -c 'import pyflink; print(list(pyflink.__path__)[0])')"
echo "Flink $("$SIDE/bin/python" -c 'import pyflink.version as v; print(v.__version__)') at $HOME_120" >&2
echo "$HOME_120"
