"""A live reading decodes its fitted window once: Whisper has seen all the audio, so
nothing is read again from its last word on, whatever the text ends with. (Before, one
reading in six of the tuning set's speech paid for a second window.) And it reads the
whole utterance the stream chose, quiet first words included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from parley.bench.speech import BUNDLED_SPEECH, RATE, load_speech_set
from parley.engines.base import DecodeRequest
from parley.engines.registry import EngineSettings, model_spec
from parley.engines.stt.segmenting import speech_pieces
from parley.engines.stt.whisper import WhisperEngine
from parley.evaluation.wer import word_error_rate

PIECE_SECONDS = 7.3  # as long as the utterances a live stream cuts continuous speech into
PAUSE = np.zeros(int(0.45 * RATE), np.float32)  # what a final at a pause reads after speech


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> WhisperEngine:
    cache = tmp_path_factory.mktemp("models")
    loaded = model_spec("whisper-base").load(EngineSettings(cache_dir=Path(cache)))
    assert isinstance(loaded, WhisperEngine)
    return loaded


def _read(engine: WhisperEngine, samples: np.ndarray) -> tuple[int, str]:
    """(encoder passes, text) of one live reading."""
    model: Any = engine._model
    passes: list[int] = []
    encode = model.encode
    model.encode = lambda features: passes.append(1) or encode(features)
    try:
        text = engine.transcribe(samples, DecodeRequest(language="en", live=True)).text
    finally:
        del model.encode
    return len(passes), text


def test_each_live_reading_is_one_encoder_pass(engine: WhisperEngine) -> None:
    """The first 7.3 s of each English clip of the tuning set (whole clips followed by a
    pause, the rest cut mid-speech): one pass each, and whole clips read as well as
    Whisper reads them."""
    whole_refs, whole_texts = [], []
    for utterance in load_speech_set(BUNDLED_SPEECH, language="en"):
        piece = utterance.samples[: int(PIECE_SECONDS * RATE)].astype(np.float32)
        whole = len(piece) == len(utterance.samples)
        passes, text = _read(engine, np.concatenate([piece, PAUSE]) if whole else piece)
        assert passes == 1, (utterance.name, text)
        assert text.strip(), utterance.name
        if whole:
            whole_refs.append(utterance.reference)
            whole_texts.append(text)
    assert len(whole_refs) >= 8
    assert word_error_rate(whole_refs, whole_texts).wer <= 0.12


def test_a_live_reading_keeps_the_quiet_first_words_the_stream_let_in(
    engine: WhisperEngine,
) -> None:
    """The stream's own VAD chose the utterance, hearing it after the speech before; the
    engine does not filter it again with a VAD that hears it afresh and is deaf to a quiet
    start. The whole clips of the tuning set, each with its first second 20 dB quieter,
    read about as well as the clips themselves (filtered again: 22 errors on their 185
    words, against 14 unfiltered)."""
    refs, plain, quiet = [], [], []
    for utterance in load_speech_set(BUNDLED_SPEECH, language="en"):
        samples = utterance.samples[: int(PIECE_SECONDS * RATE)].astype(np.float32)
        if len(samples) < len(utterance.samples):
            continue
        softened = samples.copy()
        softened[:RATE] *= 0.1
        refs.append(utterance.reference)
        plain.append(_read(engine, np.concatenate([samples, PAUSE]))[1])
        quiet.append(_read(engine, np.concatenate([softened, PAUSE]))[1])
    assert len(refs) >= 8
    heard = word_error_rate(refs, quiet)
    assert heard.wer <= 0.10
    assert heard.errors <= word_error_rate(refs, plain).errors + 3


def test_a_live_piece_is_the_whole_utterance_and_knows_where_its_speech_ends() -> None:
    """A live utterance is one piece, from its first sample (quiet opening and all) to its
    last (pause included), and it knows where the VAD's speech ends, which Whisper's loop
    check and Moonshine's word times take as the end of the speech: not through the
    silence after it."""
    silence = np.zeros(2 * RATE, np.float32)
    for utterance in load_speech_set(BUNDLED_SPEECH, language="en"):
        samples = utterance.samples.astype(np.float32)
        if len(samples) > PIECE_SECONDS * RATE:
            continue
        audio = np.concatenate([samples, silence])
        [piece] = speech_pieces(audio, 30.0, RATE, utterance=True)
        assert piece.stretches == [{"start": 0, "end": len(audio)}], utterance.name
        assert 0 < piece.speech_end <= len(samples) + RATE, utterance.name
    assert speech_pieces(silence, 30.0, RATE, utterance=True) == []
