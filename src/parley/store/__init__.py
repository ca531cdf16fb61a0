"""Durable state: the database (SQLAlchemy + Alembic) and the audio folder beside it."""

from parley.store.records import StoredAudio, SynthesisRecord, TranscriptionRecord
from parley.store.store import Store

__all__ = ["Store", "StoredAudio", "SynthesisRecord", "TranscriptionRecord"]
