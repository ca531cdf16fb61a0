"""What the store hands back: plain records, detached from any database session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from parley.domain.transcript import Transcript


@dataclass(frozen=True)
class StoredAudio:
    """Audio to be written to the store with its record."""

    data: bytes
    suffix: str
    format: str


@dataclass(frozen=True)
class AudioRef:
    """Audio the store already holds (a long-running job's input)."""

    key: str
    format: str
    size: int


@dataclass(frozen=True)
class TranscriptionRecord:
    id: str
    created_at: datetime
    status: str
    source_name: str | None
    audio_key: str | None
    audio_format: str | None
    duration: float | None
    model: str
    language: str | None
    options: dict[str, Any]
    transcript: Transcript | None
    inference_seconds: float | None
    error: str | None = None
    protocol: str | None = None  # the API it came through; None before it was recorded

    @property
    def text(self) -> str:
        return self.transcript.text if self.transcript else ""


@dataclass(frozen=True)
class SynthesisRecord:
    id: str
    created_at: datetime
    text: str
    voice: str
    options: dict[str, Any]
    audio_key: str | None  # None: kept without its audio, as the caller asked
    audio_format: str | None
    duration: float
    inference_seconds: float
    protocol: str | None = None


def as_utc(moment: datetime) -> datetime:
    # SQLite hands timestamps back without a zone; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
