"""Durable state: the database (SQLAlchemy + Alembic) and the audio folder beside it."""

from parley.store.store import Store, SynthesisRecord, TranscriptionRecord

__all__ = ["Store", "SynthesisRecord", "TranscriptionRecord"]
