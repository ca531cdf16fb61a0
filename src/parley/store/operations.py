"""Long-running operations in the database: created, claimed under a lease, checkpointed,
finished, cancelled, listed and deleted. Any server sharing the database can take over a
job whose lease ran out."""

from __future__ import annotations

import contextlib
import enum
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Result, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from parley.errors import NotFound
from parley.store.audio_files import AudioFiles
from parley.store.models import OperationRow
from parley.store.records import StoredAudio, as_utc


class OperationState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = (OperationState.SUCCEEDED, OperationState.FAILED, OperationState.CANCELLED)
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class OperationRecord:
    name: str
    kind: str
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    state: OperationState
    progress: int
    request: dict[str, Any]
    audio_key: str
    source_name: str | None
    checkpoint: dict[str, Any] | None
    result_id: str | None
    error_code: str | None
    error_message: str | None
    cancel_requested: bool
    tenant: str | None = None

    @property
    def done(self) -> bool:
        return self.state in FINISHED


def now() -> datetime:
    return datetime.now(UTC)


class Operations:
    def __init__(self, sessions: sessionmaker[Session], audio: AudioFiles) -> None:
        self._sessions = sessions
        self._audio = audio

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def create(
        self,
        kind: str,
        request: dict[str, Any],
        audio: StoredAudio,
        source_name: str | None,
        tenant: str | None = None,
    ) -> OperationRecord:
        """The audio is written first: an operation that exists can always be run."""
        name, created = str(secrets.randbelow(10**18) + 10**18), now()
        key = self._audio.put(f"op-{name}", created, audio.data, audio.suffix)
        row = OperationRow(
            name=name,
            kind=kind,
            created_at=created,
            updated_at=created,
            state=OperationState.QUEUED,
            progress=0,
            request=request,
            audio_key=key,
            source_name=source_name,
            cancel_requested=False,
            tenant=tenant,
        )
        try:
            with self._session() as session:
                session.add(row)
        except BaseException:
            self._audio.delete(key)
            raise
        return record_of(row)

    def get(self, name: str, scope: str | None = None) -> OperationRecord:
        """`scope`: only an operation of this tenant is found (None: any)."""
        with self._session() as session:
            return record_of(_row(session, name, scope))

    def list(
        self,
        *,
        kind: str | None,
        done: bool | None,
        limit: int,
        offset: int,
        scope: str | None = None,
    ) -> list[OperationRecord]:
        """Newest first."""
        query = select(OperationRow)
        if scope is not None:
            query = query.where(OperationRow.tenant == scope)
        if kind:
            query = query.where(OperationRow.kind == kind)
        if done is not None:
            finished = OperationRow.state.in_([s.value for s in FINISHED])
            query = query.where(finished if done else ~finished)
        query = query.order_by(OperationRow.created_at.desc(), OperationRow.name)
        with self._session() as session:
            return [record_of(r) for r in session.scalars(query.limit(limit).offset(offset))]

    def claim(
        self, owner: str, lease_seconds: float, max_attempts: int = MAX_ATTEMPTS
    ) -> OperationRecord | None:
        """Take the oldest queued job, or one whose runner's lease ran out. A job taken
        `max_attempts` times without progress (its server or worker died each time: a
        poison input) fails instead of being taken again."""
        moment = now()
        waiting = or_(
            OperationRow.state == OperationState.QUEUED,
            (OperationRow.state == OperationState.RUNNING) & (OperationRow.lease_until < moment),
        )
        with self._session() as session:
            candidates = session.scalars(
                select(OperationRow.name).where(waiting).order_by(OperationRow.created_at).limit(5)
            ).all()
            for name in candidates:
                taken = _count(
                    session.execute(
                        update(OperationRow)
                        .where(OperationRow.name == name, waiting)
                        .values(
                            state=OperationState.RUNNING,
                            owner=owner,
                            updated_at=moment,
                            lease_until=moment + timedelta(seconds=lease_seconds),
                            attempts=OperationRow.attempts + 1,
                        )
                    )
                )
                if not taken:
                    continue
                row = _row(session, name)
                if row.attempts > max_attempts:
                    row.state, row.lease_until = OperationState.FAILED, None
                    row.error_code = "internal"
                    row.error_message = (
                        f"the job stopped {max_attempts} times at the same point (its server "
                        "or inference worker died each time): the audio cannot be processed"
                    )
                    continue
                row.started_at = row.started_at or moment
                return record_of(row)
        return None

    def renew(self, name: str, owner: str, lease_seconds: float) -> bool:
        """Extend the lease; False when the job is no longer this runner's."""
        moment = now()
        with self._session() as session:
            return bool(
                _count(
                    session.execute(
                        update(OperationRow)
                        .where(
                            OperationRow.name == name,
                            OperationRow.owner == owner,
                            OperationRow.state == OperationState.RUNNING,
                        )
                        .values(lease_until=moment + timedelta(seconds=lease_seconds))
                    )
                )
            )

    def release(self, name: str, owner: str) -> None:
        """Give the job up unfinished (shutdown): the next claim takes it at once."""
        with self._session() as session:
            row = session.get(OperationRow, name)
            if row is not None and row.owner == owner and row.state == OperationState.RUNNING:
                row.lease_until = now() - timedelta(seconds=1)
                row.attempts = max(0, row.attempts - 1)  # a clean stop is no failed attempt

    def save_progress(
        self, name: str, owner: str, progress: int, checkpoint: dict[str, Any]
    ) -> bool:
        """Returns whether the job should go on (it is still ours and not cancelled)."""
        with self._session() as session:
            row = session.get(OperationRow, name)
            if row is None or row.owner != owner or row.state != OperationState.RUNNING:
                return False  # deleted, or taken over by another server
            row.progress, row.checkpoint, row.updated_at = progress, checkpoint, now()
            row.attempts = 1  # this attempt got somewhere: only attempts after it count
            return not row.cancel_requested

    def finish(
        self,
        name: str,
        owner: str,
        state: OperationState,
        *,
        result_id: str | None = None,
        error: tuple[str, str] | None = None,
    ) -> bool:
        """False when the operation is gone (deleted while it ran)."""
        with self._session() as session:
            row = session.get(OperationRow, name)
            if row is None:
                return False
            if row.owner != owner or row.state in FINISHED:
                return True
            row.state, row.updated_at, row.lease_until = state, now(), None
            row.result_id = result_id
            if state is OperationState.SUCCEEDED:
                row.progress = 100
            elif state is OperationState.CANCELLED:  # stopped: never reported as all done
                row.progress = min(row.progress, 99)
            if error:
                row.error_code, row.error_message = error
            return True

    def cancel(self, name: str, scope: str | None = None) -> OperationRecord:
        """A queued job is cancelled at once; a running one at its next checkpoint."""
        with self._session() as session:
            row = _row(session, name, scope)
            if row.state == OperationState.QUEUED:
                row.state, row.updated_at = OperationState.CANCELLED, now()
                row.error_code, row.error_message = "cancelled", "The operation was cancelled."
            elif row.state == OperationState.RUNNING:
                row.cancel_requested = True
            return record_of(row)

    def delete(self, name: str, scope: str | None = None) -> None:
        """Forget the operation; its audio goes unless a finished transcription holds it."""
        with self._session() as session:
            row = _row(session, name, scope)
            key = None if row.result_id else row.audio_key
            if row.state == OperationState.RUNNING:
                row.cancel_requested = True
                key = None  # the runner still reads it; it ends at the next checkpoint
            session.delete(row)
        if key:
            self._audio.delete(key)
            self._audio.discard(samples_key(key))

    def discard_audio(self, key: str) -> None:
        self._audio.delete(key)

    def expire(self, before: datetime) -> int:
        """Delete finished operations made before `before`; returns how many."""
        with self._session() as session:
            names = session.scalars(
                select(OperationRow.name).where(
                    OperationRow.created_at < before,
                    OperationRow.state.in_([s.value for s in FINISHED]),
                )
            ).all()
        for name in names:
            with contextlib.suppress(NotFound):
                self.delete(name)
        return len(names)

    def audio_keys(self) -> set[str]:
        """The jobs' audio, and the samples of jobs decoded on Celery workers."""
        with self._session() as session:
            keys = {k for k in session.scalars(select(OperationRow.audio_key)).all() if k}
        return keys | {samples_key(k) for k in keys}


def samples_key(audio_key: str) -> str:
    """Where a job run on Celery workers keeps its audio as the model reads it."""
    return f"{audio_key}.samples"


def _count(result: Result[Any]) -> int:
    """Rows an UPDATE matched."""
    return int(cast(CursorResult[Any], result).rowcount)


def _row(session: Session, name: str, scope: str | None = None) -> OperationRow:
    row = session.get(OperationRow, name)
    if row is None or (scope is not None and row.tenant != scope):
        raise NotFound(f"operation {name!r} does not exist", field="name")
    return row


def record_of(row: OperationRow) -> OperationRecord:
    return OperationRecord(
        name=row.name,
        kind=row.kind,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
        started_at=as_utc(row.started_at) if row.started_at else None,
        state=OperationState(row.state),
        progress=row.progress,
        request=row.request,
        audio_key=row.audio_key,
        source_name=row.source_name,
        checkpoint=row.checkpoint,
        result_id=row.result_id,
        error_code=row.error_code,
        error_message=row.error_message,
        cancel_requested=row.cancel_requested,
        tenant=row.tenant,
    )
