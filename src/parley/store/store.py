"""Records of every transcription and synthesis, with their audio."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from parley.domain.codec import transcript_from_dict, transcript_to_dict
from parley.domain.transcript import Transcript
from parley.errors import InvalidArgument, NotFound
from parley.store.audio_files import AudioFiles
from parley.store.db import open_database
from parley.store.keys import ApiKeys
from parley.store.live import LIVE, LiveRecords
from parley.store.models import LiveSegmentRow, SynthesisRow, TranscriptionRow
from parley.store.operations import Operations
from parley.store.records import (
    AudioRef,
    StoredAudio,
    SynthesisRecord,
    TranscriptionRecord,
    as_utc,
)
from parley.store.windows import JobWindows

Row = TypeVar("Row", TranscriptionRow, SynthesisRow)


def new_id() -> str:
    return uuid.uuid4().hex


MIN_ID_PREFIX = 4


class Store:
    def __init__(self, database_url: str, audio_dir: Path) -> None:
        self._sessions: sessionmaker[Session] = open_database(database_url)
        self.audio = AudioFiles(audio_dir)
        self.operations = Operations(self._sessions, self.audio)
        self.keys = ApiKeys(self._sessions)
        self.live = LiveRecords(self._sessions, self.audio)
        self.windows = JobWindows(self._sessions, self.audio)

    def close(self) -> None:
        """Close the database connections this store holds."""
        engine = self._sessions.kw["bind"]
        engine.dispose()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def add_transcription(
        self,
        *,
        audio: StoredAudio | AudioRef | None,
        source_name: str | None,
        options: dict[str, Any],
        transcript: Transcript,
        tenant: str | None = None,
        protocol: str = "",
    ) -> TranscriptionRecord:
        """Store the audio (unless the store holds it already), then the row."""
        record_id, created = new_id(), datetime.now(UTC)
        if isinstance(audio, StoredAudio):
            ref: AudioRef | None = AudioRef(
                self.audio.put(record_id, created, audio.data, audio.suffix),
                audio.format,
                len(audio.data),
            )
        else:
            ref = audio
        row = TranscriptionRow(
            id=record_id,
            created_at=created,
            status="completed",
            source_name=source_name,
            audio_key=ref.key if ref else None,
            audio_format=ref.format if ref else None,
            audio_bytes=ref.size if ref else 0,
            duration=transcript.duration,
            model=transcript.model,
            language=transcript.language,
            options=options,
            text=transcript.text,
            transcript=transcript_to_dict(transcript),
            inference_seconds=transcript.inference_seconds,
            tenant=tenant,
            protocol=protocol or None,
        )
        self._insert(row, written=isinstance(audio, StoredAudio))
        return _transcription(row)

    def get_transcription(self, record_id: str, scope: str | None = None) -> TranscriptionRecord:
        """`scope` (here and below): only a record of this tenant is found (None: any)."""
        with self._session() as session:
            return _transcription(_get(session, TranscriptionRow, record_id, scope))

    def list_transcriptions(
        self,
        *,
        limit: int = 20,
        offset: int = 0,
        search: str | None = None,
        scope: str | None = None,
    ) -> tuple[list[TranscriptionRecord], int]:
        """Newest first; `search` matches text case-insensitively. Returns (page, total)."""
        query = select(TranscriptionRow)
        if scope is not None:
            query = query.where(TranscriptionRow.tenant == scope)
        if search:
            query = query.where(func.lower(TranscriptionRow.text).contains(search.lower()))
        rows, total = self._page(query, TranscriptionRow, limit, offset)
        return [_transcription(r) for r in rows], total

    def delete_transcription(self, record_id: str, scope: str | None = None) -> None:
        self._delete(TranscriptionRow, record_id, scope)

    def add_synthesis(
        self,
        *,
        text: str,
        voice: str,
        options: dict[str, Any],
        audio: StoredAudio | None,
        duration: float,
        inference_seconds: float,
        tenant: str | None = None,
        protocol: str = "",
    ) -> SynthesisRecord:
        """`audio` None: the text and options only."""
        record_id, created = new_id(), datetime.now(UTC)
        key = audio and self.audio.put(record_id, created, audio.data, audio.suffix)
        row = SynthesisRow(
            id=record_id,
            created_at=created,
            text=text,
            voice=voice,
            options=options,
            audio_key=key,
            audio_format=audio and audio.format,
            audio_bytes=audio and len(audio.data),
            duration=duration,
            inference_seconds=inference_seconds,
            tenant=tenant,
            protocol=protocol or None,
        )
        self._insert(row, written=True)
        return _synthesis(row)

    def get_synthesis(self, record_id: str, scope: str | None = None) -> SynthesisRecord:
        with self._session() as session:
            return _synthesis(_get(session, SynthesisRow, record_id, scope))

    def list_syntheses(
        self,
        *,
        limit: int = 20,
        offset: int = 0,
        search: str | None = None,
        scope: str | None = None,
    ) -> tuple[list[SynthesisRecord], int]:
        """Newest first; `search` matches text case-insensitively. Returns (page, total)."""
        query = select(SynthesisRow)
        if scope is not None:
            query = query.where(SynthesisRow.tenant == scope)
        if search:
            query = query.where(func.lower(SynthesisRow.text).contains(search.lower()))
        rows, total = self._page(query, SynthesisRow, limit, offset)
        return [_synthesis(r) for r in rows], total

    def delete_synthesis(self, record_id: str, scope: str | None = None) -> None:
        self._delete(SynthesisRow, record_id, scope)

    def resolve_id(self, prefix: str, scope: str | None = None) -> tuple[str, str]:
        """("transcription" or "synthesis", full id) of the one record whose id starts with
        `prefix` (at least 4 hex digits, as `git` takes commits)."""
        wanted = prefix.strip().lower()
        if len(wanted) < MIN_ID_PREFIX or not all(c in "0123456789abcdef" for c in wanted):
            raise NotFound(f"{prefix!r} is not a record id (or the first {MIN_ID_PREFIX}+ of one)")
        found: list[tuple[str, str]] = []
        with self._session() as session:
            for kind, table in (("transcription", TranscriptionRow), ("synthesis", SynthesisRow)):
                query = select(table.id).where(table.id.startswith(wanted)).limit(2)
                if scope is not None:
                    query = query.where(table.tenant == scope)
                found += [(kind, record_id) for record_id in session.scalars(query).all()]
        if not found:
            raise NotFound(f"no transcription or synthesis has an id starting {prefix!r}")
        if len(found) > 1:
            raise InvalidArgument(f"several records have ids starting {prefix!r}: give more of it")
        return found[0]

    def expire(self, before: datetime) -> int:
        """Delete every record, and finished operation, made before `before`, with its
        audio. Returns how many went."""
        running = TranscriptionRow.status == LIVE  # a stream still open stays
        with self._session() as session:
            heard = session.scalars(
                select(TranscriptionRow.id).where(TranscriptionRow.created_at < before, ~running)
            ).all()
            said = session.scalars(
                select(SynthesisRow.id).where(SynthesisRow.created_at < before)
            ).all()
        gone = 0
        for record_id in heard:
            with contextlib.suppress(NotFound):
                self._delete(TranscriptionRow, record_id, None)
                gone += 1
        for record_id in said:
            with contextlib.suppress(NotFound):
                self._delete(SynthesisRow, record_id, None)
                gone += 1
        return gone + self.operations.expire(before)

    def audio_keys(self) -> set[str]:
        """Every audio key a row refers to (for the sweep of orphan files)."""
        with self._session() as session:
            keys: set[str] = set()
            for column in (TranscriptionRow.audio_key, SynthesisRow.audio_key):
                keys.update(k for k in session.scalars(select(column)).all() if k)
        return keys | self.operations.audio_keys()

    def _insert(self, row: TranscriptionRow | SynthesisRow, *, written: bool) -> None:
        """Add a row; if it fails, audio `written` for it goes too."""
        try:
            with self._session() as session:
                session.add(row)
        except BaseException:
            if written and row.audio_key:
                self.audio.delete(row.audio_key)
            raise

    def _page(
        self, query: Select[Row], model: type[Row], limit: int, offset: int
    ) -> tuple[list[Row], int]:
        """Newest first, and the count of all that match."""
        with self._session() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(
                query.order_by(model.created_at.desc(), model.id).limit(limit).offset(offset)
            ).all()
            return list(rows), total

    def _delete(self, model: type[Row], record_id: str, scope: str | None) -> None:
        """Delete the row, then its audio."""
        with self._session() as session:
            row = _get(session, model, record_id, scope)
            key = row.audio_key
            session.delete(row)
            if model is TranscriptionRow:
                session.execute(delete(LiveSegmentRow).where(LiveSegmentRow.record_id == record_id))
        if key:
            self.audio.delete(key)


def _get(session: Session, model: type[Row], record_id: str, scope: str | None) -> Row:
    row = session.get(model, record_id)
    if row is None or (scope is not None and row.tenant != scope):
        kind = "transcription" if model is TranscriptionRow else "synthesis"
        raise NotFound(f"{kind} {record_id!r} does not exist")
    return row


def _transcription(row: TranscriptionRow) -> TranscriptionRecord:
    return TranscriptionRecord(
        id=row.id,
        created_at=as_utc(row.created_at),
        status=row.status,
        source_name=row.source_name,
        audio_key=row.audio_key,
        audio_format=row.audio_format,
        duration=row.duration,
        model=row.model,
        language=row.language,
        options=row.options,
        transcript=transcript_from_dict(row.transcript) if row.transcript else None,
        inference_seconds=row.inference_seconds,
        error=row.error,
        protocol=row.protocol,
    )


def _synthesis(row: SynthesisRow) -> SynthesisRecord:
    return SynthesisRecord(
        id=row.id,
        created_at=as_utc(row.created_at),
        text=row.text,
        voice=row.voice,
        options=row.options,
        audio_key=row.audio_key,
        audio_format=row.audio_format,
        duration=row.duration,
        inference_seconds=row.inference_seconds,
        protocol=row.protocol,
    )
