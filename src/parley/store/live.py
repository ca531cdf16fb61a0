"""A live stream's record, kept as the stream goes: the row exists from the start
(status "live"), each final is written before the client gets it, and the end makes it
a complete record. A stream whose server died is closed as "interrupted" by whichever
server next looks, with the finals that were sent and the audio spooled until then."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from parley.domain.codec import segment_from_dict, segment_to_dict, transcript_to_dict
from parley.domain.transcript import Segment, Transcript
from parley.store.audio_files import AudioFiles
from parley.store.models import LiveSegmentRow, TranscriptionRow

logger = logging.getLogger(__name__)

LIVE = "live"
INTERRUPTED = "interrupted"
SOURCE = "live stream"


class LiveRecords:
    def __init__(self, sessions: sessionmaker[Session], audio: AudioFiles) -> None:
        self._sessions = sessions
        self._audio = audio

    def begin(
        self,
        record_id: str,
        *,
        spool_key: str,
        keep_audio: bool,
        options: dict[str, Any],
        model: str,
        tenant: str | None,
        protocol: str = "",
    ) -> None:
        """`spool_key`: where the stream's audio is spooled (also its sign of life);
        without `keep_audio`, that spool is deleted at the end instead of kept."""
        row = TranscriptionRow(
            id=record_id,
            created_at=datetime.now(UTC),
            status=LIVE,
            source_name=SOURCE,
            audio_key=spool_key,
            audio_format="flac/flac" if keep_audio else None,
            audio_bytes=0,
            model=model,
            options=options,
            tenant=tenant,
            protocol=protocol or None,
        )
        with self._sessions.begin() as session:
            session.add(row)

    def add(self, record_id: str, seq: int, segment: Segment) -> None:
        with self._sessions.begin() as session:
            session.add(
                LiveSegmentRow(record_id=record_id, seq=seq, segment=segment_to_dict(segment))
            )

    def segments(self, record_id: str) -> list[Segment]:
        with self._sessions.begin() as session:
            rows = session.scalars(
                select(LiveSegmentRow.segment)
                .where(LiveSegmentRow.record_id == record_id)
                .order_by(LiveSegmentRow.seq)
            ).all()
            return [segment_from_dict(r) for r in rows]

    def finish(self, record_id: str, transcript: Transcript, *, status: str = "completed") -> None:
        """The stream's record complete: its audio moved from the spool into the store."""
        created = datetime.now(UTC)
        with self._sessions.begin() as session:
            row = session.get(TranscriptionRow, record_id)
            if row is None:
                return  # deleted while it ran
            spool = self._audio.spooled(row.audio_key) if row.audio_key else None
            if spool is not None and spool.exists() and row.audio_format:
                row.audio_bytes = spool.stat().st_size
                row.audio_key = self._audio.adopt(record_id, created, spool)
            else:
                if spool is not None:
                    spool.unlink(missing_ok=True)
                row.audio_key = row.audio_format = None
            row.status = status
            row.duration = transcript.duration
            row.language = transcript.language
            row.text = transcript.text
            row.transcript = transcript_to_dict(transcript)
            row.inference_seconds = transcript.inference_seconds
            session.execute(delete(LiveSegmentRow).where(LiveSegmentRow.record_id == record_id))

    def recover(self, stale_seconds: float) -> int:
        """Close streams whose server is gone: no audio has reached their spool for
        `stale_seconds` (a running stream writes audio all the time). Returns how many."""
        with self._sessions.begin() as session:
            rows = session.execute(
                select(
                    TranscriptionRow.id, TranscriptionRow.audio_key, TranscriptionRow.model
                ).where(TranscriptionRow.status == LIVE)
            ).all()
        closed = 0
        for record_id, key, model in rows:
            spool = self._audio.spooled(key) if key else None
            touched = spool.stat().st_mtime if spool is not None and spool.exists() else 0.0
            if time.time() - touched < stale_seconds:
                continue
            segments = self.segments(record_id)
            transcript = Transcript(
                segments=tuple(segments),
                language=segments[0].language if segments else "und",
                duration=max((s.end for s in segments), default=0.0),
                model=model,
                inference_seconds=0.0,
            )
            self.finish(record_id, transcript, status=INTERRUPTED)
            logger.warning("live stream %s lost its server; kept as interrupted", record_id)
            closed += 1
        return closed
