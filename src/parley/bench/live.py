"""A live speaker, simulated: real speech sent in 100 ms chunks at real-time pace over
StreamingRecognize with the official client, with when each result arrived."""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from google.cloud import speech_v1 as speech

from parley.bench.speech import RATE, Utterance
from parley.domain.audio import FloatArray

CHUNK_SECONDS = 0.1
STAGGER_SECONDS = 0.7


@dataclass(frozen=True)
class Spoken:
    """Where an utterance's speech lies in the track, in seconds."""

    onset: float
    end: float
    reference: str


@dataclass(frozen=True)
class Track:
    samples: FloatArray
    spoken: list[Spoken]

    @property
    def pcm(self) -> bytes:
        return (np.clip(self.samples, -1, 1) * 32767).astype("<i2").tobytes()

    @property
    def reference(self) -> str:
        return " ".join(s.reference for s in self.spoken)


def build_track(speech: list[Utterance], count: int, gap: float = 1.2) -> Track:
    """`count` utterances of the set in turn, `gap` seconds of silence after each."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    # The speech itself, no margin; pauses over 0.3 s end it (the clips have noise after).
    exact = VadOptions(speech_pad_ms=0, min_silence_duration_ms=300)

    parts: list[FloatArray] = []
    spoken: list[Spoken] = []
    position = 0.0
    for index in range(count):
        utterance = speech[index % len(speech)]
        found = get_speech_timestamps(utterance.samples, exact, sampling_rate=RATE)
        if found:
            onset, end = found[0]["start"] / RATE, found[-1]["end"] / RATE
            spoken.append(Spoken(position + onset, position + end, utterance.reference))
        silence = np.zeros(int(gap * RATE), np.float32)
        parts += [utterance.samples, silence]
        position += utterance.duration + gap
    return Track(np.concatenate(parts), spoken)


def run_on_track(speech: list[Utterance], seconds: float) -> Track:
    """At least `seconds` of speech without a pause: the clips' speech, pauses inside
    them over 0.1 s cut short, one clip straight after the other. One `Spoken` for all."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    tight = VadOptions(speech_pad_ms=50, min_silence_duration_ms=100)
    parts: list[FloatArray] = []
    references: list[str] = []
    length = 0
    for utterance in itertools.cycle(speech):
        for span in get_speech_timestamps(utterance.samples, tight, sampling_rate=RATE):
            parts.append(utterance.samples[span["start"] : span["end"]])
            length += len(parts[-1])
        references.append(utterance.reference)
        if length >= seconds * RATE:
            break
    samples = np.concatenate([*parts, np.zeros(RATE, np.float32)])
    end = len(samples) / RATE - 1.0
    return Track(samples, [Spoken(0.0, end, " ".join(references))])


@dataclass
class Heard:
    """What a stream received: (arrival seconds since the first chunk, response)."""

    responses: list[tuple[float, Any]] = field(default_factory=list)
    sent_until: float = 0.0  # when the last chunk went out

    def finals(self) -> list[tuple[float, Any]]:
        return [(at, r) for at, response in self.responses for r in response.results if r.is_final]

    def results(self) -> list[tuple[float, Any]]:
        """Every response with results, interim or final."""
        return [(at, response) for at, response in self.responses if response.results]

    def text(self) -> str:
        return " ".join(r.alternatives[0].transcript for _, r in self.finals() if r.alternatives)


def audio_requests(
    pcm: bytes, started: list[float], speed: float = 1.0
) -> Iterator[speech.StreamingRecognizeRequest]:
    """`pcm` in 100 ms chunks, each sent when a speaker would have said it (`speed`
    times faster). `started` receives the time of the first chunk."""
    step = int(CHUNK_SECONDS * RATE) * 2
    started.append(time.perf_counter())
    for index, offset in enumerate(range(0, len(pcm), step)):
        delay = started[0] + index * CHUNK_SECONDS / speed - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        yield speech.StreamingRecognizeRequest(audio_content=pcm[offset : offset + step])


def stream(
    client: speech.SpeechClient,
    config: speech.StreamingRecognitionConfig,
    pcm: bytes,
    speed: float = 1.0,
) -> Heard:
    """Through the client's streaming helper, which sends the config first."""
    heard, started = Heard(), list[float]()

    def chunks() -> Iterator[speech.StreamingRecognizeRequest]:
        yield from audio_requests(pcm, started, speed)
        heard.sent_until = time.perf_counter() - started[0]

    # speech_v1.SpeechClient is the helper that takes the config apart from the audio.
    responses = client.streaming_recognize(config=config, requests=chunks())  # type: ignore[call-arg]
    for response in responses:
        heard.responses.append((time.perf_counter() - started[0], response))
    return heard


def latencies(heard: Heard, track: Track, speed: float = 1.0) -> dict[str, list[float]]:
    """Seconds from the end of each utterance to the final result that ends it, and from
    its onset to its first result (interim, or final if that came first)."""
    ends = [(at, _seconds(r.result_end_time)) for at, r in heard.finals()]
    first_interims = []
    interims = heard.results()
    for index, spoken in enumerate(track.spoken):
        until = _until(track, index)
        early = [at for at, _ in interims if at >= spoken.onset / speed and at <= until / speed]
        if early:
            first_interims.append(min(early) - spoken.onset / speed)
    return {"final": final_delays(ends, track, speed), "first_interim": first_interims}


def final_delays(ends: list[tuple[float, float]], track: Track, speed: float = 1.0) -> list[float]:
    """For each utterance that got one: seconds from its end to the last final ending
    inside it. `ends`: (arrival, where the final ends in the stream) in seconds."""
    delays = []
    for index, spoken in enumerate(track.spoken):
        until = _until(track, index)
        ending = [at for at, end in ends if spoken.onset < end <= until]
        if ending:
            delays.append(max(ending) - spoken.end / speed)
    return delays


def _until(track: Track, index: int) -> float:
    """Where the next utterance starts: results ending before it belong to this one."""
    return track.spoken[index + 1].onset if index + 1 < len(track.spoken) else math.inf


def _seconds(value: Any) -> float:
    return float(value.total_seconds()) if hasattr(value, "total_seconds") else float(value)


def run_streams(
    clients: list[speech.SpeechClient],
    config: speech.StreamingRecognitionConfig,
    pcm: bytes,
    stagger: float = STAGGER_SECONDS,
) -> list[Heard | BaseException]:
    """One stream per client, all at once, the n-th starting n × `stagger` seconds after
    the first: independent speakers do not end their sentences at the same moment."""
    out: list[Heard | BaseException] = [RuntimeError("did not run")] * len(clients)

    def one(index: int) -> None:
        time.sleep(index * stagger)
        try:
            out[index] = stream(clients[index], config, pcm)
        except Exception as error:
            out[index] = error

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out
