"""OpenAI's audio API with the official `openai` package against a real server:
transcriptions in every response format, streamed transcriptions, translations, speech in
every format (streamed as it is spoken), models, and bad input in OpenAI's error shape."""

from __future__ import annotations

import io
import itertools
import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import openai
import pytest
import soundfile as sf
import srt
import webvtt
from openai import OpenAI

from parley.bench.speech import BUNDLED_SPEECH
from parley.evaluation.wer import word_error_rate
from tests.conftest import Clip, assert_heard, clip, clips
from tests.contract.conftest import Server
from tests.contract.test_tts import decoded
from tests.models.test_long_audio import build_long_audio

SENTENCES = (
    "The quick brown fox jumps over the lazy dog. It was a bright cold day in April. "
    "The clocks were striking thirteen. A small boat drifted slowly down the river."
)


@pytest.fixture(scope="module")
def client(server: Server) -> OpenAI:
    return OpenAI(base_url=f"{server.http}/v1", api_key="unused", max_retries=0)


def transcribe(client: OpenAI, name: str, **options: object) -> object:
    with clip(name).path.open("rb") as audio:
        return client.audio.transcriptions.create(file=audio, **options)  # type: ignore[call-overload]


def test_json_transcriptions_of_the_dev_set_are_within_the_core_bound(client: OpenAI) -> None:
    def transcribed(item: Clip) -> str:
        with item.path.open("rb") as audio:
            result = client.audio.transcriptions.create(file=audio, model="whisper-1")
        assert result.usage is not None
        assert result.usage.type == "duration"
        return result.text

    with ThreadPoolExecutor(2) as requests:  # two at a time, as the two workers take them
        heard = list(requests.map(transcribed, clips()))
    assert word_error_rate([c.reference for c in clips()], heard).wer <= 0.15


@pytest.mark.parametrize("kind", ["text", "srt", "vtt", "verbose_json"])
def test_every_response_format(client: OpenAI, kind: str) -> None:
    item = clip("ps_librivox_0870")
    duration = len(item.samples()) / 16000
    result = transcribe(client, item.name, model="whisper-1", response_format=kind)
    if kind == "text":
        assert isinstance(result, str)
        assert_heard(result, item.reference)
    elif kind == "srt":
        cues = list(srt.parse(str(result)))
        assert cues
        assert all(c.start < c.end for c in cues)
        assert cues[-1].end.total_seconds() <= duration + 0.01
        assert_heard(" ".join(c.content for c in cues), item.reference)
    elif kind == "vtt":
        cues = webvtt.from_buffer(io.StringIO(str(result))).captions
        assert cues
        assert all(c.start_in_seconds < c.end_in_seconds for c in cues)
        assert_heard(" ".join(c.text for c in cues), item.reference)
    else:
        assert result.duration == pytest.approx(duration, abs=0.05)  # type: ignore[attr-defined]
        assert_heard(result.text, item.reference)  # type: ignore[attr-defined]
        assert result.segments  # type: ignore[attr-defined]


def test_verbose_json_word_times_increase_inside_the_audio(client: OpenAI) -> None:
    item = clip("ps_librivox_0870")
    duration = len(item.samples()) / 16000
    result = transcribe(
        client,
        item.name,
        model="whisper-1",
        response_format="verbose_json",
        timestamp_granularities=["word", "segment"],
    )
    words = result.words  # type: ignore[attr-defined]
    assert len(words) >= 5
    assert all(0 <= w.start <= w.end <= duration + 0.01 for w in words)
    assert all(a.start <= b.start for a, b in itertools.pairwise(words))
    assert_heard(" ".join(w.word for w in words), item.reference)
    assert result.segments  # type: ignore[attr-defined]


def test_logprobs_are_included_on_request(client: OpenAI) -> None:
    result = transcribe(client, "ps_goforward", model="gpt-4o-transcribe", include=["logprobs"])
    assert result.logprobs  # type: ignore[attr-defined]
    assert all(p.logprob is not None and p.logprob <= 0 for p in result.logprobs)  # type: ignore[attr-defined]


def test_a_streamed_transcription_ends_with_the_unstreamed_text(client: OpenAI) -> None:
    item = clip("ps_librivox_0870")
    plain = transcribe(client, item.name, model="whisper-1")
    with item.path.open("rb") as audio:
        events = list(
            client.audio.transcriptions.create(file=audio, model="whisper-1", stream=True)
        )
    kinds = [e.type for e in events]
    assert kinds[-1] == "transcript.text.done"
    assert "transcript.text.delta" in kinds[:-1]
    assert set(kinds[:-1]) == {"transcript.text.delta"}
    deltas = "".join(e.delta for e in events[:-1])  # type: ignore[union-attr]
    assert events[-1].text == plain.text  # type: ignore[attr-defined, union-attr]
    assert deltas.split() == plain.text.split()  # type: ignore[attr-defined]


