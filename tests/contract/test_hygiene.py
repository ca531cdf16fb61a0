"""Data hygiene: a stream's finals survive a SIGKILL of its server, files no record
refers to are swept at start, records past retention go with their audio, and a
request may ask that its audio not be kept."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import httpx
from google.cloud import speech_v1 as speech

from parley.bench import live
from tests.conftest import assert_heard, clip, dev_speech
from tests.contract.conftest import Server, start_server, wait_until
from tests.contract.test_streaming import streaming_config

GOOD = clip("ps_goforward").path.read_bytes()
SPEECH = dev_speech()
QUICK_TIDY = {
    "PARLEY_STREAM_STALE_SECONDS": "2",
    "PARLEY_HOUSEKEEPING_SECONDS": "1",
    "PARLEY_WORKERS": "1",
}


def _records(server: Server) -> list[dict[str, object]]:
    reply = httpx.get(f"{server.http}/v1/transcriptions", params={"pageSize": 100})
    return list(reply.json()["transcriptions"])


def test_finals_sent_before_a_sigkill_are_kept(tmp_path: Path, uploads: Path) -> None:
    first = start_server(tmp_path, uploads, **QUICK_TIDY)
    track = live.build_track(SPEECH, len(SPEECH))
    heard: list[str] = []

    def listen() -> None:
        try:
            responses = first.grpc_client().streaming_recognize(  # type: ignore[call-arg]
                config=streaming_config(interim=False),
                requests=live.audio_requests(track.pcm, [], 1.0),
            )
            for response in responses:
                heard.extend(r.alternatives[0].transcript for r in response.results if r.is_final)
        except Exception:  # noqa: S110 - the server is killed under the client on purpose
            pass

    listener = threading.Thread(target=listen)
    listener.start()
    wait_until(lambda: len(heard) >= 3, 120)
    first.stop(signal.SIGKILL)
    listener.join(30)
    sent = list(heard)
    orphan = tmp_path / "audio" / "2020" / "01" / "01" / "stray.wav"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"RIFF")
    os.utime(orphan, (time.time() - 3600, time.time() - 3600))

    second = start_server(tmp_path, uploads, **QUICK_TIDY)
    try:
        wait_until(lambda: any(r["status"] == "interrupted" for r in _records(second)), 30)
        record = next(r for r in _records(second) if r["status"] == "interrupted")
        for text in sent:
            assert text in str(record["text"])
        audio = httpx.get(f"{second.http}/v1/transcriptions/{record['id']}/audio")
        assert audio.status_code == 200
        assert audio.content[:4] == b"fLaC"
        assert not orphan.exists()
        assert not list((tmp_path / "audio" / "spool").glob("*"))
    finally:
        assert second.stop() == 0


def test_retention_deletes_old_records_and_their_audio(tmp_path: Path, uploads: Path) -> None:
    first = start_server(tmp_path, uploads, **QUICK_TIDY)
    client = first.grpc_client()
    config = speech.RecognitionConfig(language_code="en-US")
    client.recognize(config=config, audio=speech.RecognitionAudio(content=GOOD))
    kept = _records(first)[0]
    assert first.stop() == 0
    with sqlite3.connect(tmp_path / "parley.db") as db:
        (key,) = db.execute("select audio_key from transcriptions").fetchone()
        db.execute("update transcriptions set created_at = '2020-01-01 00:00:00.000000'")
    assert (tmp_path / "audio" / key).exists()

    second = start_server(tmp_path, uploads, PARLEY_RETENTION_DAYS="30", **QUICK_TIDY)
    try:
        wait_until(lambda: not _records(second), 30)
        assert not (tmp_path / "audio" / key).exists()
        assert httpx.get(f"{second.http}/v1/transcriptions/{kept['id']}").status_code == 404
    finally:
        assert second.stop() == 0


def test_a_request_may_ask_that_its_audio_not_be_kept(
    server: Server, client: speech.SpeechClient
) -> None:
    config = speech.RecognitionConfig(language_code="en-US")
    audio = speech.RecognitionAudio(content=GOOD)
    client.recognize(config=config, audio=audio, metadata=[("x-parley-keep-audio", "false")])
    record = _records(server)[0]
    assert_heard(str(record["text"]), "go forward ten meters")
    reply = httpx.get(f"{server.http}/v1/transcriptions/{record['id']}/audio")
    assert reply.status_code == 404
    assert "without its audio" in reply.json()["error"]["message"]
    operation = client.long_running_recognize(
        config=config, audio=audio, metadata=[("x-parley-keep-audio", "false")]
    )
    operation.result(timeout=120)
    record = _records(server)[0]
    reply = httpx.get(f"{server.http}/v1/transcriptions/{record['id']}/audio")
    assert reply.status_code == 404
