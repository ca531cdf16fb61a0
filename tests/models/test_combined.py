"""Moonshine base and the combination of the English models (`accurate`) on real speech:
the dev clips, and held-out speech nobody tuned on."""

from __future__ import annotations

import itertools

import pytest

from parley.bench.speech import HELD_OUT_SPEECH
from parley.domain.transcript import Task
from parley.errors import InvalidArgument
from parley.evaluation.wer import word_error_rate
from parley.services.container import Services
from tests.conftest import clip
from tests.models.conftest import recognize


def test_moonshine_words_are_ordered_inside_the_audio(services: Services) -> None:
    transcript = recognize(services, clip("ps_librivox_0870").path, model="moonshine-base")
    words = [w for s in transcript.segments for w in s.words]
    assert len(words) >= 10
    for a, b in itertools.pairwise(words):
        assert a.start <= a.end <= b.start + 1e-6
    assert words[0].start >= 0
    assert words[-1].end <= transcript.duration
    assert all(0 < w.confidence <= 1 for w in words)
    assert transcript.model == "moonshine-base"


def test_moonshine_refuses_what_only_whisper_does(services: Services) -> None:
    path = clip("ps_goforward").path
    with pytest.raises(InvalidArgument, match="phrase hints"):
        recognize(services, path, model="moonshine-base", max_alternatives=3)
    with pytest.raises(InvalidArgument, match="English-only"):
        recognize(services, path, model="moonshine-base", task=Task.TRANSLATE)


def test_accurate_reads_other_languages_with_whisper(services: Services) -> None:
    path = HELD_OUT_SPEECH / "es_mls_13697_11991_000000.flac"
    transcript = recognize(services, path, model="accurate", language="es")
    assert transcript.model == "accurate"
    assert transcript.language == "es"
    score = word_error_rate([path.with_suffix(".ref").read_text()], [transcript.text], "es")
    assert score.wer <= 0.3
