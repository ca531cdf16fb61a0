"""Long audio through the transcription service with a stand-in engine: every stretch of
sound comes back exactly once, at its own time, whatever the windows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from parley.domain.audio import FloatArray, Span
from parley.domain.transcript import Alternative, RecognitionOptions, Segment, Transcript, Word
from parley.engines.base import DecodeRequest
from parley.services.profanity import ProfanityFilter
from parley.services.progression import Progression
from parley.services.transcription import AudioInput, TranscriptionService
from parley.store import Store
from tests.conftest import clips
from tests.unit.pools import InlinePool


def sounds(samples: FloatArray) -> list[Span]:
    """Stretches of non-silent 10 ms frames, joined across gaps under 0.2 s."""
    frames = samples[: len(samples) // 160 * 160].reshape(-1, 160)
    loud = np.abs(frames).max(axis=1) > 1e-4
    spans: list[Span] = []
    for i in np.flatnonzero(loud):
        start, end = i * 0.01, (i + 1) * 0.01
        if spans and start - spans[-1].end < 0.2:
            spans[-1] = Span(spans[-1].start, end)
        else:
            spans.append(Span(start, end))
    return spans


class SoundEngine:
    """One word per stretch of sound in the window it is handed."""

    def transcribe(self, samples: FloatArray, request: DecodeRequest) -> Transcript:
        spans = sounds(samples)
        segments = tuple(
            Segment(
                s.start, s.end, (Alternative("w", 1.0, (Word("w", s.start, s.end, 1.0),)),), "en"
            )
            for s in spans
        )
        return Transcript(segments, "en", len(samples) / 16000, "span")


def sound_reading(model: str, samples: FloatArray, request: DecodeRequest) -> Transcript:
    return SoundEngine().transcribe(samples, request)


@pytest.fixture(scope="module")
def long_audio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(7)
    parts = []
    for _ in range(4):
        for clip in clips():
            parts += [clip.samples(), np.zeros(int(16000 * rng.uniform(0.3, 1.5)), np.float32)]
    path = tmp_path_factory.mktemp("long") / "long.wav"
    sf.write(path, np.concatenate(parts), 16000)
    return path


def test_every_speech_span_once_in_order(long_audio: Path, tmp_path: Path) -> None:
    pool = InlinePool(sound_reading, workers=3)
    service = TranscriptionService(
        pool,
        Store(f"sqlite:///{tmp_path}/db.sqlite", tmp_path / "audio"),  # type: ignore[arg-type]
        default_model="whisper-tiny.en",
        window_seconds=30,
        profanity=ProfanityFilter(),
    )
    progress: list[float] = []
    record = service.transcribe(
        AudioInput(long_audio.read_bytes(), "long.wav"),
        RecognitionOptions(),
        Progression(after_window=lambda job: progress.append(job.fraction) is None),
    )
    expected = sounds(sf.read(long_audio, dtype="float32")[0])
    assert record.transcript is not None
    words = [w for s in record.transcript.segments for w in s.words]
    assert len(pool.calls) >= 6, "the audio was not split into windows"
    assert len(words) == len(expected)
    for word, span in zip(words, expected, strict=True):
        assert word.start == pytest.approx(span.start, abs=0.011)
        assert word.end == pytest.approx(span.end, abs=0.011)
    assert progress == sorted(progress)
    assert progress[-1] == pytest.approx(1.0)
