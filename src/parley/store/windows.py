"""Long-running jobs decoded window by window on Celery workers: which windows are done,
which are on the way, how often each was tried, and which to send next.

Every change locks the job's row, so any number of front ends and workers can act on a
job at once: a window recorded twice (a task delivered again after its worker died) keeps
its first result, and the windows in flight per key stay within the fair share."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, sessionmaker

from parley.store.audio_files import AudioFiles
from parley.store.models import OperationRow
from parley.store.operations import (
    FINISHED,
    MAX_ATTEMPTS,
    OperationRecord,
    OperationState,
    now,
    record_of,
    samples_key,
)

# A task to send: (operation name, window index), or (name, None) to plan the job.
Send = tuple[str, int | None]


class Begin(enum.Enum):
    RUN = "run"  # go ahead
    DONE = "done"  # already done (a task delivered twice): send what follows
    STOP = "stop"  # gone, finished, cancelled or given up: nothing to do


@dataclass(frozen=True)
class Started:
    begin: Begin
    operation: OperationRecord | None = None


class JobWindows:
    def __init__(
        self, sessions: sessionmaker[Session], audio: AudioFiles, max_tries: int = MAX_ATTEMPTS
    ) -> None:
        self._sessions = sessions
        self._audio = audio
        self._max_tries = max_tries

    @contextmanager
    def _locked(self, name: str) -> Iterator[OperationRow | None]:
        with self._sessions.begin() as session:
            yield session.scalars(
                select(OperationRow).where(OperationRow.name == name).with_for_update()
            ).one_or_none()

    def begin_plan(self, name: str) -> Started:
        """A job is planned once: its audio decoded and cut into windows."""
        with self._locked(name) as row:
            if row is None or row.state in FINISHED or row.cancel_requested:
                return _stopped(row)
            if _planned(row):
                return Started(Begin.DONE, record_of(row))
            row.attempts += 1
            if row.attempts > self._max_tries:
                _fail(
                    row,
                    f"reading the audio stopped its inference worker {self._max_tries} "
                    "times: it cannot be processed",
                )
                return Started(Begin.STOP, record_of(row))
            row.state, row.updated_at = OperationState.RUNNING, now()
            row.started_at = row.started_at or row.updated_at
            return Started(Begin.RUN, record_of(row))

    def planned(self, name: str, plan: dict[str, Any]) -> bool:
        """Keep the plan (the windows, the audio's shape). False: the job went meanwhile
        (deleted or cancelled) and the plan is not needed."""
        with self._locked(name) as row:
            if row is None or row.state in FINISHED:
                return False
            row.checkpoint = {**plan, "done": {}, "sent": [], "tries": {}}
            row.attempts, row.updated_at = 0, now()
            return True

    def begin_window(self, name: str, index: int) -> Started:
        with self._locked(name) as row:
            if row is None or row.state in FINISHED or row.cancel_requested:
                return _stopped(row)
            checkpoint = dict(row.checkpoint or {})
            if str(index) in checkpoint.get("done", {}):
                return Started(Begin.DONE, record_of(row))
            tries = {**checkpoint.get("tries", {})}
            tries[str(index)] = tries.get(str(index), 0) + 1
            row.checkpoint, row.updated_at = {**checkpoint, "tries": tries}, now()
            if tries[str(index)] > self._max_tries:
                _channel, start, end = checkpoint["windows"][index]
                _fail(
                    row,
                    f"the audio at {start:.0f}-{end:.0f} s stopped its inference worker "
                    f"{self._max_tries} times: it cannot be recognized",
                )
                return Started(Begin.STOP, record_of(row))
            return Started(Begin.RUN, record_of(row))

    def window_done(
        self, name: str, index: int, segments: list[dict[str, Any]], seconds: float
    ) -> OperationRecord | None:
        """Record a window's segments; returns the job when this was its last window."""
        with self._locked(name) as row:
            if row is None or row.state in FINISHED:
                return None
            checkpoint = dict(row.checkpoint or {})
            done = dict(checkpoint["done"])
            if str(index) in done:
                return None
            done[str(index)] = segments
            windows = checkpoint["windows"]
            row.checkpoint = {
                **checkpoint,
                "done": done,
                "sent": [i for i in checkpoint["sent"] if i != index],
                "seconds": checkpoint.get("seconds", 0.0) + seconds,
            }
            total = sum(end - start for _, start, end in windows) or 1.0
            finished = sum(windows[int(i)][2] - windows[int(i)][1] for i in done)
            row.progress, row.updated_at = min(99, int(100 * finished / total)), now()
            return record_of(row) if len(done) == len(windows) else None

    def succeeded(self, name: str, result_id: str) -> bool:
        """False: the job was deleted while its last window ran."""
        with self._locked(name) as row:
            if row is None:
                return False
            if row.state not in FINISHED:
                row.state, row.progress, row.result_id = OperationState.SUCCEEDED, 100, result_id
                row.updated_at = now()
            return True

    def failed(self, name: str, code: str, message: str) -> None:
        with self._locked(name) as row:
            if row is not None and row.state not in FINISHED:
                row.error_code = code
                _fail(row, message)

    def dispatch(self, tenant: str | None, budget: int, per_job: int) -> list[Send]:
        """What to send next for this key's jobs: windows of its running jobs (the one
        with the fewest in flight first, then the oldest), then a queued job to plan,
        until `budget` tasks of the key are on the way. Jobs cancelled while none of
        their windows were on the way end here."""
        sends: list[Send] = []
        with self._sessions.begin() as session:
            rows = session.scalars(
                select(OperationRow)
                .where(
                    OperationRow.tenant.is_(None)
                    if tenant is None
                    else OperationRow.tenant == tenant,
                    OperationRow.state.in_([OperationState.QUEUED, OperationState.RUNNING]),
                )
                .order_by(OperationRow.created_at)
                .with_for_update()
            ).all()
            running = [r for r in rows if r.state == OperationState.RUNNING]
            for row in running:
                if row.cancel_requested and not _in_flight(row):
                    _cancel(row)
            running = [r for r in running if r.state == OperationState.RUNNING]
            flying = sum(_in_flight(r) for r in running)
            while flying < budget:
                open_jobs = [r for r in running if _pending(r) and len(_sent(r)) < per_job]
                if not open_jobs:
                    break
                row = min(open_jobs, key=lambda r: len(_sent(r)))
                index = _pending(row)[0]
                checkpoint = dict(row.checkpoint or {})
                row.checkpoint = {**checkpoint, "sent": [*checkpoint["sent"], index]}
                sends.append((row.name, index))
                flying += 1
            for row in (r for r in rows if r.state == OperationState.QUEUED):
                if flying >= budget:
                    break
                row.state, row.updated_at, row.checkpoint = OperationState.RUNNING, now(), None
                sends.append((row.name, None))
                flying += 1
        return sends

    def stalled(self, seconds: float) -> tuple[list[Send], set[str | None]]:
        """Jobs that moved on in no way for `seconds` (a lost task: a broker that lost
        its messages, a server that died between saving and sending): the tasks to send
        again, and the keys whose jobs to dispatch. Each is taken by one caller."""
        cutoff = now() - timedelta(seconds=seconds)
        sends: list[Send] = []
        tenants: set[str | None] = set()
        with self._sessions.begin() as session:
            rows = session.scalars(
                select(OperationRow)
                .where(
                    OperationRow.state.in_([OperationState.QUEUED, OperationState.RUNNING]),
                    OperationRow.updated_at < cutoff,
                )
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                row.updated_at = now()
                tenants.add(row.tenant)
                if row.state == OperationState.RUNNING:
                    sent = _sent(row) if _planned(row) else [None]
                    sends.extend((row.name, index) for index in sent)
        return sends, tenants

    def counts(self) -> dict[str, float]:
        """Jobs queued and running, and their tasks on the way."""
        with self._sessions.begin() as session:
            rows = session.scalars(
                select(OperationRow).where(
                    OperationRow.state.in_([OperationState.QUEUED, OperationState.RUNNING])
                )
            ).all()
            return {
                "jobs:queued": sum(r.state == OperationState.QUEUED for r in rows),
                "jobs:running": sum(r.state == OperationState.RUNNING for r in rows),
                "job_tasks": sum(_in_flight(r) for r in rows if r.state == OperationState.RUNNING),
            }

    def samples(self, operation: OperationRecord, index: int) -> bytes:
        """The float32 samples of one window, read from the job's samples file."""
        checkpoint = operation.checkpoint or {}
        channel, start, end = checkpoint["windows"][index]
        rate, length = checkpoint["rate"], checkpoint["length"]
        first = (channel - 1) * length + int(start * rate)
        count = int(end * rate) - int(start * rate)
        return self._audio.read_range(samples_key(operation.audio_key), 4 * first, 4 * count)


def _of(tenant: str | None) -> ColumnElement[bool]:
    return OperationRow.tenant.is_(None) if tenant is None else OperationRow.tenant == tenant


def _stopped(row: OperationRow | None) -> Started:
    """Nothing to run: the job is gone, finished, or (now) cancelled."""
    if row is None:
        return Started(Begin.STOP)
    if row.state not in FINISHED:
        _cancel(row)
    return Started(Begin.STOP, record_of(row))


def _planned(row: OperationRow) -> bool:
    return bool(row.checkpoint) and "windows" in (row.checkpoint or {})


def _sent(row: OperationRow) -> list[int]:
    return list((row.checkpoint or {}).get("sent", []))


def _in_flight(row: OperationRow) -> int:
    """A job being planned counts as one task on the way."""
    return len(_sent(row)) if _planned(row) else 1


def _pending(row: OperationRow) -> list[int]:
    if not _planned(row):
        return []
    checkpoint = row.checkpoint or {}
    taken = set(checkpoint["sent"]) | {int(i) for i in checkpoint["done"]}
    return [i for i in range(len(checkpoint["windows"])) if i not in taken]


def _cancel(row: OperationRow) -> None:
    row.state, row.updated_at = OperationState.CANCELLED, now()
    row.progress = min(row.progress, 99)
    row.error_code, row.error_message = "cancelled", "The operation was cancelled."


def _fail(row: OperationRow, message: str) -> None:
    row.state, row.updated_at = OperationState.FAILED, now()
    row.error_code = row.error_code or "internal"
    row.error_message = message
