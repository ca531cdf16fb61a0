"""Profanity masking and spoken punctuation on real recognized speech (spoken by Piper)."""

from __future__ import annotations

from pathlib import Path

from parley.domain.transcript import RecognitionOptions
from parley.services.container import Services
from parley.services.transcription import AudioInput

TTS = Path(__file__).resolve().parents[1] / "data" / "tts"


def hear(services: Services, name: str, **options: object) -> str:
    record = services.transcription.transcribe(
        AudioInput((TTS / f"{name}.flac").read_bytes()),
        RecognitionOptions(language="en", **options),  # type: ignore[arg-type]
    )
    return record.text


def test_profanity_is_masked_only_when_asked(services: Services) -> None:
    plain = hear(services, "swearing").lower()
    masked = hear(services, "swearing", profanity_filter=True).lower()
    assert "shit" in plain
    assert "fuck" in plain
    assert masked == "this is s***. what the f*** are you doing?"


def test_spoken_punctuation(services: Services) -> None:
    text = hear(services, "spoken_punctuation", spoken_punctuation=True, punctuation=False)
    assert text == "hello, how are you today? I am fine."
