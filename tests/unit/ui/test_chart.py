"""The console's own SVG charts: time ticks, units, gaps where no sample came."""

from __future__ import annotations

import json

from flinkops.ui._chart import chart, with_unit

T0 = 1_765_000_800_000  # 2025-12-06 06:00:00 UTC


def test_units_are_written_with_the_value() -> None:
    assert with_unit(12.34, "records/s") == "12.3 records/s"
    assert with_unit(250, "ms") == "250 ms"
    assert with_unit(1536, "bytes") == "1.5 KB"
    assert with_unit(0.45, "%") == "45%"
    assert with_unit(42_450, "records/s") == "42.5K records/s"


def test_an_hour_has_round_time_ticks_value_ticks_in_the_unit_and_a_readout() -> None:
    points = [[T0 + i * 15_000, 10.0 + i % 3] for i in range(240)]  # an hour, every 15 s
    c = chart(points, "records_in_per_second", T0, T0 + 3_600_000)
    assert [t["label"] for t in c["xticks"]] == [
        "06:10",
        "06:20",
        "06:30",
        "06:40",
        "06:50",
        "07:00",
    ]
    assert [t["label"] for t in c["yticks"]] == ["0", "10", "20"]  # the unit is the caption's
    assert c["unit"] == "records/s"
    assert len(c["lines"]) == 1 and c["last"] == "12 records/s"
    readout = json.loads(c["readout"])
    assert readout[0][1:] == ["06:00:00", "10 records/s"] and len(readout) == 240


def test_a_gap_without_samples_breaks_the_line() -> None:
    before = [[T0 + i * 15_000, 1.0] for i in range(10)]
    after = [[T0 + 1_800_000 + i * 15_000, 2.0] for i in range(10)]
    lone = [[T0 + 3_000_000, 3.0]]
    c = chart([*before, *after, *lone], "lag_ms", T0, T0 + 3_600_000)
    assert len(c["lines"]) == 2 and len(c["dots"]) == 1
    assert c["yticks"][-1]["label"] == "5" and c["unit"] == "ms"


def test_a_week_is_ticked_by_day() -> None:
    c = chart([[T0, 1.0], [T0 + 86_400_000, 2.0]], "checkpoint_size", T0, T0 + 7 * 86_400_000)
    assert c["xticks"][0]["label"] == "12-07" and len(c["xticks"]) == 7
    assert c["yticks"][-1]["label"] == "2 B"  # sizes are scaled on the axis too
