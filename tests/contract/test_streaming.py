"""StreamingRecognize with the official client (sync helper and async client): real
speech in 100 ms chunks at real-time pace, against a real server."""

from __future__ import annotations

import asyncio
import io
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import grpc
import httpx
import numpy as np
import pytest
import soundfile as sf
from google.api_core import exceptions
from google.cloud import speech_v1 as speech
from google.cloud.speech_v1.services.speech import SpeechClient as GeneratedClient
from google.cloud.speech_v1.services.speech.transports import SpeechGrpcAsyncIOTransport

from parley.audio.resample import resample
from parley.bench import live
from parley.bench.speech import RATE
from parley.evaluation.wer import word_error_rate
from tests.conftest import assert_heard, dev_speech
from tests.contract.conftest import DATA, STREAM_CAPACITY, Server, wait_until

Encoding = speech.RecognitionConfig.AudioEncoding
EventType = speech.StreamingRecognizeResponse.SpeechEventType
SPEECH = dev_speech()


def streaming_config(
    *, interim: bool = True, rate: int = RATE, **fields: object
) -> speech.StreamingRecognitionConfig:
    fields = {"encoding": Encoding.LINEAR16, "language_code": "en-US", **fields}
    config = speech.RecognitionConfig(sample_rate_hertz=rate, **fields)
    return speech.StreamingRecognitionConfig(config=config, interim_results=interim)


@pytest.fixture(scope="module")
def track() -> live.Track:
    """Every dev clip once, each followed by 1.2 s of silence (about a minute)."""
    return live.build_track(SPEECH, len(SPEECH))


@pytest.fixture(scope="module")
def heard(client: speech.SpeechClient, track: live.Track) -> live.Heard:
    return live.stream(client, streaming_config(enable_word_time_offsets=True), track.pcm)


def file_transcript(client: speech.SpeechClient, track: live.Track) -> str:
    buffer = io.BytesIO()
    sf.write(buffer, track.samples, RATE, format="WAV")
    operation = client.long_running_recognize(  # over a minute: too long for Recognize
        config=speech.RecognitionConfig(language_code="en-US"),
        audio=speech.RecognitionAudio(content=buffer.getvalue()),
    )
    response = operation.result(timeout=300)
    return " ".join(r.alternatives[0].transcript for r in response.results)


def test_interim_results_come_before_each_final(heard: live.Heard) -> None:
    seen_interim = False
    finals = 0
    for _, response in heard.responses:
        for result in response.results:
            if result.is_final:
                assert seen_interim, "a final result came with no interim result before it"
                finals += 1
                seen_interim = False
            else:
                assert 0 < result.stability < 1
                seen_interim = True
    assert finals >= len(SPEECH) - 2  # one clip holds no words


def test_finals_match_the_file_transcription(
    heard: live.Heard, track: live.Track, client: speech.SpeechClient
) -> None:
    streamed = word_error_rate([track.reference], [heard.text()]).wer
    whole = word_error_rate([track.reference], [file_transcript(client, track)]).wer
    assert streamed <= whole + 0.01, (heard.text(), streamed, whole)


def test_offsets_count_from_the_start_of_the_stream(heard: live.Heard, track: live.Track) -> None:
    ends = [r.result_end_time.total_seconds() for _, r in heard.finals()]
    assert ends == sorted(ends)
    for _, result in heard.finals():
        words = result.alternatives[0].words
        end = result.result_end_time.total_seconds()
        # Each final ends where one of the utterances ends.
        assert any(abs(end - s.end) < 0.6 for s in track.spoken), end
        assert words[0].start_time.total_seconds() < words[-1].end_time.total_seconds() <= end
        assert words[-1].end_time.total_seconds() >= end - 1.0


def test_stable_words_are_kept_by_later_interim_results(heard: live.Heard) -> None:
    stable_before = ""
    for _, response in heard.responses:
        results = list(response.results)
        if results and results[0].is_final:
            stable_before = ""
            continue
        stable = " ".join(r.alternatives[0].transcript for r in results if r.stability > 0.5)
        assert stable.startswith(stable_before), (stable_before, stable)
        stable_before = stable


