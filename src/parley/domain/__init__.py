"""Plain data types shared by every layer."""

from parley.domain.audio import Audio, AudioEncoding, RawAudioFormat, Span
from parley.domain.speech import AudioFormat, SynthesisOptions, SynthesizedChunk, Voice
from parley.domain.transcript import (
    Alternative,
    PhraseHint,
    RecognitionOptions,
    Segment,
    Task,
    Transcript,
    Word,
)

__all__ = [
    "Alternative",
    "Audio",
    "AudioEncoding",
    "AudioFormat",
    "PhraseHint",
    "RawAudioFormat",
    "RecognitionOptions",
    "Segment",
    "Span",
    "SynthesisOptions",
    "SynthesizedChunk",
    "Task",
    "Transcript",
    "Voice",
    "Word",
]
