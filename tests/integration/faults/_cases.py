"""The steps every fault case takes: apply version 1 of a stateful job, change it
compatibly, inject one fault while apply carries version 2 out, then check that the next
apply converges — one RUNNING job of version 2, each version recorded once, restored
from the stop's savepoint or the old job's retained checkpoint, never started empty."""

from __future__ import annotations

from flinkops.flink.snapshots import local_path
from tests.integration.faults.conftest import FAULT_TABLE, FaultWorld


def first_line(text: str, *marks: str) -> str:
    """The first line of apply's output holding one of ``marks`` (its verdict)."""
    for line in text.splitlines():
        if any(m in line for m in marks):
            return line.strip()
    return text.strip().splitlines()[-1] if text.strip() else ""


def start_v1(world: FaultWorld) -> str:
    world.write(rate=20)
    code, out = world.apply()
    assert code == 0, out
    [v1] = world.running()
    world.wait_checkpoint(v1.job_id)
    world.write(rate=21)  # a compatible change: the stateful operators stay as they were
    return v1.job_id


def converged(world: FaultWorld, old: str, fault: str, where: str, first: tuple[int, str],
               *, restored_kind: str = "savepoint") -> None:  # fmt: skip
    """The next apply converges: one RUNNING job of version 2, versions recorded once,
    restored from the stop's savepoint (or the old job's retained checkpoint)."""
    code, out = world.apply()
    assert code == 0, out
    if first[0] != 0:  # the journal's transition is finished by recovery, not re-planned
        assert "recovered: agg: interrupted update -> done" in out, out
    [run] = world.running()
    assert run.version == 2, run
    history = world.history()
    assert [(v["version"], v["outcome"]) for v in history] == [(1, "applied"), (2, "applied")]
    restored = world.client.checkpoints(run.job_id).latest.restored
    assert restored is not None and restored.external_path, "started empty"
    path = restored.external_path
    if restored_kind == "savepoint":
        assert restored.is_savepoint and f"savepoint-{old[:6]}-" in path, path
    else:
        assert f"/{old}/chk-" in path or f"savepoint-{old[:6]}-" in path, path
    local = local_path(path)
    assert local is not None and (local / "_metadata").is_file()
    assert local_path(history[1]["restored_from"]) == local  # file:/x and file:///x alike
    again, out3 = world.apply()
    assert again == 0 and "No changes" in out3, out3
    FAULT_TABLE.append(
        {
            "fault": fault,
            "where": where,
            "apply": f"exit {first[0]}: {first[1][:300]}",
            "next apply": f"exit {code}: {first_line(out, 'recovered:', 'agg:')[:200]}",
            "restored": path.rsplit("/", 2)[-2] + "/" + path.rsplit("/", 1)[-1],
            "duplicates": str(len(world.running()) - 1),
        }
    )


MARKS = ("agg:", "error", "Error", "refusing")


def faulted(world: FaultWorld) -> tuple[int, str]:
    code, out = world.apply()
    return code, first_line(out, *MARKS) + " | " + first_line(out, "Now:", "Flink shows")