def test_finals_come_quickly_after_each_utterance(heard: live.Heard, track: live.Track) -> None:
    """Not a benchmark (`parley bench streaming` measures): a bound that only a stream
    that fell behind would break."""
    delays = live.latencies(heard, track)
    assert len(delays["final"]) >= len(track.spoken) - 1
    assert max(delays["final"]) < 3.0
    assert heard.responses[-1][0] < heard.sent_until + 3.0


def test_the_stream_is_stored_in_the_history(
    heard: live.Heard, track: live.Track, server: Server
) -> None:
    found = httpx.get(f"{server.http}/v1/transcriptions", params={"search": "dashwood"}).json()
    streams = [t for t in found["transcriptions"] if t["sourceName"] == "live stream"]
    assert streams, found
    record = streams[0]
    assert abs(record["duration"] - len(track.samples) / RATE) < 0.5
    audio = httpx.get(f"{server.http}/v1/transcriptions/{record['id']}/audio")
    stored, rate = sf.read(io.BytesIO(audio.content))
    assert rate == RATE
    assert abs(len(stored) - len(track.samples)) < RATE // 10


def test_separate_channels_give_two_channel_tags(client: speech.SpeechClient) -> None:
    left, right = live.build_track([SPEECH[8]], 1), live.build_track([SPEECH[10]], 1)
    frames = max(len(left.samples), len(right.samples))
    stereo = np.zeros((frames, 2), np.float32)
    stereo[: len(left.samples), 0], stereo[: len(right.samples), 1] = left.samples, right.samples
    pcm = (stereo * 32767).astype("<i2").tobytes()
    config = streaming_config(
        interim=False, audio_channel_count=2, enable_separate_recognition_per_channel=True
    )
    heard = live.stream(client, config, pcm, speed=2)
    by_channel = {r.channel_tag: r.alternatives[0].transcript for _, r in heard.finals()}
    assert set(by_channel) == {1, 2}
    assert word_error_rate([left.reference], [by_channel[1]]).wer <= 0.1
    assert word_error_rate([right.reference], [by_channel[2]]).wer <= 0.1


def test_finals_mask_profanity(client: speech.SpeechClient) -> None:
    data, rate = sf.read(DATA / "tts" / "swearing.flac", dtype="float32")
    samples = np.concatenate([resample(data, rate, RATE), np.zeros(RATE, np.float32)])
    pcm = (samples * 32767).astype("<i2").tobytes()
    config = streaming_config(interim=False, profanity_filter=True)
    heard = live.stream(client, config, pcm, speed=2)
    assert heard.text() == "this is s*** what the f*** are you doing"


def test_finals_carry_alternatives(client: speech.SpeechClient) -> None:
    cards = live.build_track([u for u in SPEECH if u.name == "ps_cards_005"], 1)
    config = streaming_config(interim=False, max_alternatives=4)
    finals = [r for _, r in live.stream(client, config, cards.pcm, speed=2).finals()]
    alternatives = [a.transcript for r in finals for a in r.alternatives]
    assert len(finals) == 1
    assert 2 <= len(alternatives) <= 4
    assert len(set(alternatives)) == len(alternatives)
    assert all(0 < a.confidence <= 1 for a in finals[0].alternatives)


def _async_requests(
    config: speech.StreamingRecognitionConfig, pcm: bytes
) -> AsyncIterator[speech.StreamingRecognizeRequest]:
    async def generate() -> AsyncIterator[speech.StreamingRecognizeRequest]:
        yield speech.StreamingRecognizeRequest(streaming_config=config)
        step = int(live.CHUNK_SECONDS * RATE) * 2
        for offset in range(0, len(pcm), step):
            yield speech.StreamingRecognizeRequest(audio_content=pcm[offset : offset + step])
            await asyncio.sleep(live.CHUNK_SECONDS)

    return generate()


def _async_stream(
    server: Server, config: speech.StreamingRecognitionConfig, pcm: bytes
) -> list[speech.StreamingRecognizeResponse]:
    async def run() -> list[speech.StreamingRecognizeResponse]:
        channel = grpc.aio.insecure_channel(server.grpc)
        client = speech.SpeechAsyncClient(transport=SpeechGrpcAsyncIOTransport(channel=channel))
        responses = await client.streaming_recognize(requests=_async_requests(config, pcm))
        out = [response async for response in responses]
        await channel.close()
        return out

    return asyncio.run(run())


