"""Ten minutes of real speech, cut at pauses and decoded by two worker processes: every
word comes back once, in order, at the right time."""

from __future__ import annotations

import itertools
from pathlib import Path

import jiwer
import numpy as np
import pytest
import soundfile as sf

from parley.domain.transcript import RecognitionOptions
from parley.evaluation.wer import spoken_form
from parley.services.container import Services
from parley.services.transcription import AudioInput
from tests.conftest import clips

RATE = 16000


def build_long_audio(seconds: float, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    """The dev clips over and over with pauses of 0.3-1.5 s; returns the audio and the
    names of the clips in it, in order."""
    rng = np.random.default_rng(seed)
    parts: list[np.ndarray] = []
    names: list[str] = []
    total = 0
    while total < seconds * RATE:
        for clip in clips():
            audio = clip.samples()
            gap = np.zeros(int(RATE * rng.uniform(0.3, 1.5)), np.float32)
            if total + len(audio) > seconds * RATE:
                break
            parts += [audio, gap]
            names.append(clip.name)
            total += len(audio) + len(gap)
        else:
            continue
        break
    audio = np.concatenate(parts)
    pad = np.zeros(int(seconds * RATE) - len(audio), np.float32)
    return np.concatenate([audio, pad]), names


@pytest.fixture(scope="module")
def ten_minutes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    audio, references = build_long_audio(600)
    path = tmp_path_factory.mktemp("long") / "ten_minutes.wav"
    sf.write(path, audio, RATE)
    return path, references


def test_ten_minutes_with_two_workers(
    services: Services, ten_minutes: tuple[Path, list[str]]
) -> None:
    path, names = ten_minutes
    assert services.pool.workers == 2
    progress: list[float] = []
    record = services.transcription.transcribe(
        AudioInput(path.read_bytes(), path.name),
        RecognitionOptions(language="en"),
        progress=lambda done, total: progress.append(done / total),
    )
    transcript = record.transcript
    assert transcript is not None
    assert transcript.duration == pytest.approx(600, abs=0.01)
    assert len(progress) >= 4, "the file was not split into windows"

    by_name = {c.name: c for c in clips()}
    reference = spoken_form(" ".join(by_name[n].reference for n in names))
    hypothesis = spoken_form(transcript.text)
    accuracy = jiwer.process_words(reference, hypothesis)
    print(f"10 min: WER {accuracy.wer:.3f}, {transcript.inference_seconds:.1f} s")
    assert accuracy.wer <= 0.05

    # Against what the engine says for each clip alone, lost or doubled words at the
    # joins between windows would show up as deletions or insertions.
    alone = {c.name: _alone(services, c.path) for c in clips()}
    joins = jiwer.process_words(spoken_form(" ".join(alone[n] for n in names)), hypothesis)
    print(f"against clips alone: {joins.deletions} deleted, {joins.insertions} inserted")
    assert joins.deletions + joins.insertions <= 2

    times = [(w.start, w.end) for s in transcript.segments for w in s.words]
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(times))
    assert times[-1][1] <= 600
    # Speech runs to the last clip: nothing at the end went missing.
    assert times[-1][1] > 590 - 15


def _alone(services: Services, path: Path) -> str:
    record = services.transcription.transcribe(
        AudioInput(path.read_bytes(), path.name), RecognitionOptions(language="en")
    )
    return record.text
