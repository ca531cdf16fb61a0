"""Tables. Changes to them go through an Alembic migration in `migrations/versions`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class TranscriptionRow(Base):
    __tablename__ = "transcriptions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(String(16))
    source_name: Mapped[str | None] = mapped_column(String(512))
    audio_key: Mapped[str | None] = mapped_column(String(256))
    audio_format: Mapped[str | None] = mapped_column(String(64))
    audio_bytes: Mapped[int] = mapped_column(Integer, default=0)
    duration: Mapped[float | None] = mapped_column(Float)
    model: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text, default="")
    transcript: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    inference_seconds: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    tenant: Mapped[str | None] = mapped_column(String(64), index=True)
    protocol: Mapped[str | None] = mapped_column(String(32))  # the API it came through


class SynthesisRow(Base):
    __tablename__ = "syntheses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    text: Mapped[str] = mapped_column(Text)
    voice: Mapped[str] = mapped_column(String(64))
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    audio_key: Mapped[str | None] = mapped_column(String(256))
    audio_format: Mapped[str | None] = mapped_column(String(32))
    audio_bytes: Mapped[int | None] = mapped_column(Integer)
    duration: Mapped[float] = mapped_column(Float)
    inference_seconds: Mapped[float] = mapped_column(Float)
    tenant: Mapped[str | None] = mapped_column(String(64), index=True)
    protocol: Mapped[str | None] = mapped_column(String(32))


class OperationRow(Base):
    """A long-running job. Whoever holds an unexpired lease runs it; a lease that runs out
    (the server died) lets any server take the job over from its last checkpoint."""

    __tablename__ = "operations"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(16), index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    audio_key: Mapped[str] = mapped_column(String(256))
    source_name: Mapped[str | None] = mapped_column(String(512))
    checkpoint: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    result_id: Mapped[str | None] = mapped_column(String(32))
    error_code: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(Text)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[str | None] = mapped_column(String(64))  # the server running it
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    tenant: Mapped[str | None] = mapped_column(String(64), index=True)  # the key that made it
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # claims since its last progress


class ApiKeyRow(Base):
    """Only a hash of each key is kept; a revoked key's row stays, so its name (which
    owns records) is never given to another key."""

    __tablename__ = "api_keys"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    admin: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LiveSegmentRow(Base):
    """A final result of a live stream, written before it is sent to the client, so a
    stream's record keeps what the client heard even if its server is killed."""

    __tablename__ = "live_segments"

    record_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    segment: Mapped[dict[str, Any]] = mapped_column(JSON)