def test_single_utterance_with_voice_events_over_the_async_client(server: Server) -> None:
    two = live.build_track(SPEECH[8:10], 2)  # two sentences; only the first is heard
    config = streaming_config(interim=False)
    config.single_utterance = True
    config.enable_voice_activity_events = True
    responses = _async_stream(server, config, two.pcm)
    kinds = [r.speech_event_type for r in responses if r.speech_event_type]
    assert kinds == [
        EventType.SPEECH_ACTIVITY_BEGIN,
        EventType.END_OF_SINGLE_UTTERANCE,
        EventType.SPEECH_ACTIVITY_END,
    ]
    finals = [r for response in responses for r in response.results if r.is_final]
    assert len(finals) == 1
    assert responses[-1].results[0].is_final  # the final result ends the stream
    text = finals[0].alternatives[0].transcript
    assert word_error_rate([two.spoken[0].reference], [text]).wer <= 0.1
    begin = responses[0].speech_event_time.total_seconds()
    assert abs(begin - two.spoken[0].onset) < 0.4


def test_no_speech_within_the_timeout_ends_the_stream(server: Server) -> None:
    config = streaming_config(interim=False)
    config.enable_voice_activity_events = True
    config.voice_activity_timeout.speech_start_timeout = {"seconds": 1}
    silence = bytes(2 * RATE * 3)
    responses = _async_stream(server, config, silence)
    assert [r.speech_event_type for r in responses] == [EventType.SPEECH_ACTIVITY_TIMEOUT]
    assert abs(responses[0].speech_event_time.total_seconds() - 1.0) < 0.2


def test_two_streams_at_once_both_keep_up(server: Server, track: live.Track) -> None:
    half = live.build_track(SPEECH, 6)
    clients = [server.grpc_client(), server.grpc_client()]
    runs = live.run_streams(clients, streaming_config(), half.pcm)
    for heard in runs:
        assert isinstance(heard, live.Heard), heard
        assert heard.responses[-1][0] < heard.sent_until + 3.0
        assert word_error_rate([half.reference], [heard.text()]).wer <= 0.1


