"""Long-running jobs in the store: a job whose server keeps dying at the same point fails
with a clear error instead of being taken for ever; progress resets the count; a clean
release is no failed attempt; tenancy and expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from parley.errors import NotFound
from parley.store import OperationState, Store, StoredAudio
from parley.store.operations import MAX_ATTEMPTS

AUDIO = StoredAudio(b"RIFF....", ".wav", "wav/pcm_s16le")


def job(store: Store, tenant: str | None = None) -> str:
    return store.operations.create("speech.recognize", {}, AUDIO, "a.wav", tenant).name


def test_a_job_that_kills_its_server_each_time_fails(store: Store) -> None:
    name = job(store)
    for attempt in range(MAX_ATTEMPTS):
        claimed = store.operations.claim(f"server-{attempt}", lease_seconds=-1)  # dies at once
        assert claimed is not None
        assert claimed.name == name
    assert store.operations.claim("server-last", lease_seconds=-1) is None
    failed = store.operations.get(name)
    assert failed.state is OperationState.FAILED
    assert "cannot be processed" in (failed.error_message or "")


def test_progress_and_clean_stops_do_not_count(store: Store) -> None:
    name = job(store)
    for attempt in range(MAX_ATTEMPTS * 2):
        owner = f"server-{attempt}"
        claimed = store.operations.claim(owner, lease_seconds=-1)
        assert claimed is not None
        if attempt % 2:
            store.operations.release(name, owner)  # shut down cleanly
        else:
            assert store.operations.save_progress(name, owner, 10 * attempt, {})
    assert store.operations.get(name).state is OperationState.RUNNING


def test_a_key_finds_only_its_own_operations(store: Store) -> None:
    mine, theirs = job(store, "alice"), job(store, "bob")
    assert store.operations.get(mine, "alice").name == mine
    with pytest.raises(NotFound):
        store.operations.get(theirs, "alice")
    with pytest.raises(NotFound):
        store.operations.delete(theirs, "alice")
    listed = store.operations.list(kind=None, done=None, limit=10, offset=0, scope="alice")
    assert [o.name for o in listed] == [mine]
    assert len(store.operations.list(kind=None, done=None, limit=10, offset=0)) == 2


def test_expiry_keeps_unfinished_jobs(store: Store, tmp_path: Path) -> None:
    running = job(store)
    store.operations.claim("server", lease_seconds=60)
    done = job(store)
    store.operations.cancel(done)
    later = datetime.now(UTC) + timedelta(days=1)
    assert store.expire(later) == 1
    assert store.operations.get(running).state is OperationState.RUNNING
    with pytest.raises(NotFound):
        store.operations.get(done)
