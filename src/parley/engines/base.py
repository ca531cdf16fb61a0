"""The contracts every engine keeps: PCM arrays and domain types in, domain types out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from parley.domain.audio import FloatArray
from parley.domain.speech import SynthesizedChunk, Voice
from parley.domain.transcript import PhraseHint, Task, Transcript


@dataclass(frozen=True)
class DecodeRequest:
    """One decode of one channel. Without `language`, the engine detects it, among
    `candidates` when there are any."""

    language: str | None = None
    candidates: tuple[str, ...] = ()
    task: Task = Task.TRANSCRIBE
    alternatives: int = 1
    phrases: tuple[PhraseHint, ...] = ()
    # A reading of live audio, which must be quick: the encoder sees only the audio (plus
    # a little silence) instead of Whisper's full 30 s window, several times faster on
    # short utterances, and a poor reading is not decoded again at higher temperatures.
    live: bool = False
    # Greedy search instead of a beam: a fifth cheaper, for readings soon replaced.
    greedy: bool = False
    prompt: str = ""  # Whisper's initial prompt; models without one ignore it
    temperature: float = 0.0


class SpeechToText(Protocol):
    name: str
    sample_rate: int
    languages: frozenset[str]

    def transcribe(self, samples: FloatArray, request: DecodeRequest) -> Transcript:
        """Recognize mono `samples` at `sample_rate`; segments split at pauses, in order."""
        ...


class TextToSpeech(Protocol):
    name: str

    def voices(self) -> list[Voice]: ...

    def synthesize(self, text: str, voice: str, rate: float) -> Iterator[SynthesizedChunk]:
        """Speak `text` (already normalized), one chunk per sentence as each is ready."""
        ...
