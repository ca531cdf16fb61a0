"""Plain data types shared by every layer."""

from parley.domain.audio import Audio, AudioEncoding, RawAudioFormat, Span
from parley.domain.speech import AudioFormat, SynthesisOptions, SynthesizedChunk, Voice
from parley.domain.transcript import (
    Alternative,
    PhraseHint,
    RecognitionOptions,
    Replacement,
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
    "Replacement",
    "Segment",
    "Span",
    "SynthesisOptions",
    "SynthesizedChunk",
    "Task",
    "Transcript",
    "Voice",
    "Word",
]
