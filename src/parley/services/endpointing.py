"""Where utterances begin and end in live audio, from per-frame speech probabilities.

Pure bookkeeping over frame counts, so it is exact and testable without a model."""

from __future__ import annotations

from dataclasses import dataclass, field

from parley.audio.vad import FRAME, QUIET, SAMPLE_RATE

ONSET = 0.5  # speech begins at a frame this likely to be speech
OFFSET = QUIET  # and goes on while frames stay above this (hysteresis, as Silero advises)
PREROLL_SECONDS = 0.3  # audio kept before the onset: the VAD fires after the first sound


@dataclass
class Utterance:
    """Sample positions in the channel: audio kept from `start`, speech heard until
    `speech_end`; `silence` frames since then."""

    start: int
    onset: int
    speech_end: int
    silence: int = 0
    probabilities: list[float] = field(default_factory=list)

    @property
    def silence_seconds(self) -> float:
        return self.silence * FRAME / SAMPLE_RATE


class Endpointer:
    """Feeds on frame probabilities; `utterance` is the one in progress, if any."""

    def __init__(self) -> None:
        self.frames = 0  # frames seen so far
        self.utterance: Utterance | None = None
        self._floor = 0  # audio before this belongs to a finished utterance

    def feed(self, probability: float) -> bool:
        """Account for the next frame; True when it begins an utterance."""
        begin = self.frames * FRAME
        self.frames += 1
        current = self.utterance
        if current is None:
            if probability < ONSET:
                return False
            start = max(self._floor, begin - int(PREROLL_SECONDS * SAMPLE_RATE))
            self.utterance = Utterance(start, begin, begin + FRAME, 0, [probability])
            return True
        current.probabilities.append(probability)
        if probability >= OFFSET:
            current.speech_end, current.silence = begin + FRAME, 0
        else:
            current.silence += 1
        return False

    @property
    def position(self) -> int:
        """The sample position reached: the end of the last frame fed."""
        return self.frames * FRAME

    def finish(self, end: int | None = None) -> Utterance | None:
        """Close the utterance in progress at sample `end` (default: where speech was last
        heard); speech after `end` starts the next one."""
        current, self.utterance = self.utterance, None
        if current is None:
            return None
        cut = current.speech_end if end is None else end
        self._floor = cut
        if end is not None and end < current.speech_end:
            # Cut inside speech (an utterance too long): the rest goes on as a new one.
            kept = (end - current.start) // FRAME
            self.utterance = Utterance(
                end, end, current.speech_end, current.silence, current.probabilities[kept:]
            )
            current = Utterance(current.start, current.onset, end, 0, current.probabilities[:kept])
        return current

    def quietest(self, utterance: Utterance, within_seconds: float) -> int:
        """The sample position of the least speech-like frame among the last
        `within_seconds` of `utterance`: where to cut one that runs too long."""
        frames = utterance.probabilities
        first = max(1, len(frames) - int(within_seconds * SAMPLE_RATE / FRAME))
        index = min(range(first, len(frames)), key=frames.__getitem__, default=len(frames))
        return utterance.start + index * FRAME
