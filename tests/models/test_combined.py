"""Moonshine base and the combination of the English models (`accurate`) on real speech:
the dev clips, and held-out speech nobody tuned on."""

from __future__ import annotations

import itertools

import numpy as np
import onnxruntime
import pytest

from parley.bench.speech import HELD_OUT_SPEECH
from parley.domain.transcript import Task
from parley.engines import model_files
from parley.engines.stt.ort_format import onnx_model
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


def test_moonshine_onnx_graphs_compute_what_the_ort_files_do() -> None:
    """The `.ort` files read as ONNX models (which onnxruntime optimizes) give the same
    encoder output and the same first decoding step as the files loaded as saved."""
    folder = model_files.moonshine_base()
    audio = clip("ps_librivox_0870").samples()[None, :]

    def sessions(name: str) -> list[onnxruntime.InferenceSession]:
        path = folder / name
        return [
            onnxruntime.InferenceSession(source, providers=["CPUExecutionProvider"])
            for source in (str(path), onnx_model(path).SerializeToString())
        ]

    encoders = sessions("encoder_model.ort")
    hidden = [e.run(None, {e.get_inputs()[0].name: audio})[0] for e in encoders]
    assert hidden[0].shape == hidden[1].shape
    np.testing.assert_allclose(hidden[1], hidden[0], atol=1e-3 * np.abs(hidden[0]).max())
    decoders = sessions("decoder_model_merged.ort")
    feeds = {
        "input_ids": np.array([[1]], np.int64),
        "encoder_hidden_states": hidden[0],
        "use_cache_branch": np.array([False]),
        **{
            i.name: np.zeros((1, i.shape[1], 1, i.shape[3]), np.float32)
            for i in decoders[0].get_inputs()
            if i.name.startswith("past_key_values.")
        },
    }
    logits = [d.run(["logits"], feeds)[0][0, -1] for d in decoders]
    np.testing.assert_allclose(logits[1], logits[0], atol=1e-3 * np.abs(logits[0]).max())
    assert int(np.argmax(logits[1])) == int(np.argmax(logits[0]))
