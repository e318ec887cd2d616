"""A job's checkpoints and savepoints: counts, the latest of each kind, history, triggers."""

from __future__ import annotations

from dataclasses import dataclass, field

from flinkops.flink.models._fields import Json, as_int, ms

__all__ = ["CheckpointRef", "Checkpoints", "LatestCheckpoints", "SavepointStatus"]


@dataclass(frozen=True)
class CheckpointRef:
    """A checkpoint or savepoint (completed, failed, in progress or restored from)."""

    id: int
    status: str
    is_savepoint: bool
    external_path: str | None
    trigger_timestamp: int | None = None
    latest_ack_timestamp: int | None = None
    restore_timestamp: int | None = None
    state_size: int | None = None
    end_to_end_duration: int | None = None
    checkpoint_type: str = ""
    failure_message: str | None = None

    @classmethod
    def from_json(cls, d: Json, *, status: str = "") -> CheckpointRef:
        path = d.get("external_path")
        return cls(
            id=as_int(d.get("id")),
            status=str(d.get("status") or status),
            is_savepoint=bool(d.get("is_savepoint", False)),
            external_path=str(path)
            if path and path != "<checkpoint-not-externally-addressable>"
            else None,
            trigger_timestamp=ms(d.get("trigger_timestamp")),
            latest_ack_timestamp=ms(d.get("latest_ack_timestamp")),
            restore_timestamp=ms(d.get("restore_timestamp")),
            state_size=ms(d.get("state_size", d.get("checkpointed_size"))),
            end_to_end_duration=ms(d.get("end_to_end_duration")),
            checkpoint_type=str(d.get("checkpoint_type", "")),
            failure_message=d.get("failure_message"),
        )


@dataclass(frozen=True)
class LatestCheckpoints:
    """The ``latest`` block of ``/jobs/:id/checkpoints``: newest of each kind, or None."""

    completed: CheckpointRef | None = None
    savepoint: CheckpointRef | None = None
    failed: CheckpointRef | None = None
    restored: CheckpointRef | None = None

    @property
    def retained(self) -> CheckpointRef | None:
        """The newest completed checkpoint or savepoint (what last-state restores from)."""
        done = [c for c in (self.completed, self.savepoint) if c and c.external_path]
        return max(done, key=lambda c: c.id) if done else None


@dataclass(frozen=True)
class Checkpoints:
    """``GET /jobs/:id/checkpoints``: counts, the latest of each kind, history (newest first)."""

    counts: dict[str, int]
    latest: LatestCheckpoints
    history: list[CheckpointRef]
    raw: Json = field(default_factory=dict, repr=False, compare=False)
    enabled: bool = True  # False: Flink says checkpointing was never enabled for the job

    @classmethod
    def disabled(cls) -> Checkpoints:
        """What a job without checkpointing has: nothing (Flink answers 404 for it)."""
        return cls(counts={}, latest=LatestCheckpoints(), history=[], enabled=False)

    @property
    def restored(self) -> CheckpointRef | None:
        """What the job was restored from (``is_savepoint``, ``external_path``), or None."""
        return self.latest.restored

    @classmethod
    def from_json(cls, d: Json) -> Checkpoints:
        latest = d.get("latest") or {}

        def ref(key: str, status: str) -> CheckpointRef | None:
            v = latest.get(key)
            return CheckpointRef.from_json(v, status=status) if isinstance(v, dict) else None

        return cls(
            counts={k: as_int(v) for k, v in (d.get("counts") or {}).items()},
            latest=LatestCheckpoints(
                completed=ref("completed", "COMPLETED"),
                savepoint=ref("savepoint", "COMPLETED"),
                failed=ref("failed", "FAILED"),
                restored=ref("restored", "RESTORED"),
            ),
            history=[CheckpointRef.from_json(h) for h in d.get("history") or []],
            raw=d,
        )


@dataclass(frozen=True)
class SavepointStatus:
    """A savepoint trigger's state: IN_PROGRESS or COMPLETED (with a location or a failure)."""

    status: str
    location: str | None
    failure_cause: str | None

    @property
    def done(self) -> bool:
        return self.status == "COMPLETED"

    @classmethod
    def from_json(cls, d: Json) -> SavepointStatus:
        op = d.get("operation") or {}
        cause = op.get("failure-cause")
        text = None
        if isinstance(cause, dict):
            text = str(cause.get("stack-trace") or cause.get("class") or "") or None
        elif cause:
            text = str(cause)
        return cls(
            status=str((d.get("status") or {}).get("id", "")),
            location=op.get("location"),
            failure_cause=text,
        )
