#!/usr/bin/env bash
# Run chosen tests N times in a row, each run a fresh pytest session (so a fresh
# session cluster, as CI has), and count the runs that failed: for chasing a flake.
#
#   scripts/test-repeat.sh 5 tests/integration/savepoints/test_restore.py
#   make test-repeat N=5 TESTS="tests/integration/apply -k lock"
#
# Every run's output goes to .artifacts/test-repeat/run-K.log; the summary names the
# failed runs and their failing tests. Exit 1 when any run failed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
runs="${1:?usage: test-repeat.sh N [pytest arguments...]}"
shift
logs="$ROOT/.artifacts/test-repeat"
mkdir -p "$logs"

failed=()
for k in $(seq 1 "$runs"); do
    log="$logs/run-$k.log"
    start=$(date +%s)
    "$PYTHON" -m pytest -p no:cacheprovider -q "$@" >"$log" 2>&1
    code=$?
    took=$(( $(date +%s) - start ))
    if [ "$code" -eq 0 ]; then
        echo "run $k/$runs: passed in ${took}s ($(tail -n 1 "$log"))"
    else
        failed+=("$k")
        echo "run $k/$runs: FAILED (exit $code) in ${took}s: $log"
        grep -E '^(FAILED|ERROR) ' "$log" | sed 's/^/    /'
    fi
done
echo "repeated $runs runs of: ${*:-the whole suite}: $(( runs - ${#failed[@]} )) passed, ${#failed[@]} failed"
[ "${#failed[@]}" -eq 0 ]
