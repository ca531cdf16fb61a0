"""Durable state: the database (SQLAlchemy + Alembic) and the audio folder beside it."""

from parley.store.operations import OperationRecord, OperationState
from parley.store.records import (
    AudioRef,
    StoredAudio,
    SynthesisRecord,
    TranscriptionRecord,
)
from parley.store.store import Store

__all__ = [
    "AudioRef",
    "OperationRecord",
    "OperationState",
    "Store",
    "StoredAudio",
    "SynthesisRecord",
    "TranscriptionRecord",
]
