"""Live recognition of one channel: voice activity finds utterances, Whisper reads them.

Where an utterance ends is decided frame by frame as the audio arrives, from the audio
alone, so a server that falls behind gives the same utterances, later. Whisper has no
incremental mode, so each reading decodes the utterance so far, with the encoder shown
only that audio (a fitted window, several times cheaper than Whisper's 30 s). One interim
reading per channel is in flight at a time: under load they come less often, they never
queue up. When a pause begins, the utterance is read with the full options at once, so
that when the pause proves to be its end, the final result is usually ready already."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import numpy as np

from parley.audio.vad import FRAME, FRESH_AFTER_SECONDS, SAMPLE_RATE, StreamingVad
from parley.domain.audio import FloatArray
from parley.domain.streaming import (
    LiveEvent,
    LiveOptions,
    LiveResult,
    ResultPart,
    SpeechEvent,
    SpeechEventKind,
)
from parley.domain.transcript import Alternative, Segment, Transcript, Word, join_words
from parley.engines.base import DecodeRequest
from parley.services.endpointing import OFFSET, Endpointer, Utterance
from parley.services.lead_in import LEAD_IN_SECONDS, after_lead_in, tokens
from parley.services.stability import STABLE, UNSTABLE, InterimTracker

# (16 kHz audio, request, urgent): urgent readings (for final results) go first.
Decoder = Callable[[FloatArray, DecodeRequest, bool], Coroutine[Any, Any, Transcript]]


@dataclass(frozen=True)
class Tuning:
    """Seconds. Measured with `parley bench streaming`."""

    interim_step: float = 0.5  # new audio between interim readings
    first_interim: float = 0.3  # speech before the first interim reading
    read_at_pause: float = 0.096  # silence that starts a reading for the final result
    quick_end: float = 0.2  # silence that ends an utterance the reading ends with . ? !
    end: float = 0.45  # silence that ends any utterance
    # Past this length any pause that starts a reading also ends the utterance: its final
    # never waits for a re-read of much more than this.
    long_utterance: float = 6.0
    max_utterance: float = 9.0  # longer ones are cut at their quietest recent moment
    cut_within: float = 1.0  # seconds before the cut decision where it may fall
    # Silence after an utterance that starts the VAD afresh: a new turn. Not at every end,
    # which may be a breath inside speech that goes on (zeroed, the VAD hears the first
    # second or two of quiet speech poorly).
    fresh_vad: float = FRESH_AFTER_SECONDS


@dataclass
class _Reading:
    speech_end: int  # the utterance's speech end when the reading was made
    task: asyncio.Task[Transcript]


@dataclass
class _Ended:
    """An utterance whose end is decided, waiting for its final result."""

    utterance: Utterance
    audio: FloatArray  # from `utterance.start` on
    reading: _Reading | None  # made at its pause, if any
    lead: FloatArray  # the speech before it in its turn, if any (see `lead_in`)
    cut: bool = False  # ended inside speech, not at a pause


class ChannelRecognizer:
    def __init__(
        self,
        *,
        channel: int,
        request: DecodeRequest,
        decode: Decoder,
        finish: Callable[[Transcript], Transcript],
        emit: Callable[[LiveEvent], None],
        live: LiveOptions,
        tuning: Tuning = Tuning(),
    ) -> None:
        self.channel = channel
        self._request = request
        self._draft = dataclasses.replace(request, alternatives=1, phrases=(), greedy=True)
        # A cut gives its final no head start (no pause, no reading made at one) and the
        # speaker goes on: it is read greedily, a quarter quicker on 8 s of speech, with
        # the same words on the tuning set's live track.
        self._cut_request = dataclasses.replace(request, greedy=True)
        self._decode = decode
        self._finish = finish
        self._emit = emit
        self._live = live
        self._tuning = tuning
        self._vad = StreamingVad()
        self._fresh_at: int | None = None  # where the VAD starts afresh, if no speech comes
        self._endpointer = Endpointer()
        self._audio = np.zeros(0, np.float32)  # from `_offset` on
        self._offset = 0  # sample position of `_audio[0]`
        self._wake = asyncio.Event()
        self._closed = False  # no more audio comes
        self._over = False  # a single utterance has ended: the rest of the audio is ignored
        self._done = False
        self._ended: deque[_Ended] = deque()
        self._candidate: _Reading | None = None
        self._read_until = 0  # audio position of the last reading
        self._interim_task: asyncio.Task[Transcript] | None = None
        self._interims = InterimTracker()
        self._last_end = 0.0  # where the last utterance ended, in seconds
        self._heard = False
        self._previous: Utterance | None = None  # the utterance ended last, at a pause
        self._said: list[str] = []  # the last final's words (as `lead_in.tokens`)

    @property
    def done(self) -> bool:
        """The stream should end: a single utterance is over or a timeout passed."""
        return self._done

    def push(self, samples: FloatArray) -> None:
        """16 kHz mono audio, as it arrives."""
        if self._done or self._over:
            return
        self._audio = np.concatenate([self._audio, samples])
        for probability in self._vad.frames(samples):
            if self._endpointer.feed(probability):
                self._heard = True
                onset = self._endpointer.utterance.onset if self._endpointer.utterance else 0
                self._event(SpeechEventKind.SPEECH_BEGIN, onset / SAMPLE_RATE)
            self._start_afresh()
            self._check_end()
            if self._over:
                break
        self._check_timeouts()
        self._trim()
        self._wake.set()

    def close(self) -> None:
        """No more audio: finish the utterance in progress, then stop."""
        self._closed = True
        if (utterance := self._endpointer.utterance) is not None and not self._over:
            self._end(utterance)
        self._wake.set()

    async def run(self) -> None:
        try:
            while not self._done:
                await self._wake.wait()
                self._wake.clear()
                while self._ended and not self._done:
                    await self._final(self._ended.popleft())
                if (utterance := self._endpointer.utterance) is not None and not self._over:
                    self._step(utterance)
                if (self._closed or self._over) and not self._ended:
                    return
        finally:
            readings = [self._interim_task, self._candidate and self._candidate.task]
            readings += [e.reading.task for e in self._ended if e.reading is not None]
            for task in readings:
                if task:
                    task.cancel()

    def _check_end(self) -> None:
        """At each frame: is the utterance in progress over?"""
        utterance, tuning = self._endpointer.utterance, self._tuning
        if utterance is None:
            return
        pause = utterance.silence_seconds
        length = (self._endpointer.position - utterance.start) / SAMPLE_RATE
        if pause >= tuning.end or (
            pause >= tuning.read_at_pause and length >= tuning.long_utterance
        ):
            self._end(utterance)
        elif length >= tuning.long_utterance and utterance.probabilities[-1] < _dip(length, tuning):
            self._cut(self._endpointer.position - FRAME)
        elif length >= tuning.max_utterance:
            self._cut(self._endpointer.quietest(utterance, within_seconds=tuning.cut_within))

    def _step(self, utterance: Utterance) -> None:
        """Readings of the utterance in progress: interim ones while it is spoken, one
        for the final result as soon as a pause begins."""
        tuning = self._tuning
        pause = utterance.silence_seconds
        candidate = self._current_candidate(utterance)
        if (
            candidate is not None
            and candidate.task.done()
            and pause >= tuning.quick_end
            and _ends_sentence(candidate.task)
        ):
            self._end(utterance)
            self._wake.set()
        elif pause >= tuning.read_at_pause:
            if candidate is None:
                # Speech may have ended: read it all now, for the final result. An interim
                # reading still waiting for a worker would only delay it.
                if self._interim_task is not None:
                    self._interim_task.cancel()
                task = self._read(utterance, self._request, urgent=True)
                self._candidate = _Reading(utterance.speech_end, task)
        elif (
            self._live.interim_results
            and (self._interim_task is None or self._interim_task.done())
            and self._interim_due(utterance)
        ):
            self._interim_task = self._read(utterance, self._draft, urgent=False)

    def _end(self, utterance: Utterance) -> None:
        """End the utterance at its pause, with a little of the pause."""
        self._endpointer.finish()
        self._fresh_at = self._endpointer.position + int(self._tuning.fresh_vad * SAMPLE_RATE)
        upto = min(
            self._endpointer.position, utterance.speech_end + int(self._tuning.end * SAMPLE_RATE)
        )
        self._queue(utterance, upto, self._current_candidate(utterance))

    def _cut(self, at: int) -> None:
        """End the utterance in progress at sample `at`, inside its speech: what follows
        goes on as the next one."""
        utterance = self._endpointer.utterance
        assert utterance is not None
        self._queue(self._endpointer.finish(at) or utterance, at, cut=True)

    def _queue(
        self, utterance: Utterance, upto: int, reading: _Reading | None = None, *, cut: bool = False
    ) -> None:
        """The utterance's end is decided: its final result comes from `reading`, or from
        a reading of its audio up to sample `upto`."""
        if self._candidate is not None and self._candidate is not reading:
            self._candidate.task.cancel()
        self._candidate = None
        self._interims.reset()
        end = utterance.speech_end
        self._last_end = end / SAMPLE_RATE
        audio = self._audio[utterance.start - self._offset : upto - self._offset].copy()
        self._ended.append(_Ended(utterance, audio, reading, self._lead(utterance), cut))
        # After a cut, the lead-in would be read twice over in speech that goes on: on the
        # tuning set's unbroken speech it cost more words than it gave.
        self._previous = None if cut else utterance
        if self._live.single_utterance:
            self._over = True
            self._event(SpeechEventKind.END_OF_SINGLE_UTTERANCE, end / SAMPLE_RATE)
        self._event(SpeechEventKind.SPEECH_END, end / SAMPLE_RATE)

    async def _final(self, ended: _Ended) -> None:
        if ended.reading is not None:
            transcript = await ended.reading.task
        else:
            request = self._cut_request if ended.cut else self._request
            transcript = await self._in_turn(ended.lead, ended.audio, request)
        self._said = tokens(w for s in transcript.segments for w in s.words)
        utterance = ended.utterance
        segment = _merged(self._finish(transcript), utterance.start / SAMPLE_RATE, self.channel)
        if segment is not None:
            end = utterance.speech_end / SAMPLE_RATE
            self._emit(LiveResult((ResultPart(segment, 1.0),), True, end, self.channel))
        if self._live.single_utterance:
            self._done = True

    def _read(
        self, utterance: Utterance, request: DecodeRequest, *, urgent: bool
    ) -> asyncio.Task[Transcript]:
        """Read the utterance so far; an interim result shows it, if still current."""
        end = self._read_until = self._position()
        audio = self._audio[utterance.start - self._offset : end - self._offset].copy()
        reading = (
            self._in_turn(self._lead(utterance), audio, request)
            if urgent
            else self._decode(audio, request, False)
        )
        task = asyncio.create_task(reading)
        task.add_done_callback(lambda done: self._interim(utterance, done, end))
        return task

    def _lead(self, utterance: Utterance) -> FloatArray:
        """The last seconds of the utterance before, if `utterance` goes on from it in the
        same turn after a short pause: a lead-in for the reading of its final result (see
        `lead_in`)."""
        previous = self._previous
        if previous is None or (
            utterance.start - previous.speech_end > self._tuning.fresh_vad * SAMPLE_RATE
        ):
            return np.zeros(0, np.float32)
        start = max(previous.start, utterance.start - int(LEAD_IN_SECONDS * SAMPLE_RATE))
        start = max(start, self._offset)
        return self._audio[start - self._offset : utterance.start - self._offset].copy()

    def _in_turn(
        self, lead: FloatArray, audio: FloatArray, request: DecodeRequest
    ) -> Coroutine[Any, Any, Transcript]:
        """A reading for a final result, after `lead` when the last final had words."""
        # A reading cut at the lead-in keeps only its best alternative.
        if not len(lead) or not self._said or request.alternatives > 1:
            return self._decode(audio, request, True)
        return self._read_after(lead, self._said, audio, request)

    async def _read_after(
        self, lead: FloatArray, previous: list[str], audio: FloatArray, request: DecodeRequest
    ) -> Transcript:
        reading = await self._decode(np.concatenate([lead, audio]), request, True)
        return after_lead_in(reading, previous, len(lead) / SAMPLE_RATE, len(audio) / SAMPLE_RATE)

    def _current_candidate(self, utterance: Utterance) -> _Reading | None:
        """The reading made at this pause, unless speech came after it."""
        candidate = self._candidate
        if candidate is not None and candidate.speech_end != utterance.speech_end:
            candidate.task.cancel()  # still waiting for a worker, it would hold up finals
            self._candidate = candidate = None
        return candidate

    def _interim_due(self, utterance: Utterance) -> bool:
        heard = (self._position() - utterance.onset) / SAMPLE_RATE
        since = (self._position() - max(self._read_until, utterance.start)) / SAMPLE_RATE
        return heard >= self._tuning.first_interim and since >= self._tuning.interim_step

    def _interim(self, utterance: Utterance, done: asyncio.Task[Transcript], end: int) -> None:
        self._wake.set()
        if (
            not self._live.interim_results
            or done.cancelled()
            or done.exception() is not None
            or self._endpointer.utterance is not utterance
        ):
            return
        transcript = done.result()
        offset = utterance.start / SAMPLE_RATE
        words = [w for s in self._finish(transcript).segments for w in s.words]
        stable, tail = self._interims.update(words)
        parts = tuple(
            ResultPart(_segment(found, offset, transcript.language, self.channel), stability)
            for found, stability in ((stable, STABLE), (tail, UNSTABLE))
            if found
        )
        if parts:
            self._emit(LiveResult(parts, False, end / SAMPLE_RATE, self.channel))

    def _check_timeouts(self) -> None:
        live, now = self._live, self._position() / SAMPLE_RATE
        if self._endpointer.utterance is not None:
            return
        if (
            not self._heard
            and live.speech_start_timeout is not None
            and now >= live.speech_start_timeout
        ) or (
            self._heard
            and live.speech_end_timeout is not None
            and now - self._last_end >= live.speech_end_timeout
        ):
            self._event(SpeechEventKind.TIMEOUT, now)
            self._done = True

    def _event(self, kind: SpeechEventKind, offset: float) -> None:
        wanted = self._live.voice_events or kind in {
            SpeechEventKind.END_OF_SINGLE_UTTERANCE,
            SpeechEventKind.TIMEOUT,
        }
        if wanted and self.channel == 1:
            self._emit(SpeechEvent(kind, round(offset, 3)))

    def _start_afresh(self) -> None:
        """After a long enough silence the next utterance is heard afresh (see
        `StreamingVad.reset`); speech before then is heard in the context it follows."""
        if self._endpointer.utterance is not None:
            return  # speech came first: its own end sets the time again
        if self._fresh_at is not None and self._endpointer.position >= self._fresh_at:
            self._vad.reset()
            self._fresh_at = None

    def _position(self) -> int:
        return self._offset + len(self._audio)

    def _trim(self) -> None:
        """Keep only the audio a reading may still need: memory stays flat."""
        utterance = self._endpointer.utterance
        keep_from = utterance.start if utterance else self._position() - FRAME * 16
        keep_from -= int(LEAD_IN_SECONDS * SAMPLE_RATE)  # a lead-in for the next reading
        drop = max(0, keep_from - self._offset)
        if drop:
            self._audio = self._audio[drop:]
            self._offset += drop


def _dip(length: float, tuning: Tuning) -> float:
    """How unlike speech a frame must be to cut a long utterance there: from a pause
    (below the endpointer's OFFSET) at `long_utterance`, rising to a slight dip at
    `max_utterance`. Between words the probability falls; inside them it seldom does."""
    share = (length - tuning.long_utterance) / (tuning.max_utterance - tuning.long_utterance)
    return OFFSET + (0.95 - OFFSET) * min(1.0, share)


def _ends_sentence(reading: asyncio.Task[Transcript]) -> bool:
    if reading.cancelled() or reading.exception() is not None:
        return False
    text = reading.result().text.rstrip()
    # "..." is Whisper's mark for speech that trails off: the speaker may go on.
    return text.endswith((".", "?", "!", "。", "？", "！")) and not text.endswith(("..", "…"))


def _segment(words: list[Word], offset: float, language: str, channel: int) -> Segment:
    shifted = tuple(
        Word(w.text, round(w.start + offset, 3), round(w.end + offset, 3), w.confidence)
        for w in words
    )
    confidence = round(float(np.mean([w.confidence for w in words])), 4) if words else 0.0
    text = join_words((w.text for w in shifted), language)
    alternative = Alternative(text, confidence, shifted)
    return Segment(shifted[0].start, shifted[-1].end, (alternative,), language, channel)


def _merged(transcript: Transcript, offset: float, channel: int) -> Segment | None:
    """One utterance's segments as one result. The k-th alternative joins each segment's
    k-th reading (its best where it has fewer); the same text twice is kept once."""
    segments = [s for s in transcript.segments if s.words]
    if not segments:
        return None
    words = [w for s in segments for w in s.words]
    best = _segment(words, offset, transcript.language, channel)
    confidence = min(s.best.confidence for s in segments)
    alternatives = [dataclasses.replace(best.best, confidence=confidence)]
    seen = {best.text}
    for k in range(1, max(len(s.alternatives) for s in segments)):
        readings = [s.alternatives[min(k, len(s.alternatives) - 1)] for s in segments]
        text = join_words((r.text for r in readings), transcript.language)
        if text not in seen:
            seen.add(text)
            alternatives.append(Alternative(text, min(r.confidence for r in readings)))
    return dataclasses.replace(best, alternatives=tuple(alternatives))
