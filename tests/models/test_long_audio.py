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
from parley.services.chunking import chunk_length, plan_windows
from parley.services.container import Services
from parley.services.progression import Progression
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
        Progression(after_window=lambda job: progress.append(job.fraction) is None),
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

    # Against what the engine says for each clip alone, a word lost or doubled where two
    # windows meet would show up as a deletion or insertion next to a cut.
    alone = {c.name: _alone(services, c.path) for c in clips()}
    tokens = [
        (t, w.start)
        for s in transcript.segments
        for w in s.words
        for t in spoken_form(w.text).split()
    ]
    joins = jiwer.process_words(
        spoken_form(" ".join(alone[n] for n in names)), " ".join(t for t, _ in tokens)
    )
    cuts = [w.end for w in plan_windows(_samples(path), 16000, chunk_length(600, 2, 300))[:-1]]

    def time_of(index: int) -> float:
        return tokens[min(index, len(tokens) - 1)][1]

    near_cuts = [
        (chunk.type, time_of(chunk.hyp_start_idx))
        for chunk in joins.alignments[0]
        if chunk.type in ("delete", "insert")
        and min(abs(time_of(chunk.hyp_start_idx) - cut) for cut in cuts) < 3
    ]
    print(f"cuts {cuts}; against clips alone: -{joins.deletions} +{joins.insertions} words")
    assert len(cuts) >= 3
    assert near_cuts == []
    assert joins.deletions + joins.insertions <= 0.01 * len(tokens)

    times = [(w.start, w.end) for s in transcript.segments for w in s.words]
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(times))
    assert times[-1][1] <= 600
    # Speech runs to the last clip: nothing at the end went missing.
    assert times[-1][1] > 590 - 15


def _samples(path: Path) -> np.ndarray:
    return sf.read(path, dtype="float32")[0]


def _alone(services: Services, path: Path) -> str:
    record = services.transcription.transcribe(
        AudioInput(path.read_bytes(), path.name), RecognitionOptions(language="en")
    )
    return record.text
