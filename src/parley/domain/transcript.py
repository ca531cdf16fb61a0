"""What recognition is asked for and what it returns."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

# Languages written without spaces between words.
NO_SPACE_LANGUAGES = frozenset({"zh", "yue", "ja", "th", "lo", "my"})


def join_words(words: Iterable[str], language: str) -> str:
    return ("" if language in NO_SPACE_LANGUAGES else " ").join(words)


class Task(enum.StrEnum):
    TRANSCRIBE = "transcribe"
    TRANSLATE = "translate"


@dataclass(frozen=True)
class PhraseHint:
    """A phrase the speaker is likely to say; `boost` > 0 favours it, < 0 disfavours it."""

    phrase: str
    boost: float = 0.0


@dataclass(frozen=True)
class Replacement:
    """Replace whole-word occurrences of `search` in the final transcript."""

    search: str
    replace: str
    case_sensitive: bool = False


@dataclass(frozen=True)
class RecognitionOptions:
    """Everything a caller can ask of one recognition, independent of any wire format.

    `language` None means detect; with `alternative_languages`, detection chooses among
    `language` and those."""

    model: str | None = None
    language: str | None = None
    alternative_languages: tuple[str, ...] = ()
    task: Task = Task.TRANSCRIBE
    max_alternatives: int = 1
    punctuation: bool = True
    profanity_filter: bool = False
    spoken_punctuation: bool = False
    spoken_emojis: bool = False
    numbers_as_words: bool = False
    phrases: tuple[PhraseHint, ...] = ()
    replacements: tuple[Replacement, ...] = ()
    separate_channels: bool = False
    # Text the speech follows on from (names, spellings, style): Whisper's initial prompt.
    prompt: str = ""
    # Above 0, the decoder samples at this temperature instead of searching: varied
    # readings, by request (the same audio may then read differently each time).
    temperature: float = 0.0


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    confidence: float


@dataclass(frozen=True)
class Alternative:
    text: str
    confidence: float
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Segment:
    """One pause-separated stretch of speech; `alternatives[0]` is the best reading."""

    start: float
    end: float
    alternatives: tuple[Alternative, ...]
    language: str
    channel: int = 1

    @property
    def best(self) -> Alternative:
        return self.alternatives[0]

    @property
    def text(self) -> str:
        return self.best.text

    @property
    def words(self) -> tuple[Word, ...]:
        return self.best.words

    @property
    def confidence(self) -> float:
        return self.best.confidence


@dataclass(frozen=True)
class Transcript:
    segments: tuple[Segment, ...]
    language: str
    duration: float
    model: str
    inference_seconds: float = 0.0
    channels: int = 1

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments if s.text)
