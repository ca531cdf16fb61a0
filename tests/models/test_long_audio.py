"""Ten minutes of real speech, cut at pauses and decoded by two worker processes: every
word comes back once, in order, at the right time; and a long recording nobody tuned on
gives the same words with one worker or two."""

from __future__ import annotations

import itertools
from pathlib import Path

import jiwer
import numpy as np
import pytest
import soundfile as sf

from parley.bench.speech import HELD_OUT_SPEECH, Utterance, load_speech_set
from parley.config import Settings
from parley.domain.audio import Audio
from parley.domain.transcript import RecognitionOptions
from parley.evaluation.wer import spoken_form
from parley.services.chunking import plan_windows
from parley.services.container import Services, build_services
from parley.services.progression import Progression
from parley.services.transcription import AudioInput
from tests.conftest import clips

RATE = 16000
# The ten minutes test where windows meet, which no model choice changes: the fastest
# packaged model decodes them (the default model's long-audio WER is `parley bench`'s).
FAST = RecognitionOptions(model="whisper-tiny.en", language="en")


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
        FAST,
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
    cuts = [w.end for w in plan_windows(_samples(path), 16000, Settings().window_seconds)[:-1]]

    def time_of(index: int) -> float:
        return tokens[min(index, len(tokens) - 1)][1]

    hyp = [t for t, _ in tokens]

    def doubled_or_lost(at: int) -> bool:
        """A word twice or a word gone, not a word misheard: a misreading ("superlative"
        as "subparlet of", once on another CPU) substitutes words beside what it adds or
        drops; a doubled word repeats its neighbour."""
        chunk, chunks = alignment[at], alignment
        if chunk.type == "insert":
            added = hyp[chunk.hyp_start_idx : chunk.hyp_end_idx]
            around = hyp[max(0, chunk.hyp_start_idx - 2) : chunk.hyp_start_idx]
            around += hyp[chunk.hyp_end_idx : chunk.hyp_end_idx + 2]
            if set(added) & set(around):
                return True
        beside = [chunks[i].type for i in (at - 1, at + 1) if 0 <= i < len(chunks)]
        return "substitute" not in beside

    alignment = joins.alignments[0]
    near_cuts = [
        (chunk.type, time_of(chunk.hyp_start_idx))
        for at, chunk in enumerate(alignment)
        if chunk.type in ("delete", "insert")
        and min(abs(time_of(chunk.hyp_start_idx) - cut) for cut in cuts) < 3
        and doubled_or_lost(at)
    ]
    print(f"cuts {cuts}; against clips alone: -{joins.deletions} +{joins.insertions} words")
    assert len(cuts) >= 3
    # Whisper may end a window's text a second early, its words laid over the rest ("want
    # to see it in the [superlative degree]" at the end of a window, "in" over 1.8 s and
    # "the" given no time, whisper-tiny.en in a worker on an AMD EPYC); that reading is
    # made again from the stretched word on (see docs/benchmarks.md). Other ways of
    # ending early may remain on other CPUs: one cut of the ten at most.
    assert len(near_cuts) <= 1, near_cuts
    # Away from the cuts, a window's context may still add or drop a word against the
    # clip read alone (15 of 1,168 on one CPU, 0 near a cut): a few percent at most.
    assert joins.deletions + joins.insertions <= 0.03 * len(tokens)

    times = [(w.start, w.end) for s in transcript.segments for w in s.words]
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(times))
    assert times[-1][1] <= 600
    # Speech runs to the last clip: nothing at the end went missing.
    assert times[-1][1] > 590 - 15


def _samples(path: Path) -> np.ndarray:
    return sf.read(path, dtype="float32")[0]


def _alone(services: Services, path: Path) -> str:
    record = services.transcription.transcribe(AudioInput(path.read_bytes(), path.name), FAST)
    return record.text


def test_the_worker_count_does_not_change_the_transcript(
    services: Services, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Held-out English speech end to end (over two and a half minutes, three windows or
    more: read and free speech), decoded with one worker and with two."""
    held_out: list[Utterance] = []
    for clip in load_speech_set(HELD_OUT_SPEECH, "en"):
        if clip.kind != "telephone" and sum(u.duration for u in held_out) < 150:
            held_out.append(clip)
    pause = np.zeros(int(0.8 * RATE), np.float32)
    samples = np.concatenate([part for u in held_out for part in (u.samples, pause)])
    assert len(samples) > 150 * RATE
    reference = " ".join(u.reference for u in held_out)
    one = build_services(Settings(data_dir=tmp_path_factory.mktemp("one"), workers=1))
    heard: dict[int, str] = {}
    try:
        for built in (one, services):
            spec, options = built.transcription.validate(RecognitionOptions(language="en"))
            transcript = built.transcription.recognize(Audio(samples[None, :], RATE), spec, options)
            heard[built.pool.workers] = spoken_form(transcript.text)
    finally:
        one.close()
    for workers, text in heard.items():
        wer = jiwer.wer(spoken_form(reference), text)
        print(f"{workers} worker(s): WER {wer:.3f}")
        assert wer <= 0.35
    assert heard[1] == heard[2]