def test_a_long_file_streams_deltas_as_its_windows_finish(client: OpenAI) -> None:
    audio, _ = build_long_audio(150)
    buffer = io.BytesIO()
    sf.write(buffer, audio, 16000, format="WAV")
    buffer.name = "long.wav"
    buffer.seek(0)
    events = list(client.audio.transcriptions.create(file=buffer, model="whisper-1", stream=True))
    deltas = [e for e in events if e.type == "transcript.text.delta"]
    # Three windows, two read at once: a window that finishes before the one ahead of it
    # waits for it and goes out in the same delta, so two deltas are the fewest that show
    # the text coming as windows finish.
    assert len(deltas) >= 2, "deltas came all at once"
    assert events[-1].type == "transcript.text.done"


def test_a_prompt_is_taken(client: OpenAI) -> None:
    result = transcribe(client, "ps_goforward", model="whisper-1", prompt="Go forward ten meters.")
    assert_heard(result.text, "go forward ten meters")  # type: ignore[attr-defined]


def test_translations_are_english(client: OpenAI) -> None:
    path = BUNDLED_SPEECH / "sv_nst_u0016002.flac"
    with path.open("rb") as audio:
        result = client.audio.translations.create(file=audio, model="whisper-1")
    # "Testar en två tre fyra fem sex sju åtta."
    swedish = {"testar", "en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta"}
    assert not swedish & set(result.text.lower().replace(",", " ").replace(".", " ").split())
    reference = "test one two three four five six seven eight"
    assert word_error_rate([reference], [result.text]).wer <= 0.5


def test_models_are_listed_and_found(client: OpenAI) -> None:
    ids = {m.id for m in client.models.list()}
    assert {"whisper-1", "gpt-4o-transcribe", "tts-1", "whisper-base", "accurate"} <= ids
    assert client.models.retrieve("whisper-1").id == "whisper-1"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-9")


@pytest.mark.parametrize("kind", ["mp3", "opus", "aac", "flac", "wav", "pcm"])
def test_speech_in_every_format_decodes(client: OpenAI, kind: str) -> None:
    response = client.audio.speech.create(
        model="tts-1", voice="alloy", input="Open the door, please.", response_format=kind
    )
    data = response.read()
    if kind == "pcm":
        samples = np.frombuffer(data, "<i2").astype(np.float32) / 32768
        rate = 24000
    else:
        samples, rate = decoded(data)
    assert 0.8 < len(samples) / rate < 4
    assert np.abs(samples).max() > 0.05


def test_speech_streams_a_sentence_at_a_time(client: OpenAI) -> None:
    """The first bytes carry the first sentence, not the whole input: they were sent
    before the rest was spoken."""
    with client.audio.speech.with_streaming_response.create(
        model="tts-1", voice="nova", input=SENTENCES, response_format="pcm"
    ) as response:
        parts = list(response.iter_bytes())
    total = sum(len(p) for p in parts) / 2 / 24000
    first = len(parts[0]) / 2 / 24000
    assert len(parts) >= 3
    assert first < total / 2, f"the first {first:.1f} s of {total:.1f} s came together"


def test_speech_as_server_sent_events(server: Server) -> None:
    body = {"model": "tts-1", "voice": "alloy", "input": SENTENCES, "stream_format": "sse"}
    response = httpx.post(f"{server.http}/v1/audio/speech", json=body, timeout=60)
    events = [
        json.loads(line[len("data: ") :])
        for line in response.text.splitlines()
        if line.startswith("data: ")
    ]
    assert [e["type"] for e in events[-1:]] == ["speech.audio.done"]
    assert len(events) >= 3


def test_speech_round_trip(client: OpenAI) -> None:
    audio = client.audio.speech.create(
        model="tts-1", voice="echo", input=SENTENCES, response_format="wav"
    ).read()
    heard = client.audio.transcriptions.create(
        file=("speech.wav", audio), model="whisper-1", language="en"
    )
    # Four sentences, 30 words: one CPU's kernels heard "quit" and "jumped" in this
    # voice where another heard every word; audio that fails the trip scores near 1.
    assert word_error_rate([SENTENCES], [heard.text]).wer <= 0.15


def test_speed_shortens_speech(client: OpenAI) -> None:
    def seconds(speed: float) -> float:
        data = client.audio.speech.create(
            model="tts-1", voice="alloy", input=SENTENCES, response_format="pcm", speed=speed
        ).read()
        return len(data) / 2 / 24000

    assert 0.4 < seconds(2.0) / seconds(1.0) < 0.75


