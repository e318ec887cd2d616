"""A corpus of changes real teams make to running Flink SQL jobs, each with flinkops's
expected verdict and what Flink does when the new program restores the old one's
savepoint (measured on Flink 2.3 by ``tests/integration/test_compat_corpus.py``).

Each case is ``Case(family, old, new, verdict, reason, flink)``: the old and the new
statements (after the shared ``DDL``), the verdict ``plan`` must give, a part of one of
its reasons, and Flink's restore outcome: ``restored`` or ``refused`` (at submission) or
``failed`` (after it). The unit tests compare recorded graphs of the same cases
(``tests/unit/data/flink_plans/corpus/``, written by ``scripts/record_compat_corpus.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CASES", "DDL", "Case"]

_SRC = (
    "WITH ('connector' = 'datagen', 'rows-per-second' = '20', 'fields.mid.min' = '1', "
    "'fields.mid.max' = '50', 'fields.zone.min' = '1', 'fields.zone.max' = '5', "
    "'fields.v.min' = '0', 'fields.v.max' = '200')"
)
DDL = (
    "CREATE TABLE src (mid INT, zone INT, v BIGINT, ts TIMESTAMP(3), "
    f"WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) {_SRC}",
    "CREATE TABLE src2 (mid INT, zone INT, v BIGINT, ts TIMESTAMP(3), "
    f"WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) {_SRC}",
    "CREATE TABLE rates (mid INT, zone INT, v BIGINT, ts TIMESTAMP(3), "
    "WATERMARK FOR ts AS ts - INTERVAL '1' SECOND, PRIMARY KEY (mid) NOT ENFORCED) "
    f"{_SRC}",
    "CREATE TABLE out2 (a BIGINT, b BIGINT) WITH ('connector' = 'blackhole')",
    "CREATE TABLE out3 (a BIGINT, b BIGINT, c BIGINT) WITH ('connector' = 'blackhole')",
    "CREATE TABLE out4 (a BIGINT, b BIGINT, c BIGINT, d BIGINT) WITH ('connector' = 'blackhole')",
    "CREATE TABLE outw (ws TIMESTAMP(3), we TIMESTAMP(3), a BIGINT, b BIGINT) "
    "WITH ('connector' = 'blackhole')",
    "CREATE TABLE outpk (a BIGINT, b BIGINT, PRIMARY KEY (a) NOT ENFORCED) "
    "WITH ('connector' = 'blackhole')",
)


@dataclass(frozen=True)
class Case:
    family: str
    old: tuple[str, ...]
    new: tuple[str, ...]
    verdict: str
    reason: str
    flink: str = "restored"


def _one(sql: str) -> tuple[str, ...]:
    return (sql,)


_AGG = "INSERT INTO out2 SELECT zone, SUM(v) FROM src GROUP BY zone"
_TUMBLE = (
    "INSERT INTO outw SELECT window_start, window_end, zone, SUM(v) FROM TABLE("
    "TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '{size}' SECOND)) "
    "GROUP BY window_start, window_end, zone"
)
_TOPN = (
    "INSERT INTO out3 SELECT zone, mid, v FROM (SELECT zone, mid, v, ROW_NUMBER() OVER "
    "(PARTITION BY zone ORDER BY v DESC) AS rn FROM src) WHERE rn <= {n}"
)
_DEDUP = (
    "INSERT INTO out3 SELECT mid, zone, v FROM (SELECT *, ROW_NUMBER() OVER "
    "(PARTITION BY mid ORDER BY {order}) AS rn FROM src) WHERE rn = 1"
)
_JOIN = "INSERT INTO out3 SELECT a.mid, a.v, b.v FROM src a JOIN src2 b ON a.mid = b.mid"
_INTERVAL = (
    "INSERT INTO out3 SELECT a.mid, a.v, b.v FROM src a, src2 b WHERE a.mid = b.mid "
    "AND a.ts BETWEEN b.ts - INTERVAL '{lo}' SECOND AND b.ts + INTERVAL '{hi}' SECOND"
)
_TEMPORAL = (
    "INSERT INTO out3 SELECT a.mid, a.v, r.v FROM src a "
    "JOIN rates FOR SYSTEM_TIME AS OF a.ts AS r ON a.mid = r.mid"
)
_OVER = (
    "INSERT INTO out3 SELECT mid, v, SUM(v) OVER (PARTITION BY zone ORDER BY ts "
    "ROWS BETWEEN {rows} PRECEDING AND CURRENT ROW) FROM src"
)

_TOPN_RENAMED = (
    "INSERT INTO out3 SELECT area, mid, v FROM (SELECT area, mid, v, ROW_NUMBER() OVER "
    "(PARTITION BY area ORDER BY v DESC) AS rn FROM (SELECT zone AS area, mid, v FROM src)) "
    "WHERE rn <= 5"
)
_STMTSET = (
    "EXECUTE STATEMENT SET BEGIN {first}; "
    "INSERT INTO out2 SELECT mid, COUNT(*) FROM src2 GROUP BY mid; {more}END"
)
_RENAMED = "GroupAggregate group keys renamed only: zone -> area (the same source fields: src.zone)"
_UNCHANGED = "stateful operators unchanged ({})"

CASES: dict[str, Case] = {
    # GroupAggregate
    "agg-key-renamed-in-subquery": Case(
        "GroupAggregate",
        _one(_AGG),
        _one(
            "INSERT INTO out2 SELECT area, SUM(v) FROM (SELECT zone AS area, v FROM src) "
            "GROUP BY area"
        ),
        "preserved",
        _RENAMED,
    ),
    "agg-key-from-another-field": Case(
        "GroupAggregate",
        _one(_AGG),
        _one("INSERT INTO out2 SELECT mid, SUM(v) FROM src GROUP BY mid"),
        "at-risk",
        "GroupAggregate group keys changed: zone -> mid",
    ),
    "agg-source-table-swapped": Case(
        "GroupAggregate",
        _one(_AGG),
        _one(_AGG.replace("FROM src", "FROM src2")),
        "at-risk",
        "GroupAggregate group keys are computed differently: src.zone -> src2.zone",
    ),
    "agg-having-added": Case(
        "GroupAggregate",
        _one(_AGG),
        _one(_AGG + " HAVING SUM(v) > 10"),
        "preserved",
        _UNCHANGED.format("GroupAggregate"),
    ),
    "agg-filter-narrowed-on-key": Case(
        "GroupAggregate",
        _one(_AGG.replace("FROM src", "FROM src WHERE v < 150")),
        _one(_AGG.replace("FROM src", "FROM src WHERE v < 150 AND zone > 2")),
        "preserved",
        "filter before GroupAggregate narrowed on its keys only",
    ),
    "agg-filter-narrowed-on-value": Case(
        "GroupAggregate",
        _one(_AGG.replace("FROM src", "FROM src WHERE v < 150")),
        _one(_AGG.replace("FROM src", "FROM src WHERE v < 150 AND v > 20")),
        "at-risk",
        "filter before GroupAggregate changed: (v < 150) -> SEARCH(v, Sarg[(20..150)]) (the "
        "restored state",
    ),
    "agg-distinct-filtered-renamed": Case(
        "GroupAggregate",
        _one(
            "INSERT INTO out3 SELECT zone, COUNT(DISTINCT mid), SUM(v) FILTER (WHERE v > 100) "
            "FROM src GROUP BY zone"
        ),
        _one(
            "INSERT INTO out3 SELECT area, COUNT(DISTINCT id), SUM(amount) FILTER "
            "(WHERE amount > 100) FROM (SELECT zone AS area, mid AS id, v AS amount FROM src) "
            "GROUP BY area"
        ),
        "preserved",
        _RENAMED,
    ),
    # window aggregates
    "tumble-output-renamed": Case(
        "window aggregate",
        _one(_TUMBLE.format(size=10)),
        _one(
            _TUMBLE.format(size=10)
            .replace("SUM(v)", "SUM(v) AS total")
            .replace(", zone,", ", zone AS area,")
        ),
        "preserved",
        _UNCHANGED.format("GlobalWindowAggregate"),
    ),
    "tumble-size-changed": Case(
        "window aggregate",
        _one(_TUMBLE.format(size=10)),
        _one(_TUMBLE.format(size=20)),
        "at-risk",
        "GlobalWindowAggregate window changed",
    ),
    "hop-slide-changed": Case(
        "window aggregate",
        _one(
            _TUMBLE.format(size=10).replace(
                "TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '10' SECOND)",
                "HOP(TABLE src, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)",
            )
        ),
        _one(
            _TUMBLE.format(size=10).replace(
                "TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '10' SECOND)",
                "HOP(TABLE src, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '10' SECOND)",
            )
        ),
        "at-risk",
        "GlobalWindowAggregate window changed",
    ),
    "session-key-renamed": Case(
        "window aggregate",
        _one(
            "INSERT INTO outw SELECT window_start, window_end, zone, SUM(v) FROM TABLE(SESSION("
            "TABLE src PARTITION BY zone, DESCRIPTOR(ts), INTERVAL '5' SECOND)) "
            "GROUP BY window_start, window_end, zone"
        ),
        (
            "CREATE VIEW r AS SELECT zone AS area, v, ts FROM src",
            "INSERT INTO outw SELECT window_start, window_end, area, SUM(v) FROM TABLE(SESSION("
            "TABLE r PARTITION BY area, DESCRIPTOR(ts), INTERVAL '5' SECOND)) "
            "GROUP BY window_start, window_end, area",
        ),
        "preserved",
        "WindowAggregate group keys renamed only: zone -> area",
    ),
    "cumulate-step-changed": Case(
        "window aggregate",
        _one(
            _TUMBLE.format(size=10).replace(
                "TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '10' SECOND)",
                "CUMULATE(TABLE src, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '20' SECOND)",
            )
        ),
        _one(
            _TUMBLE.format(size=10).replace(
                "TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '10' SECOND)",
                "CUMULATE(TABLE src, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '20' SECOND)",
            )
        ),
        "at-risk",
        "GlobalWindowAggregate window changed",
    ),
    # Deduplicate
    "dedup-key-renamed": Case(
        "Deduplicate",
        _one(_DEDUP.format(order="ts")),
        _one(
            "INSERT INTO out3 SELECT id, zone, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY "
            "id ORDER BY ts) AS rn FROM (SELECT mid AS id, zone, v, ts FROM src)) WHERE rn = 1"
        ),
        "preserved",
        _UNCHANGED.format("Deduplicate"),  # Flink's planner drops the rename
    ),
    "dedup-first-to-last": Case(
        "Deduplicate",
        _one(_DEDUP.format(order="ts")),
        _one(_DEDUP.format(order="ts DESC")),
        "at-risk",
        "Deduplicate keep changed: FirstRow -> LastRow",
    ),
    # Rank / Top-N
    "topn-narrowed": Case(
        "Rank",
        _one(_TOPN.format(n=5)),
        _one(_TOPN.format(n=3)),
        "at-risk",
        "Rank rankRange changed: rankStart=1, rankEnd=5 -> rankStart=1, rankEnd=3 (narrowed",
    ),
    "topn-partition-renamed": Case(
        "Rank",
        _one(_TOPN.format(n=5)),
        _one(_TOPN_RENAMED),
        "preserved",
        _UNCHANGED.format("Rank"),  # Flink's planner drops the rename
    ),
    # regular join
    "join-output-renamed": Case(
        "Join",
        _one(_JOIN),
        _one(_JOIN.replace("a.v, b.v", "a.v AS amount, b.v AS other")),
        "preserved",
        _UNCHANGED.format("Join"),
    ),
    "join-condition-added": Case(
        "Join",
        _one(_JOIN),
        _one(_JOIN + " AND a.v > b.v"),
        "at-risk",
        "Join condition changed: (mid = mid0) -> ((mid = mid0) AND (v > v0))",
    ),
    # interval join
    "interval-bounds-narrowed": Case(
        "IntervalJoin",
        _one(_INTERVAL.format(lo=10, hi=5)),
        _one(_INTERVAL.format(lo=5, hi=5)),
        "at-risk",
        "IntervalJoin windowBounds changed",
    ),
    # temporal join
    "temporal-output-renamed": Case(
        "TemporalJoin",
        _one(_TEMPORAL),
        _one(_TEMPORAL.replace("a.v, r.v", "a.v AS amount, r.v AS rate")),
        "preserved",
        _UNCHANGED.format("TemporalJoin"),
    ),
    # OVER
    "over-rows-changed": Case(
        "OverAggregate",
        _one(_OVER.format(rows=5)),
        _one(_OVER.format(rows=3)),
        "at-risk",
        "OverAggregate window changed",
    ),
    "over-partition-renamed": Case(
        "OverAggregate",
        _one(_OVER.format(rows=5)),
        _one(
            "INSERT INTO out3 SELECT mid, v, SUM(v) OVER (PARTITION BY area ORDER BY ts ROWS "
            "BETWEEN 5 PRECEDING AND CURRENT ROW) FROM (SELECT mid, zone AS area, v, ts FROM src)"
        ),
        "preserved",
        _UNCHANGED.format("OverAggregate"),  # Flink's planner drops the rename
    ),
    # SinkMaterializer
    "sink-materializer-key-renamed": Case(
        "SinkMaterializer",
        _one(
            "INSERT INTO outpk SELECT zone, SUM(v) FROM src GROUP BY zone, mid "
            "ON CONFLICT DO DEDUPLICATE"
        ),
        _one(
            "INSERT INTO outpk SELECT area, SUM(v) FROM (SELECT zone AS area, mid, v FROM src) "
            "GROUP BY area, mid ON CONFLICT DO DEDUPLICATE"
        ),
        "preserved",
        "GroupAggregate group keys renamed only: zone, mid -> area, mid",
    ),
    # statement sets
    "statement-set-renamed-in-one": Case(
        "statement set",
        _one(_STMTSET.format(first=_AGG, more="")),
        _one(
            _STMTSET.format(
                first="INSERT INTO out2 SELECT area, SUM(v) FROM (SELECT zone AS area, v FROM src) "
                "GROUP BY area",
                more="",
            )
        ),
        "preserved",
        _RENAMED,
    ),
    "statement-set-insert-added": Case(
        "statement set",
        _one(_STMTSET.format(first=_AGG, more="")),
        _one(
            _STMTSET.format(
                first=_AGG, more="INSERT INTO out2 SELECT mid, MAX(v) FROM src GROUP BY mid; "
            )
        ),
        "incompatible",
        "GroupAggregate operator id changed (57df6b5c...",
        "refused",
    ),
    # views
    "view-columns-renamed": Case(
        "view",
        ("CREATE VIEW z AS SELECT zone, v FROM src", _AGG.replace("FROM src", "FROM z")),
        (
            "CREATE VIEW z AS SELECT zone AS area, v AS amount FROM src",
            "INSERT INTO out2 SELECT area, SUM(amount) FROM z GROUP BY area",
        ),
        "preserved",
        _RENAMED,
    ),
    "view-key-from-another-field": Case(
        "view",
        ("CREATE VIEW z AS SELECT zone, v FROM src", _AGG.replace("FROM src", "FROM z")),
        ("CREATE VIEW z AS SELECT mid AS zone, v FROM src", _AGG.replace("FROM src", "FROM z")),
        "at-risk",
        "GroupAggregate group keys are computed differently: src.zone -> src.mid",
    ),
}
