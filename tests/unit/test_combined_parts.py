"""A combination of models (`accurate`) through the transcription service, with stand-in
readings: each part reads on a worker of its own, and the words are voted on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from parley.domain.transcript import Alternative, RecognitionOptions, Segment, Transcript, Word
from parley.engines.registry import model_spec
from parley.services.profanity import ProfanityFilter
from parley.services.transcription import AudioInput, TranscriptionService
from parley.store import Store
from tests.unit.pools import InlinePool

READINGS = {
    "whisper-base": "the cat sat on a mat",
    "moonshine-base": "the hat sat on the mat",
    "whisper-tiny.en": "the hat sat on the mat",
    "accurate": "el gato",  # the whole combination, read in one worker
}


def reading(model: str, duration: float) -> Transcript:
    texts = READINGS[model].split()
    step = duration / len(texts)
    words = tuple(Word(t, i * step, (i + 1) * step, 0.9) for i, t in enumerate(texts))
    segment = Segment(0.0, duration, (Alternative(" ".join(texts), 0.9, words),), "en")
    return Transcript((segment,), "en", duration, model)


@pytest.fixture
def service_and_pool(tmp_path: Path) -> tuple[TranscriptionService, InlinePool]:
    pool = InlinePool(lambda model, samples, _: reading(model, len(samples) / 16000))
    service = TranscriptionService(
        pool,  # type: ignore[arg-type]
        Store(f"sqlite:///{tmp_path}/db.sqlite", tmp_path / "audio"),
        default_model="whisper-base",
        window_seconds=60,
        profanity=ProfanityFilter(),
    )
    return service, pool


@pytest.fixture
def wav(tmp_path: Path) -> bytes:
    path = tmp_path / "tone.wav"
    t = np.arange(3 * 16000) / 16000
    sf.write(path, (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16000)
    return path.read_bytes()


def test_english_is_read_by_every_part_on_its_own_worker(
    service_and_pool: tuple[TranscriptionService, InlinePool], wav: bytes
) -> None:
    service, pool = service_and_pool
    record = service.transcribe(
        AudioInput(wav, "tone.wav"), RecognitionOptions(model="accurate", language="en-US")
    )
    assert [model for model, _, _ in pool.calls] == list(model_spec("accurate").parts)
    assert all(parallel for _, _, parallel in pool.calls), "the parts ran one after another"
    assert all(request.language == "en" for _, request, _ in pool.calls)
    assert record.transcript is not None
    assert record.transcript.model == "accurate"
    # Two readings of three agree on "hat" and "the": the vote, not the first reading.
    assert record.transcript.text.lower().rstrip(".") == "the hat sat on the mat"


@pytest.mark.parametrize(
    "options",
    [
        RecognitionOptions(model="accurate", language="es"),
        RecognitionOptions(model="accurate", language="en-US", max_alternatives=3),
        RecognitionOptions(model="accurate"),  # the language is found by the first part
    ],
    ids=["other-language", "alternatives", "language-unknown"],
)
def test_what_cannot_be_combined_up_front_goes_to_one_worker_whole(
    service_and_pool: tuple[TranscriptionService, InlinePool],
    wav: bytes,
    options: RecognitionOptions,
) -> None:
    service, pool = service_and_pool
    service.transcribe(AudioInput(wav, "tone.wav"), options)
    assert [model for model, _, _ in pool.calls] == ["accurate"]