def _error(response: httpx.Response) -> dict[str, object]:
    body = response.json()
    assert set(body["error"]) == {"message", "type", "param", "code"}
    error: dict[str, object] = body["error"]
    return error


@pytest.mark.parametrize(
    ("files", "data", "status", "param"),
    [
        ({"model": (None, b"whisper-1")}, {}, 400, "file"),
        ({"file": ("a.wav", b"")}, {"model": "whisper-1"}, 400, "file"),
        (
            {"file": ("a.wav", b"this is not audio at all" * 100)},
            {"model": "whisper-1"},
            400,
            "file",
        ),
        ({"file": ("a.wav", b"RIFF")}, {}, 400, "model"),
        ({"file": ("a.wav", b"RIFF")}, {"model": "whisper-9"}, 404, "model"),
        ({"file": ("a.wav", b"RIFF")}, {"model": "whisper-1", "colour": "red"}, 400, "colour"),
        (
            {"file": ("a.wav", b"RIFF")},
            {"model": "whisper-1", "response_format": "diarized_json"},
            400,
            "response_format",
        ),
    ],
)
def test_bad_transcription_requests(
    server: Server,
    files: dict[str, tuple[str | None, bytes]],
    data: dict[str, str],
    status: int,
    param: str,
) -> None:
    response = httpx.post(
        f"{server.http}/v1/audio/transcriptions", files=files, data=data, timeout=30
    )
    assert response.status_code == status, response.text
    error = _error(response)
    assert error["param"] == param
    assert error["type"] == "invalid_request_error"


def test_an_upload_over_the_limit_is_413(server: Server) -> None:
    big = b"\0" * (26 * 1024 * 1024)
    response = httpx.post(
        f"{server.http}/v1/audio/transcriptions",
        files={"file": ("big.wav", big)},
        data={"model": "whisper-1"},
        timeout=60,
    )
    assert response.status_code == 413
    _error(response)


def test_a_body_that_is_not_multipart(server: Server) -> None:
    response = httpx.post(
        f"{server.http}/v1/audio/transcriptions",
        content=b"--x\r\nbroken",
        headers={"content-type": "multipart/form-data; boundary=x"},
        timeout=30,
    )
    assert response.status_code == 400
    _error(response)
    plain = httpx.post(f"{server.http}/v1/audio/transcriptions", json={"model": "x"})
    assert plain.status_code == 415
    _error(plain)


@pytest.mark.parametrize(
    ("body", "status", "param"),
    [
        ({"model": "tts-1", "voice": "alloy", "input": "x" * 4097}, 400, "input"),
        ({"model": "tts-1", "voice": "robot", "input": "Hello."}, 400, "voice"),
        ({"model": "tts-9", "voice": "alloy", "input": "Hello."}, 404, "model"),
        ({"model": "tts-1", "voice": "alloy", "input": "   "}, 400, "input"),
        ({"model": "tts-1", "voice": "alloy", "input": "..."}, 400, "input"),
        ({"model": "tts-1", "voice": "alloy", "input": "Hi.", "speed": 9}, 400, "speed"),
        (
            {"model": "tts-1", "voice": "alloy", "input": "Hi.", "response_format": "ogg"},
            400,
            "response_format",
        ),
        ({"voice": "alloy", "input": "Hello."}, 400, "model"),
    ],
)
def test_bad_speech_requests(
    server: Server, body: dict[str, object], status: int, param: str
) -> None:
    response = httpx.post(f"{server.http}/v1/audio/speech", json=body, timeout=30)
    assert response.status_code == status, response.text
    assert _error(response)["param"] == param


def test_malformed_speech_json(server: Server, client: OpenAI) -> None:
    response = httpx.post(
        f"{server.http}/v1/audio/speech",
        content=b'{"model": "tts-1",',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    _error(response)
    # The server keeps serving.
    assert client.audio.speech.create(model="tts-1", voice="alloy", input="Still here.").read()


def test_errors_reach_the_client_as_its_own_exceptions(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.audio.speech.create(model="tts-1", voice="robot", input="Hello.")
    assert "robot" in str(caught.value)


def test_what_is_transcribed_and_spoken_is_stored(server: Server, client: OpenAI) -> None:
    said = "Parley keeps a history of everything it says."
    client.audio.speech.create(model="tts-1", voice="alloy", input=said).read()
    found = httpx.get(f"{server.http}/v1/syntheses", params={"search": "history of everything"})
    assert found.status_code == 200
    assert any(r["text"] == said for r in found.json()["syntheses"])
    heard = transcribe(client, "ps_goforward", model="whisper-1")
    listed = httpx.get(f"{server.http}/v1/transcriptions").json()["transcriptions"]
    assert any(r["text"] == heard.text for r in listed)  # type: ignore[attr-defined]
