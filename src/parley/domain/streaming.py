"""What a live recognition stream is asked for and what it reports, as it goes."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from parley.domain.transcript import Segment


@dataclass(frozen=True)
class LiveOptions:
    """How a stream reports, beyond the recognition options themselves. Timeouts are in
    seconds of stream audio: no speech within `speech_start_timeout` of the start, or
    none again within `speech_end_timeout` after an utterance, ends the stream."""

    interim_results: bool = False
    single_utterance: bool = False
    voice_events: bool = False
    speech_start_timeout: float | None = None
    speech_end_timeout: float | None = None


@dataclass(frozen=True)
class StreamLimits:
    """`idle_seconds`: audio must come close to real time; a stream whose audio falls
    this far behind the clock (nothing sent for this long) is ended. None: no limit."""

    capacity: int  # open streams at once
    max_chunk_bytes: int
    max_seconds: float | None  # of audio; None: no limit
    idle_seconds: float | None = None
    max_wall_seconds: float | None = None  # from opening; None: no limit


class SpeechEventKind(enum.StrEnum):
    SPEECH_BEGIN = "speech_begin"
    SPEECH_END = "speech_end"
    TIMEOUT = "timeout"
    END_OF_SINGLE_UTTERANCE = "end_of_single_utterance"


@dataclass(frozen=True)
class SpeechEvent:
    kind: SpeechEventKind
    offset: float  # seconds from the start of the stream


@dataclass(frozen=True)
class ResultPart:
    segment: Segment
    stability: float  # 0-1: how likely later readings keep it; 1 for a final


@dataclass(frozen=True)
class LiveResult:
    """A reading of one utterance. A final one (one part) never changes afterwards. An
    interim one has a stable part, which later interim readings keep, and then an
    unstable tail. Times count from the start of the stream."""

    parts: tuple[ResultPart, ...]
    is_final: bool
    end: float
    channel: int = 1


LiveEvent = SpeechEvent | LiveResult
