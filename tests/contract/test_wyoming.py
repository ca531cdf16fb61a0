"""The Wyoming protocol (Home Assistant) with the `wyoming` package's own TCP client
against a real `parley serve --wyoming-port`: describe, speech to text with streamed
transcript chunks, text to speech (whole and streamed), and broken input."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import numpy as np
import pytest
from wyoming.asr import Transcribe, Transcript, TranscriptChunk, TranscriptStart, TranscriptStop
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.error import Error
from wyoming.event import Event
from wyoming.info import Describe, Info
from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStart, SynthesizeStop

from parley.bench.speech import BUNDLED_SPEECH, load_speech_set
from parley.evaluation.wer import word_error_rate
from tests.conftest import assert_heard, clip
from tests.contract.conftest import Server

RATE = 16000
CHUNK = RATE // 10  # 100 ms
SAID = "Turn on the kitchen lights. Then set a timer for ten minutes."


def client(server: Server) -> AsyncTcpClient:
    assert server.wyoming is not None, "the test server was started without Wyoming"
    host, port = server.wyoming.rsplit(":", 1)
    return AsyncTcpClient(host, int(port), connect_timeout=10, read_timeout=120)


async def _until(wyoming: AsyncTcpClient, last: str) -> list[Event]:
    events = []
    while (event := await wyoming.read_event()) is not None:
        events.append(event)
        if event.type in (last, "error"):
            break
    return events


async def _send_speech(
    wyoming: AsyncTcpClient, samples: np.ndarray, rate: int, pace: bool = False
) -> None:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    await wyoming.write_event(Transcribe(language="en").event())
    await wyoming.write_event(AudioStart(rate=rate, width=2, channels=1).event())
    step = 2 * rate // 10
    for at in range(0, len(pcm), step):
        await wyoming.write_event(
            AudioChunk(rate=rate, width=2, channels=1, audio=pcm[at : at + step]).event()
        )
        if pace:
            await asyncio.sleep(0.1)
    await wyoming.write_event(AudioStop().event())


def test_describe_lists_models_and_voices(server: Server) -> None:
    async def run() -> Info:
        async with client(server) as wyoming:
            await wyoming.write_event(Describe().event())
            event = await wyoming.read_event()
            assert event is not None
            assert Info.is_type(event.type)
            return Info.from_event(event)

    info = asyncio.run(run())
    asr, tts = info.asr[0], info.tts[0]
    assert {"whisper-base", "accurate"} <= {m.name for m in asr.models}
    assert "en" in next(m for m in asr.models if m.name == "whisper-base").languages
    assert asr.supports_transcript_streaming
    assert "en_US-joe-medium" in {v.name for v in tts.voices}
    assert tts.supports_synthesize_streaming


def test_speech_in_100_ms_chunks_is_transcribed_with_chunks_first(server: Server) -> None:
    item = clip("ps_librivox_0870")

    async def run() -> list[Event]:
        async with client(server) as wyoming:
            await _send_speech(wyoming, item.samples(), RATE)
            return await _until(wyoming, "transcript")

    events = asyncio.run(run())
    kinds = [e.type for e in events]
    assert kinds[0] == "transcript-start"
    assert kinds[-2:] == ["transcript-stop", "transcript"]
    chunks = [TranscriptChunk.from_event(e).text for e in events if e.type == "transcript-chunk"]
    assert chunks, kinds
    final = Transcript.from_event(events[-1])
    assert final.text == "".join(chunks).strip()
    assert_heard(final.text, item.reference)
    found = httpx.get(f"{server.http}/v1/transcriptions", params={"search": final.text[:20]})
    assert found.json()["transcriptions"], "the transcription was not kept in the history"


def test_words_come_while_the_speaker_goes_on(server: Server) -> None:
    """At real-time pace, the first transcript chunk arrives before the audio ends."""
    item = next(u for u in load_speech_set(BUNDLED_SPEECH) if u.name == "mfa_surround")
    samples = item.samples

    async def run() -> tuple[float, float, list[Event]]:
        async with client(server) as wyoming:
            first_chunk: list[float] = []

            async def listen() -> list[Event]:
                events = []
                while (event := await wyoming.read_event()) is not None:
                    events.append(event)
                    if event.type == "transcript-chunk" and not first_chunk:
                        first_chunk.append(time.monotonic())
                    if event.type == "transcript":
                        return events
                return events

            listener = asyncio.create_task(listen())
            await _send_speech(wyoming, samples, RATE, pace=True)
            audio_done = time.monotonic()
            events = await listener
            return first_chunk[0], audio_done, events

    first, audio_done, events = asyncio.run(run())
    assert first < audio_done, "no words came before the audio ended"
    assert_heard(Transcript.from_event(events[-1]).text, item.reference, max_wer=0.35)


def test_synthesized_speech_is_heard_back(server: Server) -> None:
    async def run() -> tuple[list[Event], list[Event]]:
        async with client(server) as wyoming:
            await wyoming.write_event(Synthesize(text=SAID).event())
            spoken = await _until(wyoming, "audio-stop")
            start = AudioStart.from_event(spoken[0])
            pcm = b"".join(AudioChunk.from_event(e).audio for e in spoken[1:-1])
            samples = np.frombuffer(pcm, "<i2").astype(np.float32) / 32768
            await _send_speech(wyoming, samples, start.rate)
            return spoken, await _until(wyoming, "transcript")

    spoken, heard = asyncio.run(run())
    assert spoken[0].type == "audio-start"
    assert spoken[-1].type == "audio-stop"
    assert len(spoken) > 5
    text = Transcript.from_event(heard[-1]).text
    assert word_error_rate([SAID], [text]).wer <= 0.1


def test_streamed_synthesis_speaks_before_the_text_ends(server: Server) -> None:
    async def run() -> tuple[list[Event], list[Event]]:
        async with client(server) as wyoming:
            await wyoming.write_event(SynthesizeStart().event())
            await wyoming.write_event(SynthesizeChunk(text="Turn on the kitchen lights. ").event())
            early = await _until(wyoming, "audio-chunk")  # before the rest is sent
            for word in ["Then", "set", "a", "timer", "for", "ten", "minutes."]:
                await wyoming.write_event(SynthesizeChunk(text=word + " ").event())
            await wyoming.write_event(Synthesize(text=SAID).event())  # for older servers
            await wyoming.write_event(SynthesizeStop().event())
            return early, await _until(wyoming, "synthesize-stopped")

    early, rest = asyncio.run(run())
    assert [e.type for e in early] == ["audio-start", "audio-chunk"]
    kinds = [e.type for e in rest]
    assert kinds[-2:] == ["audio-stop", "synthesize-stopped"]
    assert "audio-start" not in kinds  # one stream of audio for the whole text
    found = httpx.get(f"{server.http}/v1/syntheses", params={"search": "kitchen lights"})
    assert any("ten minutes" in r["text"] for r in found.json()["syntheses"])


async def _raw(server: Server, data: bytes, *, close: bool = False) -> list[dict[str, object]]:
    """Bytes straight onto the socket; the events the server answers with."""
    assert server.wyoming is not None
    host, port = server.wyoming.rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(data)
    if close:
        writer.write_eof()
    await writer.drain()
    answers = []
    try:
        async with asyncio.timeout(30):
            while line := await reader.readline():
                header = json.loads(line)
                if header.get("data_length"):
                    header["data"] = json.loads(await reader.readexactly(header["data_length"]))
                answers.append(header)
                if header["type"] == "error" and not close:
                    break
    finally:
        writer.close()
    return answers


@pytest.mark.parametrize(
    "data",
    [
        b'{"type": "audio-chunk", "data": {"rate": 16000, "width": 2, "channels": 1}}\n',
        b'{"type": "audio-stop"}\n',
        b'{"type": "synthesize-chunk", "data": {"text": "hi"}}\n',
        b'{"type": "launch-rockets"}\n',
        b'{"type": "audio-start", "data": {"rate": 16000, "width": 1, "channels": 1}}\n',
        b'{"type": "synthesize", "data": {"text": "Hi.", "voice": {"name": "robot"}}}\n',
    ],
)
def test_events_out_of_order_get_an_error_and_the_connection_goes_on(
    server: Server, data: bytes
) -> None:
    async def run() -> list[dict[str, object]]:
        return await _raw(server, data + b'{"type": "describe"}\n', close=True)

    answers = asyncio.run(run())
    assert answers[0]["type"] == "error"
    assert answers[0]["data"]["text"]  # type: ignore[index]
    assert answers[-1]["type"] == "info", "the connection did not go on after the error"


@pytest.mark.parametrize(
    "data",
    [
        b"this is not json\n",
        b'{"type": "audio-chunk", "payload_length": 1000}\n' + b"\0" * 10,
        b'{"type": "describe", "data_length": 99999999}\n',
        b'{"no": "type"}\n',
    ],
)
def test_broken_framing_gets_an_error_and_the_connection_closes(
    server: Server, data: bytes
) -> None:
    answers = asyncio.run(_raw(server, data, close=True))
    assert [a["type"] for a in answers] == ["error"]
    Error.from_event(Event(type="error", data=answers[0]["data"]))  # type: ignore[arg-type]


def test_the_server_keeps_serving_after_broken_clients(server: Server) -> None:
    asyncio.run(_raw(server, b"\xff\xfe garbage", close=True))
    test_describe_lists_models_and_voices(server)
    assert httpx.get(f"{server.http}/healthz").status_code == 200


def test_stop_arrives_even_for_silence(server: Server) -> None:
    async def run() -> list[Event]:
        async with client(server) as wyoming:
            await _send_speech(wyoming, np.zeros(RATE * 2, np.float32), RATE)
            return await _until(wyoming, "transcript")

    events = asyncio.run(run())
    assert [e.type for e in events] == ["transcript-start", "transcript-stop", "transcript"]
    assert Transcript.from_event(events[-1]).text == ""
    assert TranscriptStart.is_type(events[0].type)
    assert TranscriptStop.is_type(events[1].type)
