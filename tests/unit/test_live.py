"""One channel's live recognition, with the real voice activity detector on real speech
and a stand-in for Whisper that reads every utterance as "word word ..."."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator

import numpy as np
import pytest

from parley.audio.vad import StreamingVad
from parley.domain.audio import FloatArray
from parley.domain.streaming import (
    LiveEvent,
    LiveOptions,
    LiveResult,
    SpeechEvent,
    SpeechEventKind,
)
from parley.domain.transcript import Alternative, Segment, Transcript, Word
from parley.engines.base import DecodeRequest
from parley.services.live import ChannelRecognizer, Decoder, Tuning
from tests.conftest import clip

RATE = 16000


async def fake_decode(samples: FloatArray, request: DecodeRequest, urgent: bool) -> Transcript:
    return await slow_decode(samples, request, urgent, seconds=0.01)


async def slow_decode(
    samples: FloatArray, request: DecodeRequest, urgent: bool, *, seconds: float = 1.0
) -> Transcript:
    await asyncio.sleep(seconds)
    seconds = len(samples) / RATE
    words = tuple(Word("word", i * 0.5, i * 0.5 + 0.4, 0.9) for i in range(int(seconds * 2)))
    text = " ".join(w.text for w in words) + "."
    segment = Segment(0.0, seconds, (Alternative(text, 0.9, words),), "en")
    return Transcript((segment,) if words else (), "en", seconds, "fake")


def recognize(
    audio: FloatArray,
    live: LiveOptions,
    tuning: Tuning | None = None,
    decode: Decoder = fake_decode,
) -> list[LiveEvent]:
    events: list[LiveEvent] = []

    async def run() -> None:
        recognizer = ChannelRecognizer(
            channel=1,
            request=DecodeRequest(language="en"),
            decode=decode,
            finish=lambda t: t,
            emit=events.append,
            live=live,
            tuning=tuning or Tuning(),
        )
        task = asyncio.create_task(recognizer.run())
        for start in range(0, len(audio), 1600):
            recognizer.push(audio[start : start + 1600])
            await asyncio.sleep(0.02)  # five times real time
        recognizer.close()
        await asyncio.wait_for(task, 30)

    asyncio.run(run())
    return events


def speech_twice() -> tuple[FloatArray, float]:
    sentence = clip("ps_librivox_0880").samples().astype(np.float32)
    silence = np.zeros(RATE, np.float32)
    return np.concatenate([silence, sentence, silence, sentence, silence]), len(sentence) / RATE


def test_each_utterance_gets_one_final_result_at_its_place_in_the_stream() -> None:
    audio, length = speech_twice()
    events = recognize(audio, LiveOptions(interim_results=True, voice_events=True))
    finals = [e for e in events if isinstance(e, LiveResult) and e.is_final]
    assert len(finals) == 2
    first, second = (f.parts[0].segment for f in finals)
    # The stand-in reads words from the start of the audio kept, just before the onset.
    assert 0.6 <= first.start < first.end <= 1.0 + length + 0.1
    assert 1.6 + length <= second.start < second.end <= 2.0 + 2 * length + 0.1
    kinds = [e.kind for e in events if isinstance(e, SpeechEvent)]
    begin, end = SpeechEventKind.SPEECH_BEGIN, SpeechEventKind.SPEECH_END
    assert kinds == [begin, end, begin, end]
    # Interim results only come between an utterance's beginning and its final.
    assert isinstance(events[1], LiveResult)
    assert not events[1].is_final


def test_a_single_utterance_ends_the_stream_after_its_final() -> None:
    audio, _ = speech_twice()
    events = recognize(audio, LiveOptions(single_utterance=True))
    assert isinstance(events[0], SpeechEvent)
    assert events[0].kind is SpeechEventKind.END_OF_SINGLE_UTTERANCE
    assert isinstance(events[1], LiveResult)
    assert events[1].is_final
    assert len(events) == 2


def test_silence_past_the_start_timeout_ends_the_stream() -> None:
    events = recognize(np.zeros(RATE * 3, np.float32), LiveOptions(speech_start_timeout=1.5))
    assert events == [SpeechEvent(SpeechEventKind.TIMEOUT, 1.5)]


def test_the_utterance_in_progress_is_finished_when_the_audio_stops() -> None:
    audio, length = speech_twice()
    cut = audio[: int((1.0 + length / 2) * RATE)]
    finals = [e for e in recognize(cut, LiveOptions()) if isinstance(e, LiveResult)]
    assert len(finals) == 1
    assert finals[0].is_final


def test_an_utterance_too_long_is_cut_into_finals_that_do_not_overlap() -> None:
    sentence = clip("ps_librivox_0870").samples().astype(np.float32)  # 7 s, few pauses
    events = recognize(sentence, LiveOptions(), Tuning(max_utterance=3.0))
    finals = [e.parts[0].segment for e in events if isinstance(e, LiveResult)]
    assert len(finals) >= 2
    for before, after in itertools.pairwise(finals):
        assert after.start >= before.end - 0.01
    assert all(f.end - f.start <= 3.2 for f in finals)


def test_a_cut_is_read_greedily_and_an_utterance_that_ends_in_a_pause_with_the_beam() -> None:
    sentence = clip("ps_librivox_0870").samples().astype(np.float32)  # 7 s, few pauses
    audio = np.concatenate([sentence, np.zeros(RATE, np.float32)])
    urgent: list[bool] = []  # greedy, for each reading made for a final result

    async def decode(samples: FloatArray, request: DecodeRequest, for_final: bool) -> Transcript:
        if for_final:
            urgent.append(request.greedy)
        return await fake_decode(samples, request, for_final)

    events = recognize(audio, LiveOptions(), Tuning(max_utterance=3.0), decode=decode)
    finals = [e for e in events if isinstance(e, LiveResult) and e.is_final]
    assert len(finals) >= 3
    assert urgent.count(True) >= len(finals) - 2  # the cuts
    assert urgent[-1] is False  # the last utterance, ended by the pause


def test_a_server_that_falls_behind_finds_the_same_utterances_later() -> None:
    """Where an utterance ends depends on the audio, never on how fast readings come back:
    with readings slower than the audio, each of the four sentences still gets its own final."""
    sentence = clip("ps_librivox_0880").samples().astype(np.float32)
    pause = np.zeros(RATE, np.float32)
    audio = np.concatenate([pause, *[np.concatenate([sentence, pause]) for _ in range(4)]])
    finals = [
        e
        for e in recognize(audio, LiveOptions(), decode=slow_decode)
        if isinstance(e, LiveResult) and e.is_final
    ]
    assert len(finals) == 4
    offsets = [f.end for f in finals]
    assert offsets == sorted(offsets)


def test_the_vad_starts_afresh_after_a_silence_not_at_a_short_pause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Zeroed, Silero's state hears the first second or two of quiet speech poorly, so it
    is zeroed only after a silence long enough to be a new turn."""
    sentence = clip("ps_librivox_0880").samples().astype(np.float32)
    seconds = len(sentence) / RATE

    def pause(length: float) -> FloatArray:
        return np.zeros(int(length * RATE), np.float32)

    audio = np.concatenate([sentence, pause(0.7), sentence, pause(2.5)])
    fresh: list[int] = []  # frames fed before each reset
    fed = [0]
    frames, reset = StreamingVad.frames, StreamingVad.reset

    def counting(vad: StreamingVad, samples: FloatArray) -> Iterator[float]:
        for probability in frames(vad, samples):
            fed[0] += 1
            yield probability

    def noting(vad: StreamingVad) -> None:
        fresh.append(fed[0])
        reset(vad)

    monkeypatch.setattr(StreamingVad, "frames", counting)
    monkeypatch.setattr(StreamingVad, "reset", noting)
    events = recognize(audio, LiveOptions())
    assert len([e for e in events if isinstance(e, LiveResult)]) == 2
    frame = 512 / RATE
    assert fresh[0] == 0  # made
    # One fresh start: a second or so into the silence after the second sentence.
    assert len(fresh) == 2
    assert 2 * seconds + 0.7 + 1.0 < fresh[1] * frame < 2 * seconds + 0.7 + 2.0


def test_a_final_within_a_turn_is_read_after_the_speech_before_it() -> None:
    """The reading for the second sentence's final starts up to 3 s into the first, 0.7 s
    of pause before it (one turn); the third, after 2.5 s of silence (a new turn), is
    read alone."""
    sentence = clip("ps_librivox_0880").samples().astype(np.float32)

    def pause(length: float) -> FloatArray:
        return np.zeros(int(length * RATE), np.float32)

    audio = np.concatenate([sentence, pause(0.7), sentence, pause(2.5), sentence, pause(1.0)])
    lengths: list[float] = []  # seconds of audio in each reading for a final

    async def decode(samples: FloatArray, request: DecodeRequest, for_final: bool) -> Transcript:
        if for_final:
            lengths.append(len(samples) / RATE)
        return await fake_decode(samples, request, for_final)

    events = recognize(audio, LiveOptions(), decode=decode)
    assert len([e for e in events if isinstance(e, LiveResult) and e.is_final]) == 3
    speech = 2.6  # seconds of speech in the sentence
    first, second, third = lengths
    assert first < speech + 1.0
    assert second > speech + 2.0  # its own audio and a lead-in of up to 3 s
    assert third < speech + 1.0
