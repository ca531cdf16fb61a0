"""The store keeps rows and audio together: listed newest first, searchable, deleted as one."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import StatementError

from parley.errors import NotFound
from parley.store import Store, StoredAudio
from tests.unit.test_postprocess import transcript


def add(store: Store, text: str, name: str = "a.wav") -> str:
    record = store.add_transcription(
        audio=StoredAudio(b"RIFF....", ".wav", "wav/pcm_s16le"),
        source_name=name,
        options={"language": "en"},
        transcript=transcript(text),
    )
    return record.id


def test_add_get_round_trip(store: Store) -> None:
    record_id = add(store, "Hello there friend")
    record = store.get_transcription(record_id)
    assert record.text == "Hello there friend"
    assert record.transcript is not None
    assert [w.text for w in record.transcript.segments[0].words] == ["Hello", "there", "friend"]
    assert record.options == {"language": "en"}
    assert record.status == "completed"
    assert store.audio.read(record.audio_key or "") == b"RIFF...."
    assert record.created_at.tzinfo is not None


def test_list_newest_first_with_paging_and_search(store: Store) -> None:
    ids = [add(store, f"number {i} {'dashwood' if i % 2 else 'smith'}") for i in range(5)]
    page, total = store.list_transcriptions(limit=2)
    assert total == 5
    assert [r.id for r in page] == ids[::-1][:2]
    page, _ = store.list_transcriptions(limit=2, offset=4)
    assert [r.id for r in page] == [ids[0]]
    found, total = store.list_transcriptions(search="DASHWOOD")
    assert total == 2
    assert {r.id for r in found} == {ids[1], ids[3]}


def test_delete_removes_row_and_audio(store: Store, tmp_path: Path) -> None:
    record_id = add(store, "to be deleted")
    key = store.get_transcription(record_id).audio_key or ""
    assert (tmp_path / "audio" / key).is_file()
    store.delete_transcription(record_id)
    assert not (tmp_path / "audio" / key).exists()
    with pytest.raises(NotFound):
        store.get_transcription(record_id)
    with pytest.raises(NotFound):
        store.delete_transcription(record_id)


def test_a_failed_row_leaves_no_audio_behind(store: Store, tmp_path: Path) -> None:
    # SQLite's driver wraps the encoder's error; PostgreSQL's raises it as it is.
    with pytest.raises((StatementError, TypeError), match="not JSON serializable"):
        store.add_transcription(
            audio=StoredAudio(b"x", ".wav", "wav"),
            source_name=None,
            options={"not json": object()},
            transcript=transcript("x"),
        )
    assert not [p for p in (tmp_path / "audio").rglob("*") if p.is_file()]
    assert store.list_transcriptions()[1] == 0


def test_syntheses(store: Store) -> None:
    record = store.add_synthesis(
        text="Hi.",
        voice="v",
        options={"rate": 1.0},
        audio=StoredAudio(b"ID3", ".mp3", "mp3"),
        duration=0.5,
        inference_seconds=0.1,
    )
    assert store.get_synthesis(record.id).text == "Hi."
    assert [s.id for s in store.list_syntheses()[0]] == [record.id]
    store.delete_synthesis(record.id)
    assert store.list_syntheses()[1] == 0


def test_schema_comes_from_the_migration(store: Store, database_url: str, tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"transcriptions", "syntheses", "operations", "api_keys", "alembic_version"} <= tables
    # Opening again finds the schema current and leaves it alone.
    Store(database_url, tmp_path / "audio").close()


def test_audio_keys_cannot_escape_the_folder(store: Store) -> None:
    with pytest.raises(NotFound):
        store.audio.read("../../etc/passwd")
