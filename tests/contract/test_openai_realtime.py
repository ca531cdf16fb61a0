"""OpenAI's Realtime API, transcription sessions, with the official `openai` package's
realtime client against a real server: real speech at real-time pace (server VAD) and a
committed buffer (no turn detection); every server event is validated against the
package's own event models."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

import numpy as np
import pytest
import websockets
from openai import AsyncOpenAI
from openai.types.realtime import RealtimeServerEvent
from pydantic import TypeAdapter

from parley.audio.resample import resample
from parley.evaluation.wer import word_error_rate
from tests.conftest import clip
from tests.contract.conftest import Server

EVENTS: TypeAdapter[Any] = TypeAdapter(RealtimeServerEvent)
RATE = 24000
NAMES = ("ps_goforward", "ps_librivox_0870", "ps_cards_002", "arctic_a0007", "ps_librivox_0880")


def track() -> tuple[np.ndarray, str]:
    """Five clips at 24 kHz with 1.5 s of silence after each."""
    parts, said = [], []
    for name in NAMES:
        item = clip(name)
        parts += [resample(item.samples(), 16000, RATE), np.zeros(int(1.5 * RATE), np.float32)]
        said.append(item.reference)
    return np.concatenate(parts), " ".join(said)


def pcm(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()


def client(server: Server) -> AsyncOpenAI:
    return AsyncOpenAI(base_url=f"{server.http}/v1", api_key="unused", max_retries=0)


async def _events(connection: Any, until: str, count: int = 1) -> list[Any]:
    """Server events, each validated, until `count` of type `until` have come."""
    seen = []
    async with asyncio.timeout(120):
        while sum(e.type == until for e in seen) < count:
            seen.append(EVENTS.validate_python(json.loads(await connection.recv_bytes())))
    return seen


def _file_wer(server: Server, samples: np.ndarray, reference: str) -> float:
    from openai import OpenAI

    wav = ("track.pcm.wav", _wav(samples))
    heard = OpenAI(base_url=f"{server.http}/v1", api_key="unused").audio.transcriptions.create(
        file=wav, model="whisper-1", language="en"
    )
    return word_error_rate([reference], [heard.text]).wer


def _wav(samples: np.ndarray) -> bytes:
    import io

    import soundfile as sf

    buffer = io.BytesIO()
    sf.write(buffer, samples, RATE, format="WAV")
    return buffer.getvalue()


def test_live_speech_with_server_vad(server: Server) -> None:
    samples, reference = track()
    audio = pcm(samples)

    async def run() -> list[Any]:
        async with client(server).realtime.connect(
            extra_query={"intent": "transcription"}
        ) as connection:
            created = await _events(connection, "session.created")
            assert created[0].session.type == "transcription"
            await connection.send(
                {
                    "type": "session.update",
                    "session": {
                        "type": "transcription",
                        "audio": {
                            "input": {
                                "format": {"type": "audio/pcm", "rate": RATE},
                                "transcription": {"model": "gpt-4o-transcribe", "language": "en"},
                                "turn_detection": {
                                    "type": "server_vad",
                                    "silence_duration_ms": 500,
                                },
                            }
                        },
                    },
                }
            )
            await _events(connection, "session.updated")

            async def speak() -> None:
                step = 2 * RATE // 10
                started = time.monotonic()
                for index, at in enumerate(range(0, len(audio), step)):
                    chunk = base64.b64encode(audio[at : at + step]).decode()
                    await connection.send({"type": "input_audio_buffer.append", "audio": chunk})
                    await asyncio.sleep(max(0.0, started + (index + 1) * 0.1 - time.monotonic()))

            speaker = asyncio.create_task(speak())
            events = await _events(
                connection,
                "conversation.item.input_audio_transcription.completed",
                count=len(NAMES),
            )
            await speaker
            return events

    events = asyncio.run(run())
    kinds = [e.type for e in events]
    assert "input_audio_buffer.speech_started" in kinds
    assert "conversation.item.input_audio_transcription.delta" in kinds
    completed = [
        e for e in events if e.type == "conversation.item.input_audio_transcription.completed"
    ]
    items = [e.item_id for e in completed]
    assert len(set(items)) == len(items)
    # Each item began (speech_started) before it was completed.
    for item in items:
        order = [e.type for e in events if getattr(e, "item_id", None) == item]
        assert order[0] == "input_audio_buffer.speech_started"
        assert order[-1] == "conversation.item.input_audio_transcription.completed"
    live = word_error_rate([reference], [" ".join(e.transcript for e in completed)]).wer
    file = _file_wer(server, samples, reference)
    words = len(reference.split())
    print(f"realtime WER {live:.3f}, file WER {file:.3f} ({words} words)")
    # One word of slack: the five clips hold about forty words.
    assert live <= 1.2 * file + 1 / words


def test_a_committed_buffer_without_turn_detection(server: Server) -> None:
    samples, reference = track()

    async def run() -> list[Any]:
        async with client(server).realtime.connect(
            extra_query={"intent": "transcription"}
        ) as connection:
            await _events(connection, "session.created")
            await connection.send(
                {
                    "type": "session.update",
                    "session": {
                        "type": "transcription",
                        "audio": {"input": {"turn_detection": None}},
                    },
                }
            )
            await _events(connection, "session.updated")
            audio = pcm(samples)
            for at in range(0, len(audio), 64000):
                chunk = base64.b64encode(audio[at : at + 64000]).decode()
                await connection.send({"type": "input_audio_buffer.append", "audio": chunk})
            await connection.send({"type": "input_audio_buffer.commit"})
            return await _events(
                connection, "conversation.item.input_audio_transcription.completed"
            )

    events = asyncio.run(run())
    assert [e.type for e in events] == [
        "input_audio_buffer.committed",
        "conversation.item.input_audio_transcription.delta",
        "conversation.item.input_audio_transcription.completed",
    ]
    assert word_error_rate([reference], [events[-1].transcript]).wer <= 0.15


@pytest.mark.parametrize(
    "message",
    [
        "not json",
        json.dumps({"type": "response.create"}),
        json.dumps({"type": "input_audio_buffer.append", "audio": "***"}),
        json.dumps({"type": "input_audio_buffer.commit"}),
        json.dumps(
            {
                "type": "session.update",
                "session": {
                    "type": "transcription",
                    "audio": {"input": {"format": {"type": "audio/ogg"}}},
                },
            }
        ),
        json.dumps({"type": "session.update", "session": {"type": "realtime"}}),
        json.dumps(
            {
                "type": "session.update",
                "session": {"audio": {"input": {"transcription": {"language": "klingon!"}}}},
            }
        ),
        json.dumps(
            {
                "type": "session.update",
                "session": {"audio": {"input": {"transcription": {"model": "gpt-9"}}}},
            }
        ),
    ],
)
def test_bad_client_events_get_error_events(server: Server, message: str) -> None:
    async def run() -> list[Any]:
        async with client(server).realtime.connect(
            extra_query={"intent": "transcription"}
        ) as connection:
            await _events(connection, "session.created")
            await connection.send_raw(message)
            errors = await _events(connection, "error")
            # The session goes on.
            await connection.send({"type": "input_audio_buffer.clear"})
            return [*errors, *(await _events(connection, "input_audio_buffer.cleared"))]

    events = asyncio.run(run())
    assert events[0].type == "error"
    assert events[0].error.message
    assert events[-1].type == "input_audio_buffer.cleared"


def test_only_transcription_sessions_are_served(server: Server) -> None:
    url = server.http.replace("http://", "ws://") + "/v1/realtime?model=gpt-realtime"

    async def run() -> None:
        async with websockets.connect(url):
            pass

    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        asyncio.run(run())
    assert refused.value.response.status_code == 400
    assert b"intent=transcription" in refused.value.response.body
