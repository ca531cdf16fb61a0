"""What keeps the store tidy, run by the server at start and then every few minutes:
streams whose server died are closed with what they had sent, records past the
retention period are deleted with their audio, and files no record refers to go."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from parley.store import Store

logger = logging.getLogger(__name__)

# A running stream writes audio to its spool all the time (a silent one is ended after
# the idle limit): a spool this long untouched belongs to a dead server.
STALE_STREAM_SECONDS = 120.0
# A file is written just before its row: give the row time to arrive.
ORPHAN_GRACE_SECONDS = 600.0


@dataclass(frozen=True)
class Tidied:
    streams_closed: int
    records_expired: int
    orphan_files: int


def tidy(
    store: Store,
    retention_days: float | None,
    *,
    stale_stream_seconds: float = STALE_STREAM_SECONDS,
    orphan_grace_seconds: float = ORPHAN_GRACE_SECONDS,
) -> Tidied:
    closed = store.live.recover(stale_stream_seconds)
    expired = 0
    if retention_days is not None:
        expired = store.expire(datetime.now(UTC) - timedelta(days=retention_days))
    orphans = store.audio.sweep(store.audio_keys(), orphan_grace_seconds)
    if closed or expired or orphans:
        logger.info(
            "housekeeping: %d stream(s) closed, %d record(s) expired, %d orphan file(s) removed",
            closed,
            expired,
            len(orphans),
        )
    return Tidied(closed, expired, len(orphans))
