"""Record the job graphs of tests/compat_corpus.py's cases from a running Flink cluster.

    PYTHONPATH=src:. python scripts/record_compat_corpus.py http://localhost:8081

writes tests/unit/data/flink_plans/corpus/<case>.json ({"old": graph, "new": graph},
without Flink's random job id and the job name), which tests/unit/plan/test_compat_corpus.py
compares as ``plan`` would.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.compat_corpus import CASES, DDL

from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import compile_sql, ensure_uploaded

OUT = Path(__file__).resolve().parents[1] / "tests" / "unit" / "data" / "flink_plans" / "corpus"


def main(url: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with FlinkClient(url, timeout=60) as client:
        jar = ensure_uploaded(client)
        for name, case in CASES.items():
            graphs = {}
            for side, sql in (("old", case.old), ("new", case.new)):
                graph = compile_sql(
                    client, job_name="corpus", statements=[*DDL, *sql], parallelism=1,
                    jar_id=jar,
                )  # fmt: skip
                graphs[side] = {k: v for k, v in graph.items() if k not in ("jid", "name")}
            (OUT / f"{name}.json").write_text(json.dumps(graphs, indent=1, sort_keys=True) + "\n")
            print(name)


if __name__ == "__main__":
    main(sys.argv[1])