def test_the_last_words_come_back_when_the_client_stops_mid_utterance(
    client: speech.SpeechClient,
) -> None:
    sentence = live.build_track([SPEECH[9]], 1, gap=0)
    cut = sentence.pcm[: len(sentence.pcm) * 3 // 4 // 2 * 2]
    heard = live.stream(client, streaming_config(interim=False), cut, speed=4)
    words = heard.text().lower().split()
    assert len(words) >= 4
    assert words[0] in sentence.reference.lower()


def test_a_long_stream_keeps_flat_memory_and_correct_offsets(
    client: speech.SpeechClient, server: Server
) -> None:
    """Twenty minutes of a speaker who pauses for twenty seconds after each sentence
    (four rounds of the dev clips), sent thirty-two times faster than real time: where
    utterances end depends on the audio alone, so a server that falls behind is only later."""
    long = live.build_track(SPEECH, 4 * len(SPEECH), gap=19.7)
    minutes = len(long.samples) / RATE / 60
    assert minutes >= 20
    rss: list[int] = []
    sampler = threading.Thread(target=_sample_rss, args=(server, rss, 300), daemon=True)
    sampler.start()
    heard = live.stream(client, streaming_config(interim=False), long.pcm, speed=32)
    finals = heard.finals()
    assert len(finals) >= len(long.spoken) * 0.9
    for _, result in finals:
        end = result.result_end_time.total_seconds()
        assert min(abs(end - s.end) for s in long.spoken) < 0.6, end
    assert finals[-1][1].result_end_time.total_seconds() > long.spoken[-1].onset
    # Memory after the first quarter against the end: the stream holds no growing state.
    quarter = rss[len(rss) // 4]
    assert max(rss[len(rss) // 4 :]) - quarter < 40 * 1024 * 1024, rss


def _sample_rss(server: Server, out: list[int], seconds: float) -> None:
    status = Path(f"/proc/{server.process.pid}/status")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.process.poll() is None:
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                out.append(int(line.split()[1]) * 1024)
        time.sleep(1)


def _refused(call: Callable[[], Iterator[object]]) -> exceptions.GoogleAPICallError:
    with pytest.raises(exceptions.GoogleAPICallError) as caught:
        list(call())
    return caught.value


def _without_helper(
    client: speech.SpeechClient, *requests: speech.StreamingRecognizeRequest
) -> Iterator[object]:
    """The generated method, which sends the requests as they are (the helper would put
    a config first)."""
    return GeneratedClient.streaming_recognize(client, requests=iter(requests))


def test_audio_before_the_config_is_refused(client: speech.SpeechClient) -> None:
    audio = speech.StreamingRecognizeRequest(audio_content=b"\0" * 3200)
    error = _refused(lambda: _without_helper(client, audio))
    assert isinstance(error, exceptions.InvalidArgument)
    assert "streaming_config" in error.message


def test_a_second_config_is_refused(client: speech.SpeechClient) -> None:
    config = streaming_config()
    twice = [speech.StreamingRecognizeRequest(streaming_config=config)] * 2
    assert "first request" in _refused(lambda: _without_helper(client, *twice)).message


@pytest.mark.parametrize(
    ("config", "words"),
    [
        (streaming_config(rate=4000), "sample_rate_hertz"),
        (streaming_config(encoding=Encoding.AMR), "AMR"),
        (
            speech.StreamingRecognitionConfig(
                config=speech.RecognitionConfig(
                    encoding=Encoding.LINEAR16, sample_rate_hertz=RATE, language_code="xx-XX"
                )
            ),
            "language",
        ),
    ],
)
def test_a_bad_config_is_refused(
    client: speech.SpeechClient, config: speech.StreamingRecognitionConfig, words: str
) -> None:
    error = _refused(lambda: client.streaming_recognize(config=config, requests=iter(())))
    assert isinstance(error, exceptions.InvalidArgument)
    assert words in error.message


def test_a_wav_header_that_contradicts_the_config_is_refused(client: speech.SpeechClient) -> None:
    wav = SPEECH[0].data  # 16 kHz
    chunks = [speech.StreamingRecognizeRequest(audio_content=wav[:3200])]
    config = streaming_config(rate=8000)
    error = _refused(lambda: client.streaming_recognize(config=config, requests=chunks))
    assert isinstance(error, exceptions.InvalidArgument)
    assert "16000 Hz" in error.message


def test_an_oversized_chunk_is_refused(client: speech.SpeechClient) -> None:
    chunks = [speech.StreamingRecognizeRequest(audio_content=b"\0" * (1024 * 1024))]
    error = _refused(lambda: client.streaming_recognize(config=streaming_config(), requests=chunks))
    assert isinstance(error, exceptions.InvalidArgument)
    assert "limit" in error.message


def test_a_full_server_refuses_new_streams_and_keeps_serving(
    server: Server, client: speech.SpeechClient
) -> None:
    release = threading.Event()

    def held() -> Iterator[speech.StreamingRecognizeRequest]:
        yield speech.StreamingRecognizeRequest(audio_content=b"\0" * 3200)
        release.wait(60)

    clients = [server.grpc_client() for _ in range(STREAM_CAPACITY)]
    threads = [
        threading.Thread(
            target=lambda c=c: list(
                c.streaming_recognize(config=streaming_config(), requests=held())
            )
        )
        for c in clients
    ]
    for thread in threads:
        thread.start()
    try:
        _wait_for_streams(server, STREAM_CAPACITY)
        config = streaming_config()
        error = _refused(lambda: client.streaming_recognize(config=config, requests=iter([])))
        assert isinstance(error, exceptions.ResourceExhausted)
    finally:
        release.set()
        for thread in threads:
            thread.join(30)
    _wait_for_streams(server, 0)
    after = live.stream(
        client, streaming_config(interim=False), live.build_track(SPEECH[9:10], 1).pcm, speed=4
    )
    assert_heard(after.text(), SPEECH[9].reference, max_wer=0.3)


def _wait_for_streams(server: Server, count: int) -> None:
    wait_until(lambda: httpx.get(f"{server.http}/healthz").json()["live_streams"] == count, 30)
