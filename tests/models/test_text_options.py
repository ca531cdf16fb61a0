"""Profanity masking and spoken punctuation on real recognized speech (spoken by Piper)."""

from __future__ import annotations

import pytest

from parley.domain.speech import SynthesisOptions
from parley.domain.transcript import RecognitionOptions, Transcript
from parley.services.container import Services
from parley.services.transcription import AudioInput


def speak_and_recognize(services: Services, text: str, **options: object) -> Transcript:
    audio = services.synthesis.synthesize(text, SynthesisOptions()).audio
    record = services.transcription.transcribe(
        AudioInput(audio, "spoken.wav"),
        RecognitionOptions(language="en", **options),  # type: ignore[arg-type]
    )
    assert record.transcript is not None
    return record.transcript


@pytest.fixture(scope="module")
def swearing(services: Services) -> bytes:
    return services.synthesis.synthesize(
        "This is shit. What the fuck are you doing?", SynthesisOptions()
    ).audio


def test_profanity_is_masked_only_when_asked(services: Services, swearing: bytes) -> None:
    def hear(mask: bool) -> str:
        options = RecognitionOptions(language="en", profanity_filter=mask)
        return services.transcription.transcribe(AudioInput(swearing), options).text.lower()

    plain, masked = hear(False), hear(True)
    assert "shit" in plain
    assert "fuck" in plain
    assert "s***" in masked
    assert "f***" in masked
    assert "shit" not in masked
    assert "fuck" not in masked


def test_spoken_punctuation(services: Services) -> None:
    text = speak_and_recognize(
        services,
        "Hello comma how are you today question mark I am fine period",
        spoken_punctuation=True,
        punctuation=False,
    ).text
    assert text.lower() == "hello, how are you today? i am fine."
