"""The pure parts of running a rehearsal (apply/rehearse/_run.py): what counts as Flink
refusing the state, and which operators' state the rehearsal job took."""

from __future__ import annotations

from flinkops.apply.rehearse import refused_state
from flinkops.apply.rehearse._run import _operators, _sink_vertex
from flinkops.flink.models import JobDetails


def _job(*vertices: tuple[str, str]) -> JobDetails:
    return JobDetails.from_json(
        {"jid": "j", "name": "n", "state": "RUNNING",
         "vertices": [{"id": i, "name": n, "status": "RUNNING"} for i, n in vertices]}
    )  # fmt: skip


def test_refusals_are_told_from_other_failures() -> None:
    assert refused_state(
        "org.apache.flink.util.StateMigrationException: For heap backends, the new state "
        "serializer (RowDataSerializer) must not be incompatible with the old state serializer"
    )
    assert refused_state(
        "Cannot map checkpoint/savepoint state for operator 20ba to the new program"
    )
    assert refused_state(
        "Max parallelism mismatch between checkpoint/savepoint state and new program"
    )
    assert not refused_state("java.lang.RuntimeException: boom")
    assert not refused_state("java.io.FileNotFoundException: /data/in")


def test_restored_and_dropped_operators_by_vertex_id() -> None:
    live = _job(
        ("a", "Source: src"),
        ("b", "GroupAggregate -> Sink: snk"),
        ("c", "PartitionCommitter -> Sink: end"),
    )
    rehearsal = _job(("a", "Source: src"), ("b", "GroupAggregate -> Sink: snk"))
    restored, dropped = _operators(live, rehearsal, {"a": 0, "b": 4096, "c": 12})
    assert restored == ("GroupAggregate -> Sink: snk",)
    assert dropped == ("PartitionCommitter -> Sink: end",)


def test_without_the_snapshots_details_every_kept_vertex_counts_as_restored() -> None:
    live = _job(("a", "Source: src"), ("b", "GroupAggregate"))
    restored, dropped = _operators(live, _job(("a", "Source: src"), ("b", "GroupAggregate")), {})
    assert restored == ("Source: src", "GroupAggregate") and dropped == ()


def test_sink_vertices_are_made_of_sink_operators_only() -> None:
    assert _sink_vertex("PartitionCommitter -> Sink: end")
    assert _sink_vertex("out_table[48]: Writer -> out_table[48]: Committer")
    assert not _sink_vertex("GroupAggregate -> Sink: snk")
